import { randomUUID } from "node:crypto";
import type { messagingApi } from "@line/bot-sdk";
import { Prisma, type PrismaClient, type Tx } from "../db/prisma-client";
import { contactWindowOpensAt } from "../flows/contact-times";
import type { JobIntents } from "../jobs/job-dispatch";
import type { Sealer } from "../privacy/sealer";
import { planRequests } from "./line-limits";

type Message = messagingApi.Message;

export interface OutboundRequest {
  personId: string;
  conversationId: string;
  /** Who speaks: "bot" or "counsellor" (then `counsellorId`). */
  author: "bot" | "counsellor";
  counsellorId?: string;
  messages: readonly Message[];
  /** The reply token of the event being answered, with LINE's timestamp of that event. */
  replyToken?: { token: string; issuedAt: Date };
  /** Unique per thing said (e.g. `greet:<webhookEventId>`): saying it twice stores it once. */
  dedupeKey: string;
  /** The key was made for this call (a counsellor's send): nothing earlier to look for. */
  keyIsNew?: boolean;
  /** When it is said (her contact times are measured from it); now by default. */
  at?: Date;
}

/** The send job of a delivery: at once, or (held for her contact times) once the window opens. */
function sendJob(id: string, notBefore: Date | null) {
  return { deliveryId: id, ...(notBefore ? { notBefore: notBefore.toISOString() } : {}) };
}

/**
 * Records what we will send, inside the caller's transaction: one transcript row per message
 * and one delivery per LINE request (at most five messages each). The retry key is made here,
 * once, so every later attempt of the same push carries the same X-Line-Retry-Key. Each
 * delivery's send job is named in `jobs`, to run once the transaction has committed. Returns
 * the delivery ids. What is said is stored sealed, in the transcript and in the delivery.
 *
 * A message that answers her event (it has its reply token) goes at once: she has just written.
 * Anything else is a push to a phone she may not hold alone: outside the contact times she chose
 * it waits (`notBefore`), its job put on the queue by the outbox sweep once the window opens
 * (`dueHeldDeliveries`).
 */
export async function recordOutbound(
  tx: Tx,
  jobs: JobIntents,
  sealer: Sealer,
  request: OutboundRequest,
): Promise<string[]> {
  const now = request.at ?? new Date();
  const existing = request.keyIsNew
    ? []
    : await tx.outboundDelivery.findMany({
        where: { dedupeKey: { startsWith: `${request.dedupeKey}#` } },
        select: { id: true, status: true, notBefore: true },
      });
  if (existing.length > 0) {
    for (const d of existing) {
      // A held one is the sweep's to release, once its window opens.
      if (d.status === "pending" && !(d.notBefore && d.notBefore > now))
        jobs.add("send-delivery", sendJob(d.id, d.notBefore));
    }
    return existing.map((d) => d.id);
  }

  const notBefore = request.replyToken ? null : await heldUntil(tx, request.personId, now);
  const deliveries = planRequests(request.messages).map((batch, index) => ({
    id: randomUUID(),
    batch,
    index,
    reply: index === 0 ? request.replyToken : undefined,
  }));
  // Every delivery and its transcript rows in one statement.
  await tx.$executeRaw`
    WITH delivery AS (
      INSERT INTO outbound_delivery (id, dedupe_key, person_id, payload_enc, reply_token,
                                     reply_token_at, retry_key, not_before)
      VALUES ${Prisma.join(
        deliveries.map(
          (d) => Prisma.sql`(${d.id}::uuid, ${`${request.dedupeKey}#${d.index}`},
            ${request.personId}::uuid, ${sealer.seal(JSON.stringify(d.batch))},
            ${d.reply?.token ?? null}, ${d.reply?.issuedAt ?? null}::timestamptz, ${randomUUID()},
            ${notBefore}::timestamptz)`,
        ),
      )}
    )
    INSERT INTO message (id, conversation_id, person_id, direction, author, counsellor_id, kind,
                         text_enc, delivery_id, sent_at)
    VALUES ${Prisma.join(
      deliveries.flatMap((d) =>
        d.batch.map(
          (message) => Prisma.sql`(${randomUUID()}::uuid, ${request.conversationId}::uuid,
            ${request.personId}::uuid, 'out', ${request.author},
            ${request.counsellorId ?? null}::uuid, ${message.type},
            ${message.type === "text" ? sealer.seal(message.text) : null}::bytea,
            ${d.id}::uuid, ${now}::timestamptz)`,
        ),
      ),
    )}`;
  if (!notBefore) for (const d of deliveries) jobs.add("send-delivery", { deliveryId: d.id });
  return deliveries.map((d) => d.id);
}

/** The start of her next contact window, when `now` is outside the times she chose. */
async function heldUntil(tx: Tx, personId: string, now: Date): Promise<Date | null> {
  const person = await tx.person.findUnique({
    where: { id: personId },
    select: { contactTimes: true },
  });
  return contactWindowOpensAt(person?.contactTimes, now);
}

/** Held deliveries whose window has opened by `now`: their send jobs, for the outbox sweep. */
export async function dueHeldDeliveries(
  prisma: PrismaClient,
  now: Date,
  limit: number,
): Promise<{ deliveryId: string; notBefore: string }[]> {
  const rows = await prisma.outboundDelivery.findMany({
    where: { status: "pending", notBefore: { lte: now } },
    orderBy: { notBefore: "asc" },
    take: limit,
    select: { id: true, notBefore: true },
  });
  return rows.flatMap((r) =>
    r.notBefore ? [{ deliveryId: r.id, notBefore: r.notBefore.toISOString() }] : [],
  );
}

/** She blocked the account: nothing more may be pushed to her. */
export async function skipPendingDeliveries(tx: Tx, personId: string): Promise<void> {
  await tx.outboundDelivery.updateMany({
    where: { personId, status: "pending" },
    data: { status: "skipped", lastError: "person blocked the account" },
  });
}
