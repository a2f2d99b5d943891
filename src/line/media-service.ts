import type { PrismaClient } from "../db/prisma-client";
import type { LineMessenger } from "./line-messenger";

/** LINE keeps what she sends only for a while: images are copied into our own store. */
export const MEDIA_KINDS = ["image", "video", "audio", "file"];

export interface MediaService {
  /** Her messages whose content is still to copy (recent ones; LINE drops old content). */
  pending(limit: number): Promise<string[]>;
  /** Copies one message's content; "retry" when LINE did not answer. Safe to run twice. */
  copy(messageId: string): Promise<"done" | "retry">;
}

export function createMediaService(deps: {
  prisma: PrismaClient;
  messenger: LineMessenger;
}): MediaService {
  const { prisma, messenger } = deps;
  return {
    async pending(limit) {
      const rows = await prisma.message.findMany({
        where: {
          direction: "in",
          kind: { in: MEDIA_KINDS },
          media: null,
          unsentAt: null,
          lineMessageId: { not: null },
          createdAt: { gt: new Date(Date.now() - 24 * 3600_000) },
        },
        take: limit,
        select: { id: true },
      });
      return rows.map((r) => r.id);
    },
    async copy(messageId) {
      const message = await prisma.message.findUnique({
        where: { id: messageId },
        include: { media: true },
      });
      if (!message?.lineMessageId || message.media || message.unsentAt) return "done";
      const result = await messenger.getContent(message.lineMessageId);
      if (result.outcome !== "sent" || !result.content)
        return result.outcome === "retryable" ? "retry" : "done";
      await prisma.messageMedia.upsert({
        where: { messageId },
        create: {
          messageId,
          contentType: result.content.contentType,
          bytes: new Uint8Array(result.content.bytes),
        },
        update: {},
      });
      return "done";
    },
  };
}
