import type { PrismaClient } from "../db/prisma-client";
import type { Logger } from "../logger";
import { processEventJobId } from "../line/webhook-event";
import type { QueueTimers } from "../console/queue-timers";
import type { SilenceService } from "../conversations/silence-service";
import type { MediaService } from "../line/media-service";
import { enqueueDeliveries, queueTimerJobId, silenceJobId } from "./job-handlers";
import type { JobProducer } from "./job-queue";

export interface OutboxSweeper {
  /** One pass: enqueue stored work that has waited too long. Returns how much it enqueued. */
  sweep(): Promise<Record<"events" | "deliveries" | "timers" | "media", number>>;
  start(intervalMs: number): void;
  stop(): void;
}

/**
 * The guarantee behind "nothing stored is left unprocessed": events and deliveries still
 * pending after a grace period are (re-)enqueued, and conversation timers that fell due fire. Job ids are deterministic, so a job that is
 * already queued is not added twice, and every handler is safe to run twice anyway.
 */
export function createOutboxSweeper(deps: {
  prisma: PrismaClient;
  producer: JobProducer;
  silence: SilenceService;
  queueTimers: QueueTimers;
  media: MediaService;
  logger: Logger;
  graceMs?: number;
  batch?: number;
}): OutboxSweeper {
  const { prisma, producer, silence, queueTimers, media, logger } = deps;
  const graceMs = deps.graceMs ?? 10_000;
  const batch = deps.batch ?? 1000;
  let timer: NodeJS.Timeout | undefined;

  async function sweep() {
    const before = new Date(Date.now() - graceMs);
    const events = await prisma.webhookEvent.findMany({
      where: { status: "received", receivedAt: { lt: before } },
      orderBy: { id: "asc" },
      take: batch,
      select: { id: true, webhookEventId: true },
    });
    await producer.addBulk(
      "process-event",
      events.map((e) => ({
        payload: { eventId: String(e.id) },
        jobId: processEventJobId(e.webhookEventId),
      })),
    );
    const deliveries = await prisma.outboundDelivery.findMany({
      where: { status: "pending", createdAt: { lt: before } },
      orderBy: { createdAt: "asc" },
      take: batch,
      select: { id: true },
    });
    await enqueueDeliveries(
      producer,
      deliveries.map((d) => d.id),
    );
    // Timers live in the database (silence_due_at, queue columns), so a restart loses none.
    const now = new Date();
    const silences = await silence.due(now, batch);
    await producer.addBulk(
      "conversation-silence",
      silences.map((s) => ({
        payload: { conversationId: s.conversationId, dueAt: s.dueAt.toISOString() },
        jobId: silenceJobId(s.conversationId, s.dueAt),
      })),
    );
    const timers = await queueTimers.due(now, batch);
    await producer.addBulk(
      "queue-timer",
      timers.map((t) => ({
        payload: { conversationId: t.conversationId, kind: t.kind, since: t.since.toISOString() },
        jobId: queueTimerJobId(t.kind, t.conversationId, t.since),
      })),
    );
    const mediaIds = await media.pending(batch);
    await producer.addBulk(
      "copy-media",
      mediaIds.map((messageId) => ({ payload: { messageId }, jobId: `media-${messageId}` })),
    );
    return {
      events: events.length,
      deliveries: deliveries.length,
      timers: silences.length + timers.length,
      media: mediaIds.length,
    };
  }

  return {
    sweep,
    start(intervalMs) {
      const tick = () => {
        sweep()
          .then((n) => {
            if (Object.values(n).some((count) => count > 0)) {
              logger.info(n, "outbox sweep enqueued stored work");
            }
          })
          .catch((error: unknown) =>
            logger.warn(
              { err: error instanceof Error ? error.message : "unknown" },
              "outbox sweep failed",
            ),
          )
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
