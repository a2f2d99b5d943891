import type { Conversation, Person, Tx } from "../db/prisma-client";
import { AppError } from "../errors";
import type { JobIntents } from "../jobs/job-dispatch";
import type { LineEvent, PersonEvent, PersonEventHandler } from "../line/event-processor";
import { MEDIA_KINDS } from "../line/media-service";
import { removeMedia } from "../media/media-store";
import { recordOutbound, skipPendingDeliveries } from "../line/outbound-service";
import { pseudonymFor } from "../privacy/pseudonym";
import type { Sealer } from "../privacy/sealer";
import { nextStatus, OPEN_STATUSES } from "./conversation-lifecycle";
import { lockConversation, moveConversation } from "./conversation-repository";
import type { ConversationResponder, Inbound } from "./flow-responder";

/** She writes again this soon after a counsellor closed her chat: the same consultation reopens. */
export const REOPEN_WITHIN_MS = 60 * 60_000;

const MEDIA_TYPES = ["image", "video", "audio", "file", "location"] as const;
/** Pseudonyms tried for a new person: all taken has a chance of (people / 2⁴¹)⁵, that is never. */
const PSEUDONYM_ATTEMPTS = 5;

/**
 * What her LINE events mean for her and her conversation: she is known by a keyed hash of her
 * LINE id and a pseudonym; what she writes is recorded in her open conversation (reopened or
 * started as needed) and answered by the responder; when she blocks the account, nothing more
 * is sent and a chat nobody has taken ends.
 */
export function createInboundService(deps: {
  sealer: Sealer;
  responder: ConversationResponder;
}): PersonEventHandler {
  const { sealer, responder } = deps;

  async function converse(tx: Tx, jobs: JobIntents, p: PersonEvent, inbound: Inbound) {
    const { event, at, row } = p;
    const person = await upsertPerson(tx, p.userId, inbound.type === "follow" ? at : undefined);
    const conversation = await openConversation(tx, person, at);
    if (inbound.type !== "follow") {
      const recorded = await tx.message.createMany({
        data: {
          conversationId: conversation.id,
          personId: person.id,
          direction: "in",
          author: "person",
          kind: event.type === "postback" ? "postback" : (event.message?.type ?? event.type),
          textEnc:
            inbound.type === "text"
              ? sealer.seal(inbound.text)
              : inbound.type === "postback"
                ? sealer.seal(inbound.data)
                : null,
          lineMessageId: event.message?.id ?? null,
          markAsReadToken: event.message?.markAsReadToken ?? null,
          webhookEventId: row.id,
          sentAt: at,
        },
        skipDuplicates: true,
      });
      // The same LINE message under another event id: already recorded and answered.
      if (recorded.count === 0) return;
      if (event.message && MEDIA_KINDS.includes(event.message.type)) {
        // LINE keeps her image or file only for a while: copied by a job of its own.
        const stored = await tx.message.findUniqueOrThrow({
          where: { lineMessageId: event.message.id },
          select: { id: true },
        });
        jobs.add("copy-media", { messageId: stored.id });
      }
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
      return;
    }
    await recordOutbound(tx, jobs, sealer, {
      personId: person.id,
      conversationId: conversation.id,
      author: "bot",
      messages,
      replyToken: event.replyToken ? { token: event.replyToken, issuedAt: at } : undefined,
      dedupeKey: `event:${row.webhookEventId}`,
    });
  }

  async function upsertPerson(tx: Tx, userId: string, followedAt?: Date): Promise<Person> {
    // She is known on every event but her first: one read. While the key is being replaced she
    // may still be under the previous key's hash (rotate-key re-hashes her row).
    const known = await findPerson(tx, userId);
    if (!known) return createPerson(tx, userId, sealer.hash(userId), followedAt);
    if (!followedAt) return known;
    return tx.person.update({
      where: { id: known.id },
      data: { reachable: true, followedAt, unfollowedAt: null },
    });
  }

  /**
   * Her first event. Her pseudonym may already be someone else's: then the next derivation is
   * tried, in the same transaction (ON CONFLICT DO NOTHING: a taken one inserts nothing and
   * leaves the transaction usable), so her event is answered instead of failing at every retry.
   */
  async function createPerson(tx: Tx, userId: string, hash: string, followedAt?: Date) {
    for (let attempt = 0; attempt < PSEUDONYM_ATTEMPTS; attempt++) {
      const [created] = await tx.person.createManyAndReturn({
        data: {
          lineUserHash: hash,
          lineUserIdEnc: sealer.seal(userId),
          pseudonym: pseudonymFor(hash, attempt),
          followedAt: followedAt ?? null,
        },
        skipDuplicates: true,
      });
      if (created) return created;
    }
    throw new AppError("PSEUDONYM_EXHAUSTED", `No free pseudonym in ${PSEUDONYM_ATTEMPTS} tries`);
  }

  /**
   * She unsent a message: nothing she said in it is kept. Its text, its file (a copy still
   * running stores nothing: see media-store.ts), its unused reply token and her words in the
   * sealed raw event go; the row stays, so the transcript shows 取り消されました in its place.
   */
  async function unsent(tx: Tx, lineMessageId: string, at: Date): Promise<void> {
    const messages = await tx.message.findMany({
      where: { lineMessageId },
      select: { id: true, webhookEventId: true },
    });
    if (messages.length === 0) return;
    await tx.message.updateMany({
      where: { lineMessageId },
      data: { unsentAt: at, textEnc: null, replyToken: null },
    });
    await removeMedia(
      tx,
      messages.map((m) => m.id),
    );
    for (const { webhookEventId } of messages) {
      if (webhookEventId !== null) await forgetWords(tx, webhookEventId);
    }
  }

  /** Her processed message event, kept sealed for the record, loses what she wrote. */
  async function forgetWords(tx: Tx, webhookEventId: bigint): Promise<void> {
    const row = await tx.webhookEvent.findFirst({
      where: { id: webhookEventId, status: { notIn: ["received", "failed"] } },
      select: { payloadEnc: true },
    });
    if (!row?.payloadEnc) return;
    const raw = JSON.parse(sealer.open(row.payloadEnc)) as LineEvent & {
      message?: Record<string, unknown>;
    };
    if (!raw.message) return;
    const kept = { ...raw.message };
    for (const words of ["text", "fileName", "emojis"]) delete kept[words];
    await tx.webhookEvent.update({
      where: { id: webhookEventId },
      data: { payloadEnc: Buffer.from(sealer.seal(JSON.stringify({ ...raw, message: kept }))) },
    });
  }

  /** Her person, by the keyed hash of her LINE id (under either key while one is replaced). */
  function findPerson(tx: Tx, userId: string): Promise<Person | null> {
    return tx.person.findFirst({ where: { lineUserHash: { in: sealer.hashes(userId) } } });
  }

  return async (tx, jobs, p) => {
    const { event } = p;
    if (event.type === "unfollow") {
      await blocked(tx, await findPerson(tx, p.userId), p.at);
      return "processed";
    }
    if (event.type === "unsend" && event.unsend) {
      await unsent(tx, event.unsend.messageId, p.at);
      return "processed";
    }
    const inbound = toInbound(event);
    if (!inbound) return "ignored";
    await converse(tx, jobs, p, inbound);
    return "processed";
  };
}

