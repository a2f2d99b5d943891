import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { Pool } from "pg";
import { BUDGETS, createSignInThrottle } from "../../src/console/sign-in-throttle";
import { account } from "../support/console-client";
import { createTestDatabase, type TestDatabase } from "../support/test-env";

const ROOT = path.resolve(__dirname, "../..");

/** `npm run admin -- …` as an operator types it, without a database: only its command line. */
async function admin(...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "src/main/admin.ts", ...args],
      // Nowhere to connect: a command that tried the database would fail, not hang.
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: "postgresql://nobody@127.0.0.1:9/none" } },
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
