-- Statistics, faster (issue #6; src/stats/COUNTING.md, "How the figures are kept"). 実数 per
-- month, channel and age band came from count(DISTINCT person_key), a sort per breakdown. Now
-- each fact carries its month as a number and its channel and age band as bits, so a report
-- folds her facts into one row per person (an OR of bits) in one hashed pass. And an entry's
-- LINE person is a foreign key at last. The facts are written afresh at the end
-- (stats_rebuild()), so the table is emptied first and the new columns need no default.
TRUNCATE "stats_fact";

-- AlterTable
ALTER TABLE "stats_fact" ADD COLUMN     "age_bit" SMALLINT NOT NULL,
ADD COLUMN     "channel_bit" SMALLINT NOT NULL,
ADD COLUMN     "month_number" INTEGER NOT NULL;

-- CreateTable
CREATE TABLE "stats_value" (
    "dimension" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "bit" SMALLINT NOT NULL,

    CONSTRAINT "stats_value_pkey" PRIMARY KEY ("dimension","value")
);

-- CreateIndex
CREATE UNIQUE INDEX "stats_value_dimension_bit_key" ON "stats_value"("dimension", "bit");

-- AddForeignKey
ALTER TABLE "consultation_entry" ADD CONSTRAINT "consultation_entry_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Written by hand: Prisma does not model functions or triggers.
-- ---------------------------------------------------------------------------------------------

-- The bit of a channel or an age band: numbered the first time a fact has the value, never
-- renumbered (any value a flow or an entry brings counts exactly, not only the known ones).
-- No age band is bit 0. A mask is a bigint: 62 values per dimension at most.
CREATE FUNCTION stats_bit(dim text, val text) RETURNS smallint
LANGUAGE plpgsql AS $$
DECLARE
  b smallint;
BEGIN
  IF val IS NULL THEN
    RETURN 0;
  END IF;
  SELECT bit INTO b FROM stats_value WHERE dimension = dim AND value = val;
  IF FOUND THEN
    RETURN b;
  END IF;
  -- A new value: one writer at a time numbers it (class 1937 = statistics, as for persons).
  PERFORM pg_advisory_xact_lock(1937, hashtext('stats_value:' || dim));
  SELECT bit INTO b FROM stats_value WHERE dimension = dim AND value = val;
  IF NOT FOUND THEN
    SELECT COALESCE(max(bit), 0) + 1 INTO b FROM stats_value WHERE dimension = dim;
    IF b > 62 THEN
      RAISE EXCEPTION 'statistics: more than 62 values of %', dim;
    END IF;
    INSERT INTO stats_value (dimension, value, bit) VALUES (dim, val, b);
  END IF;
  RETURN b;
END
$$;

-- As in 20261123140000_stats, plus the bits and the month number (volatile now: stats_bit may
-- number a new value).
CREATE OR REPLACE FUNCTION stats_fact_of_conversation(cv conversation) RETURNS stats_fact
LANGUAGE sql VOLATILE AS $$
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
    cv.triage_answers ->> 'awareness', NULL::timestamptz,
    stats_bit('age_band', cv.age_band), stats_bit('channel', 'line'),
    (extract(year FROM cv.started_at AT TIME ZONE 'Asia/Tokyo') * 12
      + extract(month FROM cv.started_at AT TIME ZONE 'Asia/Tokyo') - 1)::int
  )::stats_fact
$$;

CREATE OR REPLACE FUNCTION stats_fact_of_entry(e consultation_entry) RETURNS stats_fact
LANGUAGE sql VOLATILE AS $$
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
    e.referrals, e.follow_ups, e.risk_level, e.counsellor_id, NULL::text, NULL::timestamptz,
    stats_bit('age_band', e.age_band), stats_bit('channel', e.channel),
    (extract(year FROM e.started_at AT TIME ZONE 'Asia/Tokyo') * 12
      + extract(month FROM e.started_at AT TIME ZONE 'Asia/Tokyo') - 1)::int
  )::stats_fact
$$;

-- As in 20261123140000_stats, with the new columns in the update.
CREATE OR REPLACE FUNCTION stats_apply(fact_id uuid, fact stats_fact) RETURNS void
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
      awareness = EXCLUDED.awareness, age_bit = EXCLUDED.age_bit,
      channel_bit = EXCLUDED.channel_bit, month_number = EXCLUDED.month_number;
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

SELECT stats_rebuild();
