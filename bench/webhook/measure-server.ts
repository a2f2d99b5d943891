/**
 * One server measured by bench:webhook, alone on the machine: started, warmed up, then a
 * saturated run and a paced run, each begun once the server is quiet and (for the service) its
 * table and queue are empty; for the service, what it stored and queued is counted.
 */
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort } from "../../scripts/free-port";
import { startServer, stopServer, waitUntilAnswering } from "../support/server-process";
import { settle, withCosts, type BenchProcesses, type RunCosts } from "./run-costs";
import { runLoad, type LoadFigures } from "./run-load";
import { counts, resetBacking, type Backing } from "./service-backing";
import { DURATION_S, PACED_RATE, PROFILE_DIR, SECRET, WARMUP_S } from "./settings";

export type LoadResult = LoadFigures &
  RunCosts & {
    /** Cores' worth of CPU the load client used: it shares the machine with the server. */
    clientCores: number;
  };

export interface ServerRow {
  name: string;
  saturated: LoadResult;
  /** Not for `npm start`: its worker could not keep up with a paced run's backlog in time. */
  paced?: LoadResult;
  /** Only for the service: rows in webhook_event and jobs queued, once it was quiet again. */
  stored?: number;
  queued?: number;
  /** Only for the service: events stored but not yet queued the moment the saturated run ended. */
  queueLagAtEnd?: number;
  /** Only for `npm start`: events the worker finished (processed or ignored), and failed for good. */
  processed?: number;
  failedForGood?: number;
  /** Of those, finished while the run lasted; and how long the rest took after it (s). */
  processedDuringRun?: number;
  drainS?: number;
  /** Only for `npm start`: replies and pushes LINE (the fake) took, and calls it refused. */
  lineAnswers?: number;
  lineRefused?: number;
}

/** `script` (with its arguments) on a port of its own; `backing` only for the service. */
export async function measure(
  name: string,
  script: string,
  env: Record<string, string>,
  processes: BenchProcesses,
  backing?: Backing,
): Promise<ServerRow> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnServer(name, script, { ...env, PORT: String(port) });
  try {
    await waitUntilAnswering([child], `${url}/webhook/line`, { method: "POST" });
    const pid = child.pid ?? 0;
    await runLoad(url, WARMUP_S, 500); // JIT, connection pools
    const reset = async () => {
      await settle(pid);
      if (backing) await resetBacking(backing);
    };
    await reset();
    const measured = async (rate?: number): Promise<LoadResult> => {
      const { result, ...costs } = await withCosts(pid, processes, backing?.db, () =>
        runLoad(url, DURATION_S, rate),
      );
      return { ...result, ...costs };
    };
    const saturated = await measured();
    const lagAtEnd = backing ? await counts(backing) : undefined;
    const counted = backing ? await settle(pid).then(() => counts(backing)) : undefined;
    await reset();
    const paced = await measured(PACED_RATE);
    await settle(pid);
    const pacedCounts = backing ? await counts(backing) : undefined;
    return {
      name,
      saturated,
      paced,
      ...(counted && pacedCounts && lagAtEnd
        ? {
            stored: counted.stored + pacedCounts.stored,
            queued: counted.queued + pacedCounts.queued,
            queueLagAtEnd: lagAtEnd.stored - lagAtEnd.queued,
          }
        : {}),
    };
  } finally {
    await stopServer(child);
  }
}

/**
 * A server of the bench as a process of its own (`script` with its arguments): BullMQ on
 * PostgreSQL unless `env` brings the bench's Redis, signatures checked with the bench's secret,
 * a CPU profile per server name with BENCH_PROFILE.
 */
export function spawnServer(
  name: string,
  script: string,
  env: Record<string, string>,
): ChildProcess {
  const inherited = { ...process.env };
  delete inherited.REDIS_URL;
  return startServer(
    script.split(" "),
    { ...inherited, ...env, LINE_CHANNEL_SECRET: SECRET },
    PROFILE_DIR ? path.join(PROFILE_DIR, name) : undefined, // one file per thread
  );
}
