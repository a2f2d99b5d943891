/**
 * Types shared by the flow engine, the validator and the preset loader.
 * Everything here is plain data: a state and its effects must survive JSON (jsonb) round trips.
 */

// ---------- LINE message objects (a structural subset of @line/bot-sdk messagingApi.TextMessage)

export interface PostbackQuickAction {
  type: "postback";
  label: string;
  data: string;
  displayText: string;
}

export interface MessageQuickAction {
  type: "message";
  label: string;
  text: string;
}

export interface QuickReplyItem {
  type: "action";
  action: PostbackQuickAction | MessageQuickAction;
}

export interface LineTextMessage {
  type: "text";
  text: string;
  quickReply?: { items: QuickReplyItem[] };
}

export type LineMessage = LineTextMessage;

// ---------- Deployment preset (preset.yaml + risk-lexicon.yaml + flow.yaml)

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

/** Minutes since local midnight, half-open [start, end). */
export interface TimeSlot {
  start: number;
  end: number;
}

export interface OpeningHours {
  weekly: Record<Weekday, TimeSlot[]>;
  /** Japanese public holidays (振替休日 included) are closed unless "open". */
  holidays: "closed" | "open";
  /** "MM-DD" dates closed every year, e.g. the year-end break. */
  closedDates: string[];
}

export interface Municipality {
  name: string;
  /** Reading of the name without 市/町/村, in hiragana, e.g. まえばし. */
  kana: string;
  aliases: string[];
}

/** Queue rules of a region: when supervisors are alerted, when a taken chat goes back. */
export interface QueueRules {
  /** Nobody took her within this: supervisors are alerted and overflow regions may take her. */
  waitLimitMinutes: number;
  /** A counsellor took her but has not answered within this: back to the queue. */
  answerLimitMinutes: number;
  /** She is told again about her wait after this long. */
  tellAgainMinutes: number;
  /** Regions whose counsellors may take her once the wait limit has passed. */
  overflowTo: string[];
  /**
   * While this region is closed, she joins the queue of the first region of `overflowTo` that
   * is open (her home region stays hers, for the statistics).
   */
  overflowWhenClosed: boolean;
}

export interface Region {
  id: string;
  name: string;
  municipalities: Municipality[];
  hours: OpeningHours;
  queue: QueueRules;
}

/** How she reaches a line: by calling, or in writing (chat, SMS, LINE, e-mail). */
export type HotlineMode = "voice" | "text";

export interface Hotline {
  name: string;
  /** A phone number, or where to write for a text line (a web address, a LINE id). */
  number: string;
  /** The hours in words, as she reads them (「24時間」 for a line that always answers). */
  hours: string;
  /** Answers around the clock: listed out of hours, and first in a risk notice at night. */
  h24: boolean;
  mode: HotlineMode;
  /** The risk categories this line helps with (risk-categories.ts). */
  categories: string[];
  /** Its number alone says nothing about what she consults: may be shown when the person is near. */
  discreet: boolean;
  note?: string;
}

/** What sort of agency a partner is (the partner directory's grouping). */
export const PARTNER_KINDS = ["public", "npo", "medical", "legal", "shelter", "other"] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];

export interface Partner {
  name: string;
  kind: PartnerKind;
  topics: string[];
  regions: string[];
  phone?: string | undefined;
  hours?: string | undefined;
  address?: string | undefined;
  /** How a counsellor refers her (e.g. 「本人から電話。相談員の紹介と伝えてよい」). */
  howToRefer?: string | undefined;
  /** An example in the preset, to confirm before going live. */
  toConfirm: boolean;
}

/**
 * A place where she can pick up free sanitary products (preset.yaml `pickupPoints`): shown by a
 * flow's `pickupPoints` node to a woman of its region, and named when staff record a handing-out.
 */
export interface PickupPoint {
  id: string;
  region: string;
  name: string;
  address: string;
  hours: string;
  /** What she says or does to receive them (「窓口で『ほほえみの袋を』と伝えてください」). */
  howToAsk: string;
  /** An example in the preset, to confirm before going live. */
  toConfirm: boolean;
}

