/**
 * Shapes of the YAML files an NPO edits (flow.yaml, preset.yaml, risk-lexicon.yaml).
 * Objects are strict so a typo such as `nxt:` is reported instead of silently ignored.
 * Structural checks that need the whole graph live in flow-validator.ts.
 */
import { z } from "zod";
import type {
  ChoiceNode,
  EndNode,
  FlowNode,
  GatheringsNode,
  HandoffNode,
  MessageNode,
  MunicipalityNode,
  OpeningHours,
  PickupPointsNode,
  TimeSlot,
  Weekday,
} from "./flow-types";
import { PARTNER_KINDS } from "./flow-types";
import { parseSlot } from "./opening-hours";
import { parsePattern } from "./risk-pattern";

const id = z.string().regex(/^[a-z][a-z0-9_]*$/, "ids use lower-case letters, digits and _");
const nonEmpty = z.string().min(1);
/** One message or a list of messages (each a separate LINE bubble). */
const texts = z.union([nonEmpty, z.array(nonEmpty).min(1)]).transform((t) => (Array.isArray(t) ? t : [t]));
const words = z.array(nonEmpty).default([]);

const fieldName = z
  .string()
  .regex(
    /^(safeNow|topics|ageBand|supportWish|answers\.[a-zA-Z][a-zA-Z0-9_]*)$/,
    "field must be safeNow, topics, ageBand, supportWish or answers.<name>",
  )
  .transform((f) => f as ChoiceNode["field"]);

const choiceSchema = z.strictObject({
  id,
  label: nonEmpty,
  value: nonEmpty.optional(),
  next: id.optional(),
  match: words,
  risk: words,
});

const messageNode = z.strictObject({
  type: z.literal("message"),
  text: texts,
  next: id,
}) satisfies z.ZodType<MessageNode>;

const choiceNode = z.strictObject({
  type: z.literal("choice"),
  text: texts,
  field: fieldName,
  choices: z.array(choiceSchema).min(1),
  next: id.optional(),
  multiple: z.boolean().default(false),
  skippable: z.boolean().default(true),
  moreText: nonEmpty.optional(),
  doneLabel: nonEmpty.optional(),
  freeTextValue: nonEmpty.optional(),
  oncePerPerson: z.boolean().default(false),
})
  // A multi-select keeps every answer she picks: only these two fields hold several.
  .refine((n) => !n.multiple || n.field === "topics" || n.field === "supportWish", {
    message: "multiple: true needs field topics or supportWish (the fields that keep several answers)",
    path: ["multiple"],
  }) satisfies z.ZodType<ChoiceNode>;

const municipalityNode = z.strictObject({
  type: z.literal("municipality"),
  text: texts,
  buttons: z.array(nonEmpty).default([]),
  preferNotLabel: nonEmpty,
  preferNotMatch: words,
  retryText: nonEmpty,
  retries: z.number().int().min(0).max(3).default(1),
  next: id,
}) satisfies z.ZodType<MunicipalityNode>;

const pickupPointsNode = z.strictObject({
  type: z.literal("pickupPoints"),
  text: texts,
  noneText: nonEmpty,
  next: id,
}) satisfies z.ZodType<PickupPointsNode>;

const gatheringsNode = z.strictObject({
  type: z.literal("gatherings"),
  text: texts,
  noneText: nonEmpty,
  next: id,
}) satisfies z.ZodType<GatheringsNode>;

const handoffNode = z.strictObject({
  type: z.literal("handoff"),
  text: texts,
}) satisfies z.ZodType<HandoffNode>;

const endNode = z.strictObject({
  type: z.literal("end"),
  text: texts,
  reason: z.enum(["not-safe-now", "completed"]),
}) satisfies z.ZodType<EndNode>;

const nodeSchema: z.ZodType<FlowNode> = z.discriminatedUnion("type", [
  messageNode,
  choiceNode,
  municipalityNode,
  pickupPointsNode,
  gatheringsNode,
  handoffNode,
  endNode,
]);

export const flowSchema = z.strictObject({
  version: z.union([nonEmpty, z.number()]).transform(String),
  start: id,
  settings: z.strictObject({
    silenceMinutes: z.number().int().min(1).default(30),
    restartAt: id,
    handoffOnRisk: z.boolean().default(true),
    handoffButtonLabel: nonEmpty,
    skipLabel: nonEmpty,
    riskNoticeCooldownMinutes: z.number().int().min(0).default(30),
  }),
  keywords: z.strictObject({
    handoff: z.array(nonEmpty),
    restart: z.array(nonEmpty),
    exit: z.array(nonEmpty).min(1, "at least one exit word is needed"),
  }),
  messages: z.strictObject({
    handoffRequested: texts,
    riskHandoff: texts,
    flowChanged: texts,
    waitInHours: texts,
    waitOutOfHours: texts,
    outOfHoursHotlines: texts,
    outOfHoursNotice: texts,
    riskNotice: texts,
    riskNoticeFirst: texts.optional(),
    riskNoticeNear: texts.optional(),
    exit: texts,
    restart: texts,
    silence: texts,
    sticker: texts,
    media: texts,
  }),
  nodes: z.record(id, nodeSchema),
});

