import { Prisma, type PrismaClient } from "../db/prisma-client";

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

/**
 * A conversation's messages in the order they were recorded, in one flat statement (the page
 * reads it on every live event of the conversation it shows). `deliveryId`: only the messages of
 * one send (a long answer is split into several).
 */
export function readTranscript(
  prisma: PrismaClient,
  conversationId: string,
  deliveryId?: string,
): Promise<TranscriptRow[]> {
  const ofDelivery =
    deliveryId === undefined ? Prisma.empty : Prisma.sql`AND m.delivery_id = ${deliveryId}::uuid`;
  return prisma.$queryRaw<TranscriptRow[]>`
    SELECT m.id, m.direction::text AS direction, m.author, c.display_name AS "authorName", m.kind,
           m.text_enc AS "textEnc", m.seq, m.sent_at AS "sentAt", m.unsent_at AS "unsentAt",
           m.read_at AS "readAt", mm.status AS "mediaStatus", mm.image_type AS "mediaImageType",
           d.status::text AS "deliveryStatus", d.not_before AS "deliveryNotBefore"
      FROM message m
      LEFT JOIN counsellor c ON c.id = m.counsellor_id
      LEFT JOIN message_media mm ON mm.message_id = m.id
      LEFT JOIN outbound_delivery d ON d.id = m.delivery_id
     WHERE m.conversation_id = ${conversationId}::uuid ${ofDelivery}
     ORDER BY m.seq ASC`;
}
