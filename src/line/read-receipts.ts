import type { PrismaClient } from "../db/prisma-client";
import type { LineMessenger } from "./line-messenger";

/**
 * 既読 on her phone only once a counsellor has opened her messages: LINE marks everything up
 * to the message whose token we send, so the newest read message's token is enough.
 */
export function createReadReceipts(deps: { prisma: PrismaClient; messenger: LineMessenger }) {
  return {
    async markRead(conversationId: string): Promise<"done" | "retry"> {
      const latest = await deps.prisma.message.findFirst({
        where: {
          conversationId,
          direction: "in",
          readAt: { not: null },
          markAsReadToken: { not: null },
        },
        orderBy: { sentAt: "desc" },
      });
      if (!latest?.markAsReadToken) return "done";
      const result = await deps.messenger.markAsRead(latest.markAsReadToken);
      return result.outcome === "retryable" ? "retry" : "done";
    },
  };
}

export type ReadReceipts = ReturnType<typeof createReadReceipts>;
