/**
 * `npm run bench:webhook`: signed webhook load against the real web role (every event stored in
 * PostgreSQL before the 200, then queued) and, in the same run, against two yardsticks: a bare
 * @line/bot-sdk server that stores nothing (the ceiling), and the "durable floor", the bare
 * server plus an fdatasync'd write of each body to a preallocated journal on the same disk
 * (what the disk allows any server that answers only once the event is stored). Each request carries one
 * event of a new webhookEventId, as LINE sends them. Prints events/s and ack latency p50/p99
 * at saturation (autocannon, closed loop) and at 2,000 requests/s (open loop, see pacedLoad),
 * the CPU and WAL each event costs, and checks that every acknowledged event is stored and
 * queued. Its database: see support/bench-database.ts. The service is measured with
 * BullMQ on its PostgreSQL backend (the embedded default) and, when Debian's redis-server is
 * installed, on a throwaway Redis of the bench's own (as a real channel runs it).
 *
 * Fairness: the servers are measured one after the other, each alone (the others are not
 * running), with the same client settings, the same warm-up, and the same wait before every run
 * until the server's own CPU is quiet, so no server pays for work left over from an earlier run
 * (our service keeps queueing jobs for a moment after the last 200). The load client runs in a
 * process of its own; it shares the 2 cores with the server and PostgreSQL, so the table shows
 * the cores it used, how late its own timer was, the CPU other processes on the machine used
 * and how long the machine was stalled on its disk: the noise behind each figure.
 *
 * BENCH_SECONDS (default 15) sets each run's length; BENCH_CONNECTIONS (default 64) the client's
 * connections; BENCH_ROUNDS (default 1) how many times every server is measured, to show the
 * spread between runs; BENCH_SERVERS (default "bare,floor,pg,redis") which of them;
 * BENCH_RATE (default 2000) sets the open loop's rate, to see how latency grows with load;
 * BENCH_ARRIVALS=uniform paces evenly instead of at random (Poisson); BENCH_PROFILE=1 writes a
 * CPU profile of each server to artifacts/bench-profile/.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import path from "node:path";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import { Client } from "pg";
import { QUEUE_NAME } from "../src/jobs/job-catalog";
import { freePort } from "../scripts/free-port";
import { hasRedisServer, startRedis } from "../scripts/redis-server";
import {
  cpuTicks,
  machineBusyTicks,
  postgresTicks,
  postmasterPid,
  ticksOf,
  TICKS_PER_SECOND,
} from "./support/proc-stat";
import { openBenchDatabase } from "./support/bench-database";
import { ascending, quantile } from "./support/quantile";
import { startServer, stopServer, waitUntilAnswering } from "./support/server-process";
import { printTable } from "./support/table";

const ROOT = path.resolve(__dirname, "..");
const SECRET = "bench-channel-secret-0123456789ab";
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 15);
const WARMUP_S = Math.min(5, DURATION_S);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
/** Which servers to measure (all three by default); fewer to iterate on one. */
const SERVERS = (process.env.BENCH_SERVERS ?? "bare,floor,pg,redis").split(",");
const PACED_RATE = Number(process.env.BENCH_RATE ?? 2000);
/** Run as the load client (see load()), not as the bench. */
const CLIENT_ARG = "--load-client";
let PG_DATA_DIR = "";
let REDIS_PID = 0;
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
  /** Share of the run during which every busy task on the machine waited on the disk. */
  ioStall: number;
  /** CPU the server process used per answered event (ms): what the code costs. */
  serverCpuMs: number;
  /** The same for PostgreSQL (all its processes), and the WAL it wrote per event (bytes). */
  dbCpuMs?: number;
  walBytes?: number;
  /** Cores' worth of CPU the load client used: it shares the machine with the server. */
  clientCores: number;
  /** Paced runs: requests per second the client actually offered. */
  offeredRate?: number;
  /** Paced runs: p99 of how late the client's timer sent a request (ms), its own noise. */
  clientLateP99?: number;
}

type ClientOutcome = Omit<LoadResult, "othersCores" | "clientCores" | "ioStall" | "serverCpuMs"> & {
  /** During the run, and in all (start-up, signing requests beforehand, the run). */
  clientCpuMs: number;
  clientTotalCpuMs: number;
};
interface LoadJob {
  url: string;
  seconds: number;
  rate?: number;
}

