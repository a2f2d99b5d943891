import { setTimeout as sleep } from "node:timers/promises";
import type { messagingApi } from "@line/bot-sdk";
import type { OutboundDelivery, PrismaClient } from "../db/prisma-client";
import { isDependencyDown } from "../errors";
import type { Sealer } from "../privacy/sealer";
import type { LineCallResult, LineMessenger } from "./line-messenger";

/** Reply tokens live about a minute; past this age we push instead of risking a dead token. */
export const REPLY_TOKEN_FRESH_MS = 50_000;
/**
 * How long what LINE answered is kept trying to reach an unreachable database before the job
 * fails: as long as the longest outage the service rides out without a person stepping in.
 */
const RECORD_PATIENCE_MS = 10 * 60_000;

/**
 * - `done`: sent, or nothing left to do (already sent, skipped, she blocked the account);
 * - `retry`: LINE was busy or did not answer; call again later (the push keeps its retry key);
 * - `rejected`: LINE refused the request for good (recorded with LINE's request id).
 */
export type DeliveryOutcome = "done" | "retry" | "rejected";

export interface DeliveryService {
  deliver(deliveryId: string): Promise<DeliveryOutcome>;
  /** Retries are exhausted: keep the delivery as failed, with its last error. */
  giveUp(deliveryId: string): Promise<void>;
}

/**
 * A delivery given up without LINE ever refusing it (LINE down for its every try, or our own
 * failure): sent when its job runs again, which only an admin's retry does.
 */
function givenUp(delivery: OutboundDelivery): boolean {
  const code = delivery.lastStatusCode;
  return (
    delivery.status === "failed" && (code === null || code === 0 || code === 429 || code >= 500)
  );
}

export function createDeliveryService(deps: {
  prisma: PrismaClient;
  sealer: Sealer;
  messenger: LineMessenger;
  now?: () => number;
}): DeliveryService {
  const { prisma, sealer, messenger } = deps;
  const now = deps.now ?? Date.now;

  /**
   * Writes what LINE answered. Until written, that answer lives only in this process: were the
   * job to fail and run again, a reply LINE took would be sent a second time (as a push, its
   * token spent, and a reply has no retry key). So while the database is down it is the write
   * that is tried again, not the send.
   */
  async function record(delivery: OutboundDelivery, method: string, result: LineCallResult) {
    const giveUpAt = Date.now() + RECORD_PATIENCE_MS;
    for (let waitMs = 200; ; waitMs = Math.min(waitMs * 2, 5_000)) {
      try {
        return await write(delivery, method, result);
      } catch (error) {
        if (!isDependencyDown(error) || Date.now() + waitMs > giveUpAt) throw error;
        await sleep(waitMs);
      }
    }
  }

  async function write(delivery: OutboundDelivery, method: string, result: LineCallResult) {
    const sent = result.outcome === "sent";
    await prisma.outboundDelivery.update({
      where: { id: delivery.id },
      data: {
        method,
        attempts: { increment: 1 },
        lastStatusCode: result.status,
        lineRequestId: result.requestId ?? null,
        status: sent ? "sent" : result.outcome === "rejected" ? "failed" : "pending",
        sentAt: sent ? new Date(now()) : null,
        lastError: sent ? null : result.reason,
        // A reply token is spent by any attempt, whatever LINE answered.
        replyToken: null,
      },
    });
  }

  function isFresh(
    delivery: OutboundDelivery,
  ): delivery is OutboundDelivery & { replyToken: string } {
    return (
      delivery.replyToken !== null &&
      delivery.replyTokenAt !== null &&
      now() - delivery.replyTokenAt.getTime() < REPLY_TOKEN_FRESH_MS
    );
  }

  return {
    async deliver(deliveryId) {
      const delivery = await prisma.outboundDelivery.findUnique({
        where: { id: deliveryId },
        include: { person: true },
      });
      if (!delivery || !(delivery.status === "pending" || givenUp(delivery))) return "done";
      // Held for her contact times: never before the window, whoever runs the job (a clock a
      // little behind the sweep's): tried again shortly.
      if (delivery.notBefore && delivery.notBefore.getTime() > now()) return "retry";
      const to = delivery.person.lineUserIdEnc;
      const payload = delivery.payloadEnc;
      if (!delivery.person.reachable || to === null || payload === null) {
        // Blocked, or her content erased on her request (src/privacy/): nothing can reach her.
        const reason = delivery.person.erasedAt
          ? "her content was erased"
          : "person blocked the account";
        await prisma.outboundDelivery.update({
          where: { id: delivery.id },
          data: { status: "skipped", lastError: reason },
        });
        return "done";
      }
      const messages = JSON.parse(sealer.open(payload)) as messagingApi.Message[];
      if (isFresh(delivery)) {
        const result = await messenger.reply(delivery.replyToken, messages);
        await record(
          delivery,
          "reply",
          result.outcome === "sent" ? result : { ...result, outcome: "retryable" },
        );
        if (result.outcome === "sent") return "done";
        // The token is spent or dead: push now, under the delivery's retry key. Only when the
        // reply got no answer at all (status 0) can LINE have delivered it anyway; we accept
        // that rare duplicate rather than leave her without an answer.
      }
      const result = await messenger.push(sealer.open(to), messages, delivery.retryKey);
      await record(delivery, "push", result);
      return result.outcome === "sent"
        ? "done"
        : result.outcome === "retryable"
          ? "retry"
          : "rejected";
    },
    async giveUp(deliveryId) {
      await prisma.outboundDelivery.updateMany({
        where: { id: deliveryId, status: "pending" },
        data: { status: "failed" },
      });
    },
  };
}
