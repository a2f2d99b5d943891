-- Safety during a counsellor's chat (issue #13, points 7 and 8): her exit word holds the
-- counsellors' messages, she may say when it is safe to contact her, and a risk word in the
-- chat alerts her counsellor and the supervisors with the categories only.

-- AlterTable
ALTER TABLE "conversation" ADD COLUMN     "pushes_held_since" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "outbound_delivery" ADD COLUMN     "not_before" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "person" ADD COLUMN     "contact_times" TEXT;

-- AlterTable
ALTER TABLE "supervisor_alert" ADD COLUMN     "risk_categories" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateIndex
CREATE INDEX "outbound_delivery_status_not_before_idx" ON "outbound_delivery"("status", "not_before");

-- An alert names the counsellor who has the conversation, so that an alert about her chat
-- (risk-in-chat) reaches that counsellor's console as well as the supervisors'.
CREATE OR REPLACE FUNCTION lws_notify_alert() RETURNS trigger AS $$
DECLARE
  conv RECORD;
BEGIN
  SELECT assigned_to_id INTO conv FROM "conversation" WHERE id = NEW.conversation_id;
  PERFORM pg_notify('lws_console', json_build_object(
    'type', 'alert',
    'kind', NEW.kind,
    'conversationId', NEW.conversation_id,
    'regionId', NEW.region_id,
    'overflowRegions', '[]'::json,
    'assignedToId', conv.assigned_to_id
  )::text);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
