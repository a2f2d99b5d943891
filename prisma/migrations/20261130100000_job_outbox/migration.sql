
-- CreateEnum
CREATE TYPE "job_outbox_state" AS ENUM ('pending', 'done', 'dead');

-- CreateTable
CREATE TABLE "job_outbox" (
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "state" "job_outbox_state" NOT NULL DEFAULT 'pending',
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "due_at" TIMESTAMPTZ(3) DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_outbox_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "job_outbox_state_due_at_idx" ON "job_outbox"("state", "due_at");


-- Work stored before the outbox existed (the sweep found it by scanning these tables): written
-- to the outbox once, so nothing pending at the upgrade is left behind.
INSERT INTO "job_outbox" ("key", "name", "payload")
SELECT 'evt-' || "id", 'process-event', jsonb_build_object('eventId', "id"::text)
FROM "webhook_event" WHERE "status" = 'received'
ON CONFLICT DO NOTHING;

INSERT INTO "job_outbox" ("key", "name", "payload")
SELECT 'dlv-' || "id", 'send-delivery', jsonb_build_object('deliveryId', "id")
FROM "outbound_delivery" WHERE "status" = 'pending'
ON CONFLICT DO NOTHING;

INSERT INTO "job_outbox" ("key", "name", "payload")
SELECT 'media-' || m."id", 'copy-media', jsonb_build_object('messageId', m."id")
FROM "message" m
WHERE m."direction" = 'in' AND m."kind" IN ('image', 'video', 'audio', 'file')
  AND m."unsent_at" IS NULL AND m."line_message_id" IS NOT NULL
  AND m."created_at" > now() - interval '24 hours'
  AND NOT EXISTS (SELECT 1 FROM "message_media" mm WHERE mm."message_id" = m."id")
ON CONFLICT DO NOTHING;
