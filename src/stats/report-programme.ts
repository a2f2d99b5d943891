/**
 * The report's programme part (COUNTING.md, "居場所 and sanitary products"): 居場所 gatherings
 * and their attendance, and sanitary products handed out, per region and month. Activities, not
 * consultations: they add nothing to 延べ数 or 実数, and only the region filter applies to them.
 */
import { z } from "zod";
import { Prisma, type PrismaClient } from "../db/prisma-client";
import { monthLabel } from "./stats-labels";
import { monthsOf, tokyoDate, type Period } from "./stats-period";
// The shapes of report-tables.ts, written again so that it can import this file without a cycle.
type Cell = string | number | null;
interface ReportTable {
  sheet: string;
  title: string;
  header: string[];
  rows: Cell[][];
  total: Cell[] | null;
  note?: string;
}
interface TableContext {
  regions: { id: string; name: string }[];
}

const int = z.number().int();

export const programmeReportSchema = z.object({
  /** Gatherings with a head count recorded, not called off, by the month they started in. */
  gatherings: z.array(
    z.object({ regionId: z.string(), month: z.string(), gatherings: int, attendance: int }),
  ),
  /** Distinct women linked (with their consent) to the period's gatherings. */
  linkedWomen: int,
  /** Packs handed out by region and month: in all, at pickup points, at gatherings. */
  products: z.array(
    z.object({
      regionId: z.string(),
      month: z.string(),
      quantity: int,
      atPickupPoints: int,
      atGatherings: int,
    }),
  ),
});
export type ProgrammeReport = z.infer<typeof programmeReportSchema>;

/** The programme's counts of a period (and one region, when the report is of one). */
export async function programmeReport(
  prisma: PrismaClient,
  period: Period,
  region: string | undefined,
): Promise<ProgrammeReport> {
  const inRegion = (column: Prisma.Sql) =>
    region === undefined ? Prisma.empty : Prisma.sql`AND ${column} = ${region}`;
  const held = Prisma.sql`g.cancelled_at IS NULL AND g.head_count IS NOT NULL
    AND g.starts_at >= ${period.from} AND g.starts_at < ${period.to} ${inRegion(Prisma.sql`g.region_id`)}`;
  const [gatherings, linked, products] = await prisma.$transaction([
    prisma.$queryRaw<{ regionId: string; month: string; gatherings: number; attendance: number }[]>`
      SELECT g.region_id AS "regionId",
             to_char(g.starts_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM') AS month,
             count(*)::int AS gatherings, sum(g.head_count)::int AS attendance
      FROM gathering g WHERE ${held} GROUP BY 1, 2 ORDER BY 2, 1`,
    prisma.$queryRaw<{ women: number }[]>`
      SELECT count(DISTINCT a.person_id)::int AS women
      FROM gathering_attendee a JOIN gathering g ON g.id = a.gathering_id WHERE ${held}`,
    prisma.$queryRaw<ProgrammeReport["products"]>`
      SELECT h.region_id AS "regionId", h.month,
             sum(h.quantity)::int AS quantity,
             (sum(h.quantity) FILTER (WHERE h.gathering_id IS NULL))::int AS "atPickupPoints",
             (sum(h.quantity) FILTER (WHERE h.gathering_id IS NOT NULL))::int AS "atGatherings"
      FROM product_handout h
      WHERE h.deleted_at IS NULL
        AND h.handed_on >= ${tokyoDate(period.from)}::date
        AND h.handed_on < ${tokyoDate(period.to)}::date ${inRegion(Prisma.sql`h.region_id`)}
      GROUP BY 1, 2 ORDER BY 2, 1`,
  ]);
  return programmeReportSchema.parse({
    gatherings,
    linkedWomen: linked[0]?.women ?? 0,
    products: products.map((p) => ({
      ...p,
      atPickupPoints: p.atPickupPoints ?? 0,
      atGatherings: p.atGatherings ?? 0,
    })),
  });
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The period's months, from the report's own period. */
function monthsOfReport(r: { period: { from: string; to: string } }): string[] {
  const period = {
    from: new Date(r.period.from),
    to: new Date(r.period.to),
    fiscalYear: null,
    label: "",
  };
  return monthsOf(period);
}

interface ReportPart {
  period: { from: string; to: string };
  filters: { region: string | null };
  programme: ProgrammeReport;
}

function regionsOf(r: ReportPart, ctx: TableContext) {
  return ctx.regions.filter((g) => r.filters.region === null || r.filters.region === g.id);
}

/** 居場所: per month, each region's gatherings and head count, and the totals. */
function gatheringsTable(r: ReportPart, ctx: TableContext): ReportTable {
  const regions = regionsOf(r, ctx);
  const find = (region: string, month: string) =>
    r.programme.gatherings.find((g) => g.regionId === region && g.month === month);
  const months = monthsOfReport(r);
  const rows = months.map((month): Cell[] => {
    const cells = regions.flatMap((g) => [
      find(g.id, month)?.gatherings ?? 0,
      find(g.id, month)?.attendance ?? 0,
    ]);
    const count = sum(regions.map((g) => find(g.id, month)?.gatherings ?? 0));
    const people = sum(regions.map((g) => find(g.id, month)?.attendance ?? 0));
    return [monthLabel(month), ...cells, count, people];
  });
  const column = (i: number) => sum(rows.map((row) => Number(row[i] ?? 0)));
  return {
    sheet: "居場所",
    title: "居場所（開催回数・参加人数、地域 × 月）",
    header: [
      "月",
      ...regions.flatMap((g) => [`${g.name} 回数`, `${g.name} 参加人数`]),
      "回数 計",
      "参加人数 計",
    ],
    rows,
    total: ["期間計", ...(rows[0]?.slice(1).map((_, i) => column(i + 1)) ?? [])],
    note: `参加人数を記録した回だけを数えます（中止した回は数えません）。参加人数は延べ人数です。本人の同意を得て記録した参加者は ${r.programme.linkedWomen} 人（実人数）。相談件数には含みません。`,
  };
}

/** 生理用品: per month, packs handed out in each region, and where. */
function productsTable(r: ReportPart, ctx: TableContext): ReportTable {
  const regions = regionsOf(r, ctx);
  const find = (region: string, month: string) =>
    r.programme.products.find((p) => p.regionId === region && p.month === month);
  const rows = monthsOfReport(r).map((month): Cell[] => {
    const values = regions.map((g) => find(g.id, month)?.quantity ?? 0);
    const points = sum(regions.map((g) => find(g.id, month)?.atPickupPoints ?? 0));
    const gatherings = sum(regions.map((g) => find(g.id, month)?.atGatherings ?? 0));
    return [monthLabel(month), ...values, sum(values), points, gatherings];
  });
  const column = (i: number) => sum(rows.map((row) => Number(row[i] ?? 0)));
  return {
    sheet: "生理用品",
    title: "生理用品の配布（個数、地域 × 月）",
    header: ["月", ...regions.map((g) => g.name), "合計", "うち受け取り場所", "うち居場所"],
    rows,
    total: ["期間計", ...(rows[0]?.slice(1).map((_, i) => column(i + 1)) ?? [])],
    note: "配布は活動の記録で、相談件数には含みません（相談があったときは、その相談として記録します）。",
  };
}

/** The programme's tables, after the consultation tables. */
export function programmeTables(r: ReportPart, ctx: TableContext): ReportTable[] {
  return [gatheringsTable(r, ctx), productsTable(r, ctx)];
}