/**
 * An upcoming 居場所 gathering as the console holds it, handed to the engine by the runtime
 * (EngineContext.gatherings): never pushed to her, only shown when she asks.
 */
export interface UpcomingGathering {
  regionId: string;
  /** ISO instant it starts. */
  startsAt: string;
  place: string;
  theme: string;
}

export interface RiskCategory {
  id: string;
  label: string;
  /** Normalised substrings; any one hit counts. */
  terms: string[];
  /** Each combo is a list of groups; the combo hits when every group has a term in the text. */
  combos: string[][][];
  /** Word patterns matched on dictionary forms (see risk-pattern.ts and flows/README.md). */
  patterns: RiskPattern[];
}

/** One step of a word pattern: a word (with alternatives), a gap, or room for auxiliaries. */
export type PatternStep =
  | { kind: "word"; forms: string[] }
  /** `…`: any words between, within one sentence. */
  | { kind: "gap" }
  /** `~`: auxiliaries and conjugation endings (ちゃう, てしまう, ます, た…) may stand here. */
  | { kind: "aux" };

export interface RiskPattern {
  /** As the counsellor wrote it, for messages about the lexicon (never her words). */
  source: string;
  steps: PatternStep[];
}

/** One word of her text as a Japanese morphological analyser sees it. */
export interface Morpheme {
  surface: string;
  /** Dictionary form (飲んだ → 飲む); "*" or the surface when the analyser does not know it. */
  base: string;
  /** Part of speech in IPADIC terms: 名詞, 動詞, 助動詞, 助詞, 記号… */
  pos: string;
  /** First sub-division of the part of speech: 自立, 非自立, 接尾, 句点… */
  posDetail: string;
}

/** Splits text into morphemes; given to the engine by the worker, which loads the analyser once. */
export type Analyse = (text: string) => Morpheme[];

export interface RiskLexicon {
  categories: RiskCategory[];
  /** Harmless phrases: a term found only inside one of these does not count (死ぬほど美味しい). */
  exclude: string[];
}

/**
 * What she is told while she waits and nobody is chatting with her (preset.yaml `waiting`).
 * `{{place}}` is her place in the queue; the flow's placeholders work too.
 */
export interface WaitingTexts {
  /** She is told at most once in this many minutes that her message arrived. */
  acknowledgeEveryMinutes: number;
  /** Her message arrived, the region that serves her is open: her place. */
  inHours: string;
  /** Her message arrived, nobody is on duty: when someone answers, and the 24-hour lines. */
  outOfHours: string;
  /** Her message arrived and she said the person is near: one short line. */
  personNear: string;
  /** A counsellor put her in another region's queue, which is open. */
  transferredInHours: string;
  /** A counsellor put her in another region's queue, which is closed now. */
  transferredOutOfHours: string;
  /** Either transfer, once she said the person is near: one short line. */
  transferredPersonNear: string;
}

/**
 * Days each kind of content is kept. Transcripts count from the end of the conversation, media
 * from when she sent it, raw events from their arrival, sessions from their last use.
 */
export interface RetentionPeriods {
  transcriptsDays: number;
  mediaDays: number;
  rawEventsDays: number;
  sessionsDays: number;
  /** Applied by the audit trail's own pruning (whole periods only). */
  auditDays: number;
}

export interface Preset {
  id: string;
  name: string;
  serviceName: string;
  /** Opening hours in words for the greeting, e.g. 「平日 10:00〜17:00」. */
  hoursSummary: string;
  /** Where campaign links (/s/:code) send her: the account's add-friend URL (https). */
  addFriendUrl?: string | undefined;
  timezone: "Asia/Tokyo";
  regions: Region[];
  defaultRegionId: string;
  hotlines: Hotline[];
  partners: Partner[];
  /** Where she can pick up free sanitary products, per region (preset.yaml `pickupPoints`). */
  pickupPoints: PickupPoint[];
  kpi?: { fiscalYear: number; uniquePeopleTarget: number };
  /** The KPI of further fiscal years (preset.yaml `kpiByYear`), at most one per year. */
  kpiByYear: { fiscalYear: number; uniquePeopleTarget: number }[];
  /** Replies a counsellor can pick; {{counsellorName}} is filled in by the console. */
  cannedReplies: string[];
  /** Closing messages the close form offers (one may be edited and sent as the chat ends). */
  closingTemplates: { id: string; label: string; text: string }[];
  /** How many chats one counsellor may have at once (preset.yaml `maxActiveChats`). */
  maxActiveChats: number;
  waiting: WaitingTexts;
  /** On-call (src/oncall/): a high-risk conversation nobody took for this long calls them. */
  onCall: { highRiskWaitMinutes: number };
  /** How long content is kept, in days (preset.yaml `retention`; src/privacy/). */
  retention: RetentionPeriods;
  lexicon: RiskLexicon;
  /** The flow new conversations start with. */
  flow: Flow;
  /** Every loaded version (the current one included), keyed by Flow.version. */
  flowVersions: Record<string, Flow>;
}

