-- A message notice says which way the message went: her words ('in') change what the queue
-- shows of her (the preview line, the unread count); a message to her ('out': the bot's or a
-- counsellor's) changes nothing there, so the consoles need not fetch their queue again for it.

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
      'regionId', conv.region_id,
      'overflowRegions', conv.overflow_regions,
      'assignedToId', conv.assigned_to_id
    )::text);
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
