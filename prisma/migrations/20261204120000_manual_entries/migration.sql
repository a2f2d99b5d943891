-- Manual entries listed, corrected and deleted in the console (issue #17, point 7;
-- src/stats/COUNTING.md). A deleted entry is kept (soft delete, for the audit) and stops
-- counting: it has no fact, as if it had never been entered.

-- AlterTable
ALTER TABLE "consultation_entry" ADD COLUMN     "corrected_at" TIMESTAMPTZ(3),
ADD COLUMN     "deleted_at" TIMESTAMPTZ(3),
ADD COLUMN     "deleted_by_id" UUID;

-- ---------------------------------------------------------------------------------------------
-- Written by hand: Prisma does not model functions or triggers.
-- ---------------------------------------------------------------------------------------------

-- As in 20261123140000_stats, but a deleted entry takes its fact away (stats_apply with a null
-- fact also recomputes her person's first consultation).
CREATE OR REPLACE FUNCTION stats_entry_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM stats_apply(OLD.id, NULL::stats_fact);
  ELSIF NEW.deleted_at IS NOT NULL THEN
    PERFORM stats_apply(NEW.id, NULL::stats_fact);
  ELSE
    PERFORM stats_apply(NEW.id, stats_fact_of_entry(NEW));
  END IF;
  RETURN NULL;
END
$$;

-- As in 20261123140000_stats, without the deleted entries.
CREATE OR REPLACE FUNCTION stats_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE stats_fact IN EXCLUSIVE MODE;
  TRUNCATE stats_fact;
  CREATE TEMP TABLE stats_rebuilt ON COMMIT DROP AS
    SELECT f.* FROM conversation cv, LATERAL stats_fact_of_conversation(cv) f
    UNION ALL
    SELECT f.* FROM consultation_entry e, LATERAL stats_fact_of_entry(e) f
    WHERE e.deleted_at IS NULL;
  UPDATE stats_rebuilt r SET person_first_at = p.first_at
    FROM (SELECT person_key, min(started_at) AS first_at FROM stats_rebuilt WHERE counted
          GROUP BY person_key) p
    WHERE r.person_key = p.person_key;
  INSERT INTO stats_fact SELECT * FROM stats_rebuilt ORDER BY started_at;
  DROP TABLE stats_rebuilt;
END
$$;
