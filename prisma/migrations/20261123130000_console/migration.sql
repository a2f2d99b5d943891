
-- CreateEnum
CREATE TYPE "counsellor_role" AS ENUM ('counsellor', 'supervisor', 'admin');

-- AlterTable
ALTER TABLE "conversation" ADD COLUMN     "assigned_at" TIMESTAMPTZ(3),
ADD COLUMN     "assigned_to_id" UUID,
ADD COLUMN     "closed_by_id" UUID,
ADD COLUMN     "first_response_at" TIMESTAMPTZ(3),
ADD COLUMN     "follow_ups" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "overflow_regions" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "referrals" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "reopened_at" TIMESTAMPTZ(3),
ADD COLUMN     "wait_alerted_at" TIMESTAMPTZ(3),
ADD COLUMN     "wait_told_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "message" ADD COLUMN     "counsellor_id" UUID,
ADD COLUMN     "mark_as_read_token" TEXT,
ADD COLUMN     "read_at" TIMESTAMPTZ(3),
ADD COLUMN     "reply_token" TEXT;

-- CreateTable
CREATE TABLE "counsellor" (
    "id" UUID NOT NULL,
    "login_name" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "counsellor_role" NOT NULL,
    "region_id" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "failed_logins" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "counsellor_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "console_session" (
    "id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "csrf_token" TEXT NOT NULL,
    "counsellor_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "console_session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "conversation_note" (
    "id" UUID NOT NULL,
    "conversation_id" UUID NOT NULL,
    "counsellor_id" UUID NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'note',
    "text" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "conversation_note_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "emergency_record" (
    "id" UUID NOT NULL,
    "conversation_id" UUID NOT NULL,
    "counsellor_id" UUID NOT NULL,
    "desire" BOOLEAN NOT NULL,
    "plan" BOOLEAN NOT NULL,
    "means" BOOLEAN NOT NULL,
    "timeframe" BOOLEAN NOT NULL,
    "decision" TEXT NOT NULL,
    "called_by" TEXT,
    "called_at" TIMESTAMPTZ(3),
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "emergency_record_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "supervisor_alert" (
    "id" UUID NOT NULL,
    "conversation_id" UUID NOT NULL,
    "region_id" TEXT,
    "kind" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledged_at" TIMESTAMPTZ(3),

    CONSTRAINT "supervisor_alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_entry" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "counsellor_id" UUID,
    "action" TEXT NOT NULL,
    "conversation_id" UUID,
    "detail" JSONB,

    CONSTRAINT "audit_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_media" (
    "message_id" UUID NOT NULL,
    "content_type" TEXT NOT NULL,
    "bytes" BYTEA NOT NULL,
    "fetched_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_media_pkey" PRIMARY KEY ("message_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "counsellor_login_name_key" ON "counsellor"("login_name");

-- CreateIndex
CREATE UNIQUE INDEX "console_session_token_hash_key" ON "console_session"("token_hash");

-- CreateIndex
CREATE INDEX "console_session_counsellor_id_idx" ON "console_session"("counsellor_id");

-- CreateIndex
CREATE INDEX "conversation_note_conversation_id_created_at_idx" ON "conversation_note"("conversation_id", "created_at");

-- CreateIndex
CREATE INDEX "emergency_record_conversation_id_idx" ON "emergency_record"("conversation_id");

-- CreateIndex
CREATE INDEX "supervisor_alert_region_id_acknowledged_at_idx" ON "supervisor_alert"("region_id", "acknowledged_at");

-- CreateIndex
CREATE INDEX "audit_entry_at_idx" ON "audit_entry"("at");

-- CreateIndex
CREATE INDEX "audit_entry_conversation_id_idx" ON "audit_entry"("conversation_id");

-- CreateIndex
CREATE INDEX "conversation_assigned_to_id_status_idx" ON "conversation"("assigned_to_id", "status");

-- AddForeignKey
ALTER TABLE "conversation" ADD CONSTRAINT "conversation_assigned_to_id_fkey" FOREIGN KEY ("assigned_to_id") REFERENCES "counsellor"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversation" ADD CONSTRAINT "conversation_closed_by_id_fkey" FOREIGN KEY ("closed_by_id") REFERENCES "counsellor"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message" ADD CONSTRAINT "message_counsellor_id_fkey" FOREIGN KEY ("counsellor_id") REFERENCES "counsellor"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "console_session" ADD CONSTRAINT "console_session_counsellor_id_fkey" FOREIGN KEY ("counsellor_id") REFERENCES "counsellor"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversation_note" ADD CONSTRAINT "conversation_note_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversation_note" ADD CONSTRAINT "conversation_note_counsellor_id_fkey" FOREIGN KEY ("counsellor_id") REFERENCES "counsellor"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "emergency_record" ADD CONSTRAINT "emergency_record_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "emergency_record" ADD CONSTRAINT "emergency_record_counsellor_id_fkey" FOREIGN KEY ("counsellor_id") REFERENCES "counsellor"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "supervisor_alert" ADD CONSTRAINT "supervisor_alert_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_entry" ADD CONSTRAINT "audit_entry_counsellor_id_fkey" FOREIGN KEY ("counsellor_id") REFERENCES "counsellor"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_media" ADD CONSTRAINT "message_media_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "message"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

