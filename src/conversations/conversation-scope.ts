import { Prisma, type CounsellorRole } from "../db/prisma-client";

/** What decides which conversations a console user may see: role and region. */
export interface Viewer {
  role: CounsellorRole;
  /** null: every region (supervisors and admins only). */
  regionId: string | null;
}

/** The region a user may see; null = all. A counsellor without a region sees none. */
export function regionsOf(user: Viewer): string | null {
  if (user.role === "counsellor") return user.regionId ?? "";
  return user.regionId;
}

/**
 * The conversations a user may see or touch: those of her/his region, and those of other
 * regions that overflowed to it. Every console read and write goes through this filter, so
 * region isolation holds for the API whatever the pages do.
 */
export function conversationScope(user: Viewer): Prisma.ConversationWhereInput {
  const region = regionsOf(user);
  if (region === null) return {};
  return { OR: [{ regionId: region }, { overflowRegions: { has: region } }] };
}

/** conversationScope in SQL, of the conversation aliased `c`: for statements written by hand. */
export function conversationScopeSql(user: Viewer): Prisma.Sql {
  const region = regionsOf(user);
  if (region === null) return Prisma.sql`TRUE`;
  return Prisma.sql`(c.region_id = ${region} OR c.overflow_regions @> ARRAY[${region}]::text[])`;
}
