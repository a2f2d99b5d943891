import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { Pool } from "pg";
import { BUDGETS, createSignInThrottle } from "../../src/console/sign-in-throttle";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { createTestDatabase, type TestDatabase } from "../support/test-env";
import { startConsoleOnClock, type ConsoleOnClock } from "../support/console-on-clock";

const ROOT = path.resolve(__dirname, "../..");

/** `npm run admin -- …` as an operator types it, without a database: only its command line. */
async function admin(...args: string[]) {
  // Nowhere to connect: a command that tried the database would fail, not hang.
  return adminOn("postgresql://nobody@127.0.0.1:9/none", ...args);
}

async function adminOn(databaseUrl: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "src/main/admin.ts", ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("npm run admin", () => {
  it("prints its usage for --help, -h and help, and exits 0 without a database", async () => {
    for (const ask of ["--help", "-h", "help"]) {
      const run = await admin(ask);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("npm run admin -- create-user --login NAME");
      expect(run.stdout).toContain("npm run admin -- list-users");
      expect(run.stdout).toContain("npm run admin -- unlock NAME");
      expect(run.stdout).toContain("npm run admin -- reset-second-factor NAME");
      for (const command of ["deactivate", "reactivate", "reset-password", "list-sessions"]) {
        expect(run.stdout).toContain(`npm run admin -- ${command} --login NAME`);
      }
      expect(run.stdout).toContain("npm run admin -- end-sessions --login NAME");
      expect(run.stdout).toContain("npm run admin -- verify-audit [--head N:HASH]");
    }
  }, 60_000);

  it("names an unknown option, shows the usage and exits 1", async () => {
    const run = await admin("--bogus");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Unknown option '--bogus'");
    expect(run.stderr).toContain("Usage:");
  }, 60_000);
});

describe("npm run admin, on a database", () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
    await account(db.prisma, "held", "counsellor", "seimo");
  }, 60_000);
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  /** The command on the test's database. */
  const adminOn = async (...args: string[]) => {
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--import", "tsx", "src/main/admin.ts", ...args],
        { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url } },
      );
      return { code: 0, stdout };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout + e.stderr };
    }
  };

  it("unlock NAME clears the account's sign-in throttling, audited", async () => {
    const held = await db.prisma.counsellor.findUniqueOrThrow({ where: { loginName: "held" } });
    const throttle = createSignInThrottle(pool);
    const attempt = (n: number) => ({
      address: `192.0.2.${n}`,
      accountKey: held.id,
      deviceId: null,
    });
    for (let i = 0; i < BUDGETS.untrustedPerAccount.points; i++) await throttle.take(attempt(i));
    await expect(throttle.take(attempt(99))).rejects.toMatchObject({ status: 429 });

    const run = await adminOn("unlock", "held");
    expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining("cleared") as string });
    await expect(throttle.take(attempt(100))).resolves.toBeDefined();
    expect(await db.prisma.auditEntry.count({ where: { action: "unlock-account" } })).toBe(1);
    expect((await adminOn("unlock", "nobody")).code).toBe(1);
  }, 60_000);

  it("reset-second-factor NAME removes her second factor and recovery codes, audited", async () => {
    const held = await db.prisma.counsellor.update({
      where: { loginName: "held" },
      data: {
        secondFactorAt: new Date(),
        totpSecret: Buffer.from("sealed"),
        recoveryCodes: { create: [{ codeHash: "h1" }, { codeHash: "h2" }] },
      },
    });
    const run = await adminOn("reset-second-factor", "held");
    expect(run.code).toBe(0);
    const after = await db.prisma.counsellor.findUniqueOrThrow({ where: { id: held.id } });
    expect(after).toMatchObject({ secondFactorAt: null, totpSecret: null });
    expect(await db.prisma.recoveryCode.count({ where: { counsellorId: held.id } })).toBe(0);
    expect(await db.prisma.auditEntry.count({ where: { action: "reset-second-factor" } })).toBe(1);
  }, 60_000);
});

/** The account commands on a running console's database: what they change, the console obeys. */
describe("npm run admin: account lifecycle", () => {
  let web: ConsoleOnClock;
  const clock = Date.now();

  beforeAll(async () => {
    web = await startConsoleOnClock(() => clock);
  }, 60_000);
  afterAll(() => web.stop());

  const run = (...args: string[]) => adminOn(web.db.url, ...args);
  const signIn = (password = PASSWORD) =>
    new ConsoleClient(web.url).call("POST", "/api/v1/session", { loginName: "west", password });

  it("deactivate ends her session and live stream in the running console; she cannot sign in until reactivate", async () => {
    const west = await ConsoleClient.signedIn(web.url, "west", PASSWORD);
    const stream = await west.events();
    const off = await run("deactivate", "--login", "west");
    expect(off.code).toBe(0);
    expect(off.stdout).toContain('Deactivated "west"');
    await stream.ended;
    expect((await west.get("/api/v1/session")).status).toBe(401);
    expect((await signIn()).json.code).toBe("SIGN_IN_FAILED");
    expect((await run("list-users")).stdout).toMatch(/^west\tcounsellor\tseimo\tdisabled\t/m);

    expect((await run("reactivate", "--login", "west")).code).toBe(0);
    expect((await signIn()).status).toBe(200);
    const audited = await web.db.prisma.auditEntry.findMany({
      where: { action: { in: ["deactivate-account", "reactivate-account"] } },
    });
    expect(audited.map((a) => [a.action, a.counsellorId])).toEqual([
      ["deactivate-account", null],
      ["reactivate-account", null],
    ]);
  }, 90_000);

  it("reset-password prints a one-time password once; her sessions end and she must change it at sign-in", async () => {
    const east = await ConsoleClient.signedIn(web.url, "east", PASSWORD);
    const reset = await run("reset-password", "--login", "east");
    expect(reset.code).toBe(0);
    const oneTime = /shown once\): (\S+)/.exec(reset.stdout)?.[1] ?? "";
    expect(oneTime.length).toBeGreaterThanOrEqual(12);
    expect((await east.get("/api/v1/session")).status).toBe(401);
    expect((await run("list-users")).stdout).toMatch(/^east\t.*must-change-password$/m);
    const again = new ConsoleClient(web.url);
    const res = await again.call("POST", "/api/v1/session", {
      loginName: "east",
      password: oneTime,
    });
    expect(res.json.counsellor).toMatchObject({ mustChangePassword: true });
    expect((await again.get("/api/v1/queue")).json.code).toBe("PASSWORD_CHANGE_REQUIRED");
  }, 90_000);

  it("list-sessions lists her sessions, end-sessions ends them all", async () => {
    const a = await ConsoleClient.signedIn(web.url, "west", PASSWORD);
    const b = await ConsoleClient.signedIn(web.url, "west", PASSWORD);
    const listed = await run("list-sessions", "--login", "west");
    expect(listed.stdout.trim().split("\n").length).toBeGreaterThanOrEqual(2);
    const ended = await run("end-sessions", "--login", "west");
    expect(ended.stdout).toMatch(/Ended \d+ session\(s\) of "west"/);
    expect((await a.get("/api/v1/session")).status).toBe(401);
    expect((await b.get("/api/v1/session")).status).toBe(401);
    expect((await run("list-sessions", "--login", "west")).stdout).toContain("has no session");
  }, 90_000);

  it("names an unknown account or a missing --login, and exits 1", async () => {
    const unknown = await run("deactivate", "--login", "nobody-here");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No account "nobody-here"');
    const missing = await run("reset-password");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("--login is required");
  }, 90_000);
});
