import { z } from "zod";
import { referralSchema } from "../partners/partner-schemas";
import { FOLLOW_UPS, RISK_LEVELS } from "../conversations/coding";
import { CLOSE_REASONS, SUMMARY_MAX_CHARS } from "../conversations/closing";
import { followUpTaskSchema, taskSchema } from "../tasks/task-schemas";

/**
 * Request and response schemas of the console API. Requests are validated with them; responses
 * are typed by them (handlers must return these shapes) and both feed /api/openapi.json.
 */
const id = z.uuid();
const iso = z.iso.datetime();
const shortText = (max: number) => z.string().trim().min(1).max(max);

export const meSchema = z.object({
  id,
  loginName: z.string(),
  displayName: z.string(),
  role: z.enum(["counsellor", "supervisor", "admin"]),
  regionId: z.string().nullable(),
  regionName: z.string().nullable(),
  /** An admin reset her password: she must choose her own before anything else. */
  mustChangePassword: z.boolean(),
});

export const sessionSchema = z.object({
  counsellor: meSchema,
  csrfToken: z.string(),
  /** Her role must use a second factor here and she has none yet: she enrols before all else. */
  mustEnrolSecondFactor: z.boolean(),
});
export const signInSchema = z.object({
  loginName: shortText(100),
  password: z.string().min(1).max(200),
});
/** The password was right; the second factor comes next (POST /session/second-factor). */
export const secondFactorNextSchema = z.object({ next: z.literal("second-factor") });
export const signInAnswerSchema = z.union([sessionSchema, secondFactorNextSchema]);
/** Six digits from her app, or one of her recovery codes (xxxxx-xxxxx). */
export const codeSchema = z.object({ code: z.string().trim().min(6).max(40) });
export const secondFactorStateSchema = z.object({
  enabled: z.boolean(),
  required: z.boolean(),
  recoveryCodesLeft: z.number().int(),
});
export const enrolmentSchema = z.object({
  secret: z.string(),
  otpauthUrl: z.string(),
  qrDataUrl: z.string(),
});
export const recoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) });
export const disableSecondFactorSchema = z
  .object({
    password: z.string().min(1).max(200).optional(),
    code: z.string().trim().min(6).max(40).optional(),
  })
  .refine((b) => b.password !== undefined || b.code !== undefined, {
    message: "password or code is required",
  });
export const profileSchema = z.object({ displayName: shortText(20) });

const labelled = z.array(z.object({ value: z.string(), label: z.string() }));
export const referenceSchema = z.object({
  regions: z.array(z.object({ id: z.string(), name: z.string() })),
  topics: labelled,
  followUps: labelled,
  riskLevels: labelled,
  /** Risk categories of the preset's lexicon. */
  riskCategories: labelled,
  /** Labels of her triage answers by field (ageBand, supportWish, partnerNearby, ...). */
  answers: z.record(z.string(), labelled),
  cannedReplies: z.array(z.string()),
  /** Why a counsellor closes a consultation (the close form's choices). */
  closeReasons: labelled,
  /** The preset's closing messages: `{ id, label, text }`. */
  closingTemplates: z.array(z.object({ id: z.string(), label: z.string(), text: z.string() })),
  /** Task kinds and outcomes of the task list (src/tasks/). */
  taskKinds: labelled,
  taskOutcomes: labelled,
  /** The partner directory's kinds, her consent to a referral and its outcomes (src/partners/). */
  partnerKinds: labelled,
  referralConsents: labelled,
  referralOutcomes: labelled,
});

const person = z.object({ id, displayName: z.string() }).nullable();

export const queueItemSchema = z.object({
  id,
  pseudonym: z.string(),
  status: z.string(),
  riskLevel: z.string(),
  riskCategories: z.array(z.string()),
  topics: z.array(z.string()),
  regionId: z.string().nullable(),
  regionName: z.string().nullable(),
  waitingSince: iso.nullable(),
  preview: z.string(),
  outOfHours: z.boolean(),
  overflow: z.boolean(),
  /** The region whose queue she is in when not her own (her region stays regionId). */
  servingRegionId: z.string().nullable(),
  servingRegionName: z.string().nullable(),
  /** Why she is in that queue, e.g. 「東毛が受付時間外のため」; null in her own region's. */
  servedBecause: z.string().nullable(),
  assignedTo: person,
  unread: z.number().int(),
});

