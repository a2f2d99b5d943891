import { Prisma } from "../../src/db/prisma-client";
import type { Period } from "../../src/stats/stats-period";
import type { StatsFilter } from "../../src/stats/stats-types";

/**
 * A plain recount of the statistics straight from conversation, message and consultation_entry
 * (deleted entries left out) (the first implementation of src/stats/, before the fact table): slow but written from
 * COUNTING.md with nothing kept in between. The tests compare the fast path with it.
 */

const sql = Prisma.sql;

function filterSql(f: StatsFilter, alias: string): Prisma.Sql {
  const a = Prisma.raw(alias);
  const parts: Prisma.Sql[] = [];
  if (f.region !== undefined) parts.push(sql`${a}.region_id = ${f.region}`);
  if (f.channel !== undefined) parts.push(sql`${a}.channel = ${f.channel}`);
  if (f.topic !== undefined) parts.push(sql`${f.topic} = ANY(${a}.topics)`);
  if (f.ageBand !== undefined) parts.push(sql`${a}.age_band = ${f.ageBand}`);
  return parts.length ? sql`AND ${Prisma.join(parts, " AND ")}` : Prisma.empty;
}

/**
 * `c`: the consultations of the period, LINE and console entries alike, one row each.
 * - LINE: a conversation a counsellor answered, at its start; region = its final region.
 * - person_key: the LINE person; else the NPO's case number within its region; else the entry.
 * - returning: she had a consultation (any channel, region, filter) before the period;
 *   an entry without any reference uses the counsellor's "first contact" answer.
 */
export function consultationsCte(p: Period, f: StatsFilter, awareness = false): Prisma.Sql {
  return sql`
  c AS MATERIALIZED (
    SELECT u.*, (u.started_at AT TIME ZONE 'Asia/Tokyo') AS local_at,
      -- A uuid (fast to hash and compare): her LINE person, else region + case number, else the entry.
      COALESCE(u.person_id, md5(u.region_id || ':' || u.case_ref)::uuid, u.id) AS person_key
    FROM (
      SELECT 'line'::text AS channel, cv.id, cv.person_id, NULL::text AS case_ref,
        NULL::boolean AS first_contact, cv.region_id, cv.topics, cv.age_band, cv.started_at,
        cv.waiting_since, cv.first_response_at, cv.referrals, cv.follow_ups, cv.risk_level,
        COALESCE(cv.closed_by_id, cv.assigned_to_id) AS counsellor_id,
        -- Read only when a flow asks it: detoasting the answers of every row costs time.
        ${awareness ? sql`cv.triage_answers ->> 'awareness'` : sql`NULL::text`} AS awareness
      FROM conversation cv
      WHERE cv.first_response_at IS NOT NULL
        AND cv.started_at >= ${p.from} AND cv.started_at < ${p.to}
      UNION ALL
      SELECT e.channel, e.id, e.person_id, e.case_ref, e.first_contact, e.region_id, e.topics,
        e.age_band, e.started_at, NULL, NULL, e.referrals, e.follow_ups, e.risk_level,
        e.counsellor_id, NULL
      FROM consultation_entry e
      WHERE e.started_at >= ${p.from} AND e.started_at < ${p.to} AND e.deleted_at IS NULL
    ) u
    WHERE true ${filterSql(f, "u")}
  ),
  people AS MATERIALIZED (
    SELECT k.person_key,
      CASE
        WHEN k.person_id IS NOT NULL THEN
          EXISTS (SELECT 1 FROM conversation x WHERE x.person_id = k.person_id
                    AND x.first_response_at IS NOT NULL AND x.started_at < ${p.from})
          OR EXISTS (SELECT 1 FROM consultation_entry y WHERE y.person_id = k.person_id
                    AND y.started_at < ${p.from} AND y.deleted_at IS NULL)
        WHEN k.case_ref IS NOT NULL THEN
          EXISTS (SELECT 1 FROM consultation_entry y WHERE y.region_id = k.region_id
                    AND y.case_ref = k.case_ref AND y.person_id IS NULL AND y.started_at < ${p.from}
                    AND y.deleted_at IS NULL)
        ELSE NOT k.first_contact
      END AS is_returning
    FROM (
      SELECT DISTINCT ON (person_key) person_key, person_id, case_ref, region_id, first_contact
      FROM c ORDER BY person_key, started_at
    ) k
  )`;
}

