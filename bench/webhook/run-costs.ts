/**
 * What a run cost (CPU of the server and of PostgreSQL, WAL) and the noise around it (CPU that
 * other processes on the shared machine used, disk stalls), read from /proc and PostgreSQL.
 */
import { readFileSync } from "node:fs";
import type { Client } from "pg";
import {
  cpuTicks,
  machineBusyTicks,
  postgresTicks,
  postmasterPid,
  ticksOf,
  TICKS_PER_SECOND,
} from "../support/proc-stat";
import { DEBUG, PROFILE_DIR } from "./settings";

/** The bench's processes besides the server: embedded PostgreSQL (its folder) and its Redis. */
export interface BenchProcesses {
  postgresDataDir?: string;
  redisPid?: number;
}

export interface RunCosts {
  /** Cores' worth of CPU that processes outside the bench used during the run. */
  othersCores: number;
  /** Share of the run during which every busy task on the machine waited on the disk. */
  ioStall: number;
  /** CPU the server (its processes) used per answered event (ms): what the code costs. */
  serverCpuMs: number;
  /** The same for PostgreSQL (all its processes), and the WAL it wrote per event (bytes). */
  dbCpuMs?: number;
  walBytes?: number;
}

/**
 * CPU ticks of the server: its process, and with `tree` its child processes too (`npm start`
 * runs its roles as children of a supervisor).
 */
export function serverTicks(pid: number, tree: boolean): number {
  return tree ? ticksOf([pid], [pid]) : cpuTicks(pid);
}

/** The bench's own processes: this one, the server, PostgreSQL and its backends, its Redis. */
function ourTicks(serverPid: number, tree: boolean, processes: BenchProcesses): number {
  const { postgresDataDir, redisPid = 0 } = processes;
  const postmaster = postgresDataDir ? postmasterPid(postgresDataDir) : 0;
  const parents = [...(postmaster ? [postmaster] : []), ...(tree ? [serverPid] : [])];
  return ticksOf([process.pid, serverPid, postmaster, redisPid], parents);
}

/**
 * Microseconds during which all non-idle tasks were stalled on I/O (Linux PSI, "full"), 0 where
 * the kernel does not report it. A commit waits for its WAL on disk: when the disk stalls, every
 * ack waits, whatever the code does.
 */
function ioStalledUs(): number {
  try {
    const full = /^full .*total=(\d+)/m.exec(readFileSync("/proc/pressure/io", "utf8"));
    return Number(full?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Runs `run` and returns its result with what it cost. The machine is shared: CPU that other
 * processes used during a run (in cores, averaged) and disk stalls say how far to trust its
 * figures. Approximate: backends that exit during the run count as others. With `tree`, the
 * server's child processes count as the server.
 */
export async function withCosts<T extends { clientTotalCpuMs: number; ok: number }>(
  serverPid: number,
  processes: BenchProcesses,
  db: Client | undefined,
  run: () => Promise<T>,
  tree = false,
): Promise<{ result: Omit<T, "clientTotalCpuMs"> } & RunCosts> {
  const { postgresDataDir } = processes;
  const dbTicks = () => (postgresDataDir ? postgresTicks(postgresDataDir) : 0);
  const start = {
    at: Date.now(),
    busy: machineBusyTicks(),
    ours: ourTicks(serverPid, tree, processes),
    server: serverTicks(serverPid, tree),
    db: dbTicks(),
    wal: db ? await walPosition(db) : 0n,
    ioStalled: ioStalledUs(),
  };
  const { clientTotalCpuMs, ...result } = await run();
  const seconds = (Date.now() - start.at) / 1000;
  // The client process has exited by now: it reported its own CPU time.
  const client = (clientTotalCpuMs / 1000) * TICKS_PER_SECOND;
  const ours = ourTicks(serverPid, tree, processes) - start.ours;
  const others = machineBusyTicks() - start.busy - ours - client;
  const perEvent = (ticks: number) => ((ticks / TICKS_PER_SECOND) * 1000) / (result.ok || 1);
  return {
    result,
    othersCores: Math.max(0, others) / TICKS_PER_SECOND / seconds,
    ioStall: (ioStalledUs() - start.ioStalled) / 1e6 / seconds,
    serverCpuMs: perEvent(serverTicks(serverPid, tree) - start.server),
    ...(db
      ? {
          dbCpuMs: perEvent(dbTicks() - start.db),
          walBytes: Number((await walPosition(db)) - start.wal) / (result.ok || 1),
        }
      : {}),
  };
}

async function walPosition(db: Client): Promise<bigint> {
  const { rows } = await db.query<{ at: string }>(
    "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS at",
  );
  return BigInt(rows[0]?.at ?? "0");
}

/** Waits until the server uses under 5% of a core for a whole second (at most 60 s). */
export async function settle(pid: number, tree = false): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const before = serverTicks(pid, tree);
    await new Promise((r) => setTimeout(r, 1000));
    const used = serverTicks(pid, tree) - before;
    if (DEBUG) console.log(`settle: ${used} ticks`);
    if (used <= (PROFILE_DIR ? 30 : 5)) return; // the profiler's own sampling is not quiet
  }
  console.warn("server did not become quiet within 60 s; measuring anyway");
}
