/**
 * `npm run chaos -- --short` (bench/chaos/): the web role, the worker role, PostgreSQL, Redis
 * and LINE (the simulator) each in a process of its own, under a steady load of women writing
 * and counsellors answering, through every fault for a few seconds: kill -9 of the worker and
 * of the web role, a Redis restart, a PostgreSQL outage, LINE answering 500/429, LINE losing
 * its answers. Nothing she or her counsellor wrote may be missing or doubled, counted from what
 * the database holds and what LINE accepted. Recovery times are printed, not asserted.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FAULT_NAMES } from "../../bench/chaos/chaos-options";
import type { ChaosResult } from "../../bench/chaos/chaos-scenario";

const ROOT = path.resolve(__dirname, "../..");

function runShortChaos(jsonFile: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const run = spawn(
      process.execPath,
      ["--import", "tsx", "bench/chaos/chaos-run.ts", "--short", `--json=${jsonFile}`],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    run.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    run.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    run.on("exit", (code) => resolve({ code, output }));
  });
}

describe("chaos, short form", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), "chaos-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loses nothing and doubles nothing through any fault", async () => {
    const jsonFile = path.join(dir, "result.json");
    const { code, output } = await runShortChaos(jsonFile);
    // The table, for whoever reads the test's output.
    process.stdout.write(`${output}\n`);
    expect(code).not.toBe(2); // the run itself did not break
    const result = JSON.parse(readFileSync(jsonFile, "utf8")) as ChaosResult;
    expect(result.rows.map((r) => r.fault)).toEqual([...FAULT_NAMES, "all"]);
    expect(result.harnessErrors).toEqual([]);
    const counted = result.rows.map(({ fault, tally: { events, replies } }) => ({
      fault,
      load: events.sent > 0 && replies.sent > 0,
      unacknowledged: events.sent - events.acked,
      eventsMissing: events.missing,
      eventsDoubled: events.doubled,
      repliesMissing: replies.missing,
      repliesDoubled: replies.doubled,
    }));
    expect(counted).toEqual(
      result.rows.map(({ fault }) => ({
        fault,
        load: true,
        unacknowledged: 0,
        eventsMissing: 0,
        eventsDoubled: 0,
        repliesMissing: 0,
        repliesDoubled: 0,
      })),
    );
    expect(code).toBe(0);
  }, 480_000);
});
