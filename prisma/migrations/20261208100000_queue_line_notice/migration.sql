-- A notice of her words now carries her line of the queue (preview, unread count), and the
-- consoles patch their queue from it instead of fetching it again. So every other change to what
-- the queue shows of her needs a notice of its own: her risk categories (a new one while her
-- risk is already high), her topics, where and since when she waits, who has her, and when. And
-- only a change: an UPDATE that writes a column's old value again is no news.

DROP TRIGGER conversation_console_notify ON "conversation";

CREATE TRIGGER conversation_console_notify
AFTER INSERT ON "conversation" FOR EACH ROW EXECUTE FUNCTION lws_notify_conversation();

CREATE TRIGGER conversation_console_notify_change
AFTER UPDATE OF status, region_id, assigned_to_id, assigned_at, risk_level, risk_categories,
  topics, overflow_regions, serving_region_id, waiting_since, out_of_hours
ON "conversation" FOR EACH ROW
WHEN (
  OLD.status IS DISTINCT FROM NEW.status
  OR OLD.region_id IS DISTINCT FROM NEW.region_id
  OR OLD.assigned_to_id IS DISTINCT FROM NEW.assigned_to_id
  OR OLD.assigned_at IS DISTINCT FROM NEW.assigned_at
  OR OLD.risk_level IS DISTINCT FROM NEW.risk_level
  OR OLD.risk_categories IS DISTINCT FROM NEW.risk_categories
  OR OLD.topics IS DISTINCT FROM NEW.topics
  OR OLD.overflow_regions IS DISTINCT FROM NEW.overflow_regions
  OR OLD.serving_region_id IS DISTINCT FROM NEW.serving_region_id
  OR OLD.waiting_since IS DISTINCT FROM NEW.waiting_since
  OR OLD.out_of_hours IS DISTINCT FROM NEW.out_of_hours
)
EXECUTE FUNCTION lws_notify_conversation();

-- A message notice says which message (its place, `seq`): the open conversation fetches only
-- the messages after the last it shows, and the whole view when the notice is about one it
-- already shows (she unsent it).
CREATE OR REPLACE FUNCTION lws_notify_message() RETURNS trigger AS $$
DECLARE
  conv RECORD;
BEGIN
  SELECT region_id, overflow_regions, status, assigned_to_id INTO conv
    FROM "conversation" WHERE id = NEW.conversation_id;
  IF conv.status IN ('waiting', 'active') THEN
    PERFORM pg_notify('lws_console', json_build_object(
      'type', 'message',
      'conversationId', NEW.conversation_id,
      'direction', NEW.direction,
      'seq', NEW.seq,
      'regionId', conv.region_id,
      'overflowRegions', conv.overflow_regions,
      'assignedToId', conv.assigned_to_id
    )::text);
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
