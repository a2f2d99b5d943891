import type { PrismaClient, Tx } from "../db/prisma-client";
import type { Sealer } from "../privacy/sealer";
import { inlineImageType, MAGIC_BYTES } from "./media-type";

/**
 * Her files in our own store: the one home for what is kept of them and when it goes.
 * A file is written as chunks while LINE's answer streams in and read back chunk by chunk, so
 * neither the worker nor the web process holds a whole file. Each chunk is sealed on its own
 * (AES-256-GCM, src/privacy/sealer.ts), so it is opened as it is read.
 */
export const CHUNK_BYTES = 256 * 1024;

export interface MediaWriter {
  /** Adds the next piece LINE sent; false when the file was removed meanwhile (she unsent it). */
  write(piece: Uint8Array): Promise<boolean>;
  /** Bytes taken so far. */
  readonly size: number;
  /** Writes what is left; "unsent" when she unsent the message meanwhile (nothing is kept). */
  finish(): Promise<"stored" | "unsent">;
}

export interface MediaStore {
  /**
   * Starts (again) the copy of one message's file, dropping any chunk an interrupted copy left;
   * undefined when the message is unsent or its file is already settled (stored, too large).
   */
  begin(messageId: string, declaredType: string): Promise<MediaWriter | undefined>;
  /** The file was over the cap: nothing of it is kept, the console says so. */
  tooLarge(messageId: string, declaredType: string, size: number): Promise<void>;
  /**
   * LINE refused to give the file (gone from its side, or refused for good) or never answered
   * through every attempt: nothing is kept, and the console says so instead of waiting for it.
   */
  unavailable(messageId: string): Promise<void>;
}

export function createMediaStore(prisma: PrismaClient, sealer: Sealer): MediaStore {
  return {
    async begin(messageId, declaredType) {
      const message = await prisma.message.findUnique({
        where: { id: messageId },
        select: { unsentAt: true, media: { select: { status: true } } },
      });
      if (!message || message.media?.status === "stored" || message.media?.status === "too_large")
        return undefined;
      if (message.unsentAt) {
        // An interrupted copy may have left chunks before her unsend: they go too.
        await prisma.$transaction((tx) => removeMedia(tx, [messageId]));
        return undefined;
      }
      await prisma.$transaction([
        prisma.messageMediaChunk.deleteMany({ where: { messageId } }),
        prisma.messageMedia.upsert({
          where: { messageId },
          create: { messageId, contentType: declaredType, status: "copying" },
          update: { contentType: declaredType, status: "copying", size: 0, imageType: null },
        }),
      ]);
      return chunkWriter(prisma, sealer, messageId, declaredType);
    },

    tooLarge: (messageId, declaredType, size) =>
      keepNothing(prisma, messageId, { status: "too_large", contentType: declaredType, size }),

    async unavailable(messageId) {
      const media = await prisma.messageMedia.findUnique({ where: { messageId } });
      // A file stored or found too large stays so: a late failure of another try changes nothing.
      if (media && media.status !== "copying") return;
      await keepNothing(prisma, messageId, {
        status: "unavailable",
        contentType: media?.contentType ?? "application/octet-stream",
        size: 0,
      });
    },
  };
}

/** Settles her file with nothing of it kept (unless she unsent it meanwhile: then it goes). */
async function keepNothing(
  prisma: PrismaClient,
  messageId: string,
  settled: { status: "too_large" | "unavailable"; contentType: string; size: number },
) {
  await prisma.$transaction(async (tx) => {
    if (await lockedUnsent(tx, messageId)) return removeMedia(tx, [messageId]);
    await tx.messageMediaChunk.deleteMany({ where: { messageId } });
    await tx.messageMedia.upsert({
      where: { messageId },
      create: { messageId, ...settled },
      update: { status: settled.status, size: settled.size, imageType: null },
    });
  });
}

/** A stored file's chunks, in order, one row read at a time. */
export async function* mediaChunks(
  prisma: PrismaClient,
  sealer: Sealer,
  messageId: string,
): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const chunk = await prisma.messageMediaChunk.findUnique({
      where: { messageId_seq: { messageId, seq } },
      select: { bytes: true },
    });
    if (!chunk) return;
    yield sealer.openBytes(chunk.bytes);
  }
}

function chunkWriter(
  prisma: PrismaClient,
  sealer: Sealer,
  messageId: string,
  declaredType: string,
): MediaWriter {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let seq = 0;
  let size = 0;
  let head: Buffer | undefined;

  /** Inserts only while the copy is still wanted: her unsend removes the file row. */
  async function flush(): Promise<boolean> {
    if (pendingBytes === 0) return true;
    const bytes = Buffer.concat(pending, pendingBytes);
    head ??= bytes.subarray(0, MAGIC_BYTES);
    pending = [];
    pendingBytes = 0;
    try {
      const inserted = await prisma.$executeRaw`
        INSERT INTO message_media_chunk (message_id, seq, bytes)
        SELECT ${messageId}::uuid, ${seq}, ${Buffer.from(sealer.sealBytes(bytes).buffer)}
        WHERE EXISTS (SELECT 1 FROM message_media WHERE message_id = ${messageId}::uuid
                      AND status = 'copying')`;
      seq++;
      return inserted === 1;
    } catch (error) {
      // The file row went between the check and the insert (her unsend): nothing more to keep.
      const gone = !(await prisma.messageMedia.findUnique({ where: { messageId } }));
      if (gone) return false;
      throw error;
    }
  }

  return {
    get size() {
      return size;
    },
    async write(piece) {
      pending.push(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
      pendingBytes += piece.byteLength;
      size += piece.byteLength;
      return pendingBytes >= CHUNK_BYTES ? flush() : true;
    },
    async finish() {
      if (!(await flush())) return "unsent";
      return prisma.$transaction(async (tx) => {
        // Her unsend and this end of the copy are ordered by the message's row lock.
        if (await lockedUnsent(tx, messageId)) {
          await removeMedia(tx, [messageId]);
          return "unsent" as const;
        }
        const updated = await tx.messageMedia.updateMany({
          where: { messageId, status: "copying" },
          data: {
            status: "stored",
            size,
            imageType: inlineImageType(declaredType, head ?? new Uint8Array()),
            fetchedAt: new Date(),
          },
        });
        return updated.count === 1 ? ("stored" as const) : ("unsent" as const);
      });
    },
  };
}

async function lockedUnsent(tx: Tx, messageId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ unsent_at: Date | null }[]>`
    SELECT unsent_at FROM message WHERE id = ${messageId}::uuid FOR UPDATE`;
  return rows[0]?.unsent_at !== null;
}

/** She unsent these messages: their files go (chunks with them), in the caller's transaction. */
export async function removeMedia(tx: Tx, messageIds: string[]): Promise<void> {
  if (messageIds.length > 0)
    await tx.messageMedia.deleteMany({ where: { messageId: { in: messageIds } } });
}
