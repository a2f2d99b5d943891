import type { PrismaClient } from "../db/prisma-client";
import { recordOutbound } from "../line/outbound-service";
import type { ConversationResponder } from "./conversation-service";

export interface SilenceService {
  /** Conversations whose bot has waited past the flow's silence limit. */
  due(now: Date, limit: number): Promise<{ conversationId: string; dueAt: Date }[]>;
  /**
   * Ends the bot part politely, keeping what she answered. Does nothing when she wrote in the
   * meantime (the due time moved) or a counsellor has her: safe to run twice. Returns deliveries.
   */
  fire(conversationId: string, dueAt: Date): Promise<string[]>;
}

export function createSilenceService(deps: {
  prisma: PrismaClient;
  responder: ConversationResponder;
}): SilenceService {
  const { prisma, responder } = deps;
  return {
    async due(now, limit) {
      const rows = await prisma.conversation.findMany({
        where: { status: "bot", silenceDueAt: { lte: now } },
        orderBy: { silenceDueAt: "asc" },
        take: limit,
        select: { id: true, silenceDueAt: true },
      });
      return rows.flatMap((r) =>
        r.silenceDueAt ? [{ conversationId: r.id, dueAt: r.silenceDueAt }] : [],
      );
    },
    fire(conversationId, dueAt) {
      return prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT 1 FROM conversation WHERE id = ${conversationId}::uuid FOR UPDATE`;
        const conversation = await tx.conversation.findFirst({
          where: { id: conversationId, status: "bot", silenceDueAt: dueAt },
        });
        if (!conversation) return [];
        const messages = await responder.respond(tx, conversation, { type: "silence" }, new Date());
        if (messages.length === 0) return [];
        return recordOutbound(tx, {
          personId: conversation.personId,
          conversationId,
          author: "bot",
          messages,
          dedupeKey: `silence:${conversationId}:${dueAt.getTime()}`,
        });
      });
    },
  };
}