export const queueSchema = z.object({
  waiting: z.array(queueItemSchema),
  mine: z.array(queueItemSchema),
  others: z.array(queueItemSchema),
  /** How many chats one counsellor may have at once (the preset's maxActiveChats). */
  chatLimit: z.number().int(),
});

export const messageSchema = z.object({
  id,
  direction: z.enum(["in", "out"]),
  author: z.string(),
  authorName: z.string().nullable(),
  kind: z.string(),
  text: z.string().nullable(),
  /** A tap (postback): the button's label as she saw it, from her conversation's flow version. */
  label: z.string().nullable(),
  /** Its place in the conversation: the transcript's order (1, 2, 3 ...). */
  seq: z.number().int(),
  sentAt: iso,
  unsent: z.boolean(),
  read: z.boolean(),
  /** Her file is in our store: GET /messages/{id}/content serves it. */
  hasContent: z.boolean(),
  /** An allow-listed image, proved by its bytes: shown in the chat; else offered as a download. */
  contentInline: z.boolean(),
  /** Her file was over MEDIA_MAX_BYTES: nothing of it was kept. */
  contentTooLarge: z.boolean(),
  /** LINE no longer had it, or refused it: nothing kept. */
  contentUnavailable: z.boolean(),
  /** Its text or file was erased (retention period over, or on her request): see contentErased. */
  erased: z.boolean(),
  delivery: z.enum(["pending", "sent", "failed", "skipped"]).nullable(),
  /** Held for her contact times: not sent before this time. */
  deliverAt: iso.nullable(),
});

/** GET /conversations/:id/messages: only the messages after the place the page shows. */
export const newMessagesQuerySchema = z.object({
  after: z.coerce.number().int().min(0),
});

export const noteSchema = z.object({
  id,
  kind: z.string(),
  /** Null: erased (the conversation's contentErased says why). */
  text: z.string().nullable(),
  createdAt: iso,
  counsellorName: z.string(),
  /** A whisper's counsellor (kind "whisper"): only she or he and supervisors see it. */
  toCounsellorName: z.string().nullable(),
});

export const emergencySchema = z.object({
  id,
  desire: z.boolean(),
  plan: z.boolean(),
  means: z.boolean(),
  timeframe: z.boolean(),
  decision: z.string(),
  calledBy: z.string().nullable(),
  calledAt: iso.nullable(),
  note: z.string().nullable(),
  createdAt: iso,
  counsellorName: z.string(),
});

