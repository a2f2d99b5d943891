/**
 * The second factor (src/console/second-factor.ts): TOTP from an authenticator app, recovery
 * codes, sign-in in two steps, and REQUIRE_SECOND_FACTOR for admins and supervisors. The test
 * is the authenticator app: it computes codes from the secret the console showed, by the
 * console's clock, which the test sets.
 */
import { generate } from "otplib";
import { BUDGETS } from "../../src/console/sign-in-throttle";
import { CHALLENGE_MS } from "../../src/console/auth-service";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { startConsoleOnClock, type ConsoleOnClock } from "../support/console-on-clock";
import type { TestDatabase } from "../support/test-env";

const START = Date.UTC(2026, 10, 30, 9, 0, 0);
/** A TOTP step is 30 s: moving the clock by one gives a code never used before. */
const STEP_MS = 30_000;

describe("second factor (REQUIRE_SECOND_FACTOR on)", () => {
  let db: TestDatabase;
  let consoleApp: ConsoleOnClock;
  let url: string;
  let clock = START;
  /** Her authenticator app: the code for the console's clock now. */
  const codeFor = (secret: string) => generate({ secret, epoch: Math.floor(clock / 1000) });

  beforeAll(async () => {
    consoleApp = await startConsoleOnClock(() => clock, { requireSecondFactor: true });
    ({ db, url } = consoleApp);
  }, 60_000);
  afterAll(() => consoleApp.stop());

  /** Signs `login` in, enrols a second factor, and gives back the secret and recovery codes. */
  async function enrol(login: string) {
    const c = await ConsoleClient.signedIn(url, login, PASSWORD);
    const started = await c.post("/api/v1/me/second-factor");
    expect(started.status).toBe(200);
    const secret = started.json.secret as unknown as string;
    const confirmed = await c.post("/api/v1/me/second-factor/confirm", {
      code: await codeFor(secret),
    });
    expect(confirmed.status).toBe(200);
    clock += STEP_MS;
    return {
      client: c,
      secret,
      recoveryCodes: confirmed.json.recoveryCodes as unknown as string[],
    };
  }

  it("lets a counsellor enrol (secret as text and QR code), then asks for a code at every sign-in", async () => {
    await account(db.prisma, "optional", "counsellor", "seimo");
    const c = await ConsoleClient.signedIn(url, "optional", PASSWORD);
    expect(await c.get("/api/v1/me/second-factor")).toMatchObject({
      status: 200,
      json: { enabled: false, required: false },
    });
    const started = await c.post("/api/v1/me/second-factor");
    const secret = started.json.secret as unknown as string;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(started.json.otpauthUrl).toContain(`secret=${secret}`);
    expect(started.json.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    // A wrong first code confirms nothing: the password alone still signs her in.
    const wrong = await c.post("/api/v1/me/second-factor/confirm", { code: "000000" });
    expect(wrong).toMatchObject({ status: 400, json: { code: "CODE_WRONG" } });
    expect((await ConsoleClient.signedIn(url, "optional", PASSWORD)).baseUrl).toBe(url);

    const confirmed = await c.post("/api/v1/me/second-factor/confirm", {
      code: await codeFor(secret),
    });
    const codes = confirmed.json.recoveryCodes as unknown as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    // Kept as keyed hashes only.
    const kept = await db.prisma.recoveryCode.findMany({});
    expect(kept.some((r) => codes.includes(r.codeHash))).toBe(false);
    expect(await c.get("/api/v1/me/second-factor")).toMatchObject({
      json: { enabled: true, recoveryCodesLeft: 10 },
    });

    // Password first: no session yet, only the pending state, which opens nothing.
    clock += STEP_MS;
    const next = new ConsoleClient(url);
    const first = await next.post("/api/v1/session", { loginName: "optional", password: PASSWORD });
    expect(first).toMatchObject({ status: 200, json: { next: "second-factor" } });
    expect((await next.get("/api/v1/queue")).status).toBe(401);
    expect((await next.get("/api/v1/session")).status).toBe(401);
    // A wrong code: 401; her app's code: a session.
    const bad = await next.post("/api/v1/session/second-factor", { code: "123456" });
    expect(bad).toMatchObject({ status: 401, json: { code: "CODE_WRONG" } });
    const code = await codeFor(secret);
    const ok = await next.post("/api/v1/session/second-factor", { code });
    expect(ok.status).toBe(200);
    expect((await next.get("/api/v1/queue")).status).toBe(200);
    // The same code again, in the same 30 seconds, from another browser: refused.
    const replay = new ConsoleClient(url);
    await replay.post("/api/v1/session", { loginName: "optional", password: PASSWORD });
    expect((await replay.post("/api/v1/session/second-factor", { code })).status).toBe(401);
  }, 120_000);

  it("takes each recovery code once", async () => {
    await account(db.prisma, "paper", "counsellor", "tomo");
    const { recoveryCodes } = await enrol("paper");
    const code = (recoveryCodes[3] ?? "").toUpperCase().replace("-", " ");
    const a = await ConsoleClient.signedIn(url, "paper", PASSWORD, {
      code: () => Promise.resolve(code),
    });
    expect((await a.get("/api/v1/me/second-factor")).json.recoveryCodesLeft).toBe(9);
    await expect(
      ConsoleClient.signedIn(url, "paper", PASSWORD, { code: () => Promise.resolve(code) }),
    ).rejects.toThrow(/401/);
    const audit = await db.prisma.auditEntry.count({ where: { action: "sign-in-recovery-code" } });
    expect(audit).toBe(1);
  }, 120_000);

  it("ends the pending state after a few minutes: the password must be given again", async () => {
    await account(db.prisma, "slow", "counsellor", "seimo");
    const { secret } = await enrol("slow");
    const c = new ConsoleClient(url);
    await c.post("/api/v1/session", { loginName: "slow", password: PASSWORD });
    clock += CHALLENGE_MS + 1000;
    const late = await c.post("/api/v1/session/second-factor", { code: await codeFor(secret) });
    expect(late).toMatchObject({ status: 401, json: { code: "SIGN_IN_EXPIRED" } });
  }, 120_000);

  it("counts code guesses against the account's budget, as password guesses are", async () => {
    await account(db.prisma, "guessed", "counsellor", "seimo");
    const { secret } = await enrol("guessed");
    // Someone who has her password, from a browser the account does not know.
    const thief = new ConsoleClient(url);
    await thief.post("/api/v1/session", { loginName: "guessed", password: PASSWORD });
    const statuses: number[] = [];
    for (let i = 0; i <= BUDGETS.untrustedPerAccount.points; i++) {
      const n = String(100000 + i);
      statuses.push((await thief.post("/api/v1/session/second-factor", { code: n })).status);
    }
    expect(statuses.slice(0, -1).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const right = await thief.post("/api/v1/session/second-factor", {
      code: await codeFor(secret),
    });
    expect(right.status).toBe(429);
  }, 120_000);

  it("makes an admin enrol before anything else, and keeps her from turning it off", async () => {
    await account(db.prisma, "newadmin", "admin", null);
    const c = await ConsoleClient.signedIn(url, "newadmin", PASSWORD);
    const session = await c.get("/api/v1/session");
    expect(session.json.mustEnrolSecondFactor).toBe(true);
    for (const path of ["/api/v1/queue", "/api/v1/audit", "/api/v1/counsellors"]) {
      expect(await c.get(path)).toMatchObject({
        status: 403,
        json: { code: "SECOND_FACTOR_ENROLMENT_REQUIRED" },
      });
    }
    const started = await c.post("/api/v1/me/second-factor");
    const secret = started.json.secret as unknown as string;
    await c.post("/api/v1/me/second-factor/confirm", { code: await codeFor(secret) });
    expect((await c.get("/api/v1/queue")).status).toBe(200);
    expect((await c.get("/api/v1/session")).json.mustEnrolSecondFactor).toBe(false);
    const off = await c.post("/api/v1/me/second-factor/disable", { password: PASSWORD });
    expect(off).toMatchObject({ status: 409, json: { code: "SECOND_FACTOR_REQUIRED" } });
  }, 120_000);

  it("lets a counsellor turn it off with her password, not with a wrong one", async () => {
    await account(db.prisma, "changed", "counsellor", "seimo");
    const { client } = await enrol("changed");
    const wrong = await client.post("/api/v1/me/second-factor/disable", { password: "nope" });
    expect(wrong).toMatchObject({ status: 403, json: { code: "PROOF_WRONG" } });
    const none = await client.post("/api/v1/me/second-factor/disable", {});
    expect(none.status).toBe(400);
    expect(
      (await client.post("/api/v1/me/second-factor/disable", { password: PASSWORD })).status,
    ).toBe(204);
    // The password alone signs her in again.
    await ConsoleClient.signedIn(url, "changed", PASSWORD);
  }, 120_000);

  it("lets an admin remove the second factor of someone who lost her phone (her region's only for a regional admin; audited)", async () => {
    await account(db.prisma, "lostphone", "counsellor", "seimo");
    await enrol("lostphone");
    const lost = await db.prisma.counsellor.findUniqueOrThrow({
      where: { loginName: "lostphone" },
    });
    const adminOf = async (login: string, region: string | null) => {
      await account(db.prisma, login, "admin", region);
      return (await enrol(login)).client;
    };
    const tomo = await adminOf("tomo-admin2", "tomo");
    const other = await tomo.call("DELETE", `/api/v1/accounts/${lost.id}/second-factor`);
    expect(other.status).toBe(404);
    await expect(ConsoleClient.signedIn(url, "lostphone", PASSWORD)).rejects.toThrow(
      /second factor/,
    );

    const seimo = await adminOf("seimo-admin", "seimo");
    const reset = await seimo.call("DELETE", `/api/v1/accounts/${lost.id}/second-factor`);
    expect(reset.status).toBe(204);
    await ConsoleClient.signedIn(url, "lostphone", PASSWORD);
    const audit = await db.prisma.auditEntry.findMany({ where: { action: "reset-second-factor" } });
    expect(audit.map((a) => a.detail)).toEqual([{ counsellorId: lost.id }]);
  }, 120_000);
});
