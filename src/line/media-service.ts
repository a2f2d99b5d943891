import type { PrismaClient } from "../db/prisma-client";
import type { LineMessenger } from "./line-messenger";

/** LINE keeps what she sends only for a while: images are copied into our own store. */
export const MEDIA_KINDS = ["image", "video", "audio", "file"];

export interface MediaService {
  /** Copies one message's content; "retry" when LINE did not answer. Safe to run twice. */
  copy(messageId: string): Promise<"done" | "retry">;
}

export function createMediaService(deps: {
  prisma: PrismaClient;
  messenger: LineMessenger;
}): MediaService {
  const { prisma, messenger } = deps;
  return {
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
