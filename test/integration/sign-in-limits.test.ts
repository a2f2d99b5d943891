/**
 * The README's "sign-in limits", with the clock chosen by the test: failed sign-ins per client
 * address and minute (src/console/sign-in-limiter.ts), and the account lock after repeated
 * failures (src/console/auth-service.ts). The console's web part runs on a database of its own;
 * the client's address is the one a reverse proxy on this machine reports (X-Forwarded-For;
 * TRUST_PROXY=loopback, as behind a TLS proxy on the same host). Without TRUST_PROXY, a client
 * that writes its own X-Forwarded-For is still one address.
 */
import { account, PASSWORD } from "../support/console-client";
import { startConsoleOnClock, type ConsoleOnClock } from "../support/console-on-clock";
import type { TestDatabase } from "../support/test-env";

/** Failed sign-ins one address may make in a minute (console-module.ts). */
const PER_ADDRESS_PER_MINUTE = 10;
const MINUTE = 60_000;

describe("sign-in limits", () => {
  let db: TestDatabase;
  let consoleApp: ConsoleOnClock;
  let url: string;
  /** The console's clock: it stands still unless a test moves it. */
  let clock = Date.now();

  beforeAll(async () => {
    consoleApp = await startConsoleOnClock(() => clock, { trustProxy: ["loopback"] });
    ({ db, url } = consoleApp);
  }, 60_000);
  afterAll(() => consoleApp.stop());

  /** One sign-in attempt from `address`: the status and the error code, if any. */
  async function signIn(address: string, loginName: string, password: string) {
    const res = await fetch(`${url}/api/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": address },
      body: JSON.stringify({ loginName, password }),
    });
    const json = (await res.json()) as { code?: string };
    return { status: res.status, code: json.code };
  }

  it("holds up an address after repeated failures, even with the right password, for the minute", async () => {
    clock = Date.UTC(2026, 10, 30, 9, 0, 0);
    const guesser = "198.51.100.7";
    for (let i = 1; i <= PER_ADDRESS_PER_MINUTE; i++) {
      // Guessed names: no account is locked, only the address counts.
      expect(await signIn(guesser, `guess-${i}`, "wrong-password!")).toEqual({
        status: 401,
        code: "SIGN_IN_FAILED",
      });
    }
    clock += 59_000;
    expect(await signIn(guesser, "west", PASSWORD)).toEqual({
      status: 429,
      code: "TOO_MANY_ATTEMPTS",
    });
    // The office next door, behind another address, signs in as usual.
    expect((await signIn("203.0.113.20", "east", PASSWORD)).status).toBe(200);
    // The next minute, the address may try again.
    clock += MINUTE;
    expect((await signIn(guesser, "west", PASSWORD)).status).toBe(200);
  }, 90_000); // each attempt verifies an argon2id hash: about a second on a busy machine

  it("locks an account after 5 failures until 15 minutes have passed, from any address", async () => {
    clock = Date.UTC(2026, 10, 30, 10, 0, 0);
    await account(db.prisma, "lockme", "counsellor", "seimo");
    // Four failures and then the right password: no lock, and the count starts again.
    const earlier = "192.0.2.49";
    for (let i = 0; i < 4; i++) {
      expect((await signIn(earlier, "lockme", "wrong!")).status).toBe(401);
    }
    expect((await signIn(earlier, "lockme", PASSWORD)).status).toBe(200);
    // Her address stays under its own limit throughout: what holds her up is the account's lock.
    const her = "192.0.2.50";
    for (let i = 0; i < 5; i++) expect((await signIn(her, "lockme", "wrong!")).status).toBe(401);
    const locked = { status: 429, code: "TOO_MANY_ATTEMPTS" };
    expect(await signIn(her, "lockme", PASSWORD)).toEqual(locked);

    // The lock is the account's: another address, later minutes, the right password.
    clock += 14 * MINUTE + 59_000;
    expect(await signIn("192.0.2.51", "lockme", PASSWORD)).toEqual(locked);
    expect(await signIn(her, "lockme", PASSWORD)).toEqual(locked);

    clock += 2_000; // 15 minutes and a second after the fifth failure
    expect((await signIn(her, "lockme", PASSWORD)).status).toBe(200);
  }, 90_000);
});

describe("sign-in limits with no proxy trusted (TRUST_PROXY unset)", () => {
  let consoleApp: ConsoleOnClock;
  let clock = Date.UTC(2026, 10, 30, 11, 0, 0);

  beforeAll(async () => {
    consoleApp = await startConsoleOnClock(() => clock);
  }, 60_000);
  afterAll(() => consoleApp.stop());

  it("counts a client that writes its own X-Forwarded-For as the one address it is", async () => {
    const signIn = async (forwardedFor: string, password: string) =>
      (
        await fetch(`${consoleApp.url}/api/v1/session`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
          body: JSON.stringify({ loginName: `guess-${forwardedFor}`, password }),
        })
      ).status;
    for (let i = 1; i <= PER_ADDRESS_PER_MINUTE; i++) {
      expect(await signIn(`198.51.100.${i}`, "wrong-password!")).toBe(401);
    }
    // A new forwarded address each time: still the same client, held up for the minute.
    clock += 30_000;
    expect(await signIn("198.51.100.99", "wrong-password!")).toBe(429);
  }, 90_000);
});
