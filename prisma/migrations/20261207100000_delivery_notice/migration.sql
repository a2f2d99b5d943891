-- What became of a counsellor's message (送信中 → 送信済み, or not sent) is announced on
-- `lws_console` when its delivery's status changes, so the console patches the open transcript
-- instead of showing 送信中 until something else makes it fetch again. Only deliveries that carry
-- a counsellor's words are announced (the bot's have no state on the console). Ids, regions and
-- places in the conversation (seq) only, never content.

-- CreateIndex
CREATE INDEX "message_delivery_id_idx" ON "message"("delivery_id");

CREATE OR REPLACE FUNCTION lws_notify_delivery() RETURNS trigger AS $$
DECLARE
  conv RECORD;
BEGIN
  FOR conv IN
    SELECT m.conversation_id, array_agg(m.seq ORDER BY m.seq) AS seqs,
           c.region_id, c.overflow_regions, c.assigned_to_id
      FROM "message" m
      JOIN "conversation" c ON c.id = m.conversation_id
     WHERE m.delivery_id = NEW.id AND m.author = 'counsellor'
     GROUP BY m.conversation_id, c.region_id, c.overflow_regions, c.assigned_to_id
  LOOP
    PERFORM pg_notify('lws_console', json_build_object(
      'type', 'delivery',
      'conversationId', conv.conversation_id,
      'status', NEW.status,
      'seqs', conv.seqs,
      'regionId', conv.region_id,
      'overflowRegions', conv.overflow_regions,
      'assignedToId', conv.assigned_to_id
    )::text);
  END LOOP;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER outbound_delivery_console_notify
AFTER UPDATE OF status ON "outbound_delivery"
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
EXECUTE FUNCTION lws_notify_delivery();
