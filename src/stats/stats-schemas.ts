import { z } from "zod";
import { partnerReportSchema } from "./report-partners";
import {
  CHANNELS,
  ENTRY_CHANNELS,
  FOLLOW_UPS,
  LINK_REASONS,
  RISK_LEVELS,
  UNLINK_REASONS,
} from "./stats-types";
import { outreachReportSchema } from "./report-casefile";
import { programmeReportSchema } from "./report-programme";

/** Request and response schemas of the statistics API (validated in, typed out, documented). */
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD");
const code = z.string().trim().min(1).max(50);

/** The period of a statistics or entries query: one of a fiscal year, a month, or from and to. */
const period = {
  fiscalYear: z.coerce.number().int().min(2000).max(2100).optional(),
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "YYYY-MM")
    .optional(),
  from: day.optional(),
  to: day.optional(),
};
const onePeriod = (q: { fiscalYear?: number; month?: string; from?: string; to?: string }) =>
  [q.fiscalYear !== undefined, q.month !== undefined, q.from !== undefined].filter(Boolean)
    .length === 1 && (q.from === undefined) === (q.to === undefined);
const ONE_PERIOD = { message: "Give one period: fiscalYear, month, or from and to" };

export const statsQuerySchema = z
  .object({
    ...period,
    region: code.optional(),
    channel: z.enum(CHANNELS).optional(),
    topic: code.optional(),
    ageBand: code.optional(),
  })
  .refine(onePeriod, ONE_PERIOD);
export type StatsQuery = z.infer<typeof statsQuerySchema>;

export const entryInputSchema = z
  .object({
    channel: z.enum(ENTRY_CHANNELS),
    regionId: code,
    startedAt: z.iso.datetime({ offset: true }),
    durationMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .optional(),
    topics: z.array(code).max(10),
    ageBand: code.nullable().optional(),
    referrals: z.array(z.string().trim().min(1).max(100)).max(20),
    followUps: z.array(z.enum(FOLLOW_UPS)).max(4),
    riskLevel: z.enum(RISK_LEVELS),
    /** Her LINE pseudonym when she also writes on LINE: she counts once in 実数. */
    personPseudonym: z.string().trim().min(1).max(50).optional(),
    /** The NPO's case number (unique within the region). */
    caseRef: z.string().trim().min(1).max(50).optional(),
    /**
     * Only for an entry with no reference: is this her first contact with the programme?
     * true 新規, false 継続, null or absent 不明 (COUNTING.md).
     */
    firstContact: z.boolean().nullable().optional(),
  })
  .refine((e) => !(e.personPseudonym && e.caseRef), {
    message: "Give her LINE pseudonym or a case number, not both",
  });
export type EntryInput = z.infer<typeof entryInputSchema>;

/** Links an entry to a woman's file: her LINE pseudonym or a case number of its region. */
export const entryLinkSchema = z
  .object({
    personPseudonym: z.string().trim().min(1).max(50).optional(),
    caseRef: z.string().trim().min(1).max(50).optional(),
    reason: z.enum(LINK_REASONS),
  })
  .refine((l) => (l.personPseudonym === undefined) !== (l.caseRef === undefined), {
    message: "Give her LINE pseudonym or a case number (one of them)",
  });
export type EntryLink = z.infer<typeof entryLinkSchema>;
export const entryUnlinkSchema = z.object({ reason: z.enum(UNLINK_REASONS) });

export const entrySchema = z.object({
  id: z.uuid(),
  channel: z.string(),
  regionId: z.string(),
  startedAt: z.iso.datetime(),
  personKnown: z.boolean(),
});

/** The manual entries of a period (newest first), in the user's scope. */
export const entriesQuerySchema = z
  .object({
    ...period,
    region: code.optional(),
    channel: z.enum(ENTRY_CHANNELS).optional(),
  })
  .refine(onePeriod, ONE_PERIOD);
export type EntriesQuery = z.infer<typeof entriesQuerySchema>;

/** One manual entry as the console lists it (what the form holds, and who may change it). */
export const entryViewSchema = z.object({
  id: z.uuid(),
  channel: z.string(),
  channelLabel: z.string(),
  regionId: z.string(),
  region: z.string(),
  startedAt: z.iso.datetime(),
  durationMinutes: z.number().nullable(),
  topics: z.array(z.string()),
  ageBand: z.string().nullable(),
  referrals: z.array(z.string()),
  followUps: z.array(z.string()),
  riskLevel: z.string(),
  personPseudonym: z.string().nullable(),
  caseRef: z.string().nullable(),
  /** 新規 (true), 継続 (false), 不明 (null): the counsellor's answer, entries without reference. */
  firstContact: z.boolean().nullable(),
  counsellor: z.string(),
  createdAt: z.iso.datetime(),
  correctedAt: z.iso.datetime().nullable(),
  /** The signed-in user may correct and delete it (its author, or a supervisor/admin). */
  editable: z.boolean(),
});
export type EntryView = z.infer<typeof entryViewSchema>;
export const entryListSchema = z.object({
  entries: z.array(entryViewSchema),
  /** More entries than listed: narrow the period. */
  truncated: z.boolean(),
});

const labelled = z.array(z.object({ value: z.string(), label: z.string() }));
export const optionsSchema = z.object({
  regions: labelled,
  channels: labelled,
  entryChannels: labelled,
  topics: labelled,
  ageBands: labelled,
  followUps: labelled,
  riskLevels: labelled,
  agencies: z.array(z.string()),
  kpi: z.object({ fiscalYear: z.number(), uniquePeopleTarget: z.number() }).nullable(),
  /** Every fiscal year with a KPI in the preset (kpi and kpiByYear), oldest first. */
  kpiByYear: z.array(z.object({ fiscalYear: z.number(), uniquePeopleTarget: z.number() })),
  currentFiscalYear: z.number(),
  scopeRegion: z.string().nullable(),
});