// ---------- preset.yaml

const weekdayHours = z
  .union([z.null(), nonEmpty, z.array(nonEmpty)])
  .transform((v, ctx): TimeSlot[] => {
    const list = v === null ? [] : Array.isArray(v) ? v : [v];
    return list.flatMap((text) => {
      const slot = parseSlot(text);
      if (!slot) ctx.addIssue({ code: "custom", message: `"${text}" is not HH:MM-HH:MM` });
      return slot ? [slot] : [];
    });
  });

const weekly = z.strictObject({
  mon: weekdayHours,
  tue: weekdayHours,
  wed: weekdayHours,
  thu: weekdayHours,
  fri: weekdayHours,
  sat: weekdayHours,
  sun: weekdayHours,
}) satisfies z.ZodType<Record<Weekday, TimeSlot[]>>;

const hoursSchema = z.strictObject({
  weekly,
  holidays: z.enum(["closed", "open"]).default("closed"),
  closedDates: z.array(z.string().regex(/^\d{2}-\d{2}$/, "closed dates are MM-DD")).default([]),
}) satisfies z.ZodType<OpeningHours>;

/** How the region's waiting queue is watched (src/conversations/queue-timers.ts). */
const queueSchema = z
  .strictObject({
    waitLimitMinutes: z.number().int().min(1).default(15),
    answerLimitMinutes: z.number().int().min(1).default(10),
    tellAgainMinutes: z.number().int().min(1).default(20),
    overflowTo: z.array(id).default([]),
    overflowWhenClosed: z.boolean().default(true),
  })
  .default({
    waitLimitMinutes: 15,
    answerLimitMinutes: 10,
    tellAgainMinutes: 20,
    overflowTo: [],
    overflowWhenClosed: true,
  });

/** What she is told while she waits (src/flows/waiting-notice.ts); each one LINE message. */
const waitingSchema = z
  .strictObject({
    acknowledgeEveryMinutes: z.number().int().min(1).default(10),
    inHours: nonEmpty.default("メッセージを受け取りました。\n{{place}}"),
    outOfHours: nonEmpty.default(
      "メッセージを受け取りました。\n相談員からのお返事は、{{nextOpening}}からになります。\n急ぐときは、24時間つながる窓口へ。\n{{hotlines24h}}",
    ),
    personNear: nonEmpty.default("受け取りました。"),
    transferredInHours: nonEmpty.default("担当する相談員が替わります。\n{{place}}"),
    transferredOutOfHours: nonEmpty.default(
      "担当する相談員が替わります。\nお返事は、{{nextOpening}}からになります。\n急ぐときは、24時間つながる窓口へ。\n{{hotlines24h}}",
    ),
    transferredPersonNear: nonEmpty.default("担当が替わります。"),
  })
  .prefault({});

/**
 * Retention defaults (days), for a preset that says nothing: transcripts (message texts, notes,
 * emergency notes, delivery payloads) 3 years after the conversation ended, her files 1 year,
 * raw webhook events 30 days, ended console sessions and sign-in rows 90 days, audit 5 years.
 * The prefecture's records rules and the NPO's contract decide the real values.
 */
export const RETENTION_DEFAULTS = {
  transcriptsDays: 1095,
  mediaDays: 365,
  rawEventsDays: 30,
  sessionsDays: 90,
  auditDays: 1825,
};

