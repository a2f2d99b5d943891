/**
 * `npm run bench:disk`: what this machine's disk allows a webhook that answers only once the
 * event is on disk. Writes 8 KiB and calls fdatasync, one after the other, for BENCH_SECONDS
 * (default 15), BENCH_ROUNDS times (default 3), in the folder the embedded database uses
 * (BENCH_DISK_DIR, default .data/), and prints the latency of each sync.
 *
 * Two ways of writing, alternating:
 * - "ring": a file zero-filled and synced first, then overwritten in place, as PostgreSQL writes
 *   its preallocated WAL segments (and as bench:webhook's durable floor does);
 * - "append": a growing file, whose every sync also commits the filesystem's journal.
 *
 * The bound: while one sync stalls for s ms, nothing can be acknowledged; at R events/s, those
 * arriving in its first s − 50 ms wait more than 50 ms, however fast the server. Over a run of
 * T seconds, p99 under 50 ms is possible only if the time lost beyond 50 ms, summed over all
 * stalls, is under 1 % of T (150 ms in 15 s). The probe prints that sum and the share of
 * requests at 2,000/s it condemns to wait over 50 ms: a floor under any durable server's p99.
 */
import { closeSync, fdatasyncSync, mkdirSync, openSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { JOURNAL_BYTES, openPreallocated } from "./support/preallocated-journal";
import { ascending, quantile } from "./support/quantile";
import { printTable } from "./support/table";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DIR = path.resolve(process.env.BENCH_DISK_DIR ?? path.join(__dirname, "../.data"));
const RATE = 2000;
const GOAL_MS = 50;
const BLOCK = Buffer.alloc(8192, 0x61);

type Mode = "ring" | "append";

function probe(mode: Mode): number[] {
  const file = path.join(DIR, `disk-probe-${process.pid}.bin`);
  const fd = mode === "ring" ? openPreallocated(file) : openSync(file, "w");
  try {
    const latencies: number[] = [];
    let position = 0;
    const end = performance.now() + SECONDS * 1000;
    while (performance.now() < end) {
      const start = performance.now();
      writeSync(fd, BLOCK, 0, BLOCK.length, mode === "ring" ? position : null);
      fdatasyncSync(fd);
      latencies.push(performance.now() - start);
      position = (position + BLOCK.length) % JOURNAL_BYTES;
    }
    return latencies;
  } finally {
    closeSync(fd);
    unlinkSync(file);
  }
}

function summarise(mode: Mode, round: number, latencies: number[]): string[] {
  const sorted = ascending(latencies);
  const at = (q: number) => quantile(sorted, q);
  const stalls = latencies.filter((ms) => ms > 20);
  const lostMs = latencies.reduce((sum, ms) => sum + Math.max(0, ms - GOAL_MS), 0);
  const condemned = (RATE * lostMs) / 1000 / (RATE * SECONDS);
  return [
    `${mode} #${round}`,
    String(latencies.length),
    at(0.5).toFixed(2),
    at(0.99).toFixed(2),
    at(0.999).toFixed(1),
    (sorted.at(-1) ?? 0).toFixed(0),
    String(stalls.length),
    lostMs.toFixed(0),
    `${(100 * condemned).toFixed(2)} %`,
    condemned >= 0.01 ? "out of reach" : "possible",
  ];
}

mkdirSync(DIR, { recursive: true });
console.log(
  `bench:disk: 8 KiB write + fdatasync, one after the other, ${SECONDS} s per run, in ${DIR}.\n` +
    `"lost" = time beyond ${GOAL_MS} ms summed over all syncs; "> ${GOAL_MS} ms at ${RATE}/s" = the ` +
    `share of requests at ${RATE} events/s that would wait over ${GOAL_MS} ms on these stalls alone.\n` +
    `p99 < ${GOAL_MS} ms is out of reach for any server that acks only what is on disk once ` +
    `that share reaches 1 %.\n`,
);
const row = printTable([
  { title: "run", width: 10 },
  { title: "syncs", width: 7 },
  "p50 ms",
  "p99 ms",
  "p99.9 ms",
  "max ms",
  "> 20 ms",
  "lost ms",
  `> ${GOAL_MS} ms at ${RATE}/s`,
  { title: `p99 < ${GOAL_MS} ms`, align: "left" },
]);
for (let round = 1; round <= ROUNDS; round++) {
  for (const mode of ["ring", "append"] as const) {
    row(summarise(mode, round, probe(mode)));
  }
}
