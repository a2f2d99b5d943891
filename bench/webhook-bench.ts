/**
 * `npm run bench:webhook`: signed webhook load with autocannon against the real web role
 * (every event stored in PostgreSQL before the 200, then queued) and, in the same run, against
 * a bare @line/bot-sdk server that stores nothing: the ceiling. Each request carries one event
 * of a new webhookEventId, as LINE sends them. Prints events/s and ack latency p50/p99 at
 * saturation and at a fixed 2,000 requests/s, and checks that every acknowledged event is stored.
 * Uses DATABASE_URL when set, else embedded PostgreSQL; BullMQ runs on its PostgreSQL backend.
 *
 * Fairness: the two servers are measured one after the other, each alone (the other is not
 * running), with the same client settings, the same warm-up, and the same wait before every run
 * until the server's own CPU is quiet, so no server pays for work left over from an earlier run
 * (our service keeps queueing jobs for a moment after the last 200).
 *
 * BENCH_SECONDS (default 15) sets each run's length; BENCH_CONNECTIONS (default 64) the client's
 * connections; BENCH_PROFILE=1 writes a CPU profile of each server to artifacts/bench-profile/.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { Client } from "pg";
import { ensureDatabase, startEmbeddedPostgres } from "../src/db/embedded-postgres";
import { migrate } from "../src/db/migration-runner";
import { QUEUE_NAME } from "../src/jobs/job-catalog";
import { migrateQueue } from "../src/jobs/job-queue";
import { freePort } from "../scripts/free-port";

const ROOT = path.resolve(__dirname, "..");
const SECRET = "bench-channel-secret-0123456789ab";
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 15);
const WARMUP_S = Math.min(5, DURATION_S);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const PACED_RATE = 2000;
const TICKS_PER_SECOND = 100; // USER_HZ on Linux
let PG_DATA_DIR = "";
const PROFILE_DIR = process.env.BENCH_PROFILE ? path.join(ROOT, "artifacts/bench-profile") : "";

function signedRequest() {
  const userId = `U${randomBytes(16).toString("hex")}`;
  const body = JSON.stringify({
    destination: "Ubench",
    events: [
      {
        type: "message",
        mode: "active",
        timestamp: Date.now(),
        webhookEventId: randomBytes(13).toString("hex").toUpperCase(),
        deliveryContext: { isRedelivery: false },
        source: { type: "user", userId },
        replyToken: randomBytes(16).toString("hex"),
        message: {
          id: String(Date.now()),
          type: "text",
          text: "こんにちは、相談したいです",
          quoteToken: "q",
        },
      },
    ],
  });
  const signature = createHmac("sha256", SECRET).update(body).digest("base64");
  return { body, headers: { "content-type": "application/json", "x-line-signature": signature } };
}

interface LoadResult {
  /** Cores' worth of CPU that processes outside the bench used during the run. */
  othersCores: number;
  eventsPerSecond: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
}

