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
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

/** `path` as the page gives it: absolute (/api/v1/…) or relative to the page (_sim/…). */
export async function api(method, path, body) {
  const headers = { accept: "application/json" };
  const raw = body instanceof Blob;
  if (body !== undefined) headers["content-type"] = raw ? body.type : "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
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
    );
    if (response.status === 401 && path !== SESSION_PATH) onUnauthenticated();
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
