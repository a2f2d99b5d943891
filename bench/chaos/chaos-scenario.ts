/**
 * A whole chaos run: start every process, put the women and counsellors in place, run the
 * load, inject the faults one after another (a row each), count everything again at the end,
 * stop every process. Returns the rows and whether nothing was lost or doubled.
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { ChaosOptions } from "./chaos-options";
import { describeRun, explain, startTable, verdict, type Print } from "./chaos-report";
import { startCluster } from "./cluster";
import { createSealer } from "../../src/privacy/sealer";
import { openDatabaseProbe } from "./database-probe";
import { MarkerBook } from "./markers";
import { countAll, runPhase, type PhaseContext, type PhaseResult } from "./phase";
import { setUp } from "./setup";
import { SteadyLoad } from "./steady-load";

const DATA = path.resolve(__dirname, "../../.data");

export interface ChaosResult {
  rows: PhaseResult[];
  ok: boolean;
  harnessErrors: string[];
  logDir: string;
}

export async function runChaos(options: ChaosOptions, print: Print): Promise<ChaosResult> {
  removeLeftovers();
  const workDir = path.join(DATA, `chaos-${process.pid}`);
  const started = Date.now();
  const since = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const cluster = await startCluster(workDir);
  const stopOnSignal = () => void cluster.stop().then(() => process.exit(130));
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  const db = openDatabaseProbe(cluster.databaseUrl, createSealer(cluster.appSecretKey));
  try {
    describeRun(options, print);
    print(`PostgreSQL, Redis, LINE, web and worker started: ${since()}`);
    const book = new MarkerBook();
    const pairs = await setUp(cluster, db, options);
    print(`every woman in the queue, her conversation claimed: ${since()}\n`);
    const load = new SteadyLoad(cluster.line, db, book, pairs, options);
    const ctx: PhaseContext = { cluster, load, options, book, db };
    const printRow = startTable(print);
    const rows: PhaseResult[] = [];
    load.start();
    for (const fault of options.faults) {
      const row = await runPhase(fault, ctx);
      rows.push(row);
      printRow(row);
    }
    await load.stop();
    const total = await countAll(ctx);
    await load.close();
    rows.push(total);
    printRow(total);
    explain(rows, load.errors, print);
    const ok = verdict(rows, print);
    print(`run took ${since()}; logs of every process: ${cluster.logDir}`);
    return { rows, ok, harnessErrors: load.errors, logDir: cluster.logDir };
  } finally {
    process.off("SIGINT", stopOnSignal);
    process.off("SIGTERM", stopOnSignal);
    await db.close();
    // PostgreSQL's data goes; the logs stay for a look after the run.
    await cluster.stop();
  }
}

/** Work folders of earlier runs whose process has ended (one interrupted, say). */
function removeLeftovers(): void {
  if (!existsSync(DATA)) return;
  for (const name of readdirSync(DATA)) {
    const pid = /^chaos-(\d+)$/.exec(name)?.[1];
    if (pid && !isRunning(Number(pid)))
      rmSync(path.join(DATA, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
