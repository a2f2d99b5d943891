import type { PrismaClient, Tx, WebhookEvent, WebhookEventStatus } from "../db/prisma-client";
import { describeError } from "../errors";
import type { JobDispatcher, JobIntents } from "../jobs/job-dispatch";
import type { Logger } from "../logger";
import type { Sealer } from "../privacy/sealer";
import type { IncomingEvent } from "./webhook-event";

/** The fields of LINE's events that processing reads (shapes per LINE's webhook spec). */
export interface LineEvent extends IncomingEvent {
  replyToken?: string;
  message?: { id: string; type: string; text?: string; markAsReadToken?: string };
  postback?: { data: string };
  unsend?: { messageId: string };
}

/** One event of a person who writes to the account (one-to-one chat, our channel's mode). */
export interface PersonEvent {
  event: LineEvent;
  userId: string;
  /** LINE's time of the event. */
  at: Date;
  /** The stored row: its id links her message to the event, its LINE id makes keys unique. */
  row: WebhookEvent;
}

/**
 * What the service does with a person's event (src/conversations/inbound-service.ts): runs in
 * the event's transaction, under her lock; "ignored" for an event type it has no use for.
 */
export type PersonEventHandler = (
  tx: Tx,
  jobs: JobIntents,
  personEvent: PersonEvent,
) => Promise<"processed" | "ignored">;

export interface EventProcessor {
  /**
   * Processes a stored event, after any earlier pending events of the same person, each in its
   * own transaction under a per-person lock. Safe to run twice: a processed event is skipped.
   */
  process(eventId: string): Promise<void>;
  markFailed(eventId: string, reason: string): Promise<string | undefined>;
}

/**
 * Events a job may process: new ones, and ones given up after all their re-drives (their job
 * runs again only when an admin retries it, once the cause is fixed).
 */
const PROCESSABLE: WebhookEventStatus[] = ["received", "failed"];

/** Stored webhook events, in her order, to the handler: LINE's side of processing. */
export function createEventProcessor(deps: {
  prisma: PrismaClient;
  dispatcher: JobDispatcher;
  sealer: Sealer;
  handle: PersonEventHandler;
  logger: Logger;
}): EventProcessor {
  const { prisma, dispatcher, sealer, handle, logger } = deps;

  /** `sourceKey`: the person the event belongs to (all events handled together share it). */
  async function processOne(id: bigint, sourceKey: string | null): Promise<void> {
    await dispatcher.transaction(
      async (tx, jobs) => {
        if (sourceKey) {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${sourceKey}))`;
        }
        const row = await tx.webhookEvent.findFirst({ where: { id, status: { in: PROCESSABLE } } });
        // Erased on her request (src/privacy/), which also marks it ignored: nothing to do.
        if (!row || row.payloadEnc === null) return;
        const event = JSON.parse(sealer.open(row.payloadEnc)) as LineEvent;
        const userId = event.source?.type === "user" ? event.source.userId : undefined;
        // Standby events belong to another channel's module; groups and rooms are not served.
        const status =
          event.mode === "active" && userId
            ? await handle(tx, jobs, { event, userId, at: new Date(event.timestamp), row })
            : "ignored";
        await tx.webhookEvent.update({
          where: { id },
          data: { status, processedAt: new Date(), attempts: { increment: 1 } },
        });
      },
      { timeout: 15_000 },
    );
  }

  return {
    async process(eventId) {
      const id = BigInt(eventId);
      const head = await readHead(prisma, id);
      if (!head || !PROCESSABLE.includes(head.status)) return;
      for (const earlier of head.earlier) {
        // An earlier event that fails is left to its own job; it must not block hers.
        try {
          await processOne(earlier, head.sourceKey);
        } catch (error) {
          logger.warn(
            { eventId: String(earlier), err: describeError(error) },
            "earlier event failed",
          );
        }
      }
      await processOne(id, head.sourceKey);
    },
    async markFailed(eventId, reason) {
      const row = await prisma.webhookEvent.update({
        where: { id: BigInt(eventId) },
        data: { status: "failed", lastError: reason.slice(0, 500) },
        select: { type: true },
      });
      return row.type;
    },
  };
}

/**
 * The event's status and person, and her events still waiting that LINE stamped before this
 * one (they go first), in one statement.
 */
async function readHead(
  prisma: PrismaClient,
  id: bigint,
): Promise<{ status: WebhookEventStatus; sourceKey: string | null; earlier: bigint[] } | null> {
  const [head] = await prisma.$queryRaw<
    { status: WebhookEventStatus; sourceKey: string | null; earlier: string[] }[]
  >`
    SELECT h.status::text AS status, h.source_key AS "sourceKey",
           ARRAY(SELECT e.id::text FROM webhook_event e
                  WHERE e.source_key = h.source_key AND e.status = 'received'
                    AND (e.event_at < h.event_at OR (e.event_at = h.event_at AND e.id < h.id))
                  ORDER BY e.event_at, e.id) AS earlier
      FROM webhook_event h WHERE h.id = ${id}`;
  return head ? { ...head, earlier: head.earlier.map((e) => BigInt(e)) } : null;
}