export const presetFileSchema = z.strictObject({
  id,
  name: nonEmpty,
  serviceName: nonEmpty,
  hoursSummary: nonEmpty,
  /**
   * The account's add-friend URL (LINE Official Account Manager: 友だち追加 URL). Campaign links
   * (/s/:code) redirect here after counting the scan; without it they answer 404.
   */
  addFriendUrl: z.url({ protocol: /^https$/ }).optional(),
  timezone: z.literal("Asia/Tokyo"),
  defaultRegion: id,
  regions: z
    .array(
      z.strictObject({
        id,
        name: nonEmpty,
        hours: hoursSchema,
        queue: queueSchema,
        municipalities: z
          .array(
            z.strictObject({
              name: nonEmpty,
              kana: z.string().regex(/^[ぁ-ゖー]+$/, "kana is the reading in hiragana"),
              aliases: words,
            }),
          )
          .min(1),
      }),
    )
    .min(1),
  /** Hours and mode are optional here so that flow-validator.ts can name what is missing. */
  hotlines: z
    .array(
      z.strictObject({
        name: nonEmpty,
        number: nonEmpty,
        hours: nonEmpty.optional(),
        h24: z.boolean().default(false),
        mode: z.enum(["voice", "text"]).optional(),
        categories: z.array(z.string().min(1)).default([]),
        discreet: z.boolean().default(false),
        note: nonEmpty.optional(),
      }),
    )
    .min(1),
  /**
   * The console's referral cards. The contact fields are optional: a card without a phone says
   * so, and its contact text cannot be put into a reply.
   */
  partners: z
    .array(
      z.strictObject({
        name: nonEmpty,
        topics: words,
        regions: words,
        /** What sort of agency (the directory's and the report's grouping). */
        kind: z.enum(PARTNER_KINDS).default("other"),
        phone: nonEmpty.optional(),
        hours: nonEmpty.optional(),
        address: nonEmpty.optional(),
        howToRefer: nonEmpty.optional(),
        /** An example to confirm with the prefecture before going live (shown in the console). */
        toConfirm: z.boolean().default(false),
      }),
    )
    .default([]),
  /**
   * Where she can pick up free sanitary products, per region: a flow's `pickupPoints` node shows
   * her region's, and the console records handing-outs at them.
   */
  pickupPoints: z
    .array(
      z.strictObject({
        id,
        region: id,
        name: nonEmpty,
        address: nonEmpty,
        hours: nonEmpty,
        howToAsk: nonEmpty,
        /** An example to confirm with the prefecture before going live. */
        toConfirm: z.boolean().default(false),
      }),
    )
    .default([]),
  /** How many chats one counsellor may have at once: a claim beyond it is refused. */
  maxActiveChats: z.number().int().min(1).max(20).default(3),
  kpi: z
    .strictObject({ fiscalYear: z.number().int(), uniquePeopleTarget: z.number().int().min(0) })
    .optional(),
  /** The KPI of other fiscal years (the report shows each one's progress; one per year). */
  kpiByYear: z
    .array(
      z.strictObject({
        fiscalYear: z.number().int().min(2000).max(2100),
        uniquePeopleTarget: z.number().int().min(0),
      }),
    )
    .default([]),
  /** Replies a counsellor can pick in the console; {{counsellorName}} is her or his name. */
  cannedReplies: z.array(nonEmpty).default([]),
  /** Closing messages a counsellor may send her as the chat ends (the console's close form). */
  closingTemplates: z
    .array(z.strictObject({ id, label: nonEmpty, text: nonEmpty }))
    .default([]),
  waiting: waitingSchema,
  /** When the on-call people are called (src/oncall/). */
  onCall: z
    .strictObject({ highRiskWaitMinutes: z.number().int().min(1).max(240).default(10) })
    .default({ highRiskWaitMinutes: 10 }),
  /** How long content is kept (src/privacy/retention-service.ts); the counts are kept for ever. */
  retention: z
    .strictObject({
      transcriptsDays: z.number().int().min(30).max(3650).default(RETENTION_DEFAULTS.transcriptsDays),
      mediaDays: z.number().int().min(7).max(3650).default(RETENTION_DEFAULTS.mediaDays),
      rawEventsDays: z.number().int().min(7).max(3650).default(RETENTION_DEFAULTS.rawEventsDays),
      sessionsDays: z.number().int().min(1).max(3650).default(RETENTION_DEFAULTS.sessionsDays),
      auditDays: z.number().int().min(365).max(3650).default(RETENTION_DEFAULTS.auditDays),
    })
    .default(RETENTION_DEFAULTS),
});

// ---------- risk-lexicon.yaml

/** A word pattern (see risk-pattern.ts), parsed here so a bad one is reported with its line. */
const riskPattern = z.string().transform((source, ctx) => {
  const parsed = parsePattern(source);
  if (parsed.ok) return parsed.pattern;
  ctx.addIssue({ code: "custom", message: `pattern 「${source}」: ${parsed.error}` });
  return z.NEVER;
});

export const lexiconSchema = z.strictObject({
  exclude: words,
  categories: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z][a-z0-9-]*$/),
        label: nonEmpty,
        terms: words,
        combos: z.array(z.array(z.array(nonEmpty).min(1)).min(2)).default([]),
        patterns: z.array(riskPattern).default([]),
      }),
    )
    .min(1),
});

export type FlowFile = z.infer<typeof flowSchema>;
export type PresetFile = z.infer<typeof presetFileSchema>;
export type LexiconFile = z.infer<typeof lexiconSchema>;
