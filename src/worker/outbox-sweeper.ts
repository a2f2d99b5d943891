import type { QueueTimers } from "../conversations/queue-timers";
import type { SilenceService } from "../conversations/silence-service";
import type { PrismaClient } from "../db/prisma-client";
import { describeError } from "../errors";
import type { MediaService } from "../line/media-service";
import type { Logger } from "../logger";
import type { JobDispatcher } from "../jobs/job-dispatch";

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
  dispatcher: JobDispatcher;
  silence: SilenceService;
  queueTimers: QueueTimers;
  media: MediaService;
  logger: Logger;
  /**
   * A pass that failed (the database or the queue went away). By default a warning; the runtime
   * says it more quietly while stopping, when a cut connection is expected.
   */
  onFailure?: (err: string) => void;
  graceMs?: number;
  batch?: number;
}): OutboxSweeper {
  const { prisma, dispatcher, silence, queueTimers, media, logger } = deps;
  const onFailure =
    deps.onFailure ?? ((err: string) => logger.warn({ err }, "outbox sweep failed"));
  const graceMs = deps.graceMs ?? 10_000;
  const batch = deps.batch ?? 1000;
  let timer: NodeJS.Timeout | undefined;

  async function sweep() {
    const before = new Date(Date.now() - graceMs);
    const events = await prisma.webhookEvent.findMany({
      where: { status: "received", receivedAt: { lt: before } },
      orderBy: { id: "asc" },
      take: batch,
      select: { id: true },
    });
    const deliveries = await prisma.outboundDelivery.findMany({
      where: { status: "pending", createdAt: { lt: before } },
      orderBy: { createdAt: "asc" },
      take: batch,
      select: { id: true },
    });
    // Timers live in the database (silence_due_at, queue columns), so a restart loses none.
    const now = new Date();
    const silences = await silence.due(now, batch);
    const timers = await queueTimers.due(now, batch);
    const mediaIds = await media.pending(batch);
    await dispatcher.dispatch([
      ...events.map((e) => ({
        name: "process-event" as const,
        payload: { eventId: String(e.id) },
      })),
      ...deliveries.map((d) => ({
        name: "send-delivery" as const,
        payload: { deliveryId: d.id },
      })),
      ...silences.map((s) => ({
        name: "conversation-silence" as const,
        payload: { conversationId: s.conversationId, dueAt: s.dueAt.toISOString() },
      })),
      ...timers.map((t) => ({
        name: "queue-timer" as const,
        payload: { conversationId: t.conversationId, kind: t.kind, since: t.since.toISOString() },
      })),
      ...mediaIds.map((messageId) => ({ name: "copy-media" as const, payload: { messageId } })),
    ]);
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