async function load(
  url: string,
  seconds: number,
  overallRate?: number,
): Promise<Omit<LoadResult, "othersCores">> {
  const result = await autocannon({
    url: `${url}/webhook/line`,
    connections: CONNECTIONS,
    duration: seconds,
    overallRate,
    requests: [{ method: "POST", setupRequest: (req) => ({ ...req, ...signedRequest() }) }],
  });
  return {
    eventsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result["2xx"],
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

/** Node itself (not a tsx wrapper), so the pid is the server's and --cpu-prof applies to it. */
function spawnServer(name: string, script: string, env: Record<string, string>): ChildProcess {
  const profile = PROFILE_DIR
    ? ["--cpu-prof", `--cpu-prof-dir=${path.join(PROFILE_DIR, name)}`] // one file per thread
    : [];
  // Without REDIS_URL the service runs BullMQ on PostgreSQL, whose job table the bench counts.
  const inherited = { ...process.env };
  delete inherited.REDIS_URL;
  return spawn(process.execPath, [...profile, "--import", "tsx", ...script.split(" ")], {
    cwd: ROOT,
    env: { ...inherited, ...env, LINE_CHANNEL_SECRET: SECRET },
    stdio: ["ignore", "inherit", "inherit"],
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

async function waitForPort(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      await fetch(`${url}/webhook/line`, { method: "POST" });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not start`);
}

/** CPU time (user + system, in clock ticks) the process has used so far, from /proc. */
function cpuTicks(pid: number): number {
  // Fields after the command name (which may hold spaces) start at "state"; utime/stime are 14/15.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** Busy CPU time of the whole machine (all cores), in clock ticks. */
function machineBusyTicks(): number {
  const cpuLine = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  const [, user, nice, system, , , irq, softirq, steal] = cpuLine.split(/\s+/).map(Number);
  return [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0);
}

/** The bench's own processes: this one (the client), the server, PostgreSQL and its backends. */
function ourTicks(serverPid: number): number {
  const postmaster = PG_DATA_DIR
    ? Number(readFileSync(path.join(PG_DATA_DIR, "postmaster.pid"), "utf8").split("\n", 1)[0])
    : 0;
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ppid = Number(fields[1]);
      if ([process.pid, serverPid, postmaster].includes(pid) || (postmaster && ppid === postmaster))
        ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks;
}

/**
 * The machine is shared: CPU that other processes used during a run (in cores, averaged) says
 * how far to trust its figures. Approximate: backends that exit during the run count as others.
 */
async function withOthersLoad<T>(serverPid: number, run: () => Promise<T>) {
  const start = { at: Date.now(), busy: machineBusyTicks(), ours: ourTicks(serverPid) };
  const result = await run();
  const seconds = (Date.now() - start.at) / 1000;
  const others = machineBusyTicks() - start.busy - (ourTicks(serverPid) - start.ours);
  return { result, othersCores: Math.max(0, others) / TICKS_PER_SECOND / seconds };
}

/** Waits until the server uses under 5% of a core for a whole second (at most 60 s). */
async function settle(pid: number): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const before = cpuTicks(pid);
    await new Promise((r) => setTimeout(r, 1000));
    const used = cpuTicks(pid) - before;
    if (process.env.BENCH_DEBUG) console.log(`settle: ${used} ticks`);
    if (used <= (PROFILE_DIR ? 30 : 5)) return; // the profiler's own sampling is not quiet
  }
  console.warn("server did not become quiet within 60 s; measuring anyway");
}

interface ServerRow {
  name: string;
  saturated: LoadResult;
  paced: LoadResult;
  /** Only for the service: rows in webhook_event and jobs queued, once it was quiet again. */
  stored?: number;
  queued?: number;
  /** Only for the service: events stored but not yet queued the moment the saturated run ended. */
  queueLagAtEnd?: number;
}

async function measure(
  name: string,
  script: string,
  env: Record<string, string>,
  db?: Client,
): Promise<ServerRow> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnServer(name, script, { ...env, PORT: String(port) });
  try {
    await waitForPort(url);
    const pid = child.pid ?? 0;
    await load(url, WARMUP_S, 500); // JIT, connection pools
    const reset = async () => {
      await settle(pid);
      if (!db) return;
      await db.query(`TRUNCATE webhook_event CASCADE`);
      await db.query(`DELETE FROM bullmq.job WHERE queue = $1`, [QUEUE_NAME]);
      await db.query("CHECKPOINT"); // every run starts with the same amount of WAL to write
    };
    await reset();
    const measured = async (rate?: number): Promise<LoadResult> => {
      const { result, othersCores } = await withOthersLoad(pid, () => load(url, DURATION_S, rate));
      return { ...result, othersCores };
    };
    const saturated = await measured();
    const lagAtEnd = db ? await counts(db) : undefined;
    const counted = db ? await settle(pid).then(() => counts(db)) : undefined;
    await reset();
    const paced = await measured(PACED_RATE);
    await settle(pid);
    const pacedCounts = db ? await counts(db) : undefined;
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

async function counts(db: Client): Promise<{ stored: number; queued: number }> {
  const { rows } = await db.query<{ stored: string; queued: string }>(
    `SELECT (SELECT count(*) FROM webhook_event) AS stored,
            (SELECT count(*) FROM bullmq.job WHERE queue = $1) AS queued`,
    [QUEUE_NAME],
  );
  return { stored: Number(rows[0]?.stored), queued: Number(rows[0]?.queued) };
}

function printTable(rows: ServerRow[]): void {
  const cells = (r: ServerRow) => [
    r.name.padEnd(31),
    String(r.saturated.eventsPerSecond).padStart(12),
    String(r.saturated.p50).padStart(6),
    String(r.saturated.p99).padStart(6),
    r.saturated.othersCores.toFixed(2).padStart(6),
    String(r.paced.eventsPerSecond).padStart(17),
    String(r.paced.p50).padStart(6),
    String(r.paced.p99).padStart(6),
    r.paced.othersCores.toFixed(2).padStart(6),
    String(r.saturated.failed + r.paced.failed).padStart(7),
    r.stored === undefined ? "-" : `${r.stored}/${r.saturated.ok + r.paced.ok}`,
  ];
  console.log(
    `\nbench:webhook: ${DURATION_S} s per run, ${CONNECTIONS} connections, 1 event per request, ` +
      `each server alone and quiet before each run, ${WARMUP_S} s warm-up at 500/s. ` +
      `"others" = cores used by processes outside the bench during the run (noise).\n`,
  );
  console.log(
    "server                          | max events/s | p50 ms | p99 ms | others | @2000/s: events/s | p50 ms | p99 ms | others | non-2xx | stored/2xx",
  );
  for (const r of rows) console.log(cells(r).join(" | "));
}

async function main() {
  let databaseUrl = process.env.DATABASE_URL;
  const embedded = databaseUrl
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: path.join(ROOT, ".data/bench-pg"),
        port: await freePort(),
      });
  if (embedded) {
    await ensureDatabase(embedded.adminUrl, "bench_webhook");
    databaseUrl = embedded.urlFor("bench_webhook");
    PG_DATA_DIR = path.join(ROOT, ".data/bench-pg");
  }
  if (!databaseUrl) throw new Error("no database");
  // Migrated here (the service would do it too) so the bench can reset the tables it counts.
  await migrate(databaseUrl);
  await migrateQueue({ redisUrl: undefined, databaseUrl });
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    // The bare server first, so it never runs while PostgreSQL still writes out our runs.
    const bare = await measure("bare", "bench/bare-echo-server.ts", {});
    const serviceEnv = {
      DATABASE_URL: databaseUrl,
      LINE_CHANNEL_ACCESS_TOKEN: "bench-access-token-0123456789",
      APP_SECRET_KEY: "bench-app-secret-key-0123456789abcdef",
      LOG_LEVEL: "warn",
    };
    const ours = await measure("service", "src/main/start.ts web", serviceEnv, db);
    await db.end();
    const rows = [
      { ...bare, name: "bare @line/bot-sdk (no storage)" },
      { ...ours, name: "this service (stored, queued)" },
    ];
    printTable(rows);
    const share = ours.saturated.eventsPerSecond / bare.saturated.eventsPerSecond;
    const ok = ours.saturated.ok + ours.paced.ok;
    // Requests cut off by the end of a run may be stored without being counted as answered.
    console.log(
      `\nthroughput vs bare: ${(share * 100).toFixed(0)}%` +
        `   every acknowledged event stored: ${(ours.stored ?? 0) >= ok ? "yes" : "NO"}` +
        `   every stored event queued: ${ours.queued === ours.stored ? "yes" : "NO"}` +
        ` (${ours.queued}/${ours.stored})` +
        `   queue backlog when the saturated run ended: ${ours.queueLagAtEnd} events`,
    );
    if (PROFILE_DIR) console.log(`CPU profiles in ${PROFILE_DIR}`);
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
