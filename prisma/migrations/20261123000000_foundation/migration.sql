
-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "webhook_event_status" AS ENUM ('received', 'processed', 'ignored', 'failed');

-- CreateEnum
CREATE TYPE "conversation_status" AS ENUM ('bot', 'waiting', 'active', 'closed', 'abandoned');

-- CreateEnum
CREATE TYPE "message_direction" AS ENUM ('in', 'out');

-- CreateEnum
CREATE TYPE "delivery_status" AS ENUM ('pending', 'sent', 'failed', 'skipped');

-- CreateTable
CREATE TABLE "person" (
    "id" UUID NOT NULL,
    "line_user_hash" TEXT NOT NULL,
    "line_user_id_enc" BYTEA NOT NULL,
    "pseudonym" TEXT NOT NULL,
    "reachable" BOOLEAN NOT NULL DEFAULT true,
    "followed_at" TIMESTAMPTZ(3),
    "unfollowed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "person_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_event" (
    "id" BIGSERIAL NOT NULL,
    "webhook_event_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "is_redelivery" BOOLEAN NOT NULL,
    "source_key" TEXT,
    "event_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "payload_enc" BYTEA NOT NULL,
    "status" "webhook_event_status" NOT NULL DEFAULT 'received',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "processed_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "conversation" (
    "id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "status" "conversation_status" NOT NULL DEFAULT 'bot',
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_message_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "conversation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message" (
    "id" UUID NOT NULL,
    "conversation_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "direction" "message_direction" NOT NULL,
    "author" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "text" TEXT,
    "line_message_id" TEXT,
    "webhook_event_id" BIGINT,
    "delivery_id" UUID,
    "sent_at" TIMESTAMPTZ(3) NOT NULL,
    "unsent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbound_delivery" (
    "id" UUID NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "person_id" UUID NOT NULL,
    "payload" JSONB NOT NULL,
    "reply_token" TEXT,
    "reply_token_at" TIMESTAMPTZ(3),
    "retry_key" UUID NOT NULL,
    "status" "delivery_status" NOT NULL DEFAULT 'pending',
    "method" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_status_code" INTEGER,
    "line_request_id" TEXT,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbound_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "person_line_user_hash_key" ON "person"("line_user_hash");

-- CreateIndex
CREATE UNIQUE INDEX "person_pseudonym_key" ON "person"("pseudonym");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_event_webhook_event_id_key" ON "webhook_event"("webhook_event_id");

-- CreateIndex
CREATE INDEX "webhook_event_status_received_at_idx" ON "webhook_event"("status", "received_at");

-- CreateIndex
CREATE INDEX "webhook_event_source_key_status_event_at_idx" ON "webhook_event"("source_key", "status", "event_at");

-- CreateIndex
CREATE INDEX "conversation_person_id_started_at_idx" ON "conversation"("person_id", "started_at");

-- CreateIndex
CREATE INDEX "conversation_status_idx" ON "conversation"("status");

-- CreateIndex
CREATE UNIQUE INDEX "message_line_message_id_key" ON "message"("line_message_id");

-- CreateIndex
CREATE INDEX "message_conversation_id_sent_at_idx" ON "message"("conversation_id", "sent_at");

-- CreateIndex
CREATE UNIQUE INDEX "outbound_delivery_dedupe_key_key" ON "outbound_delivery"("dedupe_key");

-- CreateIndex
CREATE UNIQUE INDEX "outbound_delivery_retry_key_key" ON "outbound_delivery"("retry_key");

-- CreateIndex
CREATE INDEX "outbound_delivery_status_created_at_idx" ON "outbound_delivery"("status", "created_at");

-- AddForeignKey
ALTER TABLE "conversation" ADD CONSTRAINT "conversation_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message" ADD CONSTRAINT "message_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message" ADD CONSTRAINT "message_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message" ADD CONSTRAINT "message_webhook_event_id_fkey" FOREIGN KEY ("webhook_event_id") REFERENCES "webhook_event"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message" ADD CONSTRAINT "message_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "outbound_delivery"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outbound_delivery" ADD CONSTRAINT "outbound_delivery_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

