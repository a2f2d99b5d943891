import type { PrismaClient } from "../../src/db/prisma-client";
import { createCounsellor, type NewCounsellor } from "../../src/console/auth-service";

/** One Server-Sent Event of /api/v1/events. */
export interface LiveEvent {
  event: string;
  data: unknown;
}

/** A counsellor using the console API with her/his own session cookie and CSRF token. */
export class ConsoleClient {
  /**
   * The cookies the service set, by name, as a browser keeps them (session, device, pending),
   * each sent only below its Path as a browser does (the device cookie only to sign-in).
   */
  private readonly jar = new Map<string, { value: string; path: string }>();
  private csrf = "";
  constructor(readonly baseUrl: string) {}

  static async signedIn(
    baseUrl: string,
    loginName: string,
    password: string,
    /** Where the account has a second factor: the code to give (from her app, or a recovery code). */
    opts: { code?: () => Promise<string> } = {},
  ): Promise<ConsoleClient> {
    const client = new ConsoleClient(baseUrl);
    let res = await client.call("POST", "/api/v1/session", { loginName, password });
    if (res.status === 200 && res.json.next === "second-factor") {
      if (!opts.code) throw new Error(`${loginName} has a second factor: give a code`);
      res = await client.call("POST", "/api/v1/session/second-factor", { code: await opts.code() });
    }
    if (res.status !== 200)
      throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.json)}`);
    return client;
  }

  /** The same session (cookie and CSRF token) on another web process, at `baseUrl`. */
  on(baseUrl: string): ConsoleClient {
    const other = new ConsoleClient(baseUrl);
    for (const [name, cookie] of this.jar) other.jar.set(name, cookie);
    other.csrf = this.csrf;
    return other;
  }

  async call(
    method: string,
    path: string,
    body?: unknown,
    opts: { csrf?: boolean; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      ...opts.headers,
    };
    const cookie = this.cookieFor(path);
    if (cookie) headers.cookie = cookie;
    if (this.csrf && opts.csrf !== false) headers["x-csrf-token"] = this.csrf;
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const set of res.headers.getSetCookie()) {
      const [pair = "", ...attributes] = set.split(";");
      const [name = "", ...value] = pair.split("=");
      const cleared = value.join("") === "" || /expires=Thu, 01 Jan 1970/i.test(set);
      const path = attributes
        .map((a) => a.trim())
        .find((a) => /^path=/i.test(a))
        ?.slice("path=".length);
      if (cleared) this.jar.delete(name);
      else this.jar.set(name, { value: value.join("="), path: path || "/" });
    }
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    const token = (json as { csrfToken?: unknown } | undefined)?.csrfToken;
    if (typeof token === "string") this.csrf = token;
    return {
      status: res.status,
      json: json as Record<string, unknown> & Record<string, never>,
      headers: res.headers,
    };
  }

  /**
   * Listens to the live events as the console page does; `received` grows as they come, and
   * `onEvent` (if given) is told of each.
   */
  async events(
    onEvent?: (e: LiveEvent) => void,
  ): Promise<{ received: LiveEvent[]; ended: Promise<void>; close(): void }> {
    const controller = new AbortController();
    const res = await fetch(`${this.baseUrl}/api/v1/events`, {
      headers: { cookie: this.cookieFor("/api/v1/events") },
      signal: controller.signal,
    });
    const reader = res.body?.getReader();
    if (!reader) throw new Error(`no event stream: ${res.status}`);
    const received: LiveEvent[] = [];
    const decoder = new TextDecoder();
    let buffer = "";
    // Settles when the server ends the stream (or the test closes it).
    const ended = (async () => {
      for (;;) {
        const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!event || !data) continue;
          const e: LiveEvent = { event, data: JSON.parse(data) };
          received.push(e);
          onEvent?.(e);
        }
      }
    })();
    return { received, ended, close: () => controller.abort() };
  }

  /** A GET whose answer is not JSON (her files), as the browser fetches it with the cookie. */
  raw(path: string): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, { headers: { cookie: this.cookieFor(path) } });
  }

  /** The Cookie header this client sends with a request to `path` (RFC 6265's path match). */
  cookieFor(path: string): string {
    const pathname = path.split("?")[0] ?? path;
    const below = (cookiePath: string) =>
      pathname === cookiePath ||
      (pathname.startsWith(cookiePath) &&
        (cookiePath.endsWith("/") || pathname[cookiePath.length] === "/"));
    return [...this.jar]
      .filter(([, c]) => below(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join("; ");
  }

  get = (path: string) => this.call("GET", path);
  post = (path: string, body: unknown = {}) => this.call("POST", path, body);
}

export const PASSWORD = "correct-horse-battery";

export async function account(
  prisma: PrismaClient,
  loginName: string,
  role: NewCounsellor["role"],
  regionId: string | null,
  /** Where on-call e-mail reaches her or him. */
  email?: string,
): Promise<void> {
  await createCounsellor(prisma, {
    loginName,
    displayName: `相談員${loginName}`,
    password: PASSWORD,
    role,
    regionId,
    email: email ?? null,
  });
}