/**
 * One run, driven from a child process of its own so the client has its own event loop and heap
 * (the bench's process holds pg clients and does the bookkeeping) and its CPU can be counted.
 */
async function load(
  url: string,
  seconds: number,
  rate?: number,
): Promise<
  Omit<LoadResult, "othersCores" | "ioStall" | "serverCpuMs"> & { clientTotalCpuMs: number }
> {
  const child = spawn(process.execPath, ["--import", "tsx", __filename, CLIENT_ARG], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const outcome = new Promise<ClientOutcome>((resolve, reject) => {
    child.once("message", (message) => resolve(message as ClientOutcome));
    child.once("exit", (code) =>
      reject(new Error(`load client exited (${code}) without a result`)),
    );
  });
  const job: LoadJob = { url, seconds, rate };
  child.send(job);
  const { clientCpuMs, ...result } = await outcome;
  return { ...result, clientCores: clientCpuMs / 1000 / seconds };
}

async function clientMain(): Promise<void> {
  const job = await new Promise<LoadJob>((resolve) =>
    process.once("message", (message) => resolve(message as LoadJob)),
  );
  const cpuBefore = process.cpuUsage();
  const result = job.rate
    ? await pacedLoad(job.url, job.seconds, job.rate)
    : await saturatedLoad(job.url, job.seconds);
  const { preparationCpuMs, ...figures } = result;
  const outcome: ClientOutcome = {
    ...figures,
    clientCpuMs: cpuMs(process.cpuUsage(cpuBefore)) - preparationCpuMs,
    clientTotalCpuMs: cpuMs(process.cpuUsage()),
  };
  process.send?.(outcome, () => process.exit(0));
}

/** Closed loop: every connection sends its next request as soon as the last is answered. */
async function saturatedLoad(url: string, seconds: number) {
  const result = await autocannon({
    url: `${url}/webhook/line`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ method: "POST", setupRequest: (req) => ({ ...req, ...signedRequest() }) }],
  });
  return {
    eventsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result["2xx"],
    failed: result.non2xx + result.errors + result.timeouts,
    preparationCpuMs: 0,
  };
}

const cpuMs = (cpu: NodeJS.CpuUsage) => (cpu.user + cpu.system) / 1000;

/**
 * Open loop, as LINE's traffic is: request i is due at a time fixed before the run (Poisson
 * arrivals at `rate`, i.e. independent users; BENCH_ARRIVALS=uniform for an even beat) and its
 * latency counts from that time, whether the server, a busy connection or the client itself
 * delayed it. autocannon's overallRate cannot do this: each connection sends its share of a
 * second back to back and then pauses, so a "2,000/s" run is a burst at full speed at the start
 * of every second; and it "corrects" the latencies of paced runs as if requests were due every
 * 1 ms (ceil(1 / rate per connection)), adding up to L − 1 made-up samples per L ms response.
 */
