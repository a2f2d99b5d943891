/**
 * The README's "sign-in limits": budgets counted in PostgreSQL (src/console/sign-in-throttle.ts),
 * a point taken before the password is checked, per account for browsers it does not know, per
 * known browser (device cookie), per client address. The client's address is the one a reverse
 * proxy on this machine reports (X-Forwarded-For; TRUST_PROXY=loopback, as behind a TLS proxy on
 * the same host). Without TRUST_PROXY, a client that writes its own X-Forwarded-For is still one
 * address. Budgets never run out by waiting here: each test uses accounts and addresses of its own.
 */
import argon2 from "argon2";
import { createSignInKeys } from "../../src/console/sign-in-keys";
import { BUDGETS } from "../../src/console/sign-in-throttle";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { startConsoleOnClock, type ConsoleOnClock } from "../support/console-on-clock";
import { testConfig, type TestDatabase } from "../support/test-env";

const UNTRUSTED = BUDGETS.untrustedPerAccount.points;
const PER_ADDRESS = BUDGETS.perAddress.points;

/** One sign-in attempt: status, body without its request id, and the cookies it set. */
async function signIn(
  url: string,
  loginName: string,
  password: string,
  opts: { from?: string; cookie?: string } = {},
) {
  const res = await fetch(`${url}/api/v1/session`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(opts.from ? { "x-forwarded-for": opts.from } : {}),
      ...(opts.cookie ? { cookie: opts.cookie } : {}),
    },
    body: JSON.stringify({ loginName, password }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  delete body.reqId;
  const cookies = res.headers.getSetCookie().map((c) => c.split(";")[0] ?? "");
  return { status: res.status, body, cookies };
}

/** Everything jest could fake but Date: the service's timers and sockets keep real time. */
const REAL_TIMERS = [
  "hrtime",
  "nextTick",
  "performance",
  "queueMicrotask",
  "requestAnimationFrame",
  "cancelAnimationFrame",
  "requestIdleCallback",
  "cancelIdleCallback",
  "setImmediate",
  "clearImmediate",
  "setInterval",
  "clearInterval",
  "setTimeout",
  "clearTimeout",
] as const;

const deviceCookieIn = (cookies: string[]) => cookies.find((c) => c.startsWith("lws_device_"));

/** A new address for each call: only the account's budget is in play. */
let addressCount = 0;
const anotherAddress = () => {
  addressCount += 1;
  return `198.51.${Math.floor(addressCount / 250)}.${(addressCount % 250) + 1}`;
};

describe("sign-in limits", () => {
  let db: TestDatabase;
  let consoleApp: ConsoleOnClock;
  let url: string;
  const clock = Date.UTC(2026, 10, 30, 9, 0, 0);

  beforeAll(async () => {
    consoleApp = await startConsoleOnClock(() => clock, { trustProxy: ["loopback"] });
    ({ db, url } = consoleApp);
  }, 60_000);
  afterAll(() => consoleApp.stop());
  afterEach(() => jest.restoreAllMocks());

  it("evaluates only the account's budget of 30 parallel wrong passwords; the rest get 429 unchecked", async () => {
    await account(db.prisma, "target", "supervisor", null);
    const verify = jest.spyOn(argon2, "verify");
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        signIn(url, "target", "wrong-password!", { from: anotherAddress() }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(UNTRUSTED);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - UNTRUSTED);
    // Every 429 was answered before any password check: argon2 ran once per 401 only.
    expect(verify).toHaveBeenCalledTimes(UNTRUSTED);
    // From a browser the account does not know, even the right password now waits.
    expect((await signIn(url, "target", PASSWORD, { from: anotherAddress() })).status).toBe(429);
    // The audit log has each wrong password, and the budget's refusing once: not 26 rows of
    // refusals that cost nothing to send.
    const target = await db.prisma.counsellor.findUniqueOrThrow({ where: { loginName: "target" } });
    const failed = await db.prisma.auditEntry.findMany({
      where: { action: "sign-in-failed", counsellorId: target.id },
    });
    const reasons = failed.map((r) => (r.detail as { reason: string }).reason).sort();
    expect(reasons).toEqual(["throttled", ...Array<string>(UNTRUSTED).fill("wrong-password")]);
  }, 120_000);

  it("gives the account's budget back when its window has passed, by the clock the test sets", async () => {
    await account(db.prisma, "waits", "counsellor", "seimo");
    // The window starts with the first guess: between `first` and `start`.
    const first = Date.now();
    for (let i = 0; i < UNTRUSTED; i += 1) {
      const guess = await signIn(url, "waits", "wrong-password!", { from: anotherAddress() });
      expect(guess.status).toBe(401);
    }
    // The library reads the machine's clock (Date.now): only Date is moved, timers run as usual.
    const start = Date.now();
    jest.useFakeTimers({ doNotFake: [...REAL_TIMERS], now: start });
    try {
      const windowMs = BUDGETS.untrustedPerAccount.seconds * 1000;
      jest.setSystemTime(first + windowMs - 5_000);
      expect((await signIn(url, "waits", PASSWORD, { from: anotherAddress() })).status).toBe(429);
      jest.setSystemTime(start + windowMs + 5_000);
      expect((await signIn(url, "waits", PASSWORD, { from: anotherAddress() })).status).toBe(200);
    } finally {
      jest.useRealTimers();
    }
  }, 60_000);

  it("lets her known browser sign in while guessing without its device cookie is throttled", async () => {
    await account(db.prisma, "known", "counsellor", "seimo");
    const first = await signIn(url, "known", PASSWORD, { from: "192.0.2.10" });
    expect(first.status).toBe(200);
    const device = deviceCookieIn(first.cookies);
    expect(device).toBeDefined();

    // Someone elsewhere guesses until the account's budget for unknown browsers is spent.
    for (let i = 0; i < UNTRUSTED; i++) {
      expect((await signIn(url, "known", "guess!", { from: anotherAddress() })).status).toBe(401);
    }
    expect((await signIn(url, "known", "guess!", { from: anotherAddress() })).status).toBe(429);
    // Her own password from a new browser waits too…
    expect((await signIn(url, "known", PASSWORD, { from: "192.0.2.10" })).status).toBe(429);
    // …but her browser, with its device cookie, signs in: its budget is its own.
    const again = await signIn(url, "known", PASSWORD, { from: "192.0.2.10", cookie: device });
    expect(again.status).toBe(200);
    // A typo there is a 401 as usual, not a lock-out.
    const typo = await signIn(url, "known", "typo", { from: "192.0.2.10", cookie: device });
    expect(typo.status).toBe(401);

    // The device cookie is bound to her name: presented for another account, it is no cookie.
    await account(db.prisma, "neighbour", "counsellor", "seimo");
    for (let i = 0; i < UNTRUSTED; i++) {
      expect((await signIn(url, "neighbour", "guess!", { from: anotherAddress() })).status).toBe(
        401,
      );
    }
    const [, value] = (device ?? "").split("=");
    const neighbourCookieName = createSignInKeys(
      testConfig({ databaseUrl: "" }).appSecretKey,
    ).deviceCookieName("neighbour");
    const borrowed = `${neighbourCookieName}=${value}`;
    expect(
      (await signIn(url, "neighbour", PASSWORD, { from: "192.0.2.10", cookie: borrowed })).status,
    ).toBe(429);
  }, 120_000);

  it("answers unknown and known names alike: 401 the same, then 429 the same", async () => {
    await account(db.prisma, "real", "counsellor", "tomo");
    const tries = async (name: string) => {
      const out = [];
      for (let i = 0; i <= UNTRUSTED; i++) {
        const a = await signIn(url, name, "wrong!", { from: anotherAddress() });
        out.push({ status: a.status, body: a.body });
      }
      return out;
    };
    const known = await tries("real");
    const unknown = await tries("nobody-here");
    expect(unknown).toEqual(known);
    expect(known.at(-1)).toEqual({
      status: 429,
      body: { code: "TOO_MANY_ATTEMPTS", message: expect.any(String) as string },
    });
    expect(known[0]?.body).toEqual({
      code: "SIGN_IN_FAILED",
      message: "Wrong login name or password",
    });
  }, 120_000);

  it("holds up one address trying many names, whatever the password; another address signs in", async () => {
    const guesser = "203.0.113.66";
    for (let i = 0; i < PER_ADDRESS; i++) {
      expect((await signIn(url, `name-${i}`, "wrong!", { from: guesser })).status).toBe(401);
    }
    expect((await signIn(url, "west", PASSWORD, { from: guesser })).status).toBe(429);
    expect((await signIn(url, "west", PASSWORD, { from: "203.0.113.67" })).status).toBe(200);
  }, 180_000);

  it("lets an admin clear an account's throttling: a global admin any account, a regional admin her region's only (audited)", async () => {
    await account(db.prisma, "locked", "counsellor", "seimo");
    await account(db.prisma, "boss", "admin", null);
    await account(db.prisma, "tomo-admin", "admin", "tomo");
    const locked = await db.prisma.counsellor.findUniqueOrThrow({ where: { loginName: "locked" } });
    for (let i = 0; i <= UNTRUSTED; i++)
      await signIn(url, "locked", "x!", { from: anotherAddress() });
    expect((await signIn(url, "locked", PASSWORD, { from: anotherAddress() })).status).toBe(429);

    const regional = await ConsoleClient.signedIn(url, "tomo-admin", PASSWORD);
    const other = await regional.post(`/api/v1/accounts/${locked.id}/unlock`);
    expect(other.status).toBe(404);
    const counsellor = await ConsoleClient.signedIn(url, "west", PASSWORD);
    expect((await counsellor.post(`/api/v1/accounts/${locked.id}/unlock`)).status).toBe(403);
    expect((await signIn(url, "locked", PASSWORD, { from: anotherAddress() })).status).toBe(429);

    const boss = await ConsoleClient.signedIn(url, "boss", PASSWORD);
    expect((await boss.post(`/api/v1/accounts/${locked.id}/unlock`)).status).toBe(204);
    expect((await signIn(url, "locked", PASSWORD, { from: anotherAddress() })).status).toBe(200);
    const audit = await db.prisma.auditEntry.findMany({ where: { action: "unlock-account" } });
    expect(audit).toEqual([
      expect.objectContaining({ detail: { counsellorId: locked.id } }) as unknown,
    ]);
  }, 120_000);
});

describe("sign-in limits with no proxy trusted (TRUST_PROXY unset)", () => {
  let consoleApp: ConsoleOnClock;

  beforeAll(async () => {
    consoleApp = await startConsoleOnClock(() => Date.UTC(2026, 10, 30, 11, 0, 0));
  }, 60_000);
  afterAll(() => consoleApp.stop());

  it("counts a client that writes its own X-Forwarded-For as the one address it is", async () => {
    for (let i = 1; i <= PER_ADDRESS; i++) {
      const a = await signIn(consoleApp.url, `guess-${i}`, "wrong!", { from: `198.51.100.${i}` });
      expect(a.status).toBe(401);
    }
    // A new forwarded address each time: still the same client, held up.
    const last = await signIn(consoleApp.url, "guess-x", "wrong!", { from: "198.51.100.99" });
    expect(last.status).toBe(429);
  }, 180_000);
});