export const conversationViewSchema = z.object({
  conversation: z.object({
    id,
    pseudonym: z.string(),
    status: z.string(),
    regionId: z.string().nullable(),
    regionName: z.string().nullable(),
    municipality: z.string().nullable(),
    topics: z.array(z.string()),
    ageBand: z.string().nullable(),
    supportWish: z.array(z.string()),
    triageAnswers: z.record(z.string(), z.string()),
    riskLevel: z.string(),
    riskCategories: z.array(z.string()),
    handoffReason: z.string().nullable(),
    startedAt: iso,
    waitingSince: iso.nullable(),
    assignedTo: person,
    outOfHours: z.boolean(),
    /** The region whose queue she is in when not her own (her region stays regionId). */
    servingRegionId: z.string().nullable(),
    servingRegionName: z.string().nullable(),
    /** Why she is in that queue, e.g. 「東毛が受付時間外のため」; null in her own region's. */
    servedBecause: z.string().nullable(),
    referrals: z.array(z.string()),
    followUps: z.array(z.string()),
    closedAt: iso.nullable(),
    /** She sent the exit word at this time and has not written since: replies are held. */
    pushesHeldSince: iso.nullable(),
    /** When she said it is safe to contact her; null: she has not limited it. */
    contactTimes: z.object({ bandId: z.string(), label: z.string() }).nullable(),
    /** The last risk word during the chat: its categories (never her words) and when. */
    riskInChat: z.object({ categories: z.array(z.string()), at: iso }).nullable(),
    /**
     * Its transcript (texts, notes, emergency notes) was erased: `retention` (the preset's
     * period is over) or `request` (she asked for erasure); null: kept.
     */
    contentErased: z.enum(["retention", "request"]).nullable(),
    /** Why the counsellor closed it (closeReasons of the reference); null while open. */
    closeReason: z.enum(CLOSE_REASONS).nullable(),
    /** The counsellor's summary written at close; null: none, or erased. */
    summary: z.string().nullable(),
    /** Minutes from the first counsellor answer to the close (while open: to now). */
    durationMinutes: z.number().int(),
    /** Her last message has no counsellor's answer yet (closing warns). */
    lastMessageUnanswered: z.boolean(),
  }),
  /** Follow-up tasks of this consultation (the task list's). */
  tasks: z.array(taskSchema),
  messages: z.array(messageSchema),
  notes: z.array(noteSchema),
  emergencies: z.array(emergencySchema),
  /** Her consultations in regions the caller may not see: a count, no details. */
  earlierElsewhere: z.number().int(),
  earlier: z.array(
    z.object({
      id,
      startedAt: iso,
      closedAt: iso.nullable(),
      status: z.string(),
      topics: z.array(z.string()),
      referrals: z.array(z.string()),
      followUps: z.array(z.string()),
    }),
  ),
  referralCards: z.array(
    z.object({
      /** The directory partner (src/partners/): a referral record names it. */
      id,
      name: z.string(),
      kind: z.string(),
      topics: z.array(z.string()),
      regions: z.array(z.string()),
      phone: z.string().nullable(),
      hours: z.string().nullable(),
      address: z.string().nullable(),
      howToRefer: z.string().nullable(),
      /** An example from the preset, still to confirm with the prefecture (要確認). */
      toConfirm: z.boolean(),
      /** What the console puts into a reply (first line safe on her lock screen); null: no phone. */
      contactText: z.string().nullable(),
    }),
  ),
  /** Referral records of this consultation: partner, her consent, outcome (src/partners/). */
  referralRecords: z.array(referralSchema),
});

export const replySchema = z.object({
  text: shortText(5000),
  /** Send although she sent the exit word and has not written since (audited). */
  overrideHold: z.boolean().optional(),
  /** Send although the first line names something sensitive (the word the 422 named). */
  confirmUnsafeFirstLine: z.boolean().optional(),
});
export const noteInputSchema = z.object({
  text: shortText(5000),
  /** A supervisor's words to the counsellor who has her, instead of a note for everyone. */
  whisper: z.boolean().optional(),
});
export const cannedReplySchema = z.object({
  id: z.string(),
  source: z.enum(["preset", "own"]),
  text: z.string(),
  rendered: z.string(),
});
export const cannedReplyInputSchema = z.object({ text: shortText(1000) });
/** One active chat as the supervisors' monitor shows it. */
export const monitorItemSchema = z.object({
  id,
  pseudonym: z.string(),
  regionId: z.string().nullable(),
  regionName: z.string().nullable(),
  counsellor: z.object({ id, displayName: z.string() }).nullable(),
  riskLevel: z.string(),
  riskCategories: z.array(z.string()),
  assignedAt: iso.nullable(),
  /** Her last message, and the last reply to her (a counsellor's): null when none yet. */
  lastHerMessageAt: iso.nullable(),
  lastReplyAt: iso.nullable(),
  /** Her oldest message not answered since the last reply: null when she is answered. */
  unansweredSince: iso.nullable(),
});
export const transferSchema = z
  .object({
    toCounsellorId: id.optional(),
    toRegionId: z.string().optional(),
    note: shortText(2000),
    /** The counsellor was told the region is closed now and transfers her anyway. */
    confirmClosedRegion: z.boolean().optional(),
  })
  .refine((t) => Boolean(t.toCounsellorId) !== Boolean(t.toRegionId), {
    message: "Name either a colleague or a region",
  });