/**
 * `n`: the LINE conversations of the period that no counsellor answered (not consultations):
 * greetings, bot-only exits, hand-offs she left before an answer, and those still waiting.
 */
function unansweredCte(p: Period, f: StatsFilter): Prisma.Sql {
  const other = f.channel !== undefined && f.channel !== "line";
  return sql`
  n AS MATERIALIZED (
    SELECT cv.id, cv.status, cv.waiting_since, cv.end_reason,
      'line'::text AS channel, cv.region_id, cv.topics, cv.age_band
    FROM conversation cv
    WHERE cv.first_response_at IS NULL
      AND cv.started_at >= ${p.from} AND cv.started_at < ${p.to}
      AND ${other ? sql`false` : sql`true`} ${filterSql({ ...f, channel: undefined }, "cv")}
  )`;
}

/** A JSON array of rows (written here, never from input), `[]` when there are none. */
const list = (subquery: string) => Prisma.raw(`COALESCE(${subquery}, '[]'::json)`);

/** The whole report as one JSON value. */
export function recountReportSql(p: Period, f: StatsFilter, awareness: boolean): Prisma.Sql {
  return sql`
  WITH ${consultationsCte(p, f, awareness)}, ${unansweredCte(p, f)}
  SELECT json_build_object(
    'consultations', (SELECT count(*) FROM c),
    'people', (SELECT count(*) FROM people),
    'byChannel', ${list("(SELECT json_agg(r ORDER BY r.channel) FROM (SELECT channel, sum(n) AS consultations, count(*) AS people FROM (SELECT channel, person_key, count(*) AS n FROM c GROUP BY 1, 2) g GROUP BY channel) r)")},
    'trend', ${list("(SELECT json_agg(r ORDER BY r.month) FROM (SELECT month, sum(n) AS consultations, count(*) AS people FROM (SELECT to_char(local_at, 'YYYY-MM') AS month, person_key, count(*) AS n FROM c GROUP BY 1, 2) g GROUP BY month) r)")},
    'topicByRegion', ${list("(SELECT json_agg(r ORDER BY r.region, r.topic) FROM (SELECT c.region_id AS region, t.topic, count(*) AS consultations FROM c LEFT JOIN LATERAL unnest(CASE WHEN cardinality(c.topics) = 0 THEN ARRAY[NULL::text] ELSE c.topics END) AS t(topic) ON true GROUP BY 1, 2) r)")},
    'byMonthChannel', ${list("(SELECT json_agg(r ORDER BY r.month, r.channel) FROM (SELECT to_char(local_at, 'YYYY-MM') AS month, channel, count(*) AS consultations, count(DISTINCT person_key) AS people FROM c GROUP BY 1, 2) r)")},
    'heatmap', ${list("(SELECT json_agg(r ORDER BY r.weekday, r.hour) FROM (SELECT extract(isodow FROM local_at)::int AS weekday, extract(hour FROM local_at)::int AS hour, count(*) AS consultations FROM c GROUP BY 1, 2) r)")},
    'ageBands', ${list("(SELECT json_agg(r ORDER BY r.age_band) FROM (SELECT age_band, sum(n) AS consultations, count(*) AS people FROM (SELECT age_band, person_key, count(*) AS n FROM c GROUP BY 1, 2) g GROUP BY age_band) r)")},
    'newPeople', (SELECT count(*) FROM people WHERE is_returning IS false),
    'returningPeople', (SELECT count(*) FROM people WHERE is_returning IS true),
    'unknownPeople', (SELECT count(*) FROM people WHERE is_returning IS NULL),
    'referrals', ${list("(SELECT json_agg(r ORDER BY r.consultations DESC, r.agency) FROM (SELECT a AS agency, count(*) AS consultations FROM c, unnest(c.referrals) AS a GROUP BY 1) r)")},
    'followUps', ${list("(SELECT json_agg(r ORDER BY r.follow_up) FROM (SELECT f AS follow_up, count(*) AS consultations FROM c, unnest(c.follow_ups) AS f GROUP BY 1) r)")},
    'riskLevels', ${list("(SELECT json_agg(r ORDER BY r.risk_level) FROM (SELECT risk_level, count(*) AS consultations FROM c GROUP BY 1) r)")},
    'awareness', ${list("(SELECT json_agg(r ORDER BY r.answer) FROM (SELECT answer, count(*) AS people FROM (SELECT DISTINCT awareness AS answer, person_key FROM c WHERE awareness IS NOT NULL) g GROUP BY answer) r)")},
    'waiting', (SELECT json_build_object(
        'answered', count(*),
        'measured', count(w),
        'waitMedian', percentile_cont(0.5) WITHIN GROUP (ORDER BY w),
        'waitP90', percentile_cont(0.9) WITHIN GROUP (ORDER BY w),
        'waitMean', avg(w),
        'responseMedian', percentile_cont(0.5) WITHIN GROUP (ORDER BY r),
        'responseP90', percentile_cont(0.9) WITHIN GROUP (ORDER BY r),
        'under5', count(*) FILTER (WHERE w < 5),
        'under15', count(*) FILTER (WHERE w >= 5 AND w < 15),
        'under30', count(*) FILTER (WHERE w >= 15 AND w < 30),
        'under60', count(*) FILTER (WHERE w >= 30 AND w < 60),
        'over60', count(*) FILTER (WHERE w >= 60))
      FROM (SELECT
          CASE WHEN first_response_at >= waiting_since
            THEN (extract(epoch FROM first_response_at - waiting_since) / 60)::float8 END AS w,
          (extract(epoch FROM first_response_at - started_at) / 60)::float8 AS r
        FROM c WHERE channel = 'line' AND waiting_since IS NOT NULL) x),
    'unanswered', (SELECT json_build_object(
        'abandoned', count(*) FILTER (WHERE waiting_since IS NOT NULL AND status IN ('abandoned', 'closed')),
        'stillWaiting', count(*) FILTER (WHERE waiting_since IS NOT NULL AND status IN ('waiting', 'active')),
        'blocked', count(*) FILTER (WHERE end_reason = 'blocked'),
        'greetings', count(*) FILTER (WHERE waiting_since IS NULL AND NOT EXISTS
          (SELECT 1 FROM message m WHERE m.conversation_id = n.id AND m.direction = 'in')),
        'botOnly', count(*) FILTER (WHERE waiting_since IS NULL AND EXISTS
          (SELECT 1 FROM message m WHERE m.conversation_id = n.id AND m.direction = 'in')))
      FROM n)
  ) AS report`;
}

/** The consultation records of the period, oldest first, for the de-identified export. */
export function recountRecordsSql(p: Period, f: StatsFilter): Prisma.Sql {
  return sql`
  WITH ${consultationsCte(p, f)}
  SELECT c.channel, c.person_key AS "personKey", to_char(c.local_at, 'YYYY-MM-DD') AS "date",
    extract(hour FROM c.local_at)::int AS "hour", extract(isodow FROM c.local_at)::int AS "weekday",
    c.region_id AS "regionId", c.topics, c.age_band AS "ageBand", pe.is_returning AS "returning",
    CASE WHEN c.first_response_at >= c.waiting_since
      THEN round(extract(epoch FROM c.first_response_at - c.waiting_since) / 60)::int END AS "waitMinutes",
    round(extract(epoch FROM c.first_response_at - c.started_at) / 60)::int AS "responseMinutes",
    c.referrals, c.follow_ups AS "followUps", co.display_name AS "counsellor",
    c.risk_level AS "riskLevel"
  FROM c JOIN people pe USING (person_key)
  LEFT JOIN counsellor co ON co.id = c.counsellor_id
  ORDER BY c.started_at, c.id`;
}