/**
 * Her open conversation; else the one a counsellor closed moments ago, reopened into the
 * waiting queue (her place and triage kept); else a new one.
 */
async function openConversation(tx: Tx, person: Person, at: Date): Promise<Conversation> {
  // Found and stamped in one statement. She has one open conversation at most: a new one starts
  // only when none is, under her lock (event-processor.ts); the latest, were there two.
  const open = await tx.conversation.updateManyAndReturn({
    where: { personId: person.id, status: { in: [...OPEN_STATUSES] } },
    data: { lastMessageAt: at },
  });
  const latest = open.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())[0];
  if (latest) return latest;
  const recent = await tx.conversation.findFirst({
    where: {
      personId: person.id,
      status: "closed",
      closedById: { not: null },
      closedAt: { gt: new Date(at.getTime() - REOPEN_WITHIN_MS) },
    },
    orderBy: { closedAt: "desc" },
  });
  if (recent) {
    return moveConversation(tx, recent, "reopen", {
      by: null,
      data: {
        reopenedAt: at,
        waitingSince: at,
        lastMessageAt: at,
        closedAt: null,
        assignedToId: null,
        assignedAt: null,
        // Waiting anew: her next message is acknowledged, and the queue's clocks start again.
        waitToldAt: null,
        waitAlertedAt: null,
      },
    });
  }
  return tx.conversation.create({
    data: { personId: person.id, startedAt: at, lastMessageAt: at },
  });
}

/**
 * She blocked the account: nothing more is pushed to her. She left before anyone answered, or
 * a bot-only chat simply ends; a counsellor's chat stays open for the counsellor to close and
 * code.
 */
async function blocked(tx: Tx, person: Person | null, at: Date): Promise<void> {
  if (!person) return;
  await tx.person.update({
    where: { id: person.id },
    data: { reachable: false, unfollowedAt: at },
  });
  await skipPendingDeliveries(tx, person.id);
  const ending = await tx.conversation.findMany({
    where: { personId: person.id, status: { in: ["bot", "waiting"] } },
    select: { id: true },
  });
  for (const { id } of ending) {
    // Locked and read again: a counsellor may have taken her meanwhile.
    const conversation = await lockConversation(tx, id);
    if (!conversation || !nextStatus("block", conversation.status)) continue;
    await moveConversation(tx, conversation, "block", {
      by: null,
      data: { closedAt: at, endReason: "blocked", silenceDueAt: null },
    });
  }
}

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
