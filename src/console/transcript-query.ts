import { Prisma, type PrismaClient } from "../db/prisma-client";
import { conversationScopeSql, type Viewer } from "../conversations/conversation-scope";

/** One message of a conversation as the console shows it, with who wrote it and its state. */
export interface TranscriptRow {
  id: string;
  direction: "in" | "out";
  author: string;
  /** The counsellor who wrote it, if one did. */
  authorName: string | null;
  kind: string;
  textEnc: Uint8Array | null;
  seq: number;
  sentAt: Date;
  unsentAt: Date | null;
  readAt: Date | null;
  /** Her file's copy: copying, stored, too_large, unavailable or erased; null without a file. */
  mediaStatus: string | null;
  mediaImageType: string | null;
  /** Of a message to her: its delivery's status, and when a held one may go. */
  deliveryStatus: "pending" | "sent" | "failed" | "skipped" | null;
  deliveryNotBefore: Date | null;
}

/** Which of a conversation's messages to read, and for whom. */
export interface TranscriptFilter {
  /** Only the messages of one send (a long answer is split into several). */
  deliveryId?: string;
  /** Only if the conversation is in this viewer's scope (else none), in the same statement. */
  viewer?: Viewer;
}

/**
 * A conversation's messages in the order they were recorded, in one flat statement (the page
 * reads it on every live event of the conversation it shows).
 */
export function readTranscript(
  prisma: PrismaClient,
  conversationId: string,
  filter: TranscriptFilter = {},
): Promise<TranscriptRow[]> {
  const ofDelivery =
    filter.deliveryId === undefined
      ? Prisma.empty
      : Prisma.sql`AND m.delivery_id = ${filter.deliveryId}::uuid`;
  const inScope =
    filter.viewer === undefined
      ? Prisma.empty
      : Prisma.sql`JOIN conversation c ON c.id = m.conversation_id
                     AND ${conversationScopeSql(filter.viewer)}`;
  return prisma.$queryRaw<TranscriptRow[]>`
    SELECT m.id, m.direction::text AS direction, m.author, a.display_name AS "authorName", m.kind,
           m.text_enc AS "textEnc", m.seq, m.sent_at AS "sentAt", m.unsent_at AS "unsentAt",
           m.read_at AS "readAt", mm.status AS "mediaStatus", mm.image_type AS "mediaImageType",
           d.status::text AS "deliveryStatus", d.not_before AS "deliveryNotBefore"
      FROM message m
      ${inScope}
      LEFT JOIN counsellor a ON a.id = m.counsellor_id
      LEFT JOIN message_media mm ON mm.message_id = m.id
      LEFT JOIN outbound_delivery d ON d.id = m.delivery_id
     WHERE m.conversation_id = ${conversationId}::uuid ${ofDelivery}
     ORDER BY m.seq ASC`;
}
