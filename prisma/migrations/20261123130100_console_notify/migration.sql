-- Live console updates: every change a console must show is announced on the channel
-- `lws_console` by the database itself, on commit, whichever process (web or worker) made it.
-- Payloads carry ids and regions only, never content.

CREATE OR REPLACE FUNCTION lws_notify_conversation() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('lws_console', json_build_object(
    'type', 'queue',
    'conversationId', NEW.id,
    'regionId', NEW.region_id,
    'overflowRegions', NEW.overflow_regions
  )::text);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER conversation_console_notify
AFTER INSERT OR UPDATE OF status, region_id, assigned_to_id, risk_level, overflow_regions
ON "conversation" FOR EACH ROW EXECUTE FUNCTION lws_notify_conversation();

CREATE OR REPLACE FUNCTION lws_notify_message() RETURNS trigger AS $$
DECLARE
  conv RECORD;
BEGIN
  SELECT region_id, overflow_regions, status INTO conv FROM "conversation" WHERE id = NEW.conversation_id;
  IF conv.status IN ('waiting', 'active') THEN
    PERFORM pg_notify('lws_console', json_build_object(
      'type', 'message',
      'conversationId', NEW.conversation_id,
      'regionId', conv.region_id,
      'overflowRegions', conv.overflow_regions
    )::text);
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER message_console_notify
AFTER INSERT OR UPDATE OF unsent_at ON "message"
FOR EACH ROW EXECUTE FUNCTION lws_notify_message();

CREATE OR REPLACE FUNCTION lws_notify_alert() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('lws_console', json_build_object(
    'type', 'alert',
    'kind', NEW.kind,
    'conversationId', NEW.conversation_id,
    'regionId', NEW.region_id,
    'overflowRegions', '[]'::json
  )::text);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER supervisor_alert_console_notify
AFTER INSERT ON "supervisor_alert" FOR EACH ROW EXECUTE FUNCTION lws_notify_alert();
