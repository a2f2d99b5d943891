/**
 * Every documented operation of the console's API (/api/openapi.json), driven with generated bad
 * input (fast-check): malformed and oversized bodies, values of the wrong type, NUL characters,
 * ids that are not ids, odd query strings. Each answer is a 4xx in `{reqId, code, message}` or a
 * success, never a 5xx. A new route is fuzzed as soon as it is documented.
 */
import fc from "fast-check";
import { account, PASSWORD } from "../support/console-client";
import { startConsoleOnClock, type ConsoleOnClock } from "../support/console-on-clock";

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  bodyFields: string[];
  hasBody: boolean;
  isPublic: boolean;
}

interface OpenApiOperation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: { "application/json": { schema: { properties?: object } } } };
  security?: unknown[];
}

/** Runs per operation and kind of bad input: enough to find a crash, short enough for CI. */
const RUNS = 12;

describe("the console API under generated bad input", () => {
  let consoleApp: ConsoleOnClock;
  let operations: Operation[] = [];
  /** The session, and the device cookie that keeps the fuzzing admin's own sign-in open. */
  const session = { cookie: "", csrf: "", device: "" };
  const tally = { requests: 0, fiveHundreds: [] as string[] };

  async function signIn() {
    // Generated sign-ins spend this address's budget: the device cookie of the admin's first
    // sign-in lets her back in all the same, as her own browser would be.
    const res = await fetch(`${consoleApp.url}/api/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: session.device },
      body: JSON.stringify({ loginName: "fuzz-admin", password: PASSWORD }),
    });
    const cookies = res.headers.getSetCookie().map((c) => c.split(";")[0] ?? "");
    session.cookie = cookies.find((c) => c.startsWith("lws_session=")) ?? "";
    session.device = cookies.find((c) => c.startsWith("lws_device_")) ?? session.device;
    session.csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
  }

  beforeAll(async () => {
    consoleApp = await startConsoleOnClock(() => Date.now());
    await account(consoleApp.db.prisma, "fuzz-admin", "admin", null);
    await signIn();
    const doc = (await (await fetch(`${consoleApp.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, OpenApiOperation>>;
    };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => {
        const params = op.parameters ?? [];
        const body = op.requestBody?.content["application/json"].schema;
        return {
          method: method.toUpperCase(),
          path,
          pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
          queryParams: params.filter((p) => p.in === "query").map((p) => p.name),
          bodyFields: Object.keys(body?.properties ?? {}),
          hasBody: body !== undefined,
          isPublic: op.security === undefined,
        };
      }),
    );
  }, 60_000);
  afterAll(() => consoleApp.stop());

  /** One request; a 5xx is recorded with what caused it, every answer's shape is checked. */
  async function send(
    op: Operation,
    input: { params?: Record<string, string>; query?: string; body?: string },
  ): Promise<number> {
    let path = op.path;
    for (const name of op.pathParams) {
      const value = input.params?.[name] ?? "00000000-0000-4000-8000-000000000000";
      // Every byte percent-encoded: any string, even a lone surrogate, makes a path.
      const encoded = [...Buffer.from(value)].map((b) => `%${b.toString(16).padStart(2, "0")}`);
      path = path.replace(`{${name}}`, encoded.join(""));
    }
    const url = `${consoleApp.url}${path}${input.query ? `?${input.query}` : ""}`;
    const withBody = op.method !== "GET" && input.body !== undefined;
    const res = await fetch(url, {
      method: op.method,
      headers: {
        cookie: session.cookie,
        "x-csrf-token": session.csrf,
        ...(withBody ? { "content-type": "application/json" } : {}),
      },
      body: withBody ? input.body : undefined,
    });
    tally.requests += 1;
    // The live-events stream never ends: its status is the answer.
    if (res.headers.get("content-type")?.startsWith("text/event-stream")) {
      await res.body?.cancel();
      return res.status;
    }
    const text = await res.text();
    if (res.status >= 500) {
      tally.fiveHundreds.push(`${op.method} ${op.path} → ${res.status} ${text.slice(0, 200)}`);
    } else if (res.status >= 400) {
      const { details, ...error } = JSON.parse(text) as Record<string, unknown>;
      expect(Object.keys(error).sort()).toEqual(["code", "message", "reqId"]);
      expect(error.code).toMatch(/^[A-Z_]+$/);
      // What was wrong, field by field, when there is more than one thing to say.
      if (details !== undefined) expect(Array.isArray(details)).toBe(true);
    }
    // Signed out by a generated DELETE /session, or a sign-in with generated names: sign in again.
    if (res.status === 401 || op.path === "/api/v1/session") await signIn();
    return res.status;
  }

  /** Strings a careless handler chokes on: NUL, lone surrogates, huge numbers, SQL, paths. */
  const nasty = fc.oneof(
    fc.string(),
    fc.string({ unit: "binary" }),
    fc.constantFrom(
      "\u0000",
      "a\u0000b",
      "\ud800",
      "1e309",
      "-1",
      "' OR 1=1 --",
      "../../etc",
      "%00",
    ),
  );
  const jsonish = fc.oneof(fc.jsonValue(), nasty);

  it("is documented: every operation is fuzzed below", () => {
    expect(operations.length).toBeGreaterThan(20);
    expect(operations.map((o) => `${o.method} ${o.path}`)).toEqual(
      expect.arrayContaining([
        "POST /api/v1/conversations/{id}/notes",
        "GET /api/v1/stats/report",
        "POST /api/v1/session",
        "POST /api/v1/partners",
        "PATCH /api/v1/partners/{id}",
        "POST /api/v1/conversations/{id}/referrals",
        "POST /api/v1/stats/entries/{id}/referrals",
        "PATCH /api/v1/referrals/{id}",
        "POST /api/v1/campaigns",
      ]),
    );
  });

  it("answers malformed, oversized and NUL-bearing bodies with a 4xx", async () => {
    for (const op of operations.filter((o) => o.hasBody)) {
      expect(await send(op, { body: '{"text": "unterminated' })).toBe(400);
      expect(await send(op, { body: JSON.stringify({ text: "x".repeat(150_000) }) })).toBe(413);
      const withNul = Object.fromEntries(op.bodyFields.map((f) => [f, "a\u0000b"]));
      expect(await send(op, { body: JSON.stringify(withNul) })).toBe(400);
    }
  }, 120_000);

  it("answers generated bodies of every shape without a 5xx", async () => {
    for (const op of operations.filter((o) => o.hasBody)) {
      const fields = op.bodyFields.length ? op.bodyFields : ["x"];
      const body = fc.oneof(
        jsonish.map((v) => JSON.stringify(v)),
        fc.dictionary(fc.constantFrom(...fields), jsonish).map((v) => JSON.stringify(v)),
        fc.string().map((s) => `{${s}`),
      );
      await fc.assert(
        fc.asyncProperty(body, async (b) => (await send(op, { body: b })) < 500),
        { numRuns: RUNS },
      );
    }
  }, 300_000);

  it("answers ids that are not ids, or name nothing, with a 4xx", async () => {
    for (const op of operations.filter((o) => o.pathParams.length > 0)) {
      await fc.assert(
        fc.asyncProperty(fc.oneof(nasty, fc.uuid()), async (id) => {
          const params = Object.fromEntries(op.pathParams.map((p) => [p, id || "x"]));
          const status = await send(op, { params, body: "{}" });
          if (status < 400 || status >= 500) throw new Error(`${op.method} ${op.path}: ${status}`);
        }),
        { numRuns: RUNS },
      );
    }
  }, 300_000);

  it("answers generated query strings without a 5xx", async () => {
    for (const op of operations.filter((o) => o.method === "GET")) {
      const keys = op.queryParams.length ? op.queryParams : ["q"];
      const query = fc
        .dictionary(fc.constantFrom(...keys), nasty)
        .map((q) => new URLSearchParams(q).toString());
      await fc.assert(
        fc.asyncProperty(query, async (q) => (await send(op, { query: q })) < 500),
        { numRuns: RUNS },
      );
    }
  }, 300_000);

  afterAll(() => {
    // The figure for SECURITY.md: how many requests, and that none was answered 5xx.
    process.stdout.write(
      `api fuzz: ${operations.length} operations, ${tally.requests} requests, ${tally.fiveHundreds.length} 5xx\n${tally.fiveHundreds.join("\n")}\n`,
    );
  });
});
