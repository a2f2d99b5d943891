// The pages' only way to their server: JSON in and out (a Blob body goes as it is, with its own
// type), one error type, and the CSRF token the console API asks for on every change.
// Served as kit/api.js beside each page (see src/http/public-kit.ts).

/** The counsellor API's session: its 401 means "not signed in" rather than "signed out since". */
export const SESSION_PATH = "/api/v1/session";

let csrfToken = null;
let onUnauthenticated = () => {};

/** Kept in memory only (never in storage): sent as x-csrf-token on every change. */
export function setCsrfToken(token) {
  csrfToken = token;
}

/** Called when a request other than the session check is refused for want of a session. */
export function whenUnauthenticated(handler) {
  onUnauthenticated = handler;
}

export class ApiError extends Error {
  constructor(status, code, message, details = []) {
    super(message || code);
    this.status = status;
    this.code = code;
    /** What the server names to fix the request (fields, a word): strings. */
    this.details = details;
  }
}

/**
 * The console API (/api/v1/) takes an Idempotency-Key on every change (src/console/API.md): a
 * change whose answer was lost is asked again with the same key, and the server answers as the
 * first time instead of acting twice. Other servers of ours (the LINE simulator) take no key.
 */
const KEYED_PREFIX = "/api/v1/";
/** Waits before each new attempt of a change whose answer was lost: about 3.5 s in all. */
const RETRY_DELAYS_MS = [500, 1000, 2000];
/** A proxy's "no answer from the server": the change may or may not have been made. */
const GATEWAY_STATUSES = new Set([502, 503, 504]);

/** One key per action. crypto.randomUUID needs https or localhost; the fallback does not. */
export function newIdempotencyKey() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Whether a change that failed so may have been made anyway (the network, a gateway) or is still
 * running: only asking again with the same key tells.
 */
export function outcomeUnknown(error) {
  return (
    error instanceof ApiError &&
    (error.status === 0 ||
      GATEWAY_STATUSES.has(error.status) ||
      error.code === "IDEMPOTENCY_KEY_IN_USE")
  );
}

/**
 * `path` as the page gives it: absolute (/api/v1/…) or relative to the page (_sim/…). A change
 * to the console API carries `idempotencyKey` (a fresh one unless the caller keeps its own) and
 * is asked again with it a few times while its outcome is unknown.
 */
export async function api(method, path, body, { idempotencyKey } = {}) {
  if (method === "GET" || !path.startsWith(KEYED_PREFIX)) return request(method, path, body);
  const key = idempotencyKey ?? newIdempotencyKey();
  for (let attempt = 0; ; attempt++) {
    try {
      return await request(method, path, body, key);
    } catch (error) {
      if (!outcomeUnknown(error) || attempt >= RETRY_DELAYS_MS.length) throw error;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
    }
  }
}

async function request(method, path, body, idempotencyKey) {
  const headers = { accept: "application/json" };
  const raw = body instanceof Blob;
  if (body !== undefined) headers["content-type"] = raw ? body.type : "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined || raw ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "NETWORK", "network error");
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new ApiError(
      response.status,
      data?.code ?? `HTTP_${response.status}`,
      data?.message,
      Array.isArray(data?.details) ? data.details : [],
    );
    // The session's own routes (sign-in and its second step) answer 401 for a wrong password
    // or code: that is not a session that ended.
    const sessionRoute = path === SESSION_PATH || path.startsWith(`${SESSION_PATH}/`);
    if (response.status === 401 && !sessionRoute) {
      onUnauthenticated();
    }
    throw error;
  }
  return data;
}

/** What any page of ours says for these codes; a page passes its own codes to describeError. */
const MESSAGES = {
  NETWORK: "サーバーにつながりません。ネットワークを確認してください。",
  UNAUTHENTICATED: "もう一度サインインしてください。",
  CSRF_INVALID: "画面が古くなっています。読み込み直してください。",
  FORBIDDEN: "この操作をする権限がありません。",
  PASSWORD_CHANGE_REQUIRED:
    "パスワードの変更が必要です。相談員コンソールを開いて、新しいパスワードを設定してください。",
  IDEMPOTENCY_KEY_IN_USE: "前の操作をまだ処理しています。少し待ってから画面を確かめてください。",
};

/** A Japanese sentence for an API error, for the person at the screen. */
export function describeError(error, messages = {}) {
  if (error instanceof ApiError) {
    return (
      messages[error.code] ??
      MESSAGES[error.code] ??
      `うまくいきませんでした（${error.code}）。もう一度お試しください。`
    );
  }
  return "うまくいきませんでした。もう一度お試しください。";
}
