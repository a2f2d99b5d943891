import {
  Queue,
  Worker,
  createPostgresBackend,
  runMigrations,
  withBackend,
  type Job,
  type JobsOptions,
} from "bullmq";
import { Redis } from "ioredis";
import { Client } from "pg";
import {
  JOB_CATALOG,
  KEEP_COMPLETED,
  KEEP_FAILED,
  QUEUE_NAME,
  queuedJobId,
  type JobName,
  type QueuedJob,
} from "./job-catalog";

export interface QueueConnection {
  /** BullMQ on Redis when set, else BullMQ's PostgreSQL backend on `databaseUrl`. */
  redisUrl: string | undefined;
  databaseUrl: string;
}

/** BullMQ's side of adding jobs. Everything else adds through `job-dispatch.ts`. */
export interface JobProducer {
  /** Adds the jobs, each under its attempt's id (so a job already there is not added again). */
  add(jobs: readonly QueuedJob[]): Promise<void>;
  /** BullMQ's state of a job ("waiting", "active", "completed", "failed"…, "unknown"). */
  state(jobId: string): Promise<string>;
  /** Why a job's last attempt failed, as BullMQ kept it (its error's message). */
  failedReason(jobId: string): Promise<string | undefined>;
  /** Runs a job waiting out its back-off now. */
  promote(jobId: string): Promise<void>;
  /** Resolves when the queue's store answers; used by /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type JobProcessor = (name: JobName, payload: unknown, job: Job) => Promise<void>;

export interface JobWorker {
  close(): Promise<void>;
}

export function describeQueue(connection: QueueConnection): string {
  return connection.redisUrl ? "BullMQ on Redis" : "BullMQ on PostgreSQL";
}

/** BullMQ's own tables for the PostgreSQL backend (schema `bullmq`); idempotent. */
export async function migrateQueue(connection: QueueConnection): Promise<void> {
  if (connection.redisUrl) return;
  const client = new Client({ connectionString: connection.databaseUrl });
  await client.connect();
  try {
    await runMigrations(client);
  } finally {
    await client.end();
  }
}

function jobOptions(job: QueuedJob, backoffScale: number): JobsOptions {
  const spec = JOB_CATALOG[job.request.name];
  return {
    jobId: queuedJobId(job),
    attempts: spec.attempts,
    backoff: { type: "exponential", delay: Math.max(1, Math.round(spec.backoffMs * backoffScale)) },
    removeOnComplete: KEEP_COMPLETED,
    removeOnFail: KEEP_FAILED,
  };
}

/** How long the queue may take to answer the producer before the call fails. */
export const QUEUE_TIMEOUT_MS = 5_000;

/**
 * How long opening a connection to the queue's PostgreSQL may take (BullMQ's PostgreSQL backend).
 * Bounded, so a partition fails instead of hanging; not tight, as a new connection can take
 * seconds on a loaded machine, and a connect that times out there fails work that would succeed.
 */
const PG_CONNECT_TIMEOUT_MS = 5_000;

/**
 * BullMQ waits for its connection to be ready before any command, for ever: a queue that
 * accepts connections and never answers (a partition, a hung server) would hold the caller.
 */
function answered<T>(call: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the queue did not answer within ${QUEUE_TIMEOUT_MS} ms`)),
      QUEUE_TIMEOUT_MS,
    );
  });
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Producer side. On Redis it fails fast when Redis is down (no offline queue) and within
 * QUEUE_TIMEOUT_MS when it does not answer, so the caller knows and the outbox sweep moves
 * the work later: nothing waits in memory.
 */
export function createJobProducer(
  connection: QueueConnection,
  onError: (message: string) => void,
  options: {
    /** Shortens the catalog's back-offs (tests that need a job to fail all its attempts). */
    backoffScale?: number;
  } = {},
): JobProducer {
  const backoffScale = options.backoffScale ?? 1;
  const queue = makeQueue(connection, onError);
  const data = ({ request }: QueuedJob) => JOB_CATALOG[request.name].payload.parse(request.payload);
  return {
    async add(jobs) {
      const [only, ...more] = jobs;
      if (!only) return;
      // One job alone (the usual case at chat rates) skips the bulk path, which on the
      // PostgreSQL backend builds temporary tables: 6.7 ms of database time against ~1 ms.
      if (more.length === 0) {
        await answered(queue.add(only.request.name, data(only), jobOptions(only, backoffScale)));
        return;
      }
      await answered(
        queue.addBulk(
          jobs.map((j) => ({
            name: j.request.name,
            data: data(j),
            opts: jobOptions(j, backoffScale),
          })),
        ),
      );
    },
    state: (jobId) => answered(queue.getJobState(jobId)),
    failedReason: async (jobId) => (await answered(queue.getJob(jobId)))?.failedReason,
    async promote(jobId) {
      await answered((async () => (await queue.getJob(jobId))?.promote())());
    },
    async ping() {
      await answered(queue.getJobCounts("waiting"));
    },
    close: () => queue.close(),
  };
}

/**
 * A worker that dies mid-job (kill -9, a lost machine) leaves its job "active" until the job's
 * lock expires and a stalled-job check puts it back: BullMQ's defaults (30 s and 30 s) kept a
 * message from her waiting a minute. The lock is renewed every 5 s while the job runs.
 */
const STALLED = { lockDuration: 10_000, stalledInterval: 5_000 };

/**
 * Worker side: retries its connection for ever (BullMQ's production advice), validates each
 * payload against the catalog and hands it to `processor`. Failed jobs are kept.
 */
export function createJobWorker(
  connection: QueueConnection,
  processor: JobProcessor,
  concurrency: number,
  onError: (message: string) => void,
): JobWorker {
  const handle = async (job: Job) => {
    const name = job.name as JobName;
    const spec = JOB_CATALOG[name];
    if (!spec) throw new Error(`unknown job ${job.name}`);
    await processor(name, spec.payload.parse(job.data), job);
  };
  if (connection.redisUrl) {
    const redis = new Redis(connection.redisUrl, { maxRetriesPerRequest: null });
    const worker = new Worker(QUEUE_NAME, handle, { connection: redis, concurrency, ...STALLED });
    worker.on("error", (error) => onError(error.message));
    return {
      close: async () => {
        await worker.close();
        redis.disconnect();
      },
    };
  }
  return supervisedPgWorker(connection.databaseUrl, handle, concurrency, onError);
}

/** How long a PostgreSQL worker whose first contact failed waits before it starts anew. */
const WORKER_RESTART_MS = 2_000;

/**
 * A worker on the PostgreSQL backend that survives a failed first contact. BullMQ keeps the
 * outcome of that contact for good and its work loop stops on it, so a worker started while the
 * database was away (a restart, a failover, a partition) would never take a job, long after the
 * database is back. Connecting is bounded in time, and a worker whose first contact failed is
 * closed and replaced until one succeeds; once running, BullMQ's own retries carry it.
 */
function supervisedPgWorker(
  databaseUrl: string,
  handle: (job: Job) => Promise<void>,
  concurrency: number,
  onError: (message: string) => void,
): JobWorker {
  const pg = withBackend(createPostgresBackend);
  let closing = false;
  let restart: NodeJS.Timeout | undefined;
  let current: { close(): Promise<void> } | undefined;
  const start = () => {
    const worker = new pg.Worker(QUEUE_NAME, handle, {
      connection: {
        connectionString: databaseUrl,
        max: 4,
        connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
      },
      concurrency,
      ...STALLED,
    });
    worker.on("error", (error) => onError(error.message));
    current = worker;
    worker.waitUntilReady().catch(async (error: Error) => {
      onError(`queue worker could not reach the database: ${error.message}`);
      await worker.close().catch(() => undefined);
      if (!closing) restart = setTimeout(start, WORKER_RESTART_MS);
    });
  };
  start();
  return {
    close: async () => {
      closing = true;
      clearTimeout(restart);
      await current?.close();
    },
  };
}

interface MinimalQueue {
  add(name: string, data: unknown, opts: JobsOptions): Promise<unknown>;
  addBulk(jobs: { name: string; data: unknown; opts: JobsOptions }[]): Promise<unknown>;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
  getJobState(jobId: string): Promise<string>;
  getJob(jobId: string): Promise<Job | undefined>;
  close(): Promise<void>;
}

function makeQueue(connection: QueueConnection, onError: (message: string) => void): MinimalQueue {
  const report = (error: Error) => onError(error.message);
  if (connection.redisUrl) {
    const redis = new Redis(connection.redisUrl, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 2000,
      commandTimeout: QUEUE_TIMEOUT_MS,
    });
    const queue = new Queue(QUEUE_NAME, { connection: redis });
    queue.on("error", report);
    return {
      add: (n, d, o) => queue.add(n, d, o),
      addBulk: (jobs) => queue.addBulk(jobs),
      getJobCounts: (...t) => queue.getJobCounts(...(t as [])),
      getJobState: (id) => queue.getJobState(id),
      getJob: (id) => queue.getJob(id),
      close: async () => {
        await queue.close();
        redis.disconnect();
      },
    };
  }
  const pg = withBackend(createPostgresBackend);
  const open = () => {
    const q = new pg.Queue(QUEUE_NAME, {
      connection: {
        connectionString: connection.databaseUrl,
        max: 4,
        connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
      },
    });
    q.on("error", report);
    return q;
  };
  let queue = open();
  /**
   * BullMQ's PostgreSQL backend keeps the outcome of its first contact for good: one made while
   * the database was away would fail every later call, long after it is back. A queue whose first
   * contact failed is replaced, so the next call (the outbox sweep's) reaches the database anew.
   */
  async function ready() {
    const q = queue;
    try {
      await q.waitUntilReady();
      return q;
    } catch (error) {
      if (queue === q) {
        queue = open();
        q.close().catch(() => undefined);
      }
      throw error;
    }
  }
  return {
    add: async (n, d, o) => (await ready()).add(n, d, o),
    addBulk: async (jobs) => (await ready()).addBulk(jobs),
    getJobCounts: async (...t) => (await ready()).getJobCounts(...(t as [])),
    getJobState: async (id) => (await ready()).getJobState(id),
    getJob: async (id) => (await ready()).getJob(id),
    close: () => queue.close(),
  };
}
