import { UnrecoverableError, type Job } from "bullmq";
import type { QueueTimers } from "../conversations/queue-timers";
import type { SilenceService } from "../conversations/silence-service";
import { describeError } from "../errors";
import type { DeliveryService } from "../line/delivery-service";
import type { EventProcessor } from "../line/event-processor";
import type { MediaService } from "../line/media-service";
import type { ReadReceipts } from "../line/read-receipts";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import { JOB_CATALOG, type JobName, type JobPayload } from "../jobs/job-catalog";
import type { JobProcessor } from "../jobs/job-queue";

/**
 * Thin handlers: each calls one service, and each is safe to run twice. The jobs a service
 * asks for go through the dispatcher inside that service, not through here.
 */
export function createJobProcessor(deps: {
  events: EventProcessor;
  deliveries: DeliveryService;
  silence: SilenceService;
  queueTimers: QueueTimers;
  readReceipts: ReadReceipts;
  media: MediaService;
  metrics: Metrics;
  logger: Logger;
}): JobProcessor {
  const { events, deliveries, silence, queueTimers, readReceipts, media, metrics, logger } = deps;
  const isLastAttempt = (job: Job) => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

  const handlers: { [N in JobName]: (payload: JobPayload<N>, job: Job) => Promise<void> } = {
    async "process-event"({ eventId }, job) {
      try {
        await events.process(eventId);
      } catch (error) {
        if (isLastAttempt(job)) {
          const type = await events.markFailed(eventId, describeError(error));
          metrics.eventsFailed.inc({ type: type ?? "unknown" });
        }
        throw error;
      }
    },
    async "conversation-silence"({ conversationId, dueAt }) {
      await silence.fire(conversationId, new Date(dueAt));
    },
    async "queue-timer"({ conversationId, kind, since }) {
      await queueTimers.fire({ conversationId, kind, since: new Date(since) });
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
        { job: name, jobId: job.id, attempt: job.attemptsMade + 1, err: describeError(error) },
        "job failed",
      );
      throw error;
    } finally {
      metrics.jobDuration.observe({ job: name, outcome }, (Date.now() - started) / 1000);
    }
  };
}
