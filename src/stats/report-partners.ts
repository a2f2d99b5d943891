import { z } from "zod";
import type { PrismaClient } from "../db/prisma-client";
import { Prisma } from "../db/prisma-client";
import { listPartners } from "../partners/partner-directory";
import {
  CONSENTS,
  CONSENT_LABELS,
  REFERRAL_OUTCOMES,
  REFERRAL_OUTCOME_LABELS,
} from "../partners/partner-types";
import { monthLabel } from "./stats-labels";
import { monthsOf, type Period } from "./stats-period";
import type { Cell, ReportTable } from "./report-table";
import type { StatsFilter } from "./stats-types";

const n = z.number();

/**
 * The report's part of partners and publicity (COUNTING.md, "Referral records" and "Campaign
 * scans"): referral records by partner, consent and outcome; scans per campaign and month; and
 * the directory's partner names (the つなぎ先 table's zero rows).
 */
export const partnerReportSchema = z.object({
  /** Every partner of the directory not archived, by name: a row each, counted or not. */
  partnerNames: z.array(z.string()),
  referralRecords: z.array(
    z.object({ partner: z.string(), consent: z.string(), outcome: z.string(), referrals: n }),
  ),
  campaignScans: z.array(
    z.object({
      /** null: a code no campaign has (counted as unknown). */
      campaignId: z.string().nullable(),
      code: z.string().nullable(),
      name: z.string(),
      month: z.string(),
      scans: n,
    }),
  ),
});
export type PartnerReport = z.infer<typeof partnerReportSchema>;

export async function partnerReport(
  prisma: PrismaClient,
  period: Period,
  filter: StatsFilter,
): Promise<PartnerReport> {
  const region = filter.region ?? null;
  const months = monthsOf(period);
  const [partners, referrals, scans] = await Promise.all([
    listPartners(prisma, { region }),
    prisma.$queryRaw<{ partner: string; consent: string; outcome: string; referrals: number }[]>`
      SELECT p.name AS partner, r.consent, r.outcome, count(*)::int AS referrals
      FROM referral r
      JOIN partner p ON p.id = r.partner_id
      LEFT JOIN consultation_entry e ON e.id = r.entry_id
      WHERE r.created_at >= ${period.from} AND r.created_at < ${period.to}
        AND e.deleted_at IS NULL
        AND (${region}::text IS NULL OR r.region_id = ${region})
      GROUP BY p.name, r.consent, r.outcome
      ORDER BY p.name, r.consent, r.outcome`,
    prisma.$queryRaw<
      {
        campaignId: string | null;
        code: string | null;
        name: string;
        month: string;
        scans: number;
      }[]
    >`
      SELECT c.id::text AS "campaignId", c.code, coalesce(c.name, '不明なコード') AS name,
             s.month, sum(s.scans)::int AS scans
      FROM campaign_scan s
      LEFT JOIN campaign c ON c.id::text = s.campaign_key
      WHERE s.month IN (${Prisma.join(months)})
        AND (${region}::text IS NULL OR c.region_id = ${region})
      GROUP BY c.id, c.code, c.name, s.month
      ORDER BY c.code NULLS LAST, s.month`,
  ]);
  return partnerReportSchema.parse({
    partnerNames: partners.map((p) => p.name),
    referralRecords: referrals,
    campaignScans: scans,
  });
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Referral records: a row per partner (every one of the directory), by consent and outcome. */
function referralRecordsTable(r: PartnerReport): ReportTable {
  const names = [
    ...r.partnerNames,
    ...new Set(r.referralRecords.map((x) => x.partner).filter((p) => !r.partnerNames.includes(p))),
  ];
  const count = (partner: string, key: "consent" | "outcome", value: string) =>
    sum(
      r.referralRecords
        .filter((x) => x.partner === partner && x[key] === value)
        .map((x) => x.referrals),
    );
  const all = (partner: string) =>
    sum(r.referralRecords.filter((x) => x.partner === partner).map((x) => x.referrals));
  const row = (partner: string): Cell[] => [
    partner,
    all(partner),
    ...CONSENTS.map((c) => count(partner, "consent", c)),
    ...REFERRAL_OUTCOMES.map((o) => count(partner, "outcome", o)),
  ];
  const rows = names.map(row);
  const columns = 1 + CONSENTS.length + REFERRAL_OUTCOMES.length;
  const total: Cell[] = [
    "合計",
    ...Array.from({ length: columns }, (_, i) => sum(rows.map((x) => Number(x[i + 1])))),
  ];
  return {
    sheet: "つなぎ先の記録",
    title: "つなぎ先の記録（機関別・本人同意・結果）",
    header: [
      "機関",
      "件数",
      ...CONSENTS.map((c) => CONSENT_LABELS[c]),
      ...REFERRAL_OUTCOMES.map((o) => REFERRAL_OUTCOME_LABELS[o]),
    ],
    rows,
    total,
    note: "つなぎ先の記録を作った日で数えます。結果は記録した時点の最新のものです。",
  };
}

/** Scans per campaign and month of the period (a column per month). */
function campaignScansTable(r: PartnerReport, months: string[]): ReportTable {
  const keys = [...new Set(r.campaignScans.map((x) => x.campaignId ?? ""))];
  const scans = (key: string, month: string) =>
    sum(
      r.campaignScans
        .filter((x) => (x.campaignId ?? "") === key && x.month === month)
        .map((x) => x.scans),
    );
  const label = (key: string) => {
    const c = r.campaignScans.find((x) => (x.campaignId ?? "") === key);
    return key === "" || !c ? "不明なコード" : `${c.name}（${c.code ?? ""}）`;
  };
  const rows = keys.map((k): Cell[] => {
    const values = months.map((m) => scans(k, m));
    return [label(k), ...values, sum(values)];
  });
  const totals = months.map((m) => sum(keys.map((k) => scans(k, m))));
  return {
    sheet: "広報の読み取り",
    title: "広報（キャンペーン）リンクの読み取り数",
    header: ["キャンペーン", ...months.map(monthLabel), "合計"],
    rows,
    total: ["合計", ...totals, sum(totals)],
    note: "読み取った人のことは何も記録していません（同じ人が何度読み取っても数えます）。",
  };
}

/** The tables of this part, after the report's others; `months`: the period's (YYYY-MM). */
export function partnerTables(part: PartnerReport, months: string[]): ReportTable[] {
  return [referralRecordsTable(part), campaignScansTable(part, months)];
}
