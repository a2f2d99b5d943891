/**
 * A counsellor at the console, through its API (src/console/API.md) as the page uses it: her
 * session cookie and CSRF token, claiming a conversation and sending replies. A send that got
 * no answer or an error is sent again with the same text, as she would press send again; it
 * carries one Idempotency-Key across those tries, for a service that honours one.
 */
export class CounsellorSession {
  private cookie = "";
  private csrf = "";
  private constructor(private readonly baseUrl: string) {}

  static async signIn(baseUrl: string, loginName: string, password: string) {
    const session = new CounsellorSession(baseUrl);
    const status = await session.call("POST", "/api/v1/session", { loginName, password });
    if (status !== 200) throw new Error(`${loginName} could not sign in: ${status}`);
    return session;
  }

  claim(conversationId: string): Promise<number> {
    return this.call("POST", `/api/v1/conversations/${conversationId}/claim`, {});
  }

  /** One try; its status, 0 when no answer came (a cut connection, or none in 15 s). */
  send(conversationId: string, text: string, idempotencyKey: string): Promise<number> {
    return this.call(
      "POST",
      `/api/v1/conversations/${conversationId}/messages`,
      { text },
      {
        "idempotency-key": idempotencyKey,
      },
    );
  }

  private async call(
    method: string,
    path: string,
    body: unknown,
    extra: Record<string, string> = {},
  ): Promise<number> {
    const headers: Record<string, string> = { "content-type": "application/json", ...extra };
    if (this.cookie) headers["cookie"] = this.cookie;
    if (this.csrf) headers["x-csrf-token"] = this.csrf;
    try {
      const response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      const cookie = response.headers.get("set-cookie");
      if (cookie) this.cookie = cookie.split(";")[0] ?? "";
      const json = (await response.json().catch(() => undefined)) as
        { csrfToken?: unknown } | undefined;
      if (typeof json?.csrfToken === "string") this.csrf = json.csrfToken;
      return response.status;
    } catch {
      return 0;
    }
  }
}
