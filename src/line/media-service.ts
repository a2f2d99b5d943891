import type { PrismaClient } from "../db/prisma-client";
import type { MediaStore } from "../media/media-store";
import type { LineMessenger } from "./line-messenger";

/** LINE keeps what she sends only for a while: images are copied into our own store. */
export const MEDIA_KINDS = ["image", "video", "audio", "file"];

export interface MediaService {
  /** Copies one message's content; "retry" when LINE did not answer. Safe to run twice. */
  copy(messageId: string): Promise<"done" | "retry">;
  /** Every attempt is used up with LINE never answering: the console stops waiting for it. */
  giveUp(messageId: string): Promise<void>;
}

/**
 * Streams her file from LINE into the store as it arrives, up to `maxBytes`: over the cap the
 * download stops, nothing of it is kept and the console says the file was too large to keep
 * (her message itself is in the queue like any other).
 */
export function createMediaService(deps: {
  prisma: PrismaClient;
  messenger: LineMessenger;
  store: MediaStore;
  maxBytes: number;
}): MediaService {
  const { prisma, messenger, store, maxBytes } = deps;
  return {
    async copy(messageId) {
      const message = await prisma.message.findUnique({
        where: { id: messageId },
        select: { lineMessageId: true, unsentAt: true, media: { select: { status: true } } },
      });
      if (!message?.lineMessageId || message.unsentAt) return "done";
      if (message.media && message.media.status !== "copying") return "done";
      const result = await messenger.getContent(message.lineMessageId);
      if (result.outcome === "retryable") return "retry";
      if (result.outcome !== "sent" || !result.content) {
        await store.unavailable(messageId);
        return "done";
      }
      const { content } = result;
      if (content.length !== undefined && content.length > maxBytes) {
        await content.cancel();
        await store.tooLarge(messageId, content.contentType, content.length);
        return "done";
      }
      const writer = await store.begin(messageId, content.contentType);
      if (!writer) {
        await content.cancel();
        return "done";
      }
      // Leaving the loop (return) cancels the download.
      for await (const piece of content.pieces) {
        if (writer.size + piece.byteLength > maxBytes) {
          await store.tooLarge(messageId, content.contentType, writer.size + piece.byteLength);
          return "done";
        }
        if (!(await writer.write(piece))) return "done";
      }
      await writer.finish();
      return "done";
    },
    giveUp: (messageId) => store.unavailable(messageId),
  };
}
