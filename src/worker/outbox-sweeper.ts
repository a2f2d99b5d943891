import type { QueueTimers } from "../conversations/queue-timers";
import type { SilenceService } from "../conversations/silence-service";
import { describeError, saysDependencyDown } from "../errors";
import type { Logger } from "../logger";
import type { OnCallNotifier } from "../oncall/oncall-notifier";
import { queuedJobId, type JobRequest, type QueuedJob } from "../jobs/job-catalog";
import type { JobDispatcher } from "../jobs/job-dispatch";
import type { JobOutbox, OutboxEntry } from "../jobs/job-outbox";
import type { JobProducer } from "../jobs/job-queue";

/** What one pass did; the sweep logs only when something is not zero. */
export interface SweepResult {
  /** Conversation timers that fell due, newly written to the outbox. */
  timers: number;
  /** Jobs that never reached the queue (it was down at commit), moved to it now. */
  moved: number;
  /** Jobs whose end the worker could not record: marked done, or buried when they failed. */
  settled: number;
  /** Jobs waiting out a back-off after a dependency was down, run now that it is back. */
  resumed: number;
  /** Dead jobs re-driven after their back-off. */
  redriven: number;
  /** Done entries older than a day, removed. */
  pruned: number;
}

export interface OutboxSweeper {
  sweep(): Promise<SweepResult>;
  start(intervalMs: number): void;
  stop(): void;
}

const DAY_MS = 24 * 3600_000;

/**
 * The guarantee behind "nothing stored is left unprocessed", walking the job outbox:
 * - pending jobs not seen on the queue for a grace period: put on it if BullMQ does not have
 *   them (the queue was down at commit), recorded when BullMQ finished them but the worker
 *   could not say so (the database was down), buried when they failed, run at once when they
 *   wait out a back-off after the database or the queue was down (both answer the sweep now);
 * - dead jobs whose back-off has passed: re-driven under a new attempt id;
 * - conversation timers that fell due (they live in the database, so a restart loses none),
 *   the on-call calls among them, and messages held for her contact times whose window has opened.
 * Each pending job it checks is stamped, so the next pass starts with the ones not seen for
 * longest: a pile of stuck jobs never hides newer ones.
 */
