-- On-call (src/oncall/): console accounts get an e-mail address, a roster of who is on call for
-- which region and when, and the notifications sent to them (webhook and e-mail) about
-- high-risk conversations at night, on holidays, or waiting too long. Ids and codes only.

-- AlterTable
ALTER TABLE "counsellor" ADD COLUMN     "email" TEXT;

-- CreateTable
CREATE TABLE "on_call_shift" (
    "id" UUID NOT NULL,
    "counsellor_id" UUID NOT NULL,
    "region_id" TEXT,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "priority" SMALLINT NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "on_call_shift_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "on_call_notification" (
    "id" UUID NOT NULL,
    "conversation_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "region_id" TEXT,
    "risk_categories" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "mail_to_id" UUID,
    "mail_sent_at" TIMESTAMPTZ(3),
    "webhook_sent_at" TIMESTAMPTZ(3),
    "gave_up_at" TIMESTAMPTZ(3),
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_by_id" UUID,

    CONSTRAINT "on_call_notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "on_call_shift_starts_at_ends_at_idx" ON "on_call_shift"("starts_at", "ends_at");

-- CreateIndex
CREATE INDEX "on_call_notification_acknowledged_at_created_at_idx" ON "on_call_notification"("acknowledged_at", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "on_call_notification_conversation_id_kind_key" ON "on_call_notification"("conversation_id", "kind");

-- AddForeignKey
ALTER TABLE "on_call_shift" ADD CONSTRAINT "on_call_shift_counsellor_id_fkey" FOREIGN KEY ("counsellor_id") REFERENCES "counsellor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "on_call_shift" ADD CONSTRAINT "on_call_shift_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "counsellor"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "on_call_notification" ADD CONSTRAINT "on_call_notification_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "on_call_notification" ADD CONSTRAINT "on_call_notification_mail_to_id_fkey" FOREIGN KEY ("mail_to_id") REFERENCES "counsellor"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "on_call_notification" ADD CONSTRAINT "on_call_notification_acknowledged_by_id_fkey" FOREIGN KEY ("acknowledged_by_id") REFERENCES "counsellor"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- A new on-call notification is announced to the consoles like a supervisor alert (same
-- columns: kind, conversation_id, region_id), so the on-call list updates live.
CREATE TRIGGER on_call_notification_console_notify
AFTER INSERT ON "on_call_notification" FOR EACH ROW EXECUTE FUNCTION lws_notify_alert();
