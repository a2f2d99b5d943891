import { randomUUID } from "node:crypto";
import type { messagingApi } from "@line/bot-sdk";
import type { Tx } from "../db/prisma-client";
import type { JobIntents } from "../jobs/job-dispatch";
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
}

/**
 * Records what we will send, inside the caller's transaction: one transcript row per message
 * and one delivery per LINE request (at most five messages each). The retry key is made here,
 * once, so every later attempt of the same push carries the same X-Line-Retry-Key. Each
 * delivery's send job is named in `jobs`, to run once the transaction has committed. Returns
 * the delivery ids.
 */
export async function recordOutbound(
  tx: Tx,
  jobs: JobIntents,
  request: OutboundRequest,
): Promise<string[]> {
  const existing = await tx.outboundDelivery.findMany({
    where: { dedupeKey: { startsWith: `${request.dedupeKey}#` } },
    select: { id: true, status: true },
  });
  if (existing.length > 0) {
    for (const d of existing) {
      if (d.status === "pending") jobs.add("send-delivery", { deliveryId: d.id });
    }
    return existing.map((d) => d.id);
  }

  const now = new Date();
  const ids: string[] = [];
  for (const [index, batch] of planRequests(request.messages).entries()) {
    const id = randomUUID();
    const reply = index === 0 ? request.replyToken : undefined;
    await tx.outboundDelivery.create({
      data: {
        id,
        dedupeKey: `${request.dedupeKey}#${index}`,
        personId: request.personId,
        payload: batch,
        replyToken: reply?.token ?? null,
        replyTokenAt: reply?.issuedAt ?? null,
        retryKey: randomUUID(),
      },
    });
    await tx.message.createMany({
      data: batch.map((message) => ({
        conversationId: request.conversationId,
        personId: request.personId,
        direction: "out" as const,
        author: request.author,
        counsellorId: request.counsellorId ?? null,
        kind: message.type,
        text: message.type === "text" ? message.text : null,
        deliveryId: id,
        sentAt: now,
      })),
    });
    ids.push(id);
    jobs.add("send-delivery", { deliveryId: id });
  }
  return ids;
}

/** She blocked the account: nothing more may be pushed to her. */
export async function skipPendingDeliveries(tx: Tx, personId: string): Promise<void> {
  await tx.outboundDelivery.updateMany({
    where: { personId, status: "pending" },
    data: { status: "skipped", lastError: "person blocked the account" },
  });
}
