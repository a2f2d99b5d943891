/**
 * bench:webhook's run against `npm start` as the README runs it: the web and worker roles under
 * their supervisor, processing on, LINE played by line-fake-server. A closed-loop run measures
 * how many events a second it acknowledges while the worker processes them (CPU counted over
 * the supervisor and both roles); then the bench waits until every stored event is processed (at
 * most BENCH_DRAIN_S) and reports how long that took, or how many were left. Nothing is reset under the running service: the counts are the
 * differences before and after.
 */
import type { Client } from "pg";
import { freePort } from "../../scripts/free-port";
import { stopServer, waitUntilAnswering } from "../support/server-process";
import { startLineFake } from "./line-fake-server";
import { spawnServer, type ServerRow } from "./measure-server";
import { settle, withCosts, type BenchProcesses } from "./run-costs";
import { runLoad } from "./run-load";
import { DURATION_S, WARMUP_S } from "./settings";

/**
 * How long the bench waits for the worker to process what a run stored (BENCH_DRAIN_S, default
 * 180): what is left then is printed as not processed.
 */
const DRAIN_DEADLINE_MS = Number(process.env.BENCH_DRAIN_S ?? 180) * 1000;

interface EventCounts {
  stored: number;
  /** Events the worker is done with: processed, ignored (not a message) or failed for good. */
  done: number;
  failed: number;
}

export async function measureStart(
  env: Record<string, string>,
  processes: BenchProcesses,
  db: Client,
): Promise<ServerRow> {
  const line = await startLineFake();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnServer("npm-start", "src/main/start.ts all", {
    ...env,
    PORT: String(port),
    LINE_API_BASE_URL: line.url,
    LINE_DATA_API_BASE_URL: line.url,
  });
  const pid = child.pid ?? 0;
  try {
    await waitUntilAnswering([child], `${url}/readyz`, { ready: (r) => r.status === 200 });
    // The web role answers first; drained() waits for the worker to take the warm-up's events.
    await runLoad(url, WARMUP_S, 500);
    await drained(db);
    await settle(pid, true);
    const before = await eventCounts(db);
    const calls = { ...line.calls };
    const { result, ...costs } = await withCosts(
      pid,
      processes,
      db,
      () => runLoad(url, DURATION_S),
      true,
    );
    const endedAt = Date.now();
    const atEnd = await eventCounts(db);
    await drained(db);
    const drainS = (Date.now() - endedAt) / 1000;
    const after = await eventCounts(db);
    const answers = line.calls.reply + line.calls.push - calls.reply - calls.push;
    return {
      name: "npm start",
      saturated: { ...result, ...costs },
      stored: after.stored - before.stored,
      processed: after.done - before.done,
      failedForGood: after.failed - before.failed,
      processedDuringRun: atEnd.done - before.done,
      drainS,
      lineAnswers: answers,
      lineRefused: line.calls.refused,
    };
  } finally {
    await stopServer(child);
    await line.close();
  }
}

async function eventCounts(db: Client): Promise<EventCounts> {
  const { rows } = await db.query<{ stored: string; done: string; failed: string }>(
    `SELECT count(*) AS stored,
            count(*) FILTER (WHERE status <> 'received') AS done,
            count(*) FILTER (WHERE status = 'failed') AS failed
       FROM webhook_event`,
  );
  const row = rows[0];
  return { stored: Number(row?.stored), done: Number(row?.done), failed: Number(row?.failed) };
}

/** Until every stored event is processed (or the deadline passes: the report then says so). */
async function drained(db: Client): Promise<void> {
  const deadline = Date.now() + DRAIN_DEADLINE_MS;
  for (;;) {
    const { stored, done } = await eventCounts(db);
    if (stored === done || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}
