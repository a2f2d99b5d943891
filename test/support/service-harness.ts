import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { Preset } from "../../src/flows/flow-types";
import { QUEUE_NAME } from "../../src/jobs/job-catalog";
import { settledIn, watchService } from "./conversation-driver";
import { LineSimulator, type LineSimulatorOptions } from "../../src/simulator/line-simulator";
import { startRuntime, type Runtime } from "../../src/main/runtime";
import {
  createTestDatabase,
  createTestRedisUrl,
  testConfig,
  TEST_ACCESS_TOKEN,
  TEST_CHANNEL_SECRET,
  type TestDatabase,
} from "./test-env";
import { sharedJapaneseAnalyser } from "./japanese-analyser";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy";

export interface ServiceUnderTest {
  db: TestDatabase;
  sim: LineSimulator;
  /** The web role (and the worker, unless started with `worker: false`). */
  runtime: Runtime;
  url: string;
  /** Between the service and its database when asked for: cut it to take the database away. */
  databaseProxy: TcpProxy | undefined;
  /** Between the service and Redis when asked for. */
  redisProxy: TcpProxy | undefined;
  /**
   * Where BullMQ has a job now ("completed", "failed", "delayed", "unknown", ...), as the queue
   * itself says: a failed job is never run again. BullMQ on Redis only.
   */
  jobState(jobId: string): Promise<string>;
  /**
   * Starts the worker role beside the web role, on the same database and queue, as a second
   * process would: for a service started with `worker: false`, once the test has set up what
   * the worker is to find. Stopped with the service.
   */
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole service (web + worker) on its own database and Redis, with the LINE simulator as
 * LINE: tests act as the women writing in, and read what LINE received.
 */
export async function startServiceWithSimulator(
  options: {
    queue?: "redis" | "postgres";
    simulator?: Partial<LineSimulatorOptions>;
    /** Another preset than flows/gunma, e.g. one open around the clock (see presets.ts). */
    preset?: Preset;
    /** Reach the database through a TCP proxy the test can cut (see tcp-proxy.ts). */
    databaseProxy?: boolean;
    /** Reach Redis (the queue) through a TCP proxy the test can cut or hold. */
    redisProxy?: boolean;
    /**
     * false: the web role alone, its jobs left waiting on the queue until the test calls
     * `startWorker()`. Default true (web and worker in one runtime).
     */
    worker?: boolean;
    /** Shortens the jobs' back-offs and re-drives (see RuntimeOptions), for web and worker. */
    jobBackoffScale?: number;
    /** The conversations' and on-call's clock (RuntimeOptions.now): the test's, to move at will. */
    now?: () => Date;
    /** On-call webhook, SMTP and console address (see testConfig); by default none. */
    onCall?: Parameters<typeof testConfig>[0]["onCall"];
    /** REQUIRE_SECOND_FACTOR (off by default in tests, see testConfig). */
    requireSecondFactor?: boolean;
    /** MEDIA_MAX_BYTES for this service. */
    mediaMaxBytes?: number;
  } = {},
): Promise<ServiceUnderTest> {
  const db = await createTestDatabase();
  const databaseProxy = options.databaseProxy ? await startTcpProxy(db.url) : undefined;
  const sim = new LineSimulator({
    channelSecret: TEST_CHANNEL_SECRET,
    channelAccessToken: TEST_ACCESS_TOKEN,
    ...options.simulator,
  });
  const { baseUrl } = await sim.listen();
  const redisUrl = options.queue === "postgres" ? undefined : await createTestRedisUrl();
  const redisProxy = redisUrl && options.redisProxy ? await startTcpProxy(redisUrl) : undefined;
  const config = testConfig({
    databaseUrl: databaseProxy?.url ?? db.url,
    redisUrl: redisProxy?.url ?? redisUrl,
    lineApiBaseUrl: baseUrl,
    onCall: options.onCall,
    requireSecondFactor: options.requireSecondFactor,
    mediaMaxBytes: options.mediaMaxBytes,
  });
  const withWorker = options.worker ?? true;
  const roles = {
    sweepIntervalMs: 500,
    preset: options.preset,
    jobBackoffScale: options.jobBackoffScale,
    now: options.now,
  };
  // The worker's analyser is loaded once per test file, not once per service started.
  const runtime = await startRuntime(config, {
    ...roles,
    ...(withWorker ? { analyser: await sharedJapaneseAnalyser() } : {}),
    web: true,
    worker: withWorker,
  });
  let worker: Runtime | undefined;
  const url = runtime.url ?? "";
  sim.setWebhookUrl(`${url}/webhook/line`);
  const unwatch = watchService(settledIn(db.prisma, config.appSecretKey));
  return {
    db,
    sim,
    runtime,
    url,
    databaseProxy,
    redisProxy,
    async jobState(jobId) {
      if (!redisUrl) throw new Error("jobState reads BullMQ on Redis only");
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
      const queue = new Queue(QUEUE_NAME, { connection: redis });
      try {
        return await queue.getJobState(jobId);
      } finally {
        await queue.close();
        redis.disconnect();
      }
    },
    async startWorker() {
      if (withWorker || worker) throw new Error("the worker is running already");
      const analyser = await sharedJapaneseAnalyser();
      worker = await startRuntime(config, { ...roles, analyser, web: false, worker: true });
    },
    async stop() {
      unwatch();
      await worker?.stop();
      await runtime.stop();
      await databaseProxy?.close();
      await redisProxy?.close();
      await sim.close();
      await db.drop();
    },
  };
}

/**
 * A clock the test sets, for LINE (`simulator: { now: clock.ms }`) and the service
 * (`now: clock.date`) alike: it runs on from the Japan time it was set to, as real time passes,
 * so both see seconds go by; `set` and `advance` move it.
 */
export function testClock(localJst: string) {
  const at = (local: string) => new Date(`${local.replace(" ", "T")}:00+09:00`).getTime();
  let offset = at(localJst) - Date.now();
  const ms = () => Date.now() + offset;
  return {
    ms,
    date: () => new Date(ms()),
    set(local: string) {
      offset = at(local) - Date.now();
    },
    advance(minutes: number) {
      offset += minutes * 60_000;
    },
  };
}