// ---------- Flow (flow.yaml)

/** Where an answer goes in the triage record. */
export type TriageField = "safeNow" | "topics" | "ageBand" | "supportWish" | `answers.${string}`;

export interface Choice {
  id: string;
  label: string;
  /** Stored in the field; a choice without value stores nothing (e.g. 「いくつもある」). */
  value?: string;
  next?: string;
  /** Words that select this choice when she types instead of tapping (contained, normalised). */
  match: string[];
  /** Risk categories raised by picking this choice (e.g. the abuser is with her now). */
  risk: string[];
}

export interface MessageNode {
  type: "message";
  text: string[];
  next: string;
}

export interface ChoiceNode {
  type: "choice";
  text: string[];
  field: TriageField;
  choices: Choice[];
  next?: string;
  multiple: boolean;
  skippable: boolean;
  /** Multi-select: prompt after each pick. */
  moreText?: string;
  doneLabel?: string;
  /** Stored when free text matches no choice; absent = store nothing and move on. */
  freeTextValue?: string;
  /**
   * Asked once per woman, in one conversation of hers, never again (EngineContext.askedOnce):
   * the awareness question. Showing it is enough; she may skip it.
   */
  oncePerPerson: boolean;
}

export interface MunicipalityNode {
  type: "municipality";
  text: string[];
  buttons: string[];
  preferNotLabel: string;
  /** Words meaning "I'd rather not say" when typed (言いたくない, ひみつ). */
  preferNotMatch: string[];
  retryText: string;
  /** How often to ask again before falling back to the default region. */
  retries: number;
  next: string;
}

/**
 * Shows the pickup points of her region (all regions when she did not say where she lives), or
 * `noneText` when her region has none, then goes on. Waits for nothing.
 */
export interface PickupPointsNode {
  type: "pickupPoints";
  text: string[];
  noneText: string;
  next: string;
}

/**
 * Shows the next gatherings of her region (EngineContext.gatherings: what the console holds),
 * or `noneText`, then goes on. Waits for nothing; nothing is ever sent to her unasked.
 */
export interface GatheringsNode {
  type: "gatherings";
  text: string[];
  noneText: string;
  next: string;
}

export interface HandoffNode {
  type: "handoff";
  text: string[];
}

export interface EndNode {
  type: "end";
  text: string[];
  reason: "not-safe-now" | "completed";
}

export type FlowNode =
  | MessageNode
  | ChoiceNode
  | MunicipalityNode
  | PickupPointsNode
  | GatheringsNode
  | HandoffNode
  | EndNode;

/** Pseudo target: continue with the next topic section queued by a multi-select node. */
export const RETURN_TARGET = "return";

export interface FlowSettings {
  silenceMinutes: number;
  restartAt: string;
  handoffOnRisk: boolean;
  handoffButtonLabel: string;
  skipLabel: string;
  /** Minutes before the emergency numbers are sent again for another risk hit. */
  riskNoticeCooldownMinutes: number;
}

