// The console's only way to the server: the JSON API of src/console/API.md.

let csrfToken = null;
let onUnauthenticated = () => {};

/** Kept in memory only (never in storage): sent as x-csrf-token on every change. */
export function setCsrfToken(token) {
  csrfToken = token;
}

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

export async function api(method, path, body) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
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
    if (response.status === 401 && path !== "/api/v1/session") onUnauthenticated();
    throw error;
  }
  return data;
}

const MESSAGES = {
  NETWORK: "サーバーにつながりません。ネットワークを確認してください。",
  SIGN_IN_FAILED: "ログイン名またはパスワードが違います。",
  TOO_MANY_ATTEMPTS: "サインインの失敗が続きました。しばらく待ってからもう一度お試しください。",
  UNAUTHENTICATED: "もう一度サインインしてください。",
  CSRF_INVALID: "画面が古くなっています。読み込み直してください。",
  FORBIDDEN: "この操作をする権限がありません。",
  NOT_FOUND: "この相談は見つかりません（担当の範囲外か、すでにありません）。",
  ALREADY_TAKEN: "ほかの相談員が対応を始めました",
  NOT_ACTIVE: "対応を始めてから返信してください。",
  NOT_YOURS: "ほかの相談員が担当しています。",
  NOT_OPEN: "終了した相談は引き継げません。",
  BAD_TARGET: "その引き継ぎ先は選べません。",
  PASSWORD_TOO_SHORT: "パスワードは12文字以上にしてください。",
  LOGIN_TAKEN: "そのログイン名はすでに使われています。",
  REGION_REQUIRED: "相談員には担当地域が必要です。",
};

/** A Japanese sentence for an API error, for the person at the screen. */
export function describeError(error) {
  if (error instanceof ApiError) {
    return (
      MESSAGES[error.code] ?? `うまくいきませんでした（${error.code}）。もう一度お試しください。`
    );
  }
  return "うまくいきませんでした。もう一度お試しください。";
}
