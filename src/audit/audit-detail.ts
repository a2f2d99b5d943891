import { AppError } from "../errors";

/**
 * What an audit row's detail may hold: every key is declared here with its kind, and there is
 * no kind for text. A code is a short token (a status, a region id, a reason), an id a UUID or
 * a number's digits, a date an ISO time: nothing a person wrote (her words, a note, a name, a
 * referral's free text, a typed login name) fits any of them, so it cannot reach the audit log.
 */
export type DetailKind = "code" | "codes" | "id" | "boolean" | "number" | "date";

export const AUDIT_DETAIL_FIELDS = {
  /** The account acted on (account changes, sign-in failures of a known account). */
  accountId: "id",
  afterMinutes: "number",
  ageBand: "code",
  alertId: "id",
  /** A 訪問's or 同行's appointment time (HH:MM, Tokyo). */
  appointmentTime: "code",
  /** A publicity campaign registered (src/campaigns/). */
  campaignId: "id",
  channel: "code",
  /** The fields a correction changed (a manual entry's: topics, startedAt, ...), by name. */
  changed: "codes",
  closedConfirmed: "boolean",
  /** Why a counsellor closed a consultation (src/conversations/closing.ts). */
  closeReason: "code",
  /** A closing message was sent to her as the chat ended (its words are in the transcript). */
  closingMessage: "boolean",
  /** Her consent: to a referral (yes, verbal, no), to be linked to a gathering (verbal, written). */
  consent: "code",
  /** Counts of what an erasure removed or a disclosure held. */
  conversations: "number",
  counsellorId: "id",
  decision: "code",
  deliveries: "number",
  /** A follow-up task's due day (YYYY-MM-DD). */
  dueOn: "code",
  /** Minutes from the first counsellor answer to the close. */
  durationMinutes: "number",
  /** A file she sent, served as an attachment (true) or shown inline. */
  download: "boolean",
  /** What was exported (report-csv, records-csv). */
  file: "code",
  entries: "number",
  /** A manual consultation entry (phone, e-mail, visit, 訪問, 同行) recorded, corrected, deleted. */
  entryId: "id",
  fiscalYear: "number",
  files: "number",
  followUps: "codes",
  /** A 居場所 gathering (src/programme/). */
  gatheringId: "id",
  /** Sanitary products handed out, one record (src/programme/). */
  handoutId: "id",
  /** How many came to a gathering. */
  headCount: "number",
  /** A disclosure's form (json, html). */
  format: "code",
  /** A move's status before, or a period's first day. */
  from: "code",
  heldSince: "date",
  kind: "code",
  messageId: "id",
  messages: "number",
  month: "code",
  notificationId: "id",
  /** How a follow-up task ended (src/tasks/task-types.ts). */
  outcome: "code",
  /** Who does a follow-up task. */
  ownerId: "id",
  /** A partner of the directory (src/partners/): a referral's, or a 同行's. */
  partnerId: "id",
  /** The person a request concerns (erasure, disclosure): her row's id, never who she is. */
  personId: "id",
  /** A pickup point of sanitary products (the preset's id). */
  pickupPointId: "code",
  priority: "number",
  /** Packs of sanitary products handed out. */
  quantity: "number",
  rawEvents: "number",
  /** Why (a flow's hand-off or end reason, a failed sign-in's coarse reason). */
  reason: "code",
  /** A referral record (src/partners/referral-service.ts). */
  referralId: "id",
  /** How many referrals were coded at closing (their names are on the conversation). */
  referralCount: "number",
  regionId: "code",
  /** A partner's regions (ids, or all). */
  regions: "codes",
  removed: "number",
  removedBefore: "date",
  restartSeq: "number",
  riskLevel: "code",
  role: "code",
  /** Rows exported. */
  rows: "number",
  secondFactor: "code",
  sessionId: "id",
  sessions: "number",
  set: "boolean",
  shiftId: "id",
  /** A summary was written at close (sealed on the conversation; never its words here). */
  summary: "boolean",
  taskId: "id",
  /** The step of a sign-in (password, second-factor). */
  step: "code",
  /** A move's status after, or a period's last day. */
  to: "code",
  toCounsellorId: "id",
  toRegionId: "code",
  topic: "code",
  topics: "codes",
  /** Closed while her last message was unanswered: the counsellor was warned and confirmed. */
  unansweredConfirmed: "boolean",
  unsafeFirstLineConfirmed: "boolean",
  via: "code",
} as const satisfies Record<string, DetailKind>;

type KindValue = {
  code: string;
  codes: readonly string[];
  id: string;
  boolean: boolean;
  number: number;
  date: string;
};

/** An audit row's detail: only the declared keys, each of its kind (or null: not set). */
export type AuditDetail = {
  -readonly [K in keyof typeof AUDIT_DETAIL_FIELDS]?:
    KindValue[(typeof AUDIT_DETAIL_FIELDS)[K]] | null;
};

const CODE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9]{1,20})$/i;
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

const fits: Record<DetailKind, (value: unknown) => boolean> = {
  code: (v) => typeof v === "string" && CODE.test(v),
  codes: (v) =>
    Array.isArray(v) && v.length <= 50 && v.every((x) => typeof x === "string" && CODE.test(x)),
  id: (v) => typeof v === "string" && ID.test(v),
  boolean: (v) => typeof v === "boolean",
  number: (v) => typeof v === "number" && Number.isFinite(v),
  date: (v) => typeof v === "string" && DATE.test(v) && !Number.isNaN(Date.parse(v)),
};

/** The first thing wrong with a detail (a key not declared, a value not of its kind), if any. */
export function auditDetailProblem(detail: Record<string, unknown>): string | undefined {
  for (const [key, value] of Object.entries(detail)) {
    if (value === undefined || value === null) continue;
    const kind = (AUDIT_DETAIL_FIELDS as Record<string, DetailKind | undefined>)[key];
    if (kind === undefined) return `${key} is not a declared audit detail field`;
    if (!fits[kind](value)) return `${key} is not a ${kind}`;
  }
  return undefined;
}

/** Refuses (500, AUDIT_DETAIL) a detail that could carry free text: the action fails with it. */
export function assertAuditDetail(detail: Record<string, unknown>): void {
  const problem = auditDetailProblem(detail);
  if (problem !== undefined) {
    throw new AppError("AUDIT_DETAIL", `Audit detail refused: ${problem}`, 500);
  }
}
