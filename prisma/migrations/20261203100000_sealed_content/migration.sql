-- Her words at rest (issue #15): message texts, notes, emergency notes, the LINE messages as
-- sent, the stored console answers and her files become sealed bytes (AES-256-GCM, src/privacy/
-- sealer.ts). The key is not in the database, so what is stored in clear now is only marked:
-- a 00 byte before its UTF-8 bytes, which the sealer reads as "not yet sealed". Run
-- `npm run admin -- rotate-key` once after this migration: it seals every such value.

ALTER TABLE "message" RENAME COLUMN "text" TO "text_enc";
ALTER TABLE "message" ALTER COLUMN "text_enc" TYPE BYTEA
  USING ('\x00'::bytea || convert_to("text_enc", 'UTF8'));

ALTER TABLE "conversation_note" RENAME COLUMN "text" TO "text_enc";
ALTER TABLE "conversation_note" ALTER COLUMN "text_enc" TYPE BYTEA
  USING ('\x00'::bytea || convert_to("text_enc", 'UTF8'));

ALTER TABLE "emergency_record" RENAME COLUMN "note" TO "note_enc";
ALTER TABLE "emergency_record" ALTER COLUMN "note_enc" TYPE BYTEA
  USING ('\x00'::bytea || convert_to("note_enc", 'UTF8'));

ALTER TABLE "outbound_delivery" RENAME COLUMN "payload" TO "payload_enc";
ALTER TABLE "outbound_delivery" ALTER COLUMN "payload_enc" TYPE BYTEA
  USING ('\x00'::bytea || convert_to("payload_enc"::text, 'UTF8'));

ALTER TABLE "idempotency_key" RENAME COLUMN "response_body" TO "response_body_enc";
ALTER TABLE "idempotency_key" ALTER COLUMN "response_body_enc" TYPE BYTEA
  USING ('\x00'::bytea || convert_to("response_body_enc", 'UTF8'));

-- PostgreSQL 18 names NOT NULL constraints after their column: renamed with it.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'conversation_note_text_not_null') THEN
    ALTER TABLE "conversation_note"
      RENAME CONSTRAINT "conversation_note_text_not_null" TO "conversation_note_text_enc_not_null";
  END IF;
  IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'outbound_delivery_payload_not_null') THEN
    ALTER TABLE "outbound_delivery"
      RENAME CONSTRAINT "outbound_delivery_payload_not_null" TO "outbound_delivery_payload_enc_not_null";
  END IF;
END $$;

UPDATE "message_media_chunk" SET "bytes" = '\x00'::bytea || "bytes";

-- Agencies typed at close that are not one of the preset's referral cards: sealed here by the
-- service from now on, counted as その他. Those typed before stay in `referrals` as they are.
ALTER TABLE "conversation" ADD COLUMN "referrals_other_enc" BYTEA;