async function pacedLoad(url: string, seconds: number, rate: number) {
  const { hostname, port } = new URL(url);
  const total = Math.round(rate * seconds);
  // Signed before the clock starts: during the run the client only writes and reads.
  const preparation = process.cpuUsage();
  const requests = Array.from({ length: total }, () => rawRequest(hostname, signedRequest()));
  const preparationCpuMs = cpuMs(process.cpuUsage(preparation));
  const due = arrivals(total, rate);
  const latencies: number[] = [];
  const late = new Float64Array(total);
  let ok = 0;
  let failed = 0;
  let lastSentAt = 0;
  const waiting: number[] = [];
  let nextWaiting = 0;
  const idle: PacedConnection[] = [];
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const onAnswer = (conn: PacedConnection, i: number, status: number) => {
    if (status >= 200 && status < 300) {
      ok += 1;
      latencies.push(performance.now() - start - (due[i] ?? 0));
    } else failed += 1;
    if (ok + failed === total) finish();
    const next = waiting[nextWaiting];
    if (next === undefined) idle.push(conn);
    else {
      nextWaiting += 1;
      conn.send(next, requests[next] ?? Buffer.alloc(0));
    }
  };
  const connections = Array.from(
    { length: CONNECTIONS },
    () => new PacedConnection(hostname, Number(port), onAnswer),
  );
  await Promise.all(connections.map((c) => c.connected));
  idle.push(...connections);

  const start = performance.now() + 10;
  let next = 0;
  const tick = () => {
    const now = performance.now() - start;
    for (; next < total && (due[next] ?? 0) <= now; next++) {
      late[next] = now - (due[next] ?? 0);
      lastSentAt = now;
      // Oldest first: the idle list is a queue, so every connection stays in use and warm.
      const conn = idle.shift();
      if (conn) conn.send(next, requests[next] ?? Buffer.alloc(0));
      else waiting.push(next);
    }
    if (next < total) setTimeout(tick, (due[next] ?? 0) - now);
  };
  setTimeout(tick, 10);
  const timeout = setTimeout(finish, (seconds + 30) * 1000);
  await finished;
  clearTimeout(timeout);
  for (const c of connections) c.close();
  const sorted = ascending(latencies);
  const lateSorted = ascending(late);
  return {
    eventsPerSecond: Math.round(ok / (Math.max(lastSentAt, due[total - 1] ?? 0) / 1000)),
    p50: round1(quantile(sorted, 0.5)),
    p99: round1(quantile(sorted, 0.99)),
    ok,
    failed: total - ok,
    offeredRate: Math.round(total / ((lastSentAt || 1) / 1000)),
    clientLateP99: round1(quantile(lateSorted, 0.99)),
    preparationCpuMs,
  };
}

