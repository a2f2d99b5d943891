import { Prisma } from "../db/prisma-client";
import { monthsOf, tokyoDate, type Period } from "./stats-period";
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
 * (PostgreSQL's default work_mem is 4 MB; at most a few supervisors ask at once), no JIT
 * (compiling a multi-year report costs more than it saves), and two parallel workers: a report's
 * passes are independent, so the leader and two workers run them side by side (Parallel Append).
 */
export const STATS_SETTINGS = sql`SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true),
  set_config('max_parallel_workers_per_gather', '2', true)`;

/** The answered LINE sessions whose waiting time counts (handed to a counsellor). */
const ANSWERED = sql`s.counted AND s.channel = 'line' AND s.handed`;

/** Median and 90th percentile from one sort: identical aggregates are computed once. */
const percentiles = (column: "wait_minutes" | "response_minutes") =>
  Prisma.raw(`percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY s.${column})`);

/** A JSON array of rows, `[]` when there are none. */
const list = (subquery: Prisma.Sql) => sql`COALESCE((${subquery}), '[]'::json)`;

/**
 * The grouping passes of the report. `gs` = GROUPING(...) of a row: a bit set for each column
 * its set does not group by.
 * - `other`: the consultations per breakdown, one grouping set each, all hashed in one pass.
 * - `people`: 実数, from one row per person (her facts folded: new or returning, and the OR of
 *   the bits of her channels, age bands and months), grouped by each of those: the persons of a
 *   channel are then those whose mask has its bit, without a DISTINCT (a sort) per breakdown.
 */
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
const other = grouping(
  [
    "channel",
    "month",
    "age_band",
    "weekday",
    "hour",
    "risk_level",
    "region_id",
    "topics",
    "referrals",
    "follow_ups",
  ],
  {
    all: [],
    channel: ["channel"],
    month: ["month"],
    ageBand: ["age_band"],
    heatmap: ["weekday", "hour"],
    risk: ["risk_level"],
    topics: ["region_id", "topics"],
    referrals: ["referrals"],
    followUps: ["follow_ups"],
  },
);
const people = grouping(["ret", "channels", "age_bands", "months"], {
  ret: ["ret"],
  channels: ["channels"],
  ageBands: ["age_bands"],
  months: ["months"],
});
/** The WHERE condition picking one grouping set's rows. */
const is = (g: { is: Record<string, string> }, name: string) => Prisma.raw(g.is[name] ?? "false");

/** A month as a number (year × 12 + month − 1), as stats_fact.month_number holds it. */
const monthNumber = (month: string) =>
  Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;

/**
 * The whole report as one JSON value, from one statement (one snapshot):
 * - `part`: independent passes over the period's facts after the filters, so PostgreSQL runs
 *   them side by side (Parallel Append under one Gather): `gn` the consultations per breakdown,
 *   `gp` the persons (see `people`), `w` the answered LINE sessions' waiting times, `u` the
 *   sessions no counsellor answered, `ga` the awareness answers (only where a flow asks it).
 *   Each reads stats_fact itself (a shared CTE would keep them in one process) and hands its
 *   few rows over as JSON;
 * - `gn`, `gp`: those rows back as tables; `people`: 実数 per channel, age band and month from
 *   the persons' masks (the bits of stats_value; a month's bit is its place in the period);
 * - the final SELECT shapes them into the report.
 */
export function reportSql(p: Period, f: StatsFilter, awareness: boolean): Prisma.Sql {
  const where = whereSql(p, f);
  const returning = returningSql(
    p,
    sql`s.person_id IS NULL AND s.case_ref IS NULL`,
    sql`s.first_contact`,
  );
  const months = monthsOf(p);
  // Her months as a bit string, the period's first month leftmost (bit_or needs one length).
  const monthBit = Prisma.raw(
    `(B'1'::bit(${months.length}) >> (s.month_number - ${monthNumber(tokyoDate(p.from))}))`,
  );
  return sql`
  WITH part AS MATERIALIZED (
    SELECT 'gn' AS name, json_agg(g) AS j FROM (
      SELECT GROUPING(${other.columns}) AS gs, ${other.columns}, count(*) AS n
      FROM stats_fact s WHERE ${where} AND s.counted GROUP BY GROUPING SETS (${other.sets})
    ) g
    UNION ALL
    SELECT 'gp', json_agg(g) FROM (
      SELECT GROUPING(${people.columns}) AS gs, ${people.columns}, count(*) AS people
      FROM (
        SELECT bool_and(${returning}) AS ret, bit_or(1::int8 << s.channel_bit) AS channels,
          bit_or(1::int8 << s.age_bit) AS age_bands,
          -- As text: hashed (a bit string is not), and read as characters below.
          bit_or(${monthBit})::text AS months
        FROM stats_fact s WHERE ${where} AND s.counted GROUP BY s.person_key
      ) x GROUP BY GROUPING SETS (${people.sets})
    ) g
    UNION ALL
    -- Month × channel (the report's first table): few groups, so count(DISTINCT) is cheap.
    SELECT 'mc', json_agg(g ORDER BY g.month, g.channel) FROM (
      SELECT s.month, s.channel, count(*) AS consultations,
        count(DISTINCT s.person_key) AS people
      FROM stats_fact s WHERE ${where} AND s.counted GROUP BY s.month, s.channel
    ) g
    UNION ALL
    SELECT 'w', json_build_object(
      'answered', count(*),
      'measured', count(s.wait_minutes),
      'waitMedian', (${percentiles("wait_minutes")})[1],
      'waitP90', (${percentiles("wait_minutes")})[2],
      'waitMean', avg(s.wait_minutes),
      'responseMedian', (${percentiles("response_minutes")})[1],
      'responseP90', (${percentiles("response_minutes")})[2],
      'under5', count(*) FILTER (WHERE s.wait_minutes < 5),
      'under15', count(*) FILTER (WHERE s.wait_minutes >= 5 AND s.wait_minutes < 15),
      'under30', count(*) FILTER (WHERE s.wait_minutes >= 15 AND s.wait_minutes < 30),
      'under60', count(*) FILTER (WHERE s.wait_minutes >= 30 AND s.wait_minutes < 60),
      'over60', count(*) FILTER (WHERE s.wait_minutes >= 60))
    FROM stats_fact s WHERE ${where} AND ${ANSWERED}
    UNION ALL
    SELECT 'u', json_build_object(
      'abandoned', count(*) FILTER (WHERE s.handed AND s.status IN ('abandoned', 'closed')),
      'stillWaiting', count(*) FILTER (WHERE s.handed AND s.status IN ('waiting', 'active')),
      'blocked', count(*) FILTER (WHERE s.blocked),
      'greetings', count(*) FILTER (WHERE NOT s.handed AND NOT s.she_wrote),
      'botOnly', count(*) FILTER (WHERE NOT s.handed AND s.she_wrote))
    FROM stats_fact s WHERE ${where} AND NOT s.counted
    ${
      awareness
        ? sql`UNION ALL
    SELECT 'ga', json_agg(g ORDER BY g.answer) FROM (
      SELECT s.awareness AS answer, count(DISTINCT s.person_key) AS people
      FROM stats_fact s WHERE ${where} AND s.counted AND s.awareness IS NOT NULL
      GROUP BY s.awareness
    ) g`
        : Prisma.empty
    }
  ),
  gn AS (
    SELECT g.* FROM part, json_to_recordset(part.j) AS g(gs int, channel text, month text,
      age_band text, weekday int, hour int, risk_level text, region_id text, topics text[],
      referrals text[], follow_ups text[], n bigint)
    WHERE part.name = 'gn'
  ),
  gp AS (
    SELECT g.* FROM part, json_to_recordset(part.j) AS g(gs int, ret boolean, channels bigint,
      age_bands bigint, months text, people bigint)
    WHERE part.name = 'gp'
  ),
  people AS (
    SELECT 'channel' AS dimension, v.value, sum(g.people) AS people
    FROM gp g JOIN stats_value v ON v.dimension = 'channel' AND g.channels & (1::int8 << v.bit) <> 0
    WHERE ${is(people, "channels")} GROUP BY v.value
    UNION ALL
    SELECT 'age_band', v.value, sum(g.people)
    FROM gp g JOIN (SELECT value, bit FROM stats_value WHERE dimension = 'age_band'
        UNION ALL SELECT NULL, 0) v ON g.age_bands & (1::int8 << v.bit) <> 0
    WHERE ${is(people, "ageBands")} GROUP BY v.value
    UNION ALL
    -- The places of the 1s of each distinct mask (one call per mask, not one per month).
    SELECT 'month', (${months}::text[])[i], sum(g.people)
    FROM gp g, unnest(array_positions(string_to_array(g.months, NULL), '1')) AS i
    WHERE ${is(people, "months")} GROUP BY i
  )
  SELECT json_build_object(
    'consultations', (SELECT COALESCE(sum(n), 0) FROM gn WHERE ${is(other, "all")}),
    'people', (SELECT COALESCE(sum(people), 0) FROM gp WHERE ${is(people, "ret")}),
    'newPeople', (SELECT COALESCE(sum(people), 0) FROM gp WHERE ${is(people, "ret")} AND ret IS false),
    'returningPeople', (SELECT COALESCE(sum(people), 0) FROM gp WHERE ${is(people, "ret")} AND ret IS true),
    'unknownPeople', (SELECT COALESCE(sum(people), 0) FROM gp WHERE ${is(people, "ret")} AND ret IS NULL),
    'byChannel', ${list(sql`SELECT json_agg(r ORDER BY r.channel) FROM (SELECT g.channel, g.n AS consultations, p.people FROM gn g JOIN people p ON p.dimension = 'channel' AND p.value = g.channel WHERE ${is(other, "channel")}) r`)},
    'trend', ${list(sql`SELECT json_agg(r ORDER BY r.month) FROM (SELECT g.month, g.n AS consultations, p.people FROM gn g JOIN people p ON p.dimension = 'month' AND p.value = g.month WHERE ${is(other, "month")}) r`)},
    'ageBands', ${list(sql`SELECT json_agg(r ORDER BY r.age_band) FROM (SELECT g.age_band, g.n AS consultations, p.people FROM gn g JOIN people p ON p.dimension = 'age_band' AND p.value IS NOT DISTINCT FROM g.age_band WHERE ${is(other, "ageBand")}) r`)},
    'awareness', ${awareness ? list(sql`SELECT j FROM part WHERE name = 'ga'`) : sql`'[]'::json`},
    'topicByRegion', ${list(sql`SELECT json_agg(r ORDER BY r.region, r.topic) FROM (SELECT g.region_id AS region, t.topic, sum(n) AS consultations FROM gn g LEFT JOIN LATERAL unnest(CASE WHEN cardinality(g.topics) = 0 THEN ARRAY[NULL::text] ELSE g.topics END) AS t(topic) ON true WHERE ${is(other, "topics")} GROUP BY 1, 2) r`)},
    'heatmap', ${list(sql`SELECT json_agg(r ORDER BY r.weekday, r.hour) FROM (SELECT weekday, hour, n AS consultations FROM gn WHERE ${is(other, "heatmap")}) r`)},
    'referrals', ${list(sql`SELECT json_agg(r ORDER BY r.consultations DESC, r.agency) FROM (SELECT a AS agency, sum(n) AS consultations FROM gn, unnest(gn.referrals) AS a WHERE ${is(other, "referrals")} GROUP BY 1) r`)},
    'followUps', ${list(sql`SELECT json_agg(r ORDER BY r.follow_up) FROM (SELECT x AS follow_up, sum(n) AS consultations FROM gn, unnest(gn.follow_ups) AS x WHERE ${is(other, "followUps")} GROUP BY 1) r`)},
    'riskLevels', ${list(sql`SELECT json_agg(r ORDER BY r.risk_level) FROM (SELECT risk_level, n AS consultations FROM gn WHERE ${is(other, "risk")}) r`)},
    'byMonthChannel', ${list(sql`SELECT j FROM part WHERE name = 'mc'`)},
    'waiting', (SELECT j FROM part WHERE name = 'w'),
    'unanswered', (SELECT j FROM part WHERE name = 'u')
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
