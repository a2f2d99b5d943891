/** What bench:webhook prints once every server has been measured. */
import { printTable } from "../support/table";
import type { LoadResult, ServerRow } from "./measure-server";
import {
  CONNECTIONS,
  DURATION_S,
  PACED_RATE,
  PROFILE_DIR,
  ROUNDS,
  UNIFORM_ARRIVALS,
  WARMUP_S,
} from "./settings";

/** The rows of one server over the rounds. */
export interface Series {
  key: string;
  label: string;
  rows: ServerRow[];
}

export function printReport(series: Series[]): void {
  console.log("\nbare = @line/bot-sdk middleware and an immediate 200, no storage (the ceiling);");
  console.log(
    "floor = bare + each body written to a preallocated journal on PostgreSQL's disk, 200 " +
      "once fdatasync returned (group commit): what the disk allows any server that acks only " +
      "what is stored;",
  );
  console.log(
    "service/pg, service/redis = this web role, every event stored in PostgreSQL before its " +
      "200, then queued on BullMQ's PostgreSQL backend (the embedded default) or on Redis;",
  );
  console.log(
    "npm start = the web and worker roles under their supervisor, processing on (flows, " +
      "answers to a LINE fake), on Redis when the bench has one: its CPU is the three processes'.",
  );
  printServers(series.flatMap((s) => s.rows));
  printAgainstBare(series);
  printStart(series);
  if (ROUNDS > 1) {
    for (const { label, rows } of series) {
      if (rows.length === 0) continue;
      console.log(
        `${label.padEnd(13)} over ${ROUNDS} rounds: max ${spread(rows, (r) => r.saturated.eventsPerSecond)} events/s, ` +
          `p99 ${spread(rows, (r) => r.saturated.p99)} ms` +
          (rows.every((r) => r.paced)
            ? `; @${PACED_RATE}/s p50 ${spread(rows, (r) => r.paced?.p50 ?? NaN)} ms, ` +
              `p99 ${spread(rows, (r) => r.paced?.p99 ?? NaN)} ms`
            : ""),
      );
    }
  }
  if (PROFILE_DIR) console.log(`CPU profiles in ${PROFILE_DIR}`);
}

function printServers(rows: ServerRow[]): void {
  console.log(
    `\nbench:webhook: ${DURATION_S} s per run, ${CONNECTIONS} connections, 1 event per request, ` +
      `each server alone and quiet before each run, ${WARMUP_S} s warm-up at 500/s.\n` +
      `max: closed loop (autocannon). @${PACED_RATE}/s: open loop, ` +
      `${UNIFORM_ARRIVALS ? "evenly spaced" : "Poisson"} arrivals, ` +
      `latency from each request's due time; "late" = p99 of the client's own timer lateness.\n` +
      `"client" = cores the load client used; "others" = cores used by processes outside the ` +
      `bench; "io stall" = share of the run the whole machine waited on its disk (noise).\n`,
  );
  const row = printTable([
    { title: "server", width: 16 },
    "max events/s",
    "p50 ms",
    "p99 ms",
    "client",
    "others",
    "io stall",
    `@${PACED_RATE}/s: offered/s`,
    "events/s",
    "p50 ms",
    "p99 ms",
    "late p99 ms",
    "client",
    "others",
    "io stall",
    "non-2xx",
    { title: "stored/2xx", align: "left" },
  ]);
  for (const r of rows) {
    row([
      r.name,
      r.saturated.eventsPerSecond,
      r.saturated.p50,
      r.saturated.p99,
      r.saturated.clientCores.toFixed(2),
      r.saturated.othersCores.toFixed(2),
      percent(r.saturated.ioStall),
      r.paced?.offeredRate ?? "-",
      r.paced?.eventsPerSecond ?? "-",
      r.paced?.p50.toFixed(1) ?? "-",
      r.paced?.p99.toFixed(1) ?? "-",
      r.paced?.clientLateP99 ?? "",
      r.paced?.clientCores.toFixed(2) ?? "-",
      r.paced?.othersCores.toFixed(2) ?? "-",
      r.paced ? percent(r.paced.ioStall) : "-",
      r.saturated.failed + (r.paced?.failed ?? 0),
      r.stored === undefined ? "-" : `${r.stored}/${r.saturated.ok + (r.paced?.ok ?? 0)}`,
    ]);
  }
  console.log(
    `\ncost per answered event: CPU of the server process and of PostgreSQL (ms), WAL written (bytes)`,
  );
  const costRow = printTable([
    { title: "server", width: 16 },
    { title: "max", width: 44, align: "left" },
    { title: `@${PACED_RATE}/s`, align: "left" },
  ]);
  for (const r of rows) costRow([r.name, cost(r.saturated), r.paced ? cost(r.paced) : "-"]);
}