export function createOutboxSweeper(deps: {
  outbox: JobOutbox;
  dispatcher: JobDispatcher;
  producer: JobProducer;
  /** Buries a job the queue reports failed (src/worker/job-handlers.ts). */
  bury: (request: JobRequest, error: string) => Promise<void>;
  silence: SilenceService;
  queueTimers: QueueTimers;
  /** Deliveries held for her contact times whose window has opened (outbound-service.ts). */
  heldDeliveries: (
    now: Date,
    limit: number,
  ) => Promise<{ deliveryId: string; notBefore: string }[]>;
  /** On-call calls that fell due, by the notifier's own clock. */
  onCall: Pick<OnCallNotifier, "due" | "now">;
  /**
   * Jobs due once a day (the retention run): written at every pass under their day's id, so
   * the first pass of the day, on whichever worker, writes them and the others write nothing.
   */
  daily?: (now: Date) => JobRequest[];
  logger: Logger;
  /** The clock conversations' timers and held messages fall due by (new Date()). */
  now?: () => Date;
  /**
   * A pass that failed (the database or the queue went away). By default a warning; the runtime
   * says it more quietly while stopping, when a cut connection is expected.
   */
  onFailure?: (err: string) => void;
  graceMs?: number;
  batch?: number;
}): OutboxSweeper {
  const {
    outbox,
    dispatcher,
    producer,
    bury,
    silence,
    queueTimers,
    heldDeliveries,
    onCall,
    logger,
  } = deps;
  const clock = deps.now ?? (() => new Date());
  const onFailure =
    deps.onFailure ?? ((err: string) => logger.warn({ err }, "outbox sweep failed"));
  const graceMs = deps.graceMs ?? 10_000;
  const batch = deps.batch ?? 1000;
  let timer: NodeJS.Timeout | undefined;

  async function dueTimers(now: Date): Promise<number> {
    const silences = await silence.due(now, batch);
    const timers = await queueTimers.due(now, batch);
    const held = await heldDeliveries(now, batch);
    const calls = await onCall.due(onCall.now(), batch);
    return dispatcher.write([
      ...(deps.daily?.(now) ?? []),
      ...silences.map((s) => ({
        name: "conversation-silence" as const,
        payload: { conversationId: s.conversationId, dueAt: s.dueAt.toISOString() },
      })),
      ...timers.map((t) => ({
        name: "queue-timer" as const,
        payload: { conversationId: t.conversationId, kind: t.kind, since: t.since.toISOString() },
      })),
      ...held.map((payload) => ({ name: "send-delivery" as const, payload })),
      ...calls.map((c) => ({
        name: "oncall-timer" as const,
        payload: { conversationId: c.conversationId, kind: c.kind, dueAt: c.dueAt.toISOString() },
      })),
    ]);
  }

  /** Pending jobs not seen for a grace period: where BullMQ has them, and what follows. */
  async function checkPending(
    now: Date,
  ): Promise<Pick<SweepResult, "moved" | "settled" | "resumed">> {
    const stale = await outbox.stalePending(new Date(now.getTime() - graceMs), batch);
    const missing: QueuedJob[] = [];
    let settled = 0;
    let resumed = 0;
    for (const entry of stale) {
      const job = { request: entry.request, attempt: entry.attempt };
      const jobId = queuedJobId(job);
      const state = await producer.state(jobId);
      if (state === "unknown") missing.push(job);
      else if (state === "delayed") {
        // The sweep reaches the database and the queue: a back-off waited out for either of
        // them (up to minutes, doubling with each try) need not go on.
        const reason = await producer.failedReason(jobId);
        if (reason !== undefined && saysDependencyDown(reason)) {
          await producer.promote(jobId);
          resumed += 1;
        }
      } else if (state === "completed") {
        await outbox.markDone(entry.key);
        settled += 1;
      } else if (state === "failed") {
        await bury(entry.request, entry.lastError ?? "failed while its end could not be recorded");
        settled += 1;
      }
    }
    await dispatcher.relay(missing);
    await outbox.touch(
      stale.map((e) => e.key),
      now,
    );
    return { moved: missing.length, settled, resumed };
  }

  async function redrive(now: Date): Promise<number> {
    const dead = await outbox.dueDead(now, batch);
    const again = (await Promise.all(dead.map((e) => outbox.redrive(e.key, now)))).filter(
      (e): e is OutboxEntry => e !== null,
    );
    await dispatcher.relay(again.map((e) => ({ request: e.request, attempt: e.attempt })));
    return again.length;
  }

  async function sweep(): Promise<SweepResult> {
    const now = new Date();
    // The outbox's own bookkeeping runs on the machine's clock, the conversations' timers on theirs.
    const timers = await dueTimers(clock());
    const { moved, settled, resumed } = await checkPending(now);
    const redriven = await redrive(now);
    const pruned = await outbox.prune(new Date(now.getTime() - DAY_MS), batch);
    return { timers, moved, settled, resumed, redriven, pruned };
  }

  return {
    sweep,
    start(intervalMs) {
      const tick = () => {
        sweep()
          .then((n) => {
            const { pruned, ...work } = n;
            if (Object.values(work).some((count) => count > 0)) {
              logger.info(n, "outbox sweep moved stored work");
            } else if (pruned > 0) logger.debug({ pruned }, "outbox sweep pruned done jobs");
          })
          .catch((error: unknown) => onFailure(describeError(error)))
          .finally(() => {
            if (timer) timer = setTimeout(tick, intervalMs);
          });
      };
      timer = setTimeout(tick, intervalMs);
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
