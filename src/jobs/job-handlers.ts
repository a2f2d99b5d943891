import { UnrecoverableError, type Job } from "bullmq";
import type { QueueTimers } from "../console/queue-timers";
import type { SilenceService } from "../conversations/silence-service";
import type { MediaService } from "../line/media-service";
import type { ReadReceipts } from "../line/read-receipts";
import type { DeliveryService } from "../line/delivery-service";
import type { EventProcessor } from "../line/event-processor";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import { JOB_CATALOG, type JobName, type JobPayload } from "./job-catalog";
import type { JobProcessor, JobProducer } from "./job-queue";

export const deliveryJobId = (deliveryId: string) => `dlv-${deliveryId}`;
export const silenceJobId = (conversationId: string, dueAt: Date) =>
  `silence-${conversationId}-${dueAt.getTime()}`;
export const queueTimerJobId = (kind: string, conversationId: string, since: Date) =>
  `qt-${kind}-${conversationId}-${since.getTime()}`;
/** Mark-read jobs are not de-duplicated: each view after new messages must reach LINE. */
export const markReadJobId = (conversationId: string) => `read-${conversationId}-${Date.now()}`;

export async function enqueueDeliveries(
  producer: JobProducer,
  ids: readonly string[],
): Promise<void> {
  await producer.addBulk(
    "send-delivery",
    ids.map((deliveryId) => ({ payload: { deliveryId }, jobId: deliveryJobId(deliveryId) })),
  );
}

/** Thin handlers: each calls one service; both are safe to run twice. */
export function createJobProcessor(deps: {
  events: EventProcessor;
  deliveries: DeliveryService;
  silence: SilenceService;
  queueTimers: QueueTimers;
  readReceipts: ReadReceipts;
  media: MediaService;
  producer: JobProducer;
  metrics: Metrics;
  logger: Logger;
}): JobProcessor {
  const {
    events,
    deliveries,
    silence,
    queueTimers,
    readReceipts,
    media,
    producer,
    metrics,
    logger,
  } = deps;
  const isLastAttempt = (job: Job) => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

  const handlers: { [N in JobName]: (payload: JobPayload<N>, job: Job) => Promise<void> } = {
    async "process-event"({ eventId }, job) {
      try {
        await enqueueDeliveries(producer, await events.process(eventId));
      } catch (error) {
        if (isLastAttempt(job)) {
          const type = await events.markFailed(eventId, describe(error));
          metrics.eventsFailed.inc({ type: type ?? "unknown" });
        }
        throw error;
      }
    },
    async "conversation-silence"({ conversationId, dueAt }) {
      await enqueueDeliveries(producer, await silence.fire(conversationId, new Date(dueAt)));
    },
    async "queue-timer"({ conversationId, kind, since }) {
      await enqueueDeliveries(
        producer,
        await queueTimers.fire({ conversationId, kind, since: new Date(since) }),
      );
    },
    async "mark-read"({ conversationId }) {
      if ((await readReceipts.markRead(conversationId)) === "retry")
        throw new Error("LINE did not answer");
    },
    async "copy-media"({ messageId }) {
      if ((await media.copy(messageId)) === "retry") throw new Error("LINE did not answer");
    },
    async "send-delivery"({ deliveryId }, job) {
      const outcome = await deliveries.deliver(deliveryId);
      if (outcome === "rejected") throw new UnrecoverableError("LINE rejected the request");
      if (outcome === "retry") {
        if (isLastAttempt(job)) await deliveries.giveUp(deliveryId);
        throw new Error("LINE did not accept the request yet");
      }
    },
  };

  return async (name, payload, job) => {
    const started = job.timestamp;
    let outcome = "completed";
    try {
      await (handlers[name] as (p: unknown, j: Job) => Promise<void>)(
        JOB_CATALOG[name].payload.parse(payload),
        job,
      );
    } catch (error) {
      outcome = "failed";
      logger.warn(
        { job: name, jobId: job.id, attempt: job.attemptsMade + 1, err: describe(error) },
        "job failed",
      );
      throw error;
    } finally {
      metrics.jobDuration.observe({ job: name, outcome }, (Date.now() - started) / 1000);
    }
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : "unknown error";
}