const cost = (l: LoadResult) =>
  `${l.serverCpuMs.toFixed(3)} ms` +
  (l.dbCpuMs === undefined ? "" : ` + PostgreSQL ${l.dbCpuMs.toFixed(3)} ms`) +
  (l.walBytes === undefined ? "" : `, WAL ${Math.round(l.walBytes)} B`);

/** For the service on each queue: its throughput against the bare server's, and its checks. */
function printAgainstBare(series: Series[]): void {
  const bare = series.find((s) => s.key === "bare")?.rows ?? [];
  for (const { label, rows } of series.filter((s) => s.key === "pg" || s.key === "redis")) {
    if (rows.length === 0) continue;
    const shares = rows.map((r, i) =>
      Math.round((r.saturated.eventsPerSecond / (bare[i]?.saturated.eventsPerSecond ?? NaN)) * 100),
    );
    // Requests cut off by the end of a run may be stored without being counted as answered.
    const allStored = rows.every((r) => (r.stored ?? 0) >= r.saturated.ok + (r.paced?.ok ?? 0));
    const allQueued = rows.every((r) => r.queued === r.stored);
    console.log(
      `\n${label}: throughput vs bare ` +
        (bare.length ? `${Math.min(...shares)}–${Math.max(...shares)}%` : "- (not measured)") +
        `   every acknowledged event stored: ${allStored ? "yes" : "NO"}` +
        `   every stored event queued: ${allQueued ? "yes" : "NO"}` +
        `   queue backlog when the saturated run ended: ${spread(rows, (r) => r.queueLagAtEnd ?? 0)} events`,
    );
  }
}

/** `npm start` with processing on: against the bare server, and whether it did all the work. */
function printStart(series: Series[]): void {
  const bare = series.find((s) => s.key === "bare")?.rows ?? [];
  const rows = series.find((s) => s.key === "start")?.rows ?? [];
  if (rows.length === 0) return;
  const shares = rows.map((r, i) =>
    Math.round((r.saturated.eventsPerSecond / (bare[i]?.saturated.eventsPerSecond ?? NaN)) * 100),
  );
  const allStored = rows.every((r) => (r.stored ?? 0) >= r.saturated.ok);
  const allProcessed = rows.every((r) => r.processed === r.stored && r.failedForGood === 0);
  console.log(
    `\nnpm start (processing on): acknowledged vs bare ` +
      (bare.length ? `${Math.min(...shares)}–${Math.max(...shares)}%` : "- (not measured)") +
      `   every acknowledged event stored: ${allStored ? "yes" : "NO"}` +
      `   every stored event processed: ${allProcessed ? "yes" : "NO"}`,
  );
  for (const r of rows) {
    const processed = r.processed ?? 0;
    const seconds = DURATION_S + (r.drainS ?? 0);
    console.log(
      `  ${r.name}: ${r.stored} stored, ${processed} processed (${r.failedForGood} failed for good), ` +
        `${r.processedDuringRun} of them during the ${DURATION_S} s run and the rest in ` +
        `${(r.drainS ?? 0).toFixed(1)} s after it` +
        (processed < (r.stored ?? 0)
          ? ` (${(r.stored ?? 0) - processed} still waiting then)`
          : "") +
        `: ${Math.round(processed / seconds)} events/s ` +
        `processed; ${r.lineAnswers} answers sent to LINE, ${r.lineRefused} refused`,
    );
  }
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** "min–max" of a figure over the rounds, so the spread between runs is in plain sight. */
function spread(rows: ServerRow[], figure: (r: ServerRow) => number): string {
  const values = rows.map(figure);
  const [min, max] = [Math.min(...values), Math.max(...values)];
  return min === max ? String(min) : `${min}–${max}`;
}
