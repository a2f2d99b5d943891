import type { PrismaClient } from "../db/prisma-client";
import { recordAudit } from "../audit/audit-log";
import { AppError } from "../errors";
import type { Preset } from "../flows/flow-types";
import { fiscalYearOf, monthsOf, periodOf, type Period, type PeriodInput } from "./stats-period";
import { recordsCsv, reportCsv } from "./stats-csv";
import { periodTitle } from "./stats-labels";
import { reportTables } from "./report-tables";
import { partnerReport, partnerTables, type PartnerReport } from "./report-partners";
import { outreachReport } from "./report-casefile";
import { programmeReport, type ProgrammeReport } from "./report-programme";
import { reportXlsx } from "./stats-xlsx";
import { recordsSql, reportSql, STATS_SETTINGS } from "./stats-queries";
import {
  rawReportSchema,
  recordRowSchema,
  type RawReport,
  type RecordRow,
  type Report,
  type StatsQuery,
} from "./stats-schemas";
import {
  AGE_LABELS,
  AWARENESS_FIELD,
  CHANNEL_LABELS,
  FOLLOW_UP_LABELS,
  RISK_LABELS,
  TOPIC_LABELS,
  type Channel,
  type StatsFilter,
} from "./stats-types";

/** Every fiscal year's KPI of the preset (`kpi` and `kpiByYear`), oldest first. */
export function kpiTargets(preset: Preset): { fiscalYear: number; uniquePeopleTarget: number }[] {
  return [...(preset.kpi ? [preset.kpi] : []), ...preset.kpiByYear].sort(
    (a, b) => a.fiscalYear - b.fiscalYear,
  );
}

/** Who asks: statistics of a region-bound user never leave her/his region. */
export interface StatsUser {
  id: string;
  role: "counsellor" | "supervisor" | "admin";
  regionId: string | null;
}

export function periodInputOf(q: StatsQuery): PeriodInput {
  if (q.fiscalYear !== undefined) return { fiscalYear: q.fiscalYear };
  if (q.month !== undefined) return { month: q.month };
  return { from: q.from ?? "", to: q.to ?? "" };
}

