import type { PrismaClient } from "../db/prisma-client";
import type { JobDispatcher } from "../jobs/job-dispatch";
import { recordOutbound } from "../line/outbound-service";
import type { Sealer } from "../privacy/sealer";
import { lockConversation } from "./conversation-repository";
import type { ConversationResponder } from "./flow-responder";

export interface SilenceService {
  /** Conversations whose bot has waited past the flow's silence limit. */
  due(now: Date, limit: number): Promise<{ conversationId: string; dueAt: Date }[]>;
  /**
   * Ends the bot part politely, keeping what she answered. Does nothing when she wrote in the
   * meantime (the due time moved) or a counsellor has her: safe to run twice.
   */
  fire(conversationId: string, dueAt: Date): Promise<void>;
}

export function createSilenceService(deps: {
  prisma: PrismaClient;
  dispatcher: JobDispatcher;
  responder: ConversationResponder;
  sealer: Sealer;
}): SilenceService {
  const { prisma, dispatcher, responder, sealer } = deps;
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
      return dispatcher.transaction(async (tx, jobs) => {
        const conversation = await lockConversation(tx, conversationId, {
          status: "bot",
          silenceDueAt: dueAt,
        });
        if (!conversation) return;
        const messages = await responder.respond(tx, conversation, { type: "silence" }, new Date());
        if (messages.length === 0) return;
        await recordOutbound(tx, jobs, sealer, {
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
