
-- CreateTable
CREATE TABLE "consultation_entry" (
    "id" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "region_id" TEXT NOT NULL,
    "person_id" UUID,
    "case_ref" TEXT,
    "first_contact" BOOLEAN,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_minutes" INTEGER,
    "topics" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "age_band" TEXT,
    "referrals" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "follow_ups" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "risk_level" TEXT NOT NULL DEFAULT 'none',
    "counsellor_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "consultation_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stats_fact" (
    "id" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "local_date" DATE NOT NULL,
    "month" TEXT NOT NULL,
    "hour" SMALLINT NOT NULL,
    "weekday" SMALLINT NOT NULL,
    "region_id" TEXT,
    "topics" TEXT[],
    "age_band" TEXT,
    "counted" BOOLEAN NOT NULL,
    "status" TEXT NOT NULL,
    "handed" BOOLEAN NOT NULL,
    "blocked" BOOLEAN NOT NULL,
    "she_wrote" BOOLEAN NOT NULL,
    "wait_minutes" DOUBLE PRECISION,
    "response_minutes" DOUBLE PRECISION,
    "person_key" UUID NOT NULL,
    "person_id" UUID,
    "case_ref" TEXT,
    "first_contact" BOOLEAN,
    "referrals" TEXT[],
    "follow_ups" TEXT[],
    "risk_level" TEXT NOT NULL,
    "counsellor_id" UUID,
    "awareness" TEXT,
    "person_first_at" TIMESTAMPTZ(3),

    CONSTRAINT "stats_fact_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "consultation_entry_started_at_idx" ON "consultation_entry"("started_at");

-- CreateIndex
CREATE INDEX "consultation_entry_person_id_started_at_idx" ON "consultation_entry"("person_id", "started_at");

-- CreateIndex
CREATE INDEX "consultation_entry_region_id_case_ref_started_at_idx" ON "consultation_entry"("region_id", "case_ref", "started_at");

-- CreateIndex
CREATE INDEX "stats_fact_started_at_idx" ON "stats_fact"("started_at");

-- CreateIndex
CREATE INDEX "stats_fact_person_key_started_at_idx" ON "stats_fact"("person_key", "started_at");

-- CreateIndex
CREATE INDEX "conversation_started_at_idx" ON "conversation"("started_at");

-- ---------------------------------------------------------------------------------------------
-- Statistics facts (src/stats/COUNTING.md, "How the figures are kept"). Written by hand: Prisma
-- does not model functions or triggers. The tables above are declared in schema.prisma.
-- ---------------------------------------------------------------------------------------------

-- The fact row of one conversation: the one place where a LINE session's counting is defined.
CREATE FUNCTION stats_fact_of_conversation(cv conversation) RETURNS stats_fact
LANGUAGE sql STABLE AS $$
  SELECT ROW(
    cv.id, 'line', cv.started_at,
    (cv.started_at AT TIME ZONE 'Asia/Tokyo')::date,
    to_char(cv.started_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM'),
    extract(hour FROM cv.started_at AT TIME ZONE 'Asia/Tokyo')::smallint,
    extract(isodow FROM cv.started_at AT TIME ZONE 'Asia/Tokyo')::smallint,
    cv.region_id, cv.topics, cv.age_band,
    cv.first_response_at IS NOT NULL,
    cv.status::text,
    cv.waiting_since IS NOT NULL,
    cv.end_reason IS NOT DISTINCT FROM 'blocked',
    EXISTS (SELECT 1 FROM message m WHERE m.conversation_id = cv.id AND m.direction = 'in'),
    CASE WHEN cv.first_response_at >= cv.waiting_since
      THEN (extract(epoch FROM cv.first_response_at - cv.waiting_since) / 60)::float8 END,
    (extract(epoch FROM cv.first_response_at - cv.started_at) / 60)::float8,
    cv.person_id, cv.person_id, NULL::text, NULL::boolean,
    cv.referrals, cv.follow_ups, cv.risk_level,
    COALESCE(cv.closed_by_id, cv.assigned_to_id),
    cv.triage_answers ->> 'awareness', NULL::timestamptz
  )::stats_fact
$$;

-- The fact row of one other-channel entry. Person: her LINE person, else region + case number,
-- else the entry itself.
CREATE FUNCTION stats_fact_of_entry(e consultation_entry) RETURNS stats_fact
LANGUAGE sql STABLE AS $$
  SELECT ROW(
    e.id, e.channel, e.started_at,
    (e.started_at AT TIME ZONE 'Asia/Tokyo')::date,
    to_char(e.started_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM'),
    extract(hour FROM e.started_at AT TIME ZONE 'Asia/Tokyo')::smallint,
    extract(isodow FROM e.started_at AT TIME ZONE 'Asia/Tokyo')::smallint,
    e.region_id, e.topics, e.age_band,
    true, 'entry', false, false, false, NULL::float8, NULL::float8,
    COALESCE(e.person_id, md5(e.region_id || ':' || e.case_ref)::uuid, e.id),
    e.person_id, e.case_ref, e.first_contact,
    e.referrals, e.follow_ups, e.risk_level, e.counsellor_id, NULL::text, NULL::timestamptz
  )::stats_fact
$$;

-- The first consultation of one person, recomputed from her facts and written on each of them
-- (a report then reads new vs returning without a join). The advisory lock (class 1937 =
-- statistics) serialises writers of the same person, so two transactions answering two of her
-- sessions at once cannot leave the later start behind.
CREATE FUNCTION stats_refresh_person(k uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  first timestamptz;
BEGIN
  IF k IS NULL THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(1937, hashtext(k::text));
  SELECT min(started_at) INTO first FROM stats_fact WHERE person_key = k AND counted;
  UPDATE stats_fact SET person_first_at = first
    WHERE person_key = k AND person_first_at IS DISTINCT FROM first;
END
$$;

-- Writes (or, with a NULL fact, deletes) the fact of one record and keeps person_first_at.
-- An upsert, not delete + insert: a concurrent "she wrote" update then waits and follows it.
CREATE FUNCTION stats_apply(fact_id uuid, fact stats_fact) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  before stats_fact;
BEGIN
  SELECT * INTO before FROM stats_fact WHERE id = fact_id FOR UPDATE;
  IF fact.id IS NULL THEN
    DELETE FROM stats_fact WHERE id = fact_id;
  ELSE
    INSERT INTO stats_fact SELECT fact.*
    ON CONFLICT (id) DO UPDATE SET
      channel = EXCLUDED.channel, started_at = EXCLUDED.started_at,
      local_date = EXCLUDED.local_date, month = EXCLUDED.month, hour = EXCLUDED.hour,
      weekday = EXCLUDED.weekday, region_id = EXCLUDED.region_id, topics = EXCLUDED.topics,
      age_band = EXCLUDED.age_band, counted = EXCLUDED.counted, status = EXCLUDED.status,
      handed = EXCLUDED.handed, blocked = EXCLUDED.blocked,
      -- Her messages are never taken back: once she wrote, she wrote.
      she_wrote = stats_fact.she_wrote OR EXCLUDED.she_wrote,
      wait_minutes = EXCLUDED.wait_minutes, response_minutes = EXCLUDED.response_minutes,
      person_key = EXCLUDED.person_key, person_id = EXCLUDED.person_id,
      case_ref = EXCLUDED.case_ref, first_contact = EXCLUDED.first_contact,
      referrals = EXCLUDED.referrals, follow_ups = EXCLUDED.follow_ups,
      risk_level = EXCLUDED.risk_level, counsellor_id = EXCLUDED.counsellor_id,
      awareness = EXCLUDED.awareness;
      -- person_first_at stays: stats_refresh_person below writes it when it can change.
  END IF;
  IF (before.person_key, before.counted, before.started_at)
      IS DISTINCT FROM (fact.person_key, fact.counted, fact.started_at) THEN
    PERFORM stats_refresh_person(before.person_key);
    IF fact.person_key IS DISTINCT FROM before.person_key THEN
      PERFORM stats_refresh_person(fact.person_key);
    END IF;
  END IF;
END
$$;

CREATE FUNCTION stats_conversation_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM stats_apply(OLD.id, NULL::stats_fact);
  ELSE
    PERFORM stats_apply(NEW.id, stats_fact_of_conversation(NEW));
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION stats_entry_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM stats_apply(OLD.id, NULL::stats_fact);
  ELSE
    PERFORM stats_apply(NEW.id, stats_fact_of_entry(NEW));
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION stats_she_wrote() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE stats_fact SET she_wrote = true WHERE id = NEW.conversation_id AND NOT she_wrote;
  RETURN NULL;
END
$$;

-- Only the columns the statistics read: last_message_at, flow_state and the like change on
-- every message and need no fact.
CREATE TRIGGER stats_conversation AFTER INSERT OR DELETE OR UPDATE OF
  id, person_id, status, started_at, region_id, topics, age_band, waiting_since,
  first_response_at, end_reason, referrals, follow_ups, risk_level, closed_by_id,
  assigned_to_id, triage_answers
  ON conversation FOR EACH ROW EXECUTE FUNCTION stats_conversation_changed();

CREATE TRIGGER stats_entry AFTER INSERT OR UPDATE OR DELETE
  ON consultation_entry FOR EACH ROW EXECUTE FUNCTION stats_entry_changed();

CREATE TRIGGER stats_message AFTER INSERT ON message
  FOR EACH ROW WHEN (NEW.direction = 'in') EXECUTE FUNCTION stats_she_wrote();

-- Writes the facts afresh from the records: after a bulk load with triggers off
-- (session_replication_role = replica), or whenever an operator doubts them. Writers wait on
-- the table lock meanwhile; their triggers then write their own change on top.
CREATE FUNCTION stats_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE stats_fact IN EXCLUSIVE MODE;
  TRUNCATE stats_fact;
  CREATE TEMP TABLE stats_rebuilt ON COMMIT DROP AS
    SELECT f.* FROM conversation cv, LATERAL stats_fact_of_conversation(cv) f
    UNION ALL
    SELECT f.* FROM consultation_entry e, LATERAL stats_fact_of_entry(e) f;
  UPDATE stats_rebuilt r SET person_first_at = p.first_at
    FROM (SELECT person_key, min(started_at) AS first_at FROM stats_rebuilt WHERE counted
          GROUP BY person_key) p
    WHERE r.person_key = p.person_key;
  INSERT INTO stats_fact SELECT * FROM stats_rebuilt ORDER BY started_at;
  DROP TABLE stats_rebuilt;
END
$$;

SELECT stats_rebuild();
