-- AlterTable
ALTER TABLE "audit_entry" ADD COLUMN     "chain_seq" BIGINT,
ADD COLUMN     "hash" BYTEA,
ADD COLUMN     "prev_hash" BYTEA;

-- CreateTable
CREATE TABLE "audit_chain_restart" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removed_before" TIMESTAMPTZ(3) NOT NULL,
    "removed_count" INTEGER NOT NULL,
    "restart_seq" BIGINT NOT NULL,
    "restart_prev_hash" BYTEA NOT NULL,

    CONSTRAINT "audit_chain_restart_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "audit_entry_chain_seq_key" ON "audit_entry"("chain_seq");

-- The audit log shows tampering (src/audit/audit-chain.ts reads the same canonical form).
--
-- A row's canonical content: its chain place, id, time (epoch milliseconds), who, action,
-- conversation and detail (jsonb's own text), joined by the unit separator (0x1f; none of these
-- can hold one: jsonb escapes control characters), '-' for a null. Its hash is
-- SHA-256(prev_hash || content); prev_hash is the hash of the row before it in the chain.
CREATE FUNCTION audit_entry_content(e "audit_entry") RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
  SELECT convert_to(concat_ws(chr(31),
    e.chain_seq::text,
    e.id::text,
    (extract(epoch FROM e.at) * 1000)::bigint::text,
    coalesce(e.counsellor_id::text, '-'),
    e.action,
    coalesce(e.conversation_id::text, '-'),
    coalesce(e.detail::text, '-')), 'UTF8')
$$;

-- The rows already written form the start of the chain, in the order they were written.
DO $$
DECLARE
  r "audit_entry";
  h bytea := decode(repeat('00', 32), 'hex');
  n bigint := 0;
BEGIN
  FOR r IN SELECT * FROM "audit_entry" ORDER BY id LOOP
    n := n + 1;
    r.chain_seq := n;
    UPDATE "audit_entry"
      SET chain_seq = n, prev_hash = h, hash = sha256(h || audit_entry_content(r))
      WHERE id = r.id
      RETURNING hash INTO h;
  END LOOP;
END $$;

-- A row may not come with its own place or hash: the chain gives them.
CREATE FUNCTION audit_entry_unchained() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.chain_seq := NULL;
  NEW.prev_hash := NULL;
  NEW.hash := NULL;
  RETURN NEW;
END $$;

CREATE TRIGGER audit_entry_unchained BEFORE INSERT ON "audit_entry"
  FOR EACH ROW EXECUTE FUNCTION audit_entry_unchained();

-- Chains each new row when its transaction commits (deferred): under one transaction-level
-- advisory lock (class 1635, key 1) it reads the head of the chain, committed by the previous
-- holder, and links after it. Held only while committing, so writers never fork the chain and
-- never wait on each other's row locks while holding it. The unique chain_seq is the backstop.
CREATE FUNCTION audit_entry_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  r "audit_entry";
  head_seq bigint;
  head_hash bytea;
BEGIN
  PERFORM pg_advisory_xact_lock(1635, 1);
  SELECT * INTO r FROM "audit_entry" WHERE id = NEW.id;
  IF NOT FOUND OR r.hash IS NOT NULL THEN
    RETURN NULL;
  END IF;
  SELECT chain_seq, hash INTO head_seq, head_hash
    FROM "audit_entry" WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1;
  IF head_seq IS NULL THEN
    -- Retention removed every row: the chain goes on from where it restarts.
    SELECT restart_seq - 1, restart_prev_hash INTO head_seq, head_hash
      FROM "audit_chain_restart" ORDER BY id DESC LIMIT 1;
  END IF;
  r.chain_seq := coalesce(head_seq, 0) + 1;
  r.prev_hash := coalesce(head_hash, decode(repeat('00', 32), 'hex'));
  PERFORM set_config('audit.chain_fill', 'on', true);
  UPDATE "audit_entry"
    SET chain_seq = r.chain_seq, prev_hash = r.prev_hash,
        hash = sha256(r.prev_hash || audit_entry_content(r))
    WHERE id = r.id;
  PERFORM set_config('audit.chain_fill', 'off', true);
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER audit_entry_chain AFTER INSERT ON "audit_entry"
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION audit_entry_chain();

-- Append-only. The two ways through: the chain trigger above filling a new row's place and
-- hash (nothing else may change), and pruneAuditBefore (src/audit/audit-retention.ts) removing
-- the rows before the chain's restart, which it records in audit_chain_restart.
CREATE FUNCTION audit_entry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND current_setting('audit.chain_fill', true) = 'on'
     AND OLD.hash IS NULL
     AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.action = OLD.action
     AND NEW.counsellor_id IS NOT DISTINCT FROM OLD.counsellor_id
     AND NEW.conversation_id IS NOT DISTINCT FROM OLD.conversation_id
     AND NEW.detail IS NOT DISTINCT FROM OLD.detail THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE'
     AND OLD.chain_seq < coalesce(nullif(current_setting('audit.prune_below', true), '')::bigint, 0) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON "audit_entry"
  FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();

CREATE FUNCTION audit_refuse_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON "audit_entry"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();

-- Where the chain restarts is kept for good: never changed, never removed.
CREATE FUNCTION audit_chain_restart_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_chain_restart is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_chain_restart_append_only BEFORE UPDATE OR DELETE ON "audit_chain_restart"
  FOR EACH ROW EXECUTE FUNCTION audit_chain_restart_append_only();

CREATE TRIGGER audit_chain_restart_no_truncate BEFORE TRUNCATE ON "audit_chain_restart"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
