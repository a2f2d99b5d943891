import type { Logger } from "../logger";
import type { Person, PrismaClient, Tx, WebhookEvent } from "../db/prisma-client";
import {
  openConversation,
  type ConversationResponder,
  type Inbound,
} from "../conversations/conversation-service";
import { pseudonymFor, type Sealer } from "../privacy/sealer";
import { recordOutbound } from "./outbound-service";
import type { IncomingEvent } from "./webhook-event";

/** The fields of LINE's events that processing reads (shapes per LINE's webhook spec). */
interface LineEvent extends IncomingEvent {
  replyToken?: string;
  message?: { id: string; type: string; text?: string; markAsReadToken?: string };
  postback?: { data: string };
  unsend?: { messageId: string };
}

type Outcome = { status: "processed" | "ignored"; deliveryIds: string[] };

export interface EventProcessor {
  /**
   * Processes a stored event, after any earlier pending events of the same person, each in its
   * own transaction under a per-person lock. Safe to run twice: a processed event is skipped.
   * Returns the deliveries to send.
   */
  process(eventId: string): Promise<string[]>;
  markFailed(eventId: string, reason: string): Promise<string | undefined>;
}

export function createEventProcessor(deps: {
  prisma: PrismaClient;
  sealer: Sealer;
  responder: ConversationResponder;
  logger: Logger;
}): EventProcessor {
  const { prisma, sealer, responder, logger } = deps;

  /** `sourceKey`: the person the event belongs to (all events handled together share it). */
  async function processOne(id: bigint, sourceKey: string | null): Promise<string[]> {
    return prisma.$transaction(
      async (tx) => {
        if (sourceKey) {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${sourceKey}))`;
        }
        const row = await tx.webhookEvent.findFirst({ where: { id, status: "received" } });
        if (!row) return [];
        const event = JSON.parse(sealer.open(row.payloadEnc)) as LineEvent;
        const outcome = await handle(tx, row, event);
        await tx.webhookEvent.update({
          where: { id },
          data: { status: outcome.status, processedAt: new Date(), attempts: { increment: 1 } },
        });
        return outcome.deliveryIds;
      },
      { timeout: 15_000 },
    );
  }

  async function handle(tx: Tx, row: WebhookEvent, event: LineEvent): Promise<Outcome> {
    const userId = event.source?.type === "user" ? event.source.userId : undefined;
    // Standby events belong to another channel's module; groups and rooms are not served.
    if (event.mode !== "active" || !userId) return { status: "ignored", deliveryIds: [] };
    const at = new Date(event.timestamp);
    if (event.type === "unfollow") {
      await markUnreachable(tx, sealer.hash(userId), at);
      return { status: "processed", deliveryIds: [] };
    }
    if (event.type === "unsend" && event.unsend) {
      await tx.message.updateMany({
        where: { lineMessageId: event.unsend.messageId },
        data: { unsentAt: at, text: null },
      });
      return { status: "processed", deliveryIds: [] };
    }
    const inbound = toInbound(event);
    if (!inbound) return { status: "ignored", deliveryIds: [] };
    return { status: "processed", deliveryIds: await converse(tx, row, event, userId, inbound) };
  }

  async function converse(
    tx: Tx,
    row: WebhookEvent,
    event: LineEvent,
    userId: string,
    inbound: Inbound,
  ): Promise<string[]> {
    const at = new Date(event.timestamp);
    const person = await upsertPerson(tx, userId, inbound.type === "follow" ? at : undefined);
    const conversation = await openConversation(tx, person, at);
    if (inbound.type !== "follow") {
      const recorded = await tx.message.createMany({
        data: {
          conversationId: conversation.id,
          personId: person.id,
          direction: "in",
          author: "person",
          kind: event.type === "postback" ? "postback" : (event.message?.type ?? event.type),
          text:
            inbound.type === "text"
              ? inbound.text
              : inbound.type === "postback"
                ? inbound.data
                : null,
          lineMessageId: event.message?.id ?? null,
          markAsReadToken: event.message?.markAsReadToken ?? null,
          webhookEventId: row.id,
          sentAt: at,
        },
        skipDuplicates: true,
      });
      // The same LINE message under another event id: already recorded and answered.
      if (recorded.count === 0) return [];
    }
    const messages = await responder.respond(tx, conversation, inbound, at);
    if (messages.length === 0) {
      // The bot stays silent (a counsellor has her): keep the token for the counsellor's answer.
      if (event.replyToken && event.message) {
        await tx.message.updateMany({
          where: { lineMessageId: event.message.id },
          data: { replyToken: event.replyToken },
        });
      }
      return [];
    }
    return recordOutbound(tx, {
      personId: person.id,
      conversationId: conversation.id,
      author: "bot",
      messages,
      replyToken: event.replyToken ? { token: event.replyToken, issuedAt: at } : undefined,
      dedupeKey: `event:${row.webhookEventId}`,
    });
  }

  async function upsertPerson(tx: Tx, userId: string, followedAt?: Date): Promise<Person> {
    const hash = sealer.hash(userId);
    // She is known on every event but her first: one read, not Prisma's upsert (three).
    const known = await tx.person.findUnique({ where: { lineUserHash: hash } });
    if (known && !followedAt) return known;
    return tx.person.upsert({
      where: { lineUserHash: hash },
      create: {
        lineUserHash: hash,
        lineUserIdEnc: sealer.seal(userId),
        pseudonym: pseudonymFor(hash),
        followedAt: followedAt ?? null,
      },
      update: followedAt ? { reachable: true, followedAt, unfollowedAt: null } : {},
    });
  }

  return {
    async process(eventId) {
      const id = BigInt(eventId);
      const head = await prisma.webhookEvent.findUnique({
        where: { id },
        select: { status: true, sourceKey: true, eventAt: true },
      });
      if (!head || head.status !== "received") return [];
      const deliveryIds: string[] = [];
      for (const earlier of await earlierPending(prisma, id, head.sourceKey, head.eventAt)) {
        // An earlier event that fails is left to its own job; it must not block hers.
        try {
          deliveryIds.push(...(await processOne(earlier, head.sourceKey)));
        } catch (error) {
          logger.warn({ eventId: String(earlier), err: errorName(error) }, "earlier event failed");
        }
      }
      deliveryIds.push(...(await processOne(id, head.sourceKey)));
      return deliveryIds;
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

/** Her events still waiting that LINE stamped before this one: they go first. */
async function earlierPending(
  prisma: PrismaClient,
  id: bigint,
  sourceKey: string | null,
  eventAt: Date,
): Promise<bigint[]> {
  if (!sourceKey) return [];
  const rows = await prisma.webhookEvent.findMany({
    where: {
      sourceKey,
      status: "received",
      OR: [{ eventAt: { lt: eventAt } }, { eventAt, id: { lt: id } }],
    },
    orderBy: [{ eventAt: "asc" }, { id: "asc" }],
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

async function markUnreachable(tx: Tx, hash: string, at: Date): Promise<void> {
  const person = await tx.person.findUnique({ where: { lineUserHash: hash } });
  if (!person) return;
  await tx.person.update({
    where: { id: person.id },
    data: { reachable: false, unfollowedAt: at },
  });
  // She blocked the account: nothing more may be pushed to her.
  await tx.outboundDelivery.updateMany({
    where: { personId: person.id, status: "pending" },
    data: { status: "skipped", lastError: "person blocked the account" },
  });
  // She left before anyone answered; a bot-only chat simply ends. A counsellor's chat stays
  // open for the counsellor to close and code.
  await tx.conversation.updateMany({
    where: { personId: person.id, status: "waiting" },
    data: { status: "abandoned", closedAt: at, endReason: "blocked", silenceDueAt: null },
  });
  await tx.conversation.updateMany({
    where: { personId: person.id, status: "bot" },
    data: { status: "closed", closedAt: at, endReason: "blocked", silenceDueAt: null },
  });
}

const MEDIA_TYPES = ["image", "video", "audio", "file", "location"] as const;

function toInbound(event: LineEvent): Inbound | undefined {
  if (event.type === "follow") return { type: "follow" };
  if (event.type === "postback" && event.postback) {
    return { type: "postback", data: event.postback.data };
  }
  if (event.type !== "message" || !event.message) return undefined;
  const kind = event.message.type;
  if (kind === "text") return { type: "text", text: event.message.text ?? "" };
  if (kind === "sticker") return { type: "sticker" };
  const media = MEDIA_TYPES.find((t) => t === kind);
  return media ? { type: "media", mediaType: media } : undefined;
}

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : "unknown error";
}
