/**
 * The one place that reads and erases her content: message texts and tokens, notes, emergency
 * notes, delivery payloads, her files, the raw webhook events and her sealed LINE userId.
 * Retention (retention-service.ts) and her rights (person-rights-service.ts) both go through
 * here, so a change in where content lives (e.g. sealed columns) is made in this file alone.
 *
 * Erasing never deletes a coded row: conversation, message (direction, author, kind, times),
 * consultation_entry and stats_fact stay, so every figure of the report is unchanged. The
 * statistics triggers read none of the columns written here.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { Prisma, type PrismaClient, type Tx } from "../db/prisma-client";
import { givenReferrals } from "../flows/referrals";
import { CODE_ALPHABET, CODE_LENGTH } from "./pseudonym";
import type { Sealer } from "./sealer";

type Db = PrismaClient | Tx;

/** Conversations that can lose their transcript: ended (an open one is someone's work). */
const ENDED = Prisma.sql`status IN ('closed', 'abandoned')`;

/**
 * The transcript of these conversations: message texts and LINE tokens, notes, emergency notes
 * (and who called, free text), the closing summary, and the conversation marked as erased. Run in a transaction.
 */
async function eraseTranscripts(tx: Tx, ids: string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  const list = Prisma.sql`ANY(${ids}::uuid[])`;
  await tx.$executeRaw`UPDATE message SET text_enc = NULL, reply_token = NULL,
    mark_as_read_token = NULL WHERE conversation_id = ${list}
    AND (text_enc IS NOT NULL OR reply_token IS NOT NULL OR mark_as_read_token IS NOT NULL)`;
  await tx.$executeRaw`UPDATE conversation_note SET text_enc = NULL
    WHERE conversation_id = ${list} AND text_enc IS NOT NULL`;
  await tx.$executeRaw`UPDATE emergency_record SET note_enc = NULL, called_by = NULL
    WHERE conversation_id = ${list} AND (note_enc IS NOT NULL OR called_by IS NOT NULL)`;
  // The agencies typed at close and the closing summary go too; the coded referrals (その他
  // for them), the end reason and the duration stay counted.
  await tx.$executeRaw`UPDATE conversation SET content_erased_at = ${at},
    referrals_other_enc = NULL, summary_enc = NULL
    WHERE id = ${list} AND content_erased_at IS NULL`;
}

/** Her files of these messages: bytes deleted, the file marked erased (type and size stay). */
async function eraseMediaOf(db: Db, messageIds: string[]): Promise<number> {
  if (messageIds.length === 0) return 0;
  await db.$executeRaw`DELETE FROM message_media_chunk WHERE message_id = ANY(${messageIds}::uuid[])`;
  return db.$executeRaw`UPDATE message_media SET status = 'erased', image_type = NULL
    WHERE message_id = ANY(${messageIds}::uuid[]) AND status <> 'erased'`;
}

// ---------- Retention: one batch each, short transactions, safe to run again

/**
 * Up to `limit` ended conversations closed before `endedBefore` whose transcript is still kept:
 * erased in one short transaction (rows locked by another one are skipped, taken next time).
 */
export async function eraseEndedTranscriptsBatch(
  prisma: PrismaClient,
  endedBefore: Date,
  at: Date,
  limit: number,
): Promise<number> {
  return prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM conversation
      WHERE closed_at < ${endedBefore} AND content_erased_at IS NULL AND ${ENDED}
      ORDER BY closed_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
    await eraseTranscripts(
      tx,
      rows.map((r) => r.id),
      at,
    );
    return rows.length;
  });
}

