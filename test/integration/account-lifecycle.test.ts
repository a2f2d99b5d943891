/**
 * Account lifecycle (issue #14, point 3) on two web processes sharing one database: deactivate
 * and reactivate, an admin's password reset (one-time, must change), her own password change,
 * her sessions and an admin's view of them, and who may do what to whom (role and region).
 * Every ended session ends its live-events streams in every web process (the database's NOTIFY).
 */
import { randomUUID } from "node:crypto";
import argon2 from "argon2";
import { BUDGETS } from "../../src/console/sign-in-throttle";
import type { CounsellorRole } from "../../src/db/prisma-client";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { startConsoleOnClock, type ConsoleOnClock } from "../support/console-on-clock";
import { opened } from "../support/sealed";

const CHROME_ON_WINDOWS =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const FIREFOX_ON_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0";

describe("account lifecycle", () => {
  let one: ConsoleOnClock;
  let two: ConsoleOnClock;
  let clock = Date.UTC(2026, 11, 2, 1, 0, 0);

  beforeAll(async () => {
    one = await startConsoleOnClock(() => clock);
    two = await startConsoleOnClock(() => clock, { sameDatabaseAs: one });
    await account(one.db.prisma, "boss", "admin", null);
    await account(one.db.prisma, "seimo-admin", "admin", "seimo");
  }, 60_000);
  afterAll(async () => {
    await two.stop();
    await one.stop();
  });
  // A minute apart: the per-address limit on failed sign-ins starts afresh for each test.
  beforeEach(() => {
    clock += 61_000;
  });

  let n = 0;
  /** A new account for one test (so that no test's failed sign-ins count in another's). */
  async function newAccount(role: CounsellorRole = "counsellor", region: string | null = "seimo") {
    const login = `acc-${++n}`;
    await account(one.db.prisma, login, role, region);
    const row = await one.db.prisma.counsellor.findUniqueOrThrow({ where: { loginName: login } });
    return { login, id: row.id };
  }

  async function signIn(url: string, login: string, password = PASSWORD, userAgent = "node") {
    const c = new ConsoleClient(url);
    const res = await c.call(
      "POST",
      "/api/v1/session",
      { loginName: login, password },
      { headers: { "user-agent": userAgent } },
    );
    return { c, res };
  }
  const signedIn = async (url: string, login: string, password = PASSWORD, ua = "node") => {
    const { c, res } = await signIn(url, login, password, ua);
    expect(res.status).toBe(200);
    return c;
  };

  const audit = (action: string) =>
    one.db.prisma.auditEntry.findMany({ where: { action }, orderBy: { id: "asc" } });

  it("deactivating ends her sessions and live streams at once in every web process; she cannot sign in until reactivated", async () => {
    const her = await newAccount();
    const onOne = await signedIn(one.url, her.login);
    const onTwo = await signedIn(two.url, her.login);
    const streamOne = await onOne.events();
    const streamTwo = await onTwo.events();
    const boss = await signedIn(one.url, "boss");

    expect((await boss.post(`/api/v1/accounts/${her.id}/deactivate`)).status).toBe(204);
    // Both streams end by themselves, the one held by the other web process too.
    await Promise.all([streamOne.ended, streamTwo.ended]);
    expect(streamTwo.received.map((e) => e.event)).toContain("session-ended");
    expect((await onOne.get("/api/v1/session")).status).toBe(401);
    expect((await onTwo.get("/api/v1/session")).status).toBe(401);

    // The right password and a wrong one get the same answer.
    const right = await signIn(two.url, her.login);
    const wrong = await signIn(two.url, her.login, "not-her-password");
    expect(right.res.status).toBe(401);
    expect(right.res.json.code).toBe("SIGN_IN_FAILED");
    expect(right.res.json.message).toBe(wrong.res.json.message);

    const listed = (await boss.get("/api/v1/accounts")).json as unknown as {
      id: string;
      active: boolean;
    }[];
    expect(listed.find((a) => a.id === her.id)?.active).toBe(false);
    expect((await boss.post(`/api/v1/accounts/${her.id}/reactivate`)).status).toBe(204);
    clock += 61_000;
    expect((await signIn(one.url, her.login)).res.status).toBe(200);
    const actions = [
      ...(await audit("deactivate-account")),
      ...(await audit("reactivate-account")),
    ];
    // Who, by the account's id: no typed name in the audit log.
    expect(actions.map((a) => a.detail)).toEqual([{ accountId: her.id }, { accountId: her.id }]);
    expect(actions.every((a) => a.counsellorId !== null)).toBe(true);
  }, 60_000);

  it("signing out ends that session's live stream, in another web process too, and not her other session's", async () => {
    const her = await newAccount();
    const first = await signedIn(one.url, her.login);
    const second = await signedIn(one.url, her.login);
    // The streams are held by the other web process than the one she signs out on.
    const firstStream = await first.on(two.url).events();
    const secondStream = await second.on(two.url).events();

    expect((await first.call("DELETE", "/api/v1/session")).status).toBe(204);
    await firstStream.ended;
    // The other session's stream still gets the console's notices after that.
    const gotQueue = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (secondStream.received.some((e) => e.event === "queue")) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    const notice = JSON.stringify({
      type: "queue",
      conversationId: randomUUID(),
      regionId: "seimo",
      overflowRegions: null,
    });
    await one.db.prisma.$executeRaw`SELECT pg_notify('lws_console', ${notice})`;
    await gotQueue;
    expect(secondStream.received.map((e) => e.event)).not.toContain("session-ended");
    expect((await second.get("/api/v1/session")).status).toBe(200);
    secondStream.close();
  }, 60_000);

  it("an admin's reset gives a one-time password shown once; her sessions end, and she must change it before anything else", async () => {
    const her = await newAccount();
    const before = await signedIn(two.url, her.login);
    const stream = await before.events();
    const boss = await signedIn(one.url, "boss");
    const reset = await boss.call("POST", `/api/v1/accounts/${her.id}/password-reset`, undefined, {
      headers: { "idempotency-key": randomUUID() },
    });
    expect(reset.status).toBe(200);
    const oneTime = reset.json.oneTimePassword as unknown as string;
    expect(oneTime.length).toBeGreaterThanOrEqual(12);
    await stream.ended;
    expect((await before.get("/api/v1/session")).status).toBe(401);
    // Shown once: neither the key store nor the audit log keeps it.
    const keys = await one.db.prisma.idempotencyKey.findMany();
    expect(keys.some((k) => (opened(k.responseBodyEnc) ?? "").includes(oneTime))).toBe(false);
    const resets = await audit("reset-password");
    expect(JSON.stringify(resets.map((r) => r.detail))).not.toContain(oneTime);
    expect(resets.at(-1)?.detail).toEqual({ accountId: her.id });

    expect((await signIn(one.url, her.login)).res.status).toBe(401);
    const { c: gated, res } = await signIn(one.url, her.login, oneTime);
    expect(res.status).toBe(200);
    expect(
      (res.json.counsellor as unknown as { mustChangePassword: boolean }).mustChangePassword,
    ).toBe(true);
    for (const path of ["/api/v1/queue", "/api/v1/me/sessions", "/api/v1/reference"]) {
      const r = await gated.get(path);
      expect([r.status, r.json.code]).toEqual([403, "PASSWORD_CHANGE_REQUIRED"]);
    }
    expect((await gated.get("/api/v1/session")).status).toBe(200);
    const change = (currentPassword: string, newPassword: string) =>
      gated.call("POST", "/api/v1/me/password", { currentPassword, newPassword });
    expect((await change(oneTime, oneTime)).json.code).toBe("PASSWORD_UNCHANGED");
    expect((await change("wrong-one-time-pw", "a-new-long-password")).json.code).toBe(
      "WRONG_PASSWORD",
    );
    expect((await change(oneTime, "short")).json.code).toBe("PASSWORD_TOO_SHORT");
    expect((await change(oneTime, "a-new-long-password")).status).toBe(204);
    expect((await gated.get("/api/v1/queue")).status).toBe(200);
    const session = await gated.get("/api/v1/session");
    expect(
      (session.json.counsellor as unknown as { mustChangePassword: boolean }).mustChangePassword,
    ).toBe(false);
    clock += 61_000;
    expect((await signIn(two.url, her.login, oneTime)).res.status).toBe(401);
    expect((await signIn(two.url, her.login, "a-new-long-password")).res.status).toBe(200);
  }, 60_000);

  it("changing her own password needs the current one, ends her other sessions and keeps this one", async () => {
    const her = await newAccount();
    const here = await signedIn(one.url, her.login);
    const elsewhere = await signedIn(two.url, her.login);
    const elsewhereStream = await elsewhere.events();
    const change = (currentPassword: string, newPassword: string) =>
      here.call("POST", "/api/v1/me/password", { currentPassword, newPassword });

    const wrong = await change("not-my-password", "another-long-password");
    expect([wrong.status, wrong.json.code]).toEqual([403, "WRONG_PASSWORD"]);
    const short = await change(PASSWORD, "x".repeat(11));
    expect([short.status, short.json.code]).toEqual([400, "PASSWORD_TOO_SHORT"]);
    const missing = await here.call("POST", "/api/v1/me/password", { newPassword: "x" });
    expect([missing.status, missing.json.code]).toEqual([400, "INVALID_INPUT"]);
    expect((await elsewhere.get("/api/v1/session")).status).toBe(200);

    expect((await change(PASSWORD, "another-long-password")).status).toBe(204);
    await elsewhereStream.ended;
    expect((await elsewhere.get("/api/v1/session")).status).toBe(401);
    expect((await here.get("/api/v1/session")).status).toBe(200);
    expect((await signIn(two.url, her.login)).res.status).toBe(401);
    expect((await signIn(two.url, her.login, "another-long-password")).res.status).toBe(200);
    expect((await audit("change-password")).at(-1)?.counsellorId).toBe(her.id);
  }, 60_000);

  it("asks her current password as sign-in does: wrong guesses spend her account's budget, then even the right one waits", async () => {
    const her = await newAccount();
    const session = await signedIn(one.url, her.login);
    const change = (currentPassword: string) =>
      session.call("POST", "/api/v1/me/password", {
        currentPassword,
        newPassword: "another-long-password",
      });
    for (let i = 0; i < BUDGETS.untrustedPerAccount.points; i += 1) {
      expect((await change(`wrong-guess-${i}`)).json.code).toBe("WRONG_PASSWORD");
    }
    const right = await change(PASSWORD);
    expect([right.status, right.json.code]).toEqual([429, "TOO_MANY_ATTEMPTS"]);
    // Nothing changed: her password is still the one she had.
    const row = await one.db.prisma.counsellor.findUniqueOrThrow({ where: { id: her.id } });
    expect(await argon2.verify(row.passwordHash, PASSWORD)).toBe(true);
  }, 60_000);

  it("she sees her own sessions (this browser marked, a coarse label) and ends one; nobody else's", async () => {
    const her = await newAccount();
    const other = await newAccount();
    const chrome = await signedIn(one.url, her.login, PASSWORD, CHROME_ON_WINDOWS);
    const firefox = await signedIn(two.url, her.login, PASSWORD, FIREFOX_ON_MAC);
    const colleague = await signedIn(one.url, other.login);

    const sessions = (await chrome.get("/api/v1/me/sessions")).json as unknown as {
      id: string;
      clientLabel: string;
      current: boolean;
      createdAt: string;
      lastSeenAt: string;
    }[];
    expect(sessions.map((x) => [x.clientLabel, x.current]).sort()).toEqual([
      ["Chrome / Windows", true],
      ["Firefox / macOS", false],
    ]);
    expect(sessions[0]?.createdAt).toBe(new Date(clock).toISOString());
    const firefoxSession = sessions.find((x) => !x.current)?.id ?? "";
    const chromeSession = sessions.find((x) => x.current)?.id ?? "";

    // A colleague cannot end it (not found, as if it did not exist), nor a made-up one.
    const byColleague = await colleague.call("DELETE", `/api/v1/sessions/${chromeSession}`);
    expect([byColleague.status, byColleague.json.code]).toEqual([404, "NOT_FOUND"]);
    expect((await colleague.call("DELETE", `/api/v1/sessions/${randomUUID()}`)).status).toBe(404);
    expect((await colleague.call("DELETE", "/api/v1/sessions/not-a-uuid")).status).toBe(404);
    expect((await chrome.get("/api/v1/session")).status).toBe(200);

    const stream = await firefox.events();
    expect((await chrome.call("DELETE", `/api/v1/sessions/${firefoxSession}`)).status).toBe(204);
    await stream.ended;
    expect((await firefox.get("/api/v1/session")).status).toBe(401);
    expect((await chrome.get("/api/v1/session")).status).toBe(200);
    const ended = await audit("end-session");
    expect(ended.at(-1)?.detail).toEqual({ accountId: her.id, sessionId: firefoxSession });
  }, 60_000);

  it("an admin lists an account's sessions and ends one", async () => {
    const her = await newAccount();
    const c = await signedIn(two.url, her.login, PASSWORD, CHROME_ON_WINDOWS);
    const stream = await c.events();
    const boss = await signedIn(one.url, "boss");
    const listed = (await boss.get(`/api/v1/accounts/${her.id}/sessions`)).json as unknown as {
      id: string;
      clientLabel: string;
      current: boolean;
    }[];
    expect(listed).toHaveLength(1);
    expect(listed[0]?.clientLabel).toBe("Chrome / Windows");
    expect(listed[0]?.current).toBe(false);
    expect((await boss.call("DELETE", `/api/v1/sessions/${listed[0]?.id}`)).status).toBe(204);
    await stream.ended;
    expect((await c.get("/api/v1/session")).status).toBe(401);
    expect((await boss.get(`/api/v1/accounts/${her.id}/sessions`)).json).toEqual([]);
  }, 60_000);

  it("a region's admin reaches only its region's accounts (others are not found) and cannot make anyone above its reach", async () => {
    const west = await newAccount("counsellor", "seimo");
    const east = await newAccount("counsellor", "tomo");
    const globalSupervisor = await newAccount("supervisor", null);
    const eastSession = await signedIn(two.url, east.login);
    const eastSessionId = (
      (await eastSession.get("/api/v1/me/sessions")).json as unknown as {
        id: string;
      }[]
    )[0]?.id;
    const regional = await signedIn(one.url, "seimo-admin");

    const logins = (
      (await regional.get("/api/v1/accounts")).json as unknown as {
        loginName: string;
        regionId: string | null;
      }[]
    ).map((a) => a.loginName);
    expect(logins).toContain(west.login);
    expect(logins).not.toContain(east.login);
    expect(logins).not.toContain(globalSupervisor.login);
    expect(logins).not.toContain("boss");

    for (const target of [east.id, globalSupervisor.id]) {
      for (const action of ["deactivate", "reactivate", "password-reset"]) {
        const r = await regional.post(`/api/v1/accounts/${target}/${action}`);
        expect([action, r.status, r.json.code]).toEqual([action, 404, "NOT_FOUND"]);
      }
      expect((await regional.get(`/api/v1/accounts/${target}/sessions`)).status).toBe(404);
    }
    expect((await regional.call("DELETE", `/api/v1/sessions/${eastSessionId}`)).status).toBe(404);
    expect((await eastSession.get("/api/v1/session")).status).toBe(200);
    const untouched = await one.db.prisma.counsellor.findUniqueOrThrow({ where: { id: east.id } });
    expect([untouched.active, untouched.mustChangePassword]).toEqual([true, false]);

    const make = (role: CounsellorRole, regionId: string | null, loginName: string) =>
      regional.post("/api/v1/counsellors", {
        loginName,
        displayName: "新しい人",
        password: "a-long-enough-password",
        role,
        regionId,
      });
    for (const [role, region, login] of [
      ["admin", null, "made-global-admin"],
      ["admin", "seimo", "made-seimo-admin"],
      ["supervisor", null, "made-global-sv"],
      ["counsellor", "tomo", "made-east"],
    ] as const) {
      const r = await make(role, region, login);
      expect([login, r.status, r.json.code]).toEqual([login, 403, "ABOVE_YOUR_REACH"]);
    }
    expect(
      await one.db.prisma.counsellor.count({ where: { loginName: { startsWith: "made-" } } }),
    ).toBe(0);
    expect((await make("supervisor", "seimo", "made-seimo-sv")).status).toBe(201);
    // In its region it does act: deactivating the west counsellor works.
    expect((await regional.post(`/api/v1/accounts/${west.id}/deactivate`)).status).toBe(204);

    // Only a global admin makes admins.
    const boss = await signedIn(two.url, "boss");
    const byBoss = await boss.post("/api/v1/counsellors", {
      loginName: "made-by-boss",
      displayName: "管理者",
      password: "a-long-enough-password",
      role: "admin",
      regionId: null,
    });
    expect(byBoss.status).toBe(201);
  }, 60_000);

  it("counsellors and supervisors have no account management; an admin cannot deactivate or reset herself", async () => {
    const counsellor = await signedIn(one.url, (await newAccount("counsellor", "seimo")).login);
    const supervisor = await signedIn(one.url, (await newAccount("supervisor", "seimo")).login);
    const target = await newAccount();
    for (const c of [counsellor, supervisor]) {
      expect((await c.get("/api/v1/accounts")).json.code).toBe("FORBIDDEN");
      const r = await c.post(`/api/v1/accounts/${target.id}/deactivate`);
      expect([r.status, r.json.code]).toEqual([403, "FORBIDDEN"]);
      expect((await c.get(`/api/v1/accounts/${target.id}/sessions`)).status).toBe(403);
    }
    const boss = await signedIn(one.url, "boss");
    const bossId = (
      await one.db.prisma.counsellor.findUniqueOrThrow({ where: { loginName: "boss" } })
    ).id;
    const self = await boss.post(`/api/v1/accounts/${bossId}/deactivate`);
    expect([self.status, self.json.code]).toEqual([409, "CANNOT_DEACTIVATE_SELF"]);
    const reset = await boss.post(`/api/v1/accounts/${bossId}/password-reset`);
    expect([reset.status, reset.json.code]).toEqual([409, "USE_CHANGE_PASSWORD"]);
    expect((await boss.get("/api/v1/session")).status).toBe(200);
  }, 60_000);
});
