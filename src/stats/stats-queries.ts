import { Prisma } from "../db/prisma-client";
import type { Period } from "./stats-period";
import type { StatsFilter } from "./stats-types";

/**
 * The SQL of the statistics. The definitions of COUNTING.md are written once, in the migration
 * that keeps `stats_fact` (one narrow row per LINE session and per other-channel entry, with
 * her person's first consultation) by triggers. A report is one statement: every figure comes
 * from the same snapshot, so the sections always add up.
 */

const sql = Prisma.sql;

function whereSql(p: Period, f: StatsFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [sql`s.started_at >= ${p.from}`, sql`s.started_at < ${p.to}`];
  if (f.region !== undefined) parts.push(sql`s.region_id = ${f.region}`);
  if (f.channel !== undefined) parts.push(sql`s.channel = ${f.channel}`);
  if (f.topic !== undefined) parts.push(sql`${f.topic} = ANY(s.topics)`);
  if (f.ageBand !== undefined) parts.push(sql`s.age_band = ${f.ageBand}`);
  return Prisma.join(parts, " AND ");
}

/**
 * New or returning (COUNTING.md): her first consultation, any channel or region, came before
 * the period; an entry without any reference has only the counsellor's "first contact" answer.
 */
const returningSql = (p: Period, anonymous: Prisma.Sql, firstContact: Prisma.Sql) =>
  sql`CASE WHEN ${anonymous} THEN NOT ${firstContact} ELSE s.person_first_at < ${p.from} END`;

/**
 * Settings for one statistics statement (SET LOCAL, in its transaction): memory enough that a
 * fiscal year's facts and their groups stay in memory instead of spilling to temporary files
 * (PostgreSQL's default work_mem is 4 MB; at most a few supervisors ask at once), and no JIT:
 * compiling a multi-year report costs more than it saves.
 */
export const STATS_SETTINGS = sql`SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)`;

/** The answered LINE sessions whose waiting time counts (handed to a counsellor). */
const ANSWERED = "counted AND channel = 'line' AND handed";
const answered = Prisma.raw(ANSWERED);

const percentiles = (column: "w" | "r") =>
  Prisma.raw(
    `percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY ${column}) FILTER (WHERE ${ANSWERED})`,
  );

/** A JSON array of rows (written here, never from input), `[]` when there are none. */
const list = (subquery: string) => Prisma.raw(`COALESCE(${subquery}, '[]'::json)`);

/**
 * The grouping passes of the report: every breakdown is one grouping set over the period's
 * consultations. `gs` = GROUPING(...) of a row: a bit set for each column its set does not
 * group by. People are distinct persons (count(DISTINCT), sort-based), so only the breakdowns
 * that count 実数 pay for it; the others are hashed (the total of people comes from `nr`).
 */
const OTHER_COLUMNS = [
  "weekday",
  "hour",
  "risk_level",
  "region_id",
  "topics",
  "referrals",
  "follow_ups",
] as const;
function grouping<C extends string>(columns: readonly C[], sets: Record<string, C[]>) {
  const mask = (set: readonly C[]) =>
    columns.reduce(
      (m, column, i) => (set.includes(column) ? m : m | (1 << (columns.length - 1 - i))),
      0,
    );
  return {
    columns: Prisma.raw(columns.join(", ")),
    sets: Prisma.raw(
      Object.values(sets)
        .map((set) => `(${set.join(", ")})`)
        .join(", "),
    ),
    is: Object.fromEntries(Object.entries(sets).map(([name, set]) => [name, `gs = ${mask(set)}`])),
  };
}
type PeopleColumn = "channel" | "month" | "age_band" | "awareness";
const PEOPLE_SETS: Record<string, PeopleColumn[]> = {
  channel: ["channel"],
  month: ["month"],
  ageBand: ["age_band"],
};
/** Unasked, the awareness set would only repeat the total: it is left out (one sort less). */
const peopleGroupings = {
  asked: grouping<PeopleColumn>(["channel", "month", "age_band", "awareness"], {
    ...PEOPLE_SETS,
    awareness: ["awareness"],
  }),
  unasked: grouping<PeopleColumn>(["channel", "month", "age_band"], PEOPLE_SETS),
};
const other = grouping<(typeof OTHER_COLUMNS)[number]>(OTHER_COLUMNS, {
  all: [],
  heatmap: ["weekday", "hour"],
  risk: ["risk_level"],
  topics: ["region_id", "topics"],
  referrals: ["referrals"],
  followUps: ["follow_ups"],
});
/** The WHERE condition picking one grouping set's rows ("false" for a set not grouped). */
const is = (g: { is: Record<string, string> }, name: string) => g.is[name] ?? "false";

