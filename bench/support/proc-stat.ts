/**
 * CPU time of processes from Linux's /proc, for the benches: a server's, PostgreSQL's with its
 * backends, the whole machine's. In clock ticks (USER_HZ, 100 a second on Linux).
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

export const TICKS_PER_SECOND = 100;

/**
 * A process's parent, its CPU ticks (user + system) so far, and those of its children that have
 * ended (and were waited for); undefined once it has ended itself.
 */
function stat(pid: number): { ppid: number; ticks: number; endedChildren: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at "state": ppid is the 4th
    // field, utime/stime the 14th/15th, cutime/cstime the 16th/17th.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return {
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
      endedChildren: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined;
  }
}

/** CPU ticks the process has used so far; 0 if it has ended. */
export function cpuTicks(pid: number): number {
  return stat(pid)?.ticks ?? 0;
}

/**
 * CPU ticks of the living processes in `pids` and of the children of those in `parents`, living
 * or ended: a PostgreSQL backend that exits during a run takes its CPU with it from the living,
 * and would make the difference of two readings fall, even below zero.
 */
export function ticksOf(pids: number[], parents: number[] = []): number {
  let ticks = 0;
  for (const parent of parents) ticks += stat(parent)?.endedChildren ?? 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const s = stat(pid);
    if (s && (pids.includes(pid) || parents.includes(s.ppid))) ticks += s.ticks;
  }
  return ticks;
}

/** The pid of the PostgreSQL server whose data folder is `dataDir`. */
export function postmasterPid(dataDir: string): number {
  return Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n", 1)[0]);
}

/** CPU ticks of the PostgreSQL server whose data folder is `dataDir` and of its backends. */
export function postgresTicks(dataDir: string): number {
  const postmaster = postmasterPid(dataDir);
  return ticksOf([postmaster], [postmaster]);
}

/** Busy CPU time of the whole machine (all cores), in clock ticks. */
export function machineBusyTicks(): number {
  const cpuLine = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  const [, user, nice, system, , , irq, softirq, steal] = cpuLine.split(/\s+/).map(Number);
  return [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0);
}
