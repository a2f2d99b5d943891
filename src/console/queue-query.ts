import { Prisma, type PrismaClient } from "../db/prisma-client";
import { conversationScopeSql, type Viewer } from "../conversations/conversation-scope";

/** One row of the console's queue, as queue-query reads it. */
export interface QueueRow extends HerLine {
  id: string;
  status: "waiting" | "active";
  riskLevel: string;
  riskCategories: string[];
  topics: string[];
  regionId: string | null;
  waitingSince: Date | null;
  outOfHours: boolean;
  overflowRegions: string[];
  servingRegionId: string | null;
  assignedToId: string | null;
  assignedAt: Date | null;
  pseudonym: string;
  assignedToName: string | null;
}

/** What her words change in her line of the queue: the preview and the unread count. */
export interface HerLine {
  /** Her latest text (sealed), for the preview line. */
  previewEnc: Uint8Array | null;
  /** Her messages not yet read by a counsellor. */
  unread: number;
}

/** HerLine's columns, of the conversation `c`. */
const HER_LINE = Prisma.sql`
  (SELECT m.text_enc FROM message m
    WHERE m.conversation_id = c.id AND m.direction = 'in' AND m.unsent_at IS NULL
      AND m.kind = 'text'
    ORDER BY m.sent_at DESC LIMIT 1) AS "previewEnc",
  (SELECT count(*) FROM message m
    WHERE m.conversation_id = c.id AND m.direction = 'in' AND m.read_at IS NULL
  )::int AS unread`;

/**
 * The queue in one statement: the waiting conversations of the viewer's scope, and the active
 * ones, all of them for supervisors and admins, her own for a counsellor (she is shown no other
 * counsellor's chats, so they are not read). The scope is conversationScope's, written in SQL:
 * her region, or another region's overflowing to it; null (every region) for a viewer without
 * one. The console reads it on every live event of its scope, so it reads only what it shows.
 */
export async function readQueueRows(
  prisma: PrismaClient,
  viewer: Viewer & { id: string },
): Promise<QueueRow[]> {
  const active =
    viewer.role === "counsellor"
      ? Prisma.sql`c.status = 'active' AND c.assigned_to_id = ${viewer.id}::uuid`
      : Prisma.sql`c.status = 'active'`;
  return prisma.$queryRaw<QueueRow[]>`
    SELECT c.id, c.status::text AS status, c.risk_level AS "riskLevel",
           c.risk_categories AS "riskCategories", c.topics, c.region_id AS "regionId",
           c.waiting_since AS "waitingSince", c.out_of_hours AS "outOfHours",
           c.overflow_regions AS "overflowRegions", c.serving_region_id AS "servingRegionId",
           c.assigned_to_id AS "assignedToId", c.assigned_at AS "assignedAt",
           p.pseudonym, a.display_name AS "assignedToName",
           ${HER_LINE}
      FROM conversation c
      JOIN person p ON p.id = c.person_id
      LEFT JOIN counsellor a ON a.id = c.assigned_to_id
     WHERE ${conversationScopeSql(viewer)} AND (c.status = 'waiting' OR (${active}))`;
}

/**
 * Her line's preview and unread count, of one conversation: what a live notice of her message
 * carries to the consoles that list her, read once for all of them (live-events.ts).
 */
export async function readHerLine(
  prisma: PrismaClient,
  conversationId: string,
): Promise<HerLine | undefined> {
  const rows = await prisma.$queryRaw<HerLine[]>`
    SELECT ${HER_LINE} FROM conversation c WHERE c.id = ${conversationId}::uuid`;
  return rows[0];
}