/** The report's counts (COUNTING.md): SQL does the counting, this shapes and labels it. */
export function createStatsService(deps: { prisma: PrismaClient; preset: Preset }) {
  const { prisma, preset } = deps;
  const regionName = (id: string | null) =>
    id === null ? "未設定" : (preset.regions.find((r) => r.id === id)?.name ?? id);
  const awarenessAsked = Object.values(preset.flowVersions).some((flow) =>
    Object.values(flow.nodes).some((node) => "field" in node && node.field === AWARENESS_FIELD),
  );

  function filterFor(user: StatsUser, q: StatsQuery): StatsFilter {
    if (user.regionId !== null && q.region !== undefined && q.region !== user.regionId) {
      throw new AppError("FORBIDDEN", "Statistics of another region are not yours to see", 403);
    }
    return {
      region: user.regionId ?? q.region,
      channel: q.channel,
      topic: q.topic,
      ageBand: q.ageBand,
    };
  }

  async function rawReport(period: Period, filter: StatsFilter): Promise<RawReport> {
    const [, rows] = await prisma.$transaction([
      prisma.$queryRaw(STATS_SETTINGS),
      prisma.$queryRaw<{ report: unknown }[]>(reportSql(period, filter, awarenessAsked)),
    ]);
    return rawReportSchema.parse(rows[0]?.report);
  }

  function kpiOf(period: Period, filter: StatsFilter, people: number): Report["kpi"] {
    const kpi = kpiTargets(preset).find((k) => k.fiscalYear === period.fiscalYear);
    if (!kpi) return null;
    const filtered = Object.values(filter).some((v) => v !== undefined);
    const progress = kpi.uniquePeopleTarget > 0 ? people / kpi.uniquePeopleTarget : 0;
    return {
      fiscalYear: kpi.fiscalYear,
      target: kpi.uniquePeopleTarget,
      people,
      progress,
      filtered,
    };
  }

  /** Her answer to the awareness question as the flow's button said it (any version's). */
  const awarenessLabels = new Map(
    Object.values(preset.flowVersions).flatMap((flow) =>
      Object.values(flow.nodes).flatMap((node) =>
        node.type === "choice" && node.field === AWARENESS_FIELD
          ? node.choices.flatMap((c) => (c.value ? [[c.value, c.label] as const] : []))
          : [],
      ),
    ),
  );

  function shape(
    period: Period,
    filter: StatsFilter,
    raw: RawReport,
    title: string,
    partners: PartnerReport,
    programme: ProgrammeReport,
  ): Omit<Report, "outreach"> {
    const byMonth = new Map(raw.trend.map((t) => [t.month, t]));
    const { abandoned, stillWaiting } = raw.unanswered;
    const handedOff = raw.waiting.answered + abandoned + stillWaiting;
    const finished = raw.waiting.answered + abandoned;
    return {
      period: {
        label: period.label,
        from: period.from.toISOString(),
        to: period.to.toISOString(),
        fiscalYear: period.fiscalYear,
        title,
      },
      filters: {
        region: filter.region ?? null,
        regionName: filter.region === undefined ? "全地域" : regionName(filter.region),
        channel: filter.channel ?? null,
        topic: filter.topic ?? null,
        ageBand: filter.ageBand ?? null,
      },
      consultations: raw.consultations,
      people: raw.people,
      kpi: kpiOf(period, filter, raw.people),
      byChannel: raw.byChannel.map((c) => ({
        ...c,
        label: CHANNEL_LABELS[c.channel as Channel] ?? c.channel,
      })),
      byMonthChannel: raw.byMonthChannel,
      trend: monthsOf(period).map(
        (month) => byMonth.get(month) ?? { month, consultations: 0, people: 0 },
      ),
      topicByRegion: raw.topicByRegion.map((t) => ({
        regionId: t.region,
        region: regionName(t.region),
        topic: t.topic,
        topicLabel: t.topic === null ? "未分類" : (TOPIC_LABELS[t.topic] ?? t.topic),
        consultations: t.consultations,
      })),
      heatmap: raw.heatmap,
      ageBands: raw.ageBands.map((a) => ({
        ageBand: a.age_band,
        label: a.age_band === null ? "不明" : (AGE_LABELS[a.age_band] ?? a.age_band),
        consultations: a.consultations,
        people: a.people,
      })),
      newReturning: {
        new: raw.newPeople,
        returning: raw.returningPeople,
        unknown: raw.unknownPeople,
      },
      waiting: {
        ...raw.waiting,
        handedOff,
        abandoned,
        stillWaiting,
        // Of the hand-offs that have ended: still-waiting ones have not decided either way.
        abandonmentRate: finished > 0 ? abandoned / finished : null,
      },
      nonConsultations: {
        greetings: raw.unanswered.greetings,
        botOnly: raw.unanswered.botOnly,
        blocked: raw.unanswered.blocked,
      },
      referrals: raw.referrals,
      followUps: raw.followUps.map((f) => ({
        followUp: f.follow_up,
        label: FOLLOW_UP_LABELS[f.follow_up] ?? f.follow_up,
        consultations: f.consultations,
      })),
      riskLevels: raw.riskLevels.map((r) => ({
        riskLevel: r.risk_level,
        label: RISK_LABELS[r.risk_level] ?? r.risk_level,
        consultations: r.consultations,
      })),
      awareness: {
        asked: awarenessAsked,
        answers: raw.awareness.map((a) => ({
          ...a,
          label: awarenessLabels.get(a.answer) ?? a.answer,
        })),
      },
      partners,
      programme,
    };
  }

  async function report(user: StatsUser, q: StatsQuery): Promise<Report> {
    const input = periodInputOf(q);
    const period = periodOf(input);
    const filter = filterFor(user, q);
    const [raw, partners, outreach, programme] = await Promise.all([
      rawReport(period, filter),
      partnerReport(prisma, period, filter),
      outreachReport(prisma, period, filter.region),
      programmeReport(prisma, period, filter.region),
    ]);
    return { ...shape(period, filter, raw, periodTitle(input), partners, programme), outreach };
  }

  /** The period's consultations, oldest first, without anything that names her. */
  async function records(user: StatsUser, q: StatsQuery): Promise<RecordRow[]> {
    const period = periodOf(periodInputOf(q));
    const [, rows] = await prisma.$transaction([
      prisma.$queryRaw(STATS_SETTINGS),
      prisma.$queryRaw<unknown[]>(recordsSql(period, filterFor(user, q))),
    ]);
    return rows.map((r) => recordRowSchema.parse(r));
  }

  /** The report's tables (zero rows from the preset's regions and the directory, totals). */
  const tablesOf = (r: Report) => [
    ...reportTables(r, {
      regions: preset.regions.map((g) => ({ id: g.id, name: g.name })),
      partners: r.partners.partnerNames,
    }),
    ...partnerTables(
      r.partners,
      r.trend.map((t) => t.month),
    ),
  ];

  return {
    regionName,
    tablesOf,

    report,
    records,

    /**
     * The report (tables as CSV or as an Excel workbook) or the de-identified records as CSV,
     * audited: who exported which file of which period and filters, and how many rows.
     */
    async exportFile(
      user: StatsUser,
      file: "report-csv" | "report-xlsx" | "records-csv",
      q: StatsQuery,
    ): Promise<string | Buffer> {
      const filter = filterFor(user, q);
      const rows = file === "records-csv" ? await records(user, q) : undefined;
      let content: string | Buffer;
      if (rows) content = recordsCsv(rows, regionName);
      else {
        const r = await report(user, q);
        const tables = tablesOf(r);
        const heading = { period: r.period.title, region: r.filters.regionName };
        content =
          file === "report-xlsx" ? await reportXlsx(tables, heading) : reportCsv(tables, heading);
      }
      await recordAudit(prisma, {
        by: user.id,
        action: file === "report-xlsx" ? "export-xlsx" : "export-csv",
        detail: {
          file,
          fiscalYear: q.fiscalYear,
          month: q.month,
          from: q.from,
          to: q.to,
          regionId: filter.region,
          channel: filter.channel,
          topic: filter.topic,
          ageBand: filter.ageBand,
          rows: rows?.length,
        },
      });
      return content;
    },

    currentFiscalYear: () => fiscalYearOf(new Date()),
  };
}

export type StatsService = ReturnType<typeof createStatsService>;
