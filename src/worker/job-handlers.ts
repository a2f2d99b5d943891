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
import type { OnCallNotifier } from "../oncall/oncall-notifier";
import type { RetentionService } from "../privacy/retention-service";
import type { SendOutcome } from "../oncall/oncall-types";
import {
  JOB_CATALOG,
  jobIdOf,
  type JobName,
  type JobPayload,
  type JobRequest,
} from "../jobs/job-catalog";
import type { JobOutbox } from "../jobs/job-outbox";
import type { JobProcessor } from "../jobs/job-queue";

interface Handler<N extends JobName> {
  run: (payload: JobPayload<N>, job: Job) => Promise<void>;
  /** When the job is given up after its last re-drive: what its work owes the record. */
  giveUp?: (payload: JobPayload<N>, error: string) => Promise<void>;
}

export interface JobHandling {
  process: JobProcessor;
  /**
   * A job that failed all its attempts goes to the outbox's dead letters, to be re-driven; once
   * re-drives are used up it is given up. Used by the worker and by the sweep (for a job whose
   * end the worker could not record).
   */
  bury: (request: JobRequest, error: string) => Promise<void>;
}

/**
 * Thin handlers: each calls one service, and each is safe to run twice. The jobs a service
 * asks for go through the dispatcher inside that service, not through here. A job that ends
 * is marked done in the outbox; one that failed its last attempt is buried.
 */
export function createJobHandling(deps: {
  events: EventProcessor;
  deliveries: DeliveryService;
  silence: SilenceService;
  queueTimers: QueueTimers;
  onCall: OnCallNotifier;
  readReceipts: ReadReceipts;
  media: MediaService;
  retention: RetentionService;
  outbox: JobOutbox;
  metrics: Metrics;
  logger: Logger;
}): JobHandling {
  const { events, deliveries, silence, queueTimers, onCall, readReceipts, media, outbox } = deps;
  const { retention } = deps;
  const { metrics, logger } = deps;
  const isLastAttempt = (job: Job) => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

  /**
   * An on-call send: retried with the catalog's back-off while the notification is under an
   * hour old (the service gives it up after that); on the last attempt it is given up now
   * rather than re-driven hours later.
   */
  const onCallSend =
    (channel: "webhook" | "mail", send: (id: string) => Promise<SendOutcome>) =>
    async ({ notificationId }: { notificationId: string }, job: Job) => {
      if ((await send(notificationId)) !== "retry") return;
      if (isLastAttempt(job)) return onCall.giveUp(notificationId, channel, "attempts used up");
      throw new Error(`the on-call ${channel} was not accepted yet`);
    };

  const handlers: { [N in JobName]: Handler<N> } = {
    "process-event": {
      run: ({ eventId }) => events.process(eventId),
      async giveUp({ eventId }, error) {
        const type = await events.markFailed(eventId, error);
        metrics.eventsFailed.inc({ type: type ?? "unknown" });
      },
    },
    "conversation-silence": {
      run: ({ conversationId, dueAt }) => silence.fire(conversationId, new Date(dueAt)),
    },
    "queue-timer": {
      run: ({ conversationId, kind, since }) =>
        queueTimers.fire({ conversationId, kind, since: new Date(since) }),
    },
    "oncall-timer": {
      run: ({ conversationId, kind, dueAt }) =>
        onCall.fire({ conversationId, kind, dueAt: new Date(dueAt) }),
    },
    "oncall-webhook": { run: onCallSend("webhook", (id) => onCall.sendWebhook(id)) },
    "oncall-mail": { run: onCallSend("mail", (id) => onCall.sendMail(id)) },
    "mark-read": {
      async run({ conversationId }) {
        if ((await readReceipts.markRead(conversationId)) === "retry")
          throw new Error("LINE did not answer");
      },
    },
    "copy-media": {
      async run({ messageId }) {
        if ((await media.copy(messageId)) === "retry") throw new Error("LINE did not answer");
      },
      giveUp: ({ messageId }) => media.giveUp(messageId),
    },
    "send-delivery": {
      async run({ deliveryId }, job) {
        // "rejected" is recorded on the delivery by the service: nothing to retry.
        if ((await deliveries.deliver(deliveryId)) !== "retry") return;
        // LINE did not take it through every attempt (minutes): the message is given up now,
        // not re-driven hours later, when it would no longer fit her conversation.
        if (isLastAttempt(job)) return deliveries.giveUp(deliveryId);
        throw new Error("LINE did not accept the request yet");
      },
      giveUp: ({ deliveryId }) => deliveries.giveUp(deliveryId),
    },
    retention: {
      async run({ day }) {
        logger.info(
          { day, ...(await retention.run(day)) },
          "retention erased content past its period",
        );
      },
    },
  };

  async function bury(request: JobRequest, error: string) {
    const outcome = await outbox.markDead(jobIdOf(request), error, new Date());
    if (outcome === "gone") return;
    metrics.jobsBuried.inc({ job: request.name, outcome });
    if (outcome !== "given-up") return;
    logger.error({ job: request.name, key: jobIdOf(request) }, "job given up after its re-drives");
    const giveUp = handlers[request.name].giveUp as
      ((payload: unknown, error: string) => Promise<void>) | undefined;
    await giveUp?.(request.payload, error);
  }

  const process: JobProcessor = async (name, payload, job) => {
    const started = job.timestamp;
    const request = { name, payload: JOB_CATALOG[name].payload.parse(payload) } as JobRequest;
    let outcome = "completed";
    try {
      await (handlers[name].run as (p: unknown, j: Job) => Promise<void>)(request.payload, job);
      await outbox.markDone(jobIdOf(request));
    } catch (error) {
      outcome = "failed";
      const err = describeError(error);
      logger.warn({ job: name, jobId: job.id, attempt: job.attemptsMade + 1, err }, "job failed");
      if (isLastAttempt(job) || error instanceof UnrecoverableError) {
        // When even this fails (the database is down), the sweep finds the job failed later.
        await bury(request, err).catch((buryError: unknown) =>
          logger.warn({ job: name, err: describeError(buryError) }, "could not bury the job"),
        );
      }
      throw error;
    } finally {
      metrics.jobDuration.observe({ job: name, outcome }, (Date.now() - started) / 1000);
    }
  };

  return { process, bury };
}
