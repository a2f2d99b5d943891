import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

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
    }
  }, 60_000);

  it("names an unknown option, shows the usage and exits 1", async () => {
    const run = await admin("--bogus");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Unknown option '--bogus'");
    expect(run.stderr).toContain("Usage:");
  }, 60_000);
});
