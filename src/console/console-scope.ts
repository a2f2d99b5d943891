import type { Prisma } from "../db/prisma-client";
import { regionsOf, type ConsoleUser } from "./auth-middleware";

/**
 * The conversations a user may see or touch: those of her/his region, and those of other
 * regions that overflowed to it. Every console read and write goes through this filter, so
 * region isolation holds for the API whatever the pages do.
 */
export function conversationScope(user: ConsoleUser): Prisma.ConversationWhereInput {
  const region = regionsOf(user);
  if (region === null) return {};
  return { OR: [{ regionId: region }, { overflowRegions: { has: region } }] };
}