/**
 * The whole report as one JSON value:
 * - `c`: the period's facts after the filters (consultations and the LINE sessions no
 *   counsellor answered), read once, each with new/returning of her person;
 * - `gp`, `gn`, `nr`: the breakdowns (GROUPING SETS) and new vs returning, a few rows each;
 * - `w`: the answered LINE sessions' waiting times and the sessions no counsellor answered.
 */
export function reportSql(p: Period, f: StatsFilter, awareness: boolean): Prisma.Sql {
  const returning = returningSql(
    p,
    sql`s.person_id IS NULL AND s.case_ref IS NULL`,
    sql`s.first_contact`,
  );
  const people = peopleGroupings[awareness ? "asked" : "unasked"];
  return sql`
  WITH c AS MATERIALIZED (
    SELECT s.person_key, s.channel, s.month, s.age_band, s.weekday, s.hour, s.risk_level,
      s.region_id, s.topics, s.referrals, s.follow_ups, ${returning} AS ret,
      -- Only where a flow asks it (COUNTING.md): otherwise the report says "not asked".
      ${awareness ? sql`s.awareness` : sql`NULL::text`} AS awareness,
      s.counted, s.handed, s.status, s.blocked, s.she_wrote, s.wait_minutes AS w,
      s.response_minutes AS r
    FROM stats_fact s WHERE ${whereSql(p, f)}
  ),
  gp AS MATERIALIZED (
    SELECT GROUPING(${people.columns}) AS gs, ${people.columns}, count(*) AS n,
      count(DISTINCT person_key) AS people
    FROM c WHERE counted GROUP BY GROUPING SETS (${people.sets})
  ),
  gn AS MATERIALIZED (
    SELECT GROUPING(${other.columns}) AS gs, ${other.columns}, count(*) AS n
    FROM c WHERE counted GROUP BY GROUPING SETS (${other.sets})
  ),
  nr AS (
    SELECT count(*) AS people, count(*) FILTER (WHERE ret IS false) AS new_people,
      count(*) FILTER (WHERE ret IS true) AS returning_people,
      count(*) FILTER (WHERE ret IS NULL) AS unknown_people
    FROM (SELECT bool_and(ret) AS ret FROM c WHERE counted GROUP BY person_key) x
  ),
  -- Waiting times of the answered LINE sessions and the sessions no counsellor answered.
  w AS (
    SELECT json_build_object(
      'waiting', json_build_object(
        'answered', count(*) FILTER (WHERE ${answered}),
        'measured', count(w) FILTER (WHERE ${answered}),
        -- Median and 90th percentile from one sort: identical aggregates are computed once.
        'waitMedian', (${percentiles("w")})[1],
        'waitP90', (${percentiles("w")})[2],
        'waitMean', avg(w) FILTER (WHERE ${answered}),
        'responseMedian', (${percentiles("r")})[1],
        'responseP90', (${percentiles("r")})[2],
        'under5', count(*) FILTER (WHERE ${answered} AND w < 5),
        'under15', count(*) FILTER (WHERE ${answered} AND w >= 5 AND w < 15),
        'under30', count(*) FILTER (WHERE ${answered} AND w >= 15 AND w < 30),
        'under60', count(*) FILTER (WHERE ${answered} AND w >= 30 AND w < 60),
        'over60', count(*) FILTER (WHERE ${answered} AND w >= 60)),
      'unanswered', json_build_object(
        'abandoned', count(*) FILTER (WHERE NOT counted AND handed AND status IN ('abandoned', 'closed')),
        'stillWaiting', count(*) FILTER (WHERE NOT counted AND handed AND status IN ('waiting', 'active')),
        'blocked', count(*) FILTER (WHERE NOT counted AND blocked),
        'greetings', count(*) FILTER (WHERE NOT counted AND NOT handed AND NOT she_wrote),
        'botOnly', count(*) FILTER (WHERE NOT counted AND NOT handed AND she_wrote))) AS j
    FROM c
  )
  SELECT json_build_object(
    'consultations', (SELECT COALESCE(sum(n), 0) FROM gn WHERE ${Prisma.raw(is(other, "all"))}),
    'people', (SELECT people FROM nr),
    'newPeople', (SELECT new_people FROM nr),
    'returningPeople', (SELECT returning_people FROM nr),
    'unknownPeople', (SELECT unknown_people FROM nr),
    'byChannel', ${list(`(SELECT json_agg(r ORDER BY r.channel) FROM (SELECT channel, n AS consultations, people FROM gp WHERE ${is(people, "channel")}) r)`)},
    'trend', ${list(`(SELECT json_agg(r ORDER BY r.month) FROM (SELECT month, n AS consultations, people FROM gp WHERE ${is(people, "month")}) r)`)},
    'ageBands', ${list(`(SELECT json_agg(r ORDER BY r.age_band) FROM (SELECT age_band, n AS consultations, people FROM gp WHERE ${is(people, "ageBand")}) r)`)},
    'awareness', ${awareness ? list(`(SELECT json_agg(r ORDER BY r.answer) FROM (SELECT awareness AS answer, people FROM gp WHERE ${is(people, "awareness")} AND awareness IS NOT NULL) r)`) : sql`'[]'::json`},
    'topicByRegion', ${list(`(SELECT json_agg(r ORDER BY r.region, r.topic) FROM (SELECT g.region_id AS region, t.topic, sum(n) AS consultations FROM gn g LEFT JOIN LATERAL unnest(CASE WHEN cardinality(g.topics) = 0 THEN ARRAY[NULL::text] ELSE g.topics END) AS t(topic) ON true WHERE ${is(other, "topics")} GROUP BY 1, 2) r)`)},
    'heatmap', ${list(`(SELECT json_agg(r ORDER BY r.weekday, r.hour) FROM (SELECT weekday::int AS weekday, hour::int AS hour, n AS consultations FROM gn WHERE ${is(other, "heatmap")}) r)`)},
    'referrals', ${list(`(SELECT json_agg(r ORDER BY r.consultations DESC, r.agency) FROM (SELECT a AS agency, sum(n) AS consultations FROM gn, unnest(gn.referrals) AS a WHERE ${is(other, "referrals")} GROUP BY 1) r)`)},
    'followUps', ${list(`(SELECT json_agg(r ORDER BY r.follow_up) FROM (SELECT x AS follow_up, sum(n) AS consultations FROM gn, unnest(gn.follow_ups) AS x WHERE ${is(other, "followUps")} GROUP BY 1) r)`)},
    'riskLevels', ${list(`(SELECT json_agg(r ORDER BY r.risk_level) FROM (SELECT risk_level, n AS consultations FROM gn WHERE ${is(other, "risk")}) r)`)},
    'waiting', (SELECT j -> 'waiting' FROM w),
    'unanswered', (SELECT j -> 'unanswered' FROM w)
  ) AS report`;
}

/** The consultation records of the period, oldest first, for the de-identified export. */
export function recordsSql(p: Period, f: StatsFilter): Prisma.Sql {
  const returning = returningSql(
    p,
    sql`s.person_id IS NULL AND s.case_ref IS NULL`,
    sql`s.first_contact`,
  );
  return sql`
  SELECT s.channel, s.person_key AS "personKey", to_char(s.local_date, 'YYYY-MM-DD') AS "date",
    s.hour::int AS "hour", s.weekday::int AS "weekday", s.region_id AS "regionId", s.topics,
    s.age_band AS "ageBand", ${returning} AS "returning",
    -- numeric rounding (half away from zero), as minutes are rounded everywhere else
    round(s.wait_minutes::numeric)::int AS "waitMinutes",
    round(s.response_minutes::numeric)::int AS "responseMinutes",
    s.referrals, s.follow_ups AS "followUps", co.display_name AS "counsellor",
    s.risk_level AS "riskLevel"
  FROM stats_fact s
  LEFT JOIN counsellor co ON co.id = s.counsellor_id
  WHERE s.counted AND ${whereSql(p, f)}
  ORDER BY s.started_at, s.id`;
}
