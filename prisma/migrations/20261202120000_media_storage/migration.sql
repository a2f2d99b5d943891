-- Media kept safely (issue #14, point 4): her files are stored in chunks written as LINE's answer
-- streams in (no process holds a whole file), with a size cap; an allow-listed image type, proved
-- by the bytes' magic number, is served inline, anything else as an attachment; unsend removes
-- the content.

-- AlterTable
ALTER TABLE "message_media" ADD COLUMN     "image_type" TEXT,
ADD COLUMN     "size" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'copying';

-- CreateTable
CREATE TABLE "message_media_chunk" (
    "message_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "bytes" BYTEA NOT NULL,

    CONSTRAINT "message_media_chunk_pkey" PRIMARY KEY ("message_id","seq")
);

-- AddForeignKey
ALTER TABLE "message_media_chunk" ADD CONSTRAINT "message_media_chunk_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "message_media"("message_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Content of messages she unsent is not kept.
DELETE FROM "message_media" mm USING "message" m
WHERE m.id = mm.message_id AND m.unsent_at IS NOT NULL;

-- Files copied before: one chunk each, their image type decided as the service now decides it.
INSERT INTO "message_media_chunk" ("message_id", "seq", "bytes")
SELECT "message_id", 0, "bytes" FROM "message_media";

UPDATE "message_media" SET
  "status" = 'stored',
  "size" = length("bytes"),
  "image_type" = CASE
    WHEN split_part(lower("content_type"), ';', 1) IN ('image/jpeg', 'image/jpg')
      AND substring("bytes" from 1 for 3) = '\xffd8ff'::bytea THEN 'image/jpeg'
    WHEN split_part(lower("content_type"), ';', 1) = 'image/png'
      AND substring("bytes" from 1 for 8) = '\x89504e470d0a1a0a'::bytea THEN 'image/png'
    WHEN split_part(lower("content_type"), ';', 1) = 'image/gif'
      AND substring("bytes" from 1 for 6) IN ('GIF87a'::bytea, 'GIF89a'::bytea) THEN 'image/gif'
    WHEN split_part(lower("content_type"), ';', 1) = 'image/webp'
      AND substring("bytes" from 1 for 4) = 'RIFF'::bytea
      AND substring("bytes" from 9 for 4) = 'WEBP'::bytea THEN 'image/webp'
    ELSE NULL
  END;

ALTER TABLE "message_media" DROP COLUMN "bytes";