export const closeSchema = z.object({
  topics: z.array(z.string().max(50)).max(10),
  referrals: z.array(z.string().max(100)).max(20),
  followUps: z.array(z.enum(FOLLOW_UPS)).max(4),
  riskLevel: z.enum(RISK_LEVELS),
  /** Why it ended; the console's form asks for it. */
  endReason: z.enum(CLOSE_REASONS).optional(),
  /** A short summary for colleagues (sealed; erased with the transcript). */
  summary: z.string().trim().max(SUMMARY_MAX_CHARS).optional(),
  /** Sent to her as the chat ends (a counsellor's reply: the same checks). */
  closingMessage: z.string().max(5000).optional(),
  /** Close although her last message is unanswered (the 409 warned). */
  confirmUnanswered: z.boolean().optional(),
  /** Send the closing message although its first line names something sensitive. */
  confirmUnsafeFirstLine: z.boolean().optional(),
  /** A follow-up with a date: becomes a task of the task list. */
  followUp: followUpTaskSchema.optional(),
});
export const emergencyInputSchema = z.object({
  desire: z.boolean(),
  plan: z.boolean(),
  means: z.boolean(),
  timeframe: z.boolean(),
  decision: z.enum(["called-110", "called-119", "no-call"]),
  calledBy: z.string().max(100).optional(),
  calledAt: iso.optional(),
  note: z.string().max(2000).optional(),
});

export const colleagueSchema = z.object({
  id,
  displayName: z.string(),
  role: z.string(),
  regionId: z.string().nullable(),
});
export const newCounsellorSchema = z.object({
  loginName: z
    .string()
    .trim()
    .regex(/^[a-z0-9._-]{3,40}$/, "3–40 characters: a-z 0-9 . _ -"),
  displayName: shortText(20),
  password: z.string().min(12).max(200),
  role: z.enum(["counsellor", "supervisor", "admin"]),
  regionId: z.string().nullable(),
});
export const alertSchema = z.object({
  id,
  kind: z.string(),
  conversationId: id,
  regionId: z.string().nullable(),
  /** risk-in-chat: the categories of the risk words, never the words. */
  riskCategories: z.array(z.string()),
  createdAt: iso,
  pseudonym: z.string(),
  /** Who has her now, or (an emergency) who recorded it. */
  counsellorName: z.string().nullable(),
  /** An emergency's decision: called-110, called-119, no-call. */
  decision: z.string().nullable(),
});
export const auditSchema = z.object({
  id: z.string(),
  at: iso,
  counsellorName: z.string().nullable(),
  action: z.string(),
  conversationId: z.string().nullable(),
  detail: z.unknown(),
  /** The account the detail names (accountId or counsellorId), as 表示名（ログイン名）. */
  subjectName: z.string().nullable(),
});
export const auditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  conversationId: id.optional(),
});
export const stuckJobSchema = z.object({
  key: z.string(),
  job: z.string(),
  /** "waiting": never reached the queue or not finished; "dead": re-driven at nextAttemptAt; "given-up": waits for an admin. */
  state: z.enum(["waiting", "dead", "given-up"]),
  attempt: z.number().int(),
  createdAt: iso,
  nextAttemptAt: iso.nullable(),
  lastError: z.string().nullable(),
});
export const stuckJobKeySchema = z.object({ key: z.string().min(1).max(200) });
export const empty = z.object({});

/** A region as the transfer dialog shows it: open now, or when it opens next. */
export const regionStateSchema = z.object({
  id: z.string(),
  name: z.string(),
  open: z.boolean(),
  nextOpening: iso.nullable(),
  /** 「明日 12月1日(火) 10:00」, in Japan time. */
  nextOpeningText: z.string().nullable(),
});
export const regionStatesSchema = z.array(regionStateSchema);

/**
 * The messages after a place, and what of the conversation a message can change (its status,
 * her risk, replies held after her exit word, an unanswered last message).
 */
export const newMessagesSchema = z.object({
  conversation: conversationViewSchema.shape.conversation.pick({
    status: true,
    riskLevel: true,
    riskCategories: true,
    pushesHeldSince: true,
    lastMessageUnanswered: true,
  }),
  messages: z.array(messageSchema),
});