export interface FlowMessages {
  /** She asked for a counsellor. */
  handoffRequested: string[];
  /** After a risk hit, with the emergency numbers already sent. */
  riskHandoff: string[];
  /** Her conversation's flow version is no longer loaded. */
  flowChanged: string[];
  waitInHours: string[];
  waitOutOfHours: string[];
  outOfHoursHotlines: string[];
  /** First contact while every region is closed: she can still answer, her place is kept. */
  outOfHoursNotice: string[];
  /** After a risk hit: {{riskHotlines}} lists the lines that fit what she wrote. */
  riskNotice: string[];
  /**
   * A risk hit in her first message, before any greeting: sent as ONE message that gives the
   * help and the exit word together. Absent in older flows: riskNotice is joined into one.
   */
  riskNoticeFirst?: string[];
  /** A risk hit once she has said the person is near: one short line, nothing that names help. */
  riskNoticeNear?: string[];
  exit: string[];
  restart: string[];
  silence: string[];
  sticker: string[];
  media: string[];
}

export interface Flow {
  version: string;
  start: string;
  settings: FlowSettings;
  keywords: { handoff: string[]; restart: string[]; exit: string[] };
  messages: FlowMessages;
  nodes: Record<string, FlowNode>;
}

// ---------- Conversation state and engine I/O

export type RiskCategoryId = string;

export interface Triage {
  safeNow?: string;
  topics: string[];
  municipality?: string;
  regionId?: string;
  /** "answer": she named a municipality; "default": preferred not to say or not understood. */
  regionSource?: "answer" | "default";
  ageBand?: string;
  supportWish: string[];
  answers: Record<string, string>;
  risk: { level: "none" | "high"; categories: RiskCategoryId[] };
}

export type EngineStatus = "new" | "active" | "handed-off" | "ended";

export interface EngineState {
  schemaVersion: 1;
  presetId: string;
  flowVersion: string;
  status: EngineStatus;
  /** Node waiting for her answer (choice / municipality), null otherwise. */
  nodeId: string | null;
  /** Topic sections still to visit, then where to go afterwards. */
  queue: string[];
  retries: number;
  triage: Triage;
  /** ISO time the risk notice was last sent in full, to avoid repeating it every line. */
  lastRiskNoticeAt?: string;
  /** Risk categories whose help she has been sent since then: a new one still brings its own. */
  riskNoticeCategories?: RiskCategoryId[];
}

export type EngineInput =
  | { type: "follow" }
  | { type: "text"; text: string }
  | { type: "postback"; data: string }
  | { type: "sticker" }
  | { type: "media"; mediaType: "image" | "video" | "audio" | "file" | "location" }
  | { type: "silence" };

export interface EngineContext {
  now: Date;
  /** The Japanese analyser risk detection runs on (loaded once per worker process). */
  analyse: Analyse;
  /**
   * "human": a counsellor has the chat; the bot sends her nothing (a risk word is only marked,
   * for the console to alert the counsellor). Default "bot".
   */
  conversationPhase?: "bot" | "human";
  /** The next gatherings the console holds (any region; the engine picks hers). */
  gatherings?: UpcomingGathering[];
  /** Fields of `oncePerPerson` questions she was asked in any conversation of hers. */
  askedOnce?: string[];
}

export type HandoffReason = "requested" | "completed" | "risk" | "flow-changed";
export type EndReason = "exit-word" | "silence" | "not-safe-now" | "completed";

export type Effect =
  /** At most 5 messages; the worker replies with the first send and pushes the rest in order. */
  | { type: "send"; messages: LineMessage[] }
  /** The whole triage record after this step (never her free text). */
  | { type: "setTriage"; triage: Triage }
  | {
      type: "handoff";
      reason: HandoffReason;
      regionId: string;
      outOfHours: boolean;
      /** ISO instant the region next opens, when out of hours. */
      nextOpenAt?: string;
      /** Her region is closed: the open region whose queue she joins. */
      servingRegionId?: string;
    }
  | { type: "markRisk"; level: "high"; categories: RiskCategoryId[]; source: "text" | "answer" }
  | { type: "end"; reason: EndReason }
  /** When it is safe to contact her (a band of contact-times.ts); null = any time. */
  | { type: "setContactTimes"; bandId: string | null }
  /** A `oncePerPerson` question was put to her: never ask her again (kept on her person). */
  | { type: "askedOnce"; field: string };

export interface StepResult {
  state: EngineState;
  effects: Effect[];
}
