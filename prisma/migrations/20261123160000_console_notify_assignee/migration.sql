-- A message notice names the counsellor who has the conversation, so that a web process sends
-- it only to the consoles that show it: that counsellor, supervisors and admins, and everyone
-- of the region while she is still waiting. With ten counsellors on duty in a region, a message
-- was written to ten event streams (and fetched again by ten queue views) for one reader.

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
      'regionId', conv.region_id,
      'overflowRegions', conv.overflow_regions,
      'assignedToId', conv.assigned_to_id
    )::text);
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
