-- Working a shift and supervision (issue #17, points 2 and 4): a counsellor's own canned
-- replies, a supervisor's whisper to the counsellor who has her, and alerts that name the
-- emergency's decision and who acknowledged them. Notes and whispers are announced live.

-- AlterTable
ALTER TABLE "conversation_note" ADD COLUMN     "to_counsellor_id" UUID;

-- AlterTable
ALTER TABLE "supervisor_alert" ADD COLUMN     "acknowledged_by_id" UUID,
ADD COLUMN     "emergency_id" UUID;

-- CreateTable
CREATE TABLE "canned_reply" (
    "id" UUID NOT NULL,
    "counsellor_id" UUID NOT NULL,
    "text" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "canned_reply_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "canned_reply_counsellor_id_idx" ON "canned_reply"("counsellor_id");

-- AddForeignKey
ALTER TABLE "conversation_note" ADD CONSTRAINT "conversation_note_to_counsellor_id_fkey" FOREIGN KEY ("to_counsellor_id") REFERENCES "counsellor"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "canned_reply" ADD CONSTRAINT "canned_reply_counsellor_id_fkey" FOREIGN KEY ("counsellor_id") REFERENCES "counsellor"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "supervisor_alert" ADD CONSTRAINT "supervisor_alert_acknowledged_by_id_fkey" FOREIGN KEY ("acknowledged_by_id") REFERENCES "counsellor"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- A note (or a whisper) is announced on the console's one channel, with the counsellor who has
-- the conversation and the whisper's counsellor, so that it shows at once on both screens.
CREATE OR REPLACE FUNCTION lws_notify_note() RETURNS trigger AS $$
DECLARE
  conv RECORD;
BEGIN
  SELECT region_id, overflow_regions, assigned_to_id INTO conv
    FROM "conversation" WHERE id = NEW.conversation_id;
  PERFORM pg_notify('lws_console', json_build_object(
    'type', 'note',
    'kind', NEW.kind,
    'conversationId', NEW.conversation_id,
    'regionId', conv.region_id,
    'overflowRegions', conv.overflow_regions,
    'assignedToId', conv.assigned_to_id,
    'toCounsellorId', NEW.to_counsellor_id
  )::text);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER conversation_note_notify AFTER INSERT ON "conversation_note"
  FOR EACH ROW EXECUTE FUNCTION lws_notify_note();