const n = z.number();
const nullableN = z.number().nullable();

/** What the SQL of stats-queries.ts returns (one JSON value). */
export const rawReportSchema = z.object({
  consultations: n,
  people: n,
  byChannel: z.array(z.object({ channel: z.string(), consultations: n, people: n })),
  trend: z.array(z.object({ month: z.string(), consultations: n, people: n })),
  byMonthChannel: z.array(
    z.object({ month: z.string(), channel: z.string(), consultations: n, people: n }),
  ),
  topicByRegion: z.array(
    z.object({ region: z.string().nullable(), topic: z.string().nullable(), consultations: n }),
  ),
  heatmap: z.array(z.object({ weekday: n, hour: n, consultations: n })),
  ageBands: z.array(z.object({ age_band: z.string().nullable(), consultations: n, people: n })),
  newPeople: n,
  returningPeople: n,
  unknownPeople: n,
  referrals: z.array(z.object({ agency: z.string(), consultations: n })),
  followUps: z.array(z.object({ follow_up: z.string(), consultations: n })),
  riskLevels: z.array(z.object({ risk_level: z.string(), consultations: n })),
  awareness: z.array(z.object({ answer: z.string(), people: n })),
  waiting: z.object({
    answered: n,
    measured: n,
    waitMedian: nullableN,
    waitP90: nullableN,
    waitMean: nullableN,
    responseMedian: nullableN,
    responseP90: nullableN,
    under5: n,
    under15: n,
    under30: n,
    under60: n,
    over60: n,
  }),
  unanswered: z.object({
    abandoned: n,
    stillWaiting: n,
    blocked: n,
    greetings: n,
    botOnly: n,
  }),
});
export type RawReport = z.infer<typeof rawReportSchema>;

const row = <T extends z.ZodRawShape>(shape: T) => z.array(z.object(shape));

export const reportSchema = z.object({
  period: z.object({
    label: z.string(),
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    fiscalYear: nullableN,
    /** The period in Japanese: 令和7年度, 2025年4月, or 2025年4月1日〜2025年6月30日. */
    title: z.string(),
  }),
  filters: z.object({
    region: z.string().nullable(),
    /** The filtered region's name, or 全地域. */
    regionName: z.string(),
    channel: z.string().nullable(),
    topic: z.string().nullable(),
    ageBand: z.string().nullable(),
  }),
  consultations: n,
  people: n,
  kpi: z
    .object({
      fiscalYear: n,
      target: n,
      people: n,
      progress: n,
      filtered: z.boolean(),
    })
    .nullable(),
  byChannel: row({ channel: z.string(), label: z.string(), consultations: n, people: n }),
  trend: row({ month: z.string(), consultations: n, people: n }),
  /** 延べ数 and 実数 per month and channel (only the pairs that have consultations). */
  byMonthChannel: row({ month: z.string(), channel: z.string(), consultations: n, people: n }),
  topicByRegion: row({
    regionId: z.string().nullable(),
    region: z.string(),
    topic: z.string().nullable(),
    topicLabel: z.string(),
    consultations: n,
  }),
  heatmap: row({ weekday: n, hour: n, consultations: n }),
  ageBands: row({ ageBand: z.string().nullable(), label: z.string(), consultations: n, people: n }),
  newReturning: z.object({ new: n, returning: n, unknown: n }),
  waiting: rawReportSchema.shape.waiting.extend({
    handedOff: n,
    abandoned: n,
    stillWaiting: n,
    abandonmentRate: nullableN,
  }),
  nonConsultations: z.object({ greetings: n, botOnly: n, blocked: n }),
  referrals: row({ agency: z.string(), consultations: n }),
  followUps: row({ followUp: z.string(), label: z.string(), consultations: n }),
  riskLevels: row({ riskLevel: z.string(), label: z.string(), consultations: n }),
  awareness: z.object({
    asked: z.boolean(),
    answers: row({ answer: z.string(), label: z.string(), people: n }),
  }),
  /** Referral records, campaign scans and the directory's partners (report-partners.ts). */
  partners: partnerReportSchema,
  /** 訪問 and 同行 tasks of the period by outcome (report-casefile.ts). */
  outreach: outreachReportSchema,
  programme: programmeReportSchema,
});
export type Report = z.infer<typeof reportSchema>;

export const recordRowSchema = z.object({
  channel: z.string(),
  personKey: z.string(),
  date: z.string(),
  hour: n,
  weekday: n,
  regionId: z.string().nullable(),
  topics: z.array(z.string()),
  ageBand: z.string().nullable(),
  returning: z.boolean().nullable(),
  waitMinutes: nullableN,
  responseMinutes: nullableN,
  referrals: z.array(z.string()),
  followUps: z.array(z.string()),
  counsellor: z.string().nullable(),
  riskLevel: z.string(),
});
export type RecordRow = z.infer<typeof recordRowSchema>;

const cellSchema = z.union([z.string(), z.number(), z.null()]);
/** The report with its tables as the files have them (report.xlsx, report.csv): the page shows these. */
export const reportViewSchema = reportSchema.extend({
  tables: z.array(
    z.object({
      sheet: z.string(),
      title: z.string(),
      header: z.array(z.string()),
      rows: z.array(z.array(cellSchema)),
      total: z.array(cellSchema).nullable(),
      note: z.string().optional(),
    }),
  ),
});