function arrivals(total: number, rate: number): Float64Array {
  const due = new Float64Array(total);
  const uniform = process.env.BENCH_ARRIVALS === "uniform";
  let at = 0;
  for (let i = 0; i < total; i++) {
    due[i] = at;
    at += uniform ? 1000 / rate : (-Math.log(1 - Math.random()) * 1000) / rate;
  }
  return due;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function rawRequest(host: string, req: ReturnType<typeof signedRequest>): Buffer {
  const body = Buffer.from(req.body);
  const head =
    `POST /webhook/line HTTP/1.1\r\nhost: ${host}\r\n` +
    Object.entries(req.headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("") +
    `content-length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

/**
 * One keep-alive HTTP/1.1 connection with one request in flight. Reads just enough of the
 * response (status, content-length) to know where it ends: both servers answer with a length.
 */
class PacedConnection {
  readonly connected: Promise<void>;
  private socket: Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private current = -1;
  private closing = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly onAnswer: (conn: PacedConnection, i: number, status: number) => void,
  ) {
    this.socket = this.open();
    const first = this.socket;
    this.connected = new Promise((resolve, reject) => {
      first.once("connect", resolve);
      first.once("close", () =>
        reject(new Error(`bench client: no connection to ${host}:${port}`)),
      );
    });
  }

  send(i: number, request: Buffer): void {
    this.current = i;
    this.socket.write(request);
  }

  close(): void {
    this.closing = true;
    this.socket.destroy();
  }

  private open(): Socket {
    const socket = connect(this.port, this.host);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.read(chunk));
    socket.on("error", () => undefined); // "close" follows
    let wasConnected = false;
    socket.once("connect", () => (wasConnected = true));
    socket.on("close", () => {
      if (this.closing) return;
      this.buffered = Buffer.alloc(0);
      // A connection the server closed is opened again at once; one it refused is retried a
      // little later, not in a busy loop that would take a core from the server.
      if (wasConnected) this.socket = this.open();
      else
        setTimeout(() => {
          if (!this.closing) this.socket = this.open();
        }, 100);
      this.answer(0);
    });
    return socket;
  }

  private read(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const headEnd = this.buffered.indexOf("\r\n\r\n");
    if (headEnd < 0) return;
    const head = this.buffered.toString("latin1", 0, headEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
    if (length === undefined) throw new Error("bench client: a response without content-length");
    const end = headEnd + 4 + Number(length);
    if (this.buffered.length < end) return;
    this.buffered = this.buffered.subarray(end);
    this.answer(Number(head.slice(9, 12)));
  }

  private answer(status: number): void {
    const i = this.current;
    if (i < 0) return;
    this.current = -1;
    this.onAnswer(this, i, status);
  }
}

function spawnServer(name: string, script: string, env: Record<string, string>): ChildProcess {
  // The service runs BullMQ on PostgreSQL unless the bench passes its own Redis.
  const inherited = { ...process.env };
  delete inherited.REDIS_URL;
  return startServer(
    script.split(" "),
    { ...inherited, ...env, LINE_CHANNEL_SECRET: SECRET },
    PROFILE_DIR ? path.join(PROFILE_DIR, name) : undefined, // one file per thread
  );
}

/** The bench's own processes: this one, the server, PostgreSQL and its backends, its Redis. */
function ourTicks(serverPid: number): number {
  const postmaster = PG_DATA_DIR ? postmasterPid(PG_DATA_DIR) : 0;
  return ticksOf([process.pid, serverPid, postmaster, REDIS_PID], postmaster ? [postmaster] : []);
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
 * The machine is shared: CPU that other processes used during a run (in cores, averaged) and
 * disk stalls say how far to trust its figures. Approximate: backends that exit during the run
 * count as others.
 */
async function withOthersLoad<T extends { clientTotalCpuMs: number; ok: number }>(
  serverPid: number,
  db: Client | undefined,
  run: () => Promise<T>,
) {
  const dbTicks = () => (PG_DATA_DIR ? postgresTicks(PG_DATA_DIR) : 0);
  const start = {
    at: Date.now(),
    busy: machineBusyTicks(),
    ours: ourTicks(serverPid),
    server: cpuTicks(serverPid),
    db: dbTicks(),
    wal: db ? await walPosition(db) : 0n,
    ioStalled: ioStalledUs(),
  };
  const { clientTotalCpuMs, ...result } = await run();
  const seconds = (Date.now() - start.at) / 1000;
  // The client process has exited by now: it reported its own CPU time.
  const client = (clientTotalCpuMs / 1000) * TICKS_PER_SECOND;
  const others = machineBusyTicks() - start.busy - (ourTicks(serverPid) - start.ours) - client;
  const perEvent = (ticks: number) => ((ticks / TICKS_PER_SECOND) * 1000) / (result.ok || 1);
  return {
    result,
    othersCores: Math.max(0, others) / TICKS_PER_SECOND / seconds,
    ioStall: (ioStalledUs() - start.ioStalled) / 1e6 / seconds,
    serverCpuMs: perEvent(cpuTicks(serverPid) - start.server),
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

/** Where the service keeps what the bench counts: its table, and its queue on either backend. */
interface Backing {
  db: Client;
  queue: QueueProbe;
}
interface QueueProbe {
  /** Jobs waiting in the queue (no worker runs here, so every queued job is waiting). */
  queued(): Promise<number>;
  clear(): Promise<void>;
}

function postgresQueue(db: Client): QueueProbe {
  return {
    async queued() {
      const { rows } = await db.query<{ n: string }>(
        "SELECT count(*) AS n FROM bullmq.job WHERE queue = $1",
        [QUEUE_NAME],
      );
      return Number(rows[0]?.n);
    },
    async clear() {
      await db.query(`DELETE FROM bullmq.job WHERE queue = $1`, [QUEUE_NAME]);
      // Its event stream too: BullMQ's bulk add on PostgreSQL appends two events a job without
      // trimming the stream (its other writes trim it), and no worker runs here: without this
      // every run would write to a larger table than the last (300,000 rows after a few).
      await db.query(`DELETE FROM bullmq.event WHERE queue = $1`, [QUEUE_NAME]);
    },
  };
}

/**
 * The bench's own throwaway redis-server: clearing it cannot touch anybody's data. Clearing also
 * empties the PostgreSQL queue's tables that earlier runs filled, so that every run starts on the
 * same database whichever queue it uses.
 */
function redisQueue(redis: Redis, db: Client): QueueProbe {
  return {
    queued: () => redis.llen(`bull:${QUEUE_NAME}:wait`),
    clear: async () => {
      await redis.flushall();
      await postgresQueue(db).clear();
    },
  };
}

async function measure(
  name: string,
  script: string,
  env: Record<string, string>,
  backing?: Backing,
): Promise<ServerRow> {
  const db = backing?.db;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnServer(name, script, { ...env, PORT: String(port) });
  try {
    await waitUntilAnswering([child], `${url}/webhook/line`, { method: "POST" });
    const pid = child.pid ?? 0;
    await load(url, WARMUP_S, 500); // JIT, connection pools
    const reset = async () => {
      await settle(pid);
      if (!backing) return;
      await backing.db.query(`TRUNCATE webhook_event CASCADE`);
      await backing.queue.clear();
      await backing.db.query("CHECKPOINT"); // every run starts with the same amount of WAL to write
    };
    await reset();
    const measured = async (rate?: number): Promise<LoadResult> => {
      const { result, ...costs } = await withOthersLoad(pid, db, () => load(url, DURATION_S, rate));
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

async function counts({ db, queue }: Backing): Promise<{ stored: number; queued: number }> {
  const { rows } = await db.query<{ stored: string }>(
    "SELECT count(*) AS stored FROM webhook_event",
  );
  return { stored: Number(rows[0]?.stored), queued: await queue.queued() };
}

function printServers(rows: ServerRow[]): void {
  const cells = (r: ServerRow) => [
    r.name,
    r.saturated.eventsPerSecond,
    r.saturated.p50,
    r.saturated.p99,
    r.saturated.clientCores.toFixed(2),
    r.saturated.othersCores.toFixed(2),
    percent(r.saturated.ioStall),
    r.paced.offeredRate ?? "",
    r.paced.eventsPerSecond,
    r.paced.p50.toFixed(1),
    r.paced.p99.toFixed(1),
    r.paced.clientLateP99 ?? "",
    r.paced.clientCores.toFixed(2),
    r.paced.othersCores.toFixed(2),
    percent(r.paced.ioStall),
    r.saturated.failed + r.paced.failed,
    r.stored === undefined ? "-" : `${r.stored}/${r.saturated.ok + r.paced.ok}`,
  ];
  console.log(
    `\nbench:webhook: ${DURATION_S} s per run, ${CONNECTIONS} connections, 1 event per request, ` +
      `each server alone and quiet before each run, ${WARMUP_S} s warm-up at 500/s.\n` +
      `max: closed loop (autocannon). @${PACED_RATE}/s: open loop, ` +
      `${process.env.BENCH_ARRIVALS === "uniform" ? "evenly spaced" : "Poisson"} arrivals, ` +
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
  for (const r of rows) row(cells(r));
  console.log(
    `\ncost per answered event: CPU of the server process and of PostgreSQL (ms), WAL written (bytes)`,
  );
  const cost = (l: LoadResult) =>
    `${l.serverCpuMs.toFixed(3)} ms` +
    (l.dbCpuMs === undefined ? "" : ` + PostgreSQL ${l.dbCpuMs.toFixed(3)} ms`) +
    (l.walBytes === undefined ? "" : `, WAL ${Math.round(l.walBytes)} B`);
  const costRow = printTable([
    { title: "server", width: 16 },
    { title: "max", width: 44, align: "left" },
    { title: `@${PACED_RATE}/s`, align: "left" },
  ]);
  for (const r of rows) costRow([r.name, cost(r.saturated), cost(r.paced)]);
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** "min–max" of a figure over the rounds, so the spread between runs is in plain sight. */
function spread(rows: ServerRow[], figure: (r: ServerRow) => number): string {
  const values = rows.map(figure);
  const [min, max] = [Math.min(...values), Math.max(...values)];
  return min === max ? String(min) : `${min}–${max}`;
}

async function main() {
  // Migrated here (the service would do it too) so the bench can reset the tables it counts.
  const database = await openBenchDatabase({ name: "bench_webhook", dataDir: "bench-pg" });
  const databaseUrl = database.url;
  PG_DATA_DIR = database.postgresDataDir ?? "";
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const serviceEnv = {
    DATABASE_URL: databaseUrl,
    LINE_CHANNEL_ACCESS_TOKEN: "bench-access-token-0123456789",
    APP_SECRET_KEY: "bench-app-secret-key-0123456789abcdef",
    LOG_LEVEL: "warn",
  };
  // BullMQ on Redis too, as a real channel runs it, when Debian's redis-server is installed
  // (scripts/test-deps.sh does). Always a throwaway one of the bench's own: it is flushed.
  const redisPort = SERVERS.includes("redis") && hasRedisServer() ? await freePort() : 0;
  const redisServer = redisPort ? await startRedis(redisPort) : undefined;
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const redis = redisServer ? new Redis(redisUrl) : undefined;
  REDIS_PID = redisServer?.pid ?? 0;
  const series: { key: string; label: string; rows: ServerRow[] }[] = [
    { key: "bare", label: "bare", rows: [] },
    { key: "floor", label: "floor", rows: [] },
    { key: "pg", label: "service/pg", rows: [] },
    { key: "redis", label: "service/redis", rows: [] },
  ];
  const run = async (key: string, round: number, row: () => Promise<ServerRow>) => {
    const s = series.find((x) => x.key === key);
    if (!s || !SERVERS.includes(key) || (key === "redis" && !redis)) return;
    s.rows.push({ ...(await row()), name: `${s.label} #${round}` });
  };
  try {
    // Rounds alternate the servers, so a change in the machine's load over time falls on all.
    for (let round = 1; round <= ROUNDS; round++) {
      // The bare server first, and only once PostgreSQL has written out earlier runs.
      await db.query("CHECKPOINT");
      await run("bare", round, () => measure("bare", "bench/bare-echo-server.ts", {}));
      await run("floor", round, () =>
        // On the same disk as the embedded PostgreSQL's data.
        measure("floor", "bench/durable-floor-server.ts", { FLOOR_DIR: path.join(ROOT, ".data") }),
      );
      await run("pg", round, () =>
        measure("service", "src/main/start.ts web", serviceEnv, {
          db,
          queue: postgresQueue(db),
        }),
      );
      await run("redis", round, () =>
        measure(
          "service-redis",
          "src/main/start.ts web",
          { ...serviceEnv, REDIS_URL: redisUrl },
          { db, queue: redisQueue(redis as Redis, db) },
        ),
      );
    }
  } finally {
    await db.end();
    redis?.disconnect();
    redisServer?.kill("SIGTERM");
    await database.stop();
  }
  console.log("\nbare = @line/bot-sdk middleware and an immediate 200, no storage (the ceiling);");
  console.log(
    "floor = bare + each body written to a preallocated journal on PostgreSQL's disk, 200 " +
      "once fdatasync returned (group commit): what the disk allows any server that acks only " +
      "what is stored;",
  );
  console.log(
    "service/pg, service/redis = this web role, every event stored in PostgreSQL before its " +
      "200, then queued on BullMQ's PostgreSQL backend (the embedded default) or on Redis.",
  );
  printServers(series.flatMap((s) => s.rows));
  const bare = series[0]?.rows ?? [];
  for (const { label, rows } of series.slice(2)) {
    if (rows.length === 0) continue;
    const shares = rows.map((r, i) =>
      Math.round((r.saturated.eventsPerSecond / (bare[i]?.saturated.eventsPerSecond ?? NaN)) * 100),
    );
    // Requests cut off by the end of a run may be stored without being counted as answered.
    const allStored = rows.every((r) => (r.stored ?? 0) >= r.saturated.ok + r.paced.ok);
    const allQueued = rows.every((r) => r.queued === r.stored);
    console.log(
      `\n${label}: throughput vs bare ` +
        (bare.length ? `${Math.min(...shares)}–${Math.max(...shares)}%` : "- (not measured)") +
        `   every acknowledged event stored: ${allStored ? "yes" : "NO"}` +
        `   every stored event queued: ${allQueued ? "yes" : "NO"}` +
        `   queue backlog when the saturated run ended: ${spread(rows, (r) => r.queueLagAtEnd ?? 0)} events`,
    );
  }
  if (ROUNDS > 1) {
    for (const { label, rows } of series) {
      if (rows.length === 0) continue;
      console.log(
        `${label.padEnd(13)} over ${ROUNDS} rounds: max ${spread(rows, (r) => r.saturated.eventsPerSecond)} events/s, ` +
          `p99 ${spread(rows, (r) => r.saturated.p99)} ms; @${PACED_RATE}/s p50 ` +
          `${spread(rows, (r) => r.paced.p50)} ms, p99 ${spread(rows, (r) => r.paced.p99)} ms`,
      );
    }
  }
  if (PROFILE_DIR) console.log(`CPU profiles in ${PROFILE_DIR}`);
}

(process.argv[2] === CLIENT_ARG ? clientMain() : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