/** Up to `limit` of her files sent before `sentBefore`, erased. */
export async function eraseMediaBatch(
  prisma: PrismaClient,
  sentBefore: Date,
  limit: number,
): Promise<number> {
  return prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT mm.message_id AS id
      FROM message_media mm JOIN message m ON m.id = mm.message_id
      WHERE mm.status <> 'erased' AND m.sent_at < ${sentBefore}
      LIMIT ${limit} FOR UPDATE OF mm SKIP LOCKED`;
    await eraseMediaOf(
      tx,
      rows.map((r) => r.id),
    );
    return rows.length;
  });
}

/** Up to `limit` delivery payloads (the texts sent to her) created before `createdBefore`. */
export async function eraseDeliveryPayloadsBatch(
  prisma: PrismaClient,
  createdBefore: Date,
  limit: number,
): Promise<number> {
  return prisma.$executeRaw`UPDATE outbound_delivery SET payload_enc = NULL, reply_token = NULL
    WHERE id IN (SELECT id FROM outbound_delivery
      WHERE status <> 'pending' AND created_at < ${createdBefore} AND payload_enc IS NOT NULL
      LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
}

/**
 * Up to `limit` raw webhook events received before `receivedBefore`: payload removed, and the
 * keyed hash of whom it came from (needed only to order events still to be processed).
 */
export async function eraseRawEventsBatch(
  prisma: PrismaClient,
  receivedBefore: Date,
  limit: number,
): Promise<number> {
  // An event still waiting to be processed keeps its payload (it is her message, not yet read).
  return prisma.$executeRaw`UPDATE webhook_event SET payload_enc = NULL, source_key = NULL
    WHERE id IN (SELECT id FROM webhook_event
      WHERE status <> 'received' AND received_at < ${receivedBefore} AND payload_enc IS NOT NULL
      LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
}

/**
 * Up to `limit` ended sign-in rows: sessions not used since `before` (they expired long ago),
 * second-factor challenges expired before it, and sign-in throttling counters run out by then.
 */
export async function eraseEndedSignInsBatch(
  prisma: PrismaClient,
  before: Date,
  limit: number,
): Promise<number> {
  const sessions = await prisma.$executeRaw`DELETE FROM console_session WHERE id IN (
    SELECT id FROM console_session WHERE last_seen_at < ${before} AND expires_at < ${before}
    LIMIT ${limit})`;
  const challenges = await prisma.$executeRaw`DELETE FROM sign_in_challenge WHERE id IN (
    SELECT id FROM sign_in_challenge WHERE expires_at < ${before} LIMIT ${limit})`;
  const limits = await prisma.$executeRaw`DELETE FROM sign_in_limit WHERE key IN (
    SELECT key FROM sign_in_limit WHERE expire < ${before.getTime()} LIMIT ${limit})`;
  return sessions + challenges + limits;
}

// ---------- One person: her request

/**
 * Takes the lock her LINE events are processed under (src/line/event-processor.ts), for the
 * rest of the transaction: no event of hers is handled while she is checked and erased.
 */
export async function lockHer(tx: Tx, personId: string): Promise<void> {
  const person = await tx.person.findUniqueOrThrow({
    where: { id: personId },
    select: { lineUserHash: true },
  });
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${person.lineUserHash}))`;
}

/** Her open conversations (bot, waiting, active): erasure waits until they end. */
export async function openConversationsOf(db: Db, personId: string): Promise<number> {
  return db.conversation.count({
    where: { personId, status: { in: ["bot", "waiting", "active"] } },
  });
}

/** What erasing her removed, as counts (for the audit row and the answer). */
export interface PersonErasure {
  conversations: number;
  messages: number;
  files: number;
  deliveries: number;
  rawEvents: number;
}

/**
 * Everything of hers, in the caller's transaction: transcripts of all her conversations, her
 * files, the payloads of every delivery to her, her raw webhook events (also any not processed
 * yet: marked ignored), and her identity: the sealed LINE userId goes, the keyed hash and the
 * pseudonym are replaced by random values. Her coded rows stay with the same person id, so she
 * still counts once in 実数; if she writes again no hash finds this row: she is a new person.
 * Takes the lock her events are processed under (see lockHer), so none is handled half-way.
 */
export async function erasePerson(tx: Tx, personId: string, at: Date): Promise<PersonErasure> {
  const person = await tx.person.findUniqueOrThrow({
    where: { id: personId },
    select: { lineUserHash: true },
  });
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${person.lineUserHash}))`;
  const conversations = await tx.conversation.findMany({
    where: { personId },
    select: { id: true },
  });
  await eraseTranscripts(
    tx,
    conversations.map((c) => c.id),
    at,
  );
  const media = await tx.messageMedia.findMany({
    where: { message: { personId } },
    select: { messageId: true },
  });
  const files = await eraseMediaOf(
    tx,
    media.map((m) => m.messageId),
  );
  const messages = await tx.message.count({ where: { personId } });
  const deliveries = await tx.$executeRaw`UPDATE outbound_delivery SET payload_enc = NULL,
    reply_token = NULL,
    status = CASE WHEN status = 'pending' THEN 'skipped'::delivery_status ELSE status END,
    last_error = CASE WHEN status = 'pending' THEN 'her content was erased' ELSE last_error END
    WHERE person_id = ${personId}::uuid AND (payload_enc IS NOT NULL OR status = 'pending')`;
  const rawEvents = await tx.$executeRaw`UPDATE webhook_event SET payload_enc = NULL,
    source_key = NULL,
    status = CASE WHEN status IN ('received', 'failed') THEN 'ignored'::webhook_event_status
      ELSE status END
    WHERE source_key = ${person.lineUserHash}`;
  await tx.person.update({
    where: { id: personId },
    data: {
      lineUserHash: `erased:${randomUUID()}`,
      lineUserIdEnc: null,
      pseudonym: erasedPseudonym(),
      reachable: false,
      contactTimes: null,
      erasedAt: at,
    },
  });
  return { conversations: conversations.length, messages, files, deliveries, rawEvents };
}

/** 「削除済み-XXXXXX」: random, so nothing derived from her LINE userId points here any more. */
function erasedPseudonym(): string {
  const code = [...randomBytes(CODE_LENGTH)]
    .map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length] ?? "")
    .join("");
  return `削除済み-${code}`;
}

// ---------- One person: what is kept about her (disclosure)

export interface HerMessage {
  sentAt: Date;
  direction: "in" | "out";
  author: string;
  kind: string;
  /** Null: erased, unsent, or a kind without text (a sticker, a file). */
  text: string | null;
  unsent: boolean;
  /** Her file: `kept` while its bytes are stored, `erased` once retention or her request removed them. */
  file: { contentType: string; size: number; kept: boolean; erased: boolean } | null;
}

export interface HerConversation {
  id: string;
  startedAt: Date;
  closedAt: Date | null;
  status: string;
  regionId: string | null;
  municipality: string | null;
  topics: string[];
  ageBand: string | null;
  supportWish: string[];
  referrals: string[];
  followUps: string[];
  contentErasedAt: Date | null;
  messages: HerMessage[];
}

export interface HerEntry {
  id: string;
  channel: string;
  regionId: string;
  startedAt: Date;
  durationMinutes: number | null;
  topics: string[];
  ageBand: string | null;
  referrals: string[];
  followUps: string[];
}

export interface HerRecord {
  person: {
    pseudonym: string;
    createdAt: Date;
    followedAt: Date | null;
    unfollowedAt: Date | null;
    contactTimes: string | null;
    erasedAt: Date | null;
  };
  conversations: HerConversation[];
  entries: HerEntry[];
}

/** Everything kept about her that she may ask to see: her conversations and manual entries. */
export async function readHerRecord(
  db: Db,
  personId: string,
  sealer: Pick<Sealer, "open">,
): Promise<HerRecord | null> {
  const person = await db.person.findUnique({
    where: { id: personId },
    select: {
      pseudonym: true,
      createdAt: true,
      followedAt: true,
      unfollowedAt: true,
      contactTimes: true,
      erasedAt: true,
      conversations: {
        orderBy: { startedAt: "asc" },
        include: {
          messages: {
            orderBy: [{ sentAt: "asc" }, { createdAt: "asc" }],
            include: { media: { select: { contentType: true, size: true, status: true } } },
          },
        },
      },
      entries: { orderBy: { startedAt: "asc" } },
    },
  });
  if (!person) return null;
  const { conversations, entries, ...about } = person;
  return {
    person: about,
    conversations: conversations.map((c) => ({
      id: c.id,
      startedAt: c.startedAt,
      closedAt: c.closedAt,
      status: c.status,
      regionId: c.regionId,
      municipality: c.municipality,
      topics: c.topics,
      ageBand: c.ageBand,
      supportWish: c.supportWish,
      referrals: givenReferrals(
        c.referrals,
        c.referralsOtherEnc ? (JSON.parse(sealer.open(c.referralsOtherEnc)) as string[]) : [],
      ),
      followUps: c.followUps,
      contentErasedAt: c.contentErasedAt,
      messages: c.messages.map((m) => ({
        sentAt: m.sentAt,
        direction: m.direction,
        author: m.author,
        kind: m.kind,
        text: m.textEnc ? sealer.open(m.textEnc) : null,
        unsent: m.unsentAt !== null,
        file: m.media
          ? {
              contentType: m.media.contentType,
              size: m.media.size,
              kept: m.media.status === "stored",
              erased: m.media.status === "erased",
            }
          : null,
      })),
    })),
    entries: entries.map((e) => ({
      id: e.id,
      channel: e.channel,
      regionId: e.regionId,
      startedAt: e.startedAt,
      durationMinutes: e.durationMinutes,
      topics: e.topics,
      ageBand: e.ageBand,
      referrals: e.referrals,
      followUps: e.followUps,
    })),
  };
}
