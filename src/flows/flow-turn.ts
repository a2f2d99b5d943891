/**
 * One engine step in progress: a private copy of the state, the messages to send and the other
 * effects. Helpers here do the things every route needs (say, hand off, flag risk, end).
 */
import { formatOpening, isOpen, nextOpening } from "./opening-hours";
import { hotlineList, renderTemplate, staticVars, type TemplateVars } from "./flow-text";
import { helpLines, quietLine } from "./risk-help";
import { personNear } from "./shared-phone";
import type {
  EndReason,
  EngineContext,
  EngineState,
  Flow,
  HandoffReason,
  LineMessage,
  OpeningHours,
  Preset,
  Triage,
  Effect,
  StepResult,
} from "./flow-types";
import { LINE_LIMITS } from "./flow-limits-check";
import { openNeighbour, whenAnswered } from "./waiting-notice";

export interface Turn {
  flow: Flow;
  preset: Preset;
  ctx: EngineContext;
  state: EngineState;
  messages: LineMessage[];
  riskEffects: Effect[];
  /** Handoff and end effects, applied after the messages are sent. */
  closing: Effect[];
  /**
   * Out-of-hours notice waiting to go out just before the first question. A step that hands her
   * over or ends before asking anything says its own texts instead, and the notice goes with it.
   */
  pendingNotice: string[];
  riskHit: boolean;
  /** Categories the risk notice of this step brings help for (fills {{riskHotlines}}). */
  helpCategories: string[];
}

export function emptyTriage(): Triage {
  return { topics: [], supportWish: [], answers: {}, risk: { level: "none", categories: [] } };
}

export function initialState(flow: Flow, preset: Preset): EngineState {
  return {
    schemaVersion: 1,
    presetId: preset.id,
    flowVersion: flow.version,
    status: "new",
    nodeId: null,
    queue: [],
    retries: 0,
    triage: emptyTriage(),
  };
}

export function newTurn(flow: Flow, preset: Preset, state: EngineState, ctx: EngineContext): Turn {
  return {
    flow,
    preset,
    ctx,
    state: structuredClone(state),
    messages: [],
    riskEffects: [],
    closing: [],
    pendingNotice: [],
    riskHit: false,
    helpCategories: [],
  };
}

// ---------- texts

function openingText(at: Date | null, now: Date): string {
  return at ? formatOpening(at, now) : "受付再開のあと";
}

/** `opening`: when her counsellor will answer; by default the first region to open. */
export function vars(turn: Turn, opening?: Date | null): TemplateVars {
  const base = staticVars(turn.flow, turn.preset);
  const at = opening === undefined ? earliestOpening(turn) : opening;
  return { ...base, nextOpening: openingText(at, turn.ctx.now), ...riskVars(turn) };
}

/** In a risk notice: the lines that fit what she wrote, and the one number shown when he is near. */
function riskVars(turn: Turn): Partial<TemplateVars> {
  if (turn.helpCategories.length === 0) return {};
  const { hotlines } = turn.preset;
  const ctx = { outOfHours: !herRegionOpen(turn) };
  return {
    riskHotlines: hotlineList(helpLines(hotlines, turn.helpCategories, ctx)),
    // Stryker disable next-line StringLiteral: equivalent, because quietLine finds a line whenever the preset has a discreet one, and the validator refuses {{quietNumber}} in a preset without one
    quietNumber: quietLine(hotlines, turn.helpCategories, ctx)?.number ?? "",
  };
}

export function render(turn: Turn, texts: string[], opening?: Date | null): string[] {
  const v = vars(turn, opening);
  return texts.map((t) => renderTemplate(t, v));
}

export function say(turn: Turn, texts: string[], opening?: Date | null): void {
  for (const text of render(turn, texts, opening)) turn.messages.push({ type: "text", text });
}

// ---------- hours

export function regionHours(turn: Turn): { regionId: string; hours: OpeningHours | undefined } {
  const regionId = turn.state.triage.regionId ?? turn.preset.defaultRegionId;
  const region = turn.preset.regions.find((r) => r.id === regionId);
  return { regionId, hours: region?.hours };
}

/** Someone is on duty for her: her region, or the open neighbour that takes her while it is closed. */
function herRegionOpen(turn: Turn): boolean {
  const { regionId, hours } = regionHours(turn);
  if (hours && isOpen(hours, turn.ctx.now)) return true;
  return openNeighbour(turn.preset, regionId, turn.ctx.now) !== undefined;
}

export function anyRegionOpen(turn: Turn): boolean {
  return turn.preset.regions.some((r) => isOpen(r.hours, turn.ctx.now));
}

function earliestOpening(turn: Turn): Date | null {
  const times = turn.preset.regions
    .map((r) => nextOpening(r.hours, turn.ctx.now))
    .filter((d): d is Date => d !== null)
    .sort((a, b) => a.getTime() - b.getTime());
  return times[0] ?? null;
}

// ---------- risk, hand-off, end

export function flagRisk(turn: Turn, categories: string[], source: "text" | "answer"): void {
  const risk = turn.state.triage.risk;
  const earlier = risk.categories;
  risk.level = "high";
  risk.categories = [...new Set([...earlier, ...categories])];
  turn.riskEffects.push({ type: "markRisk", level: "high", categories, source });
  turn.riskHit = true;
  // With a counsellor the bot stays silent: the console alerts the counsellor from markRisk, and
  // a list of numbers pushed into her chat mid-conversation could be seen by the wrong person.
  if (turn.ctx.conversationPhase === "human") return;
  const help = helpDue(turn, categories, earlier);
  if (help.length > 0) sendRiskNotice(turn, help);
}

/**
 * The categories of this message whose help she has not been sent within the cool-down, noted
 * as sent. Within the cool-down the same danger is not answered again and again, but a new one
 * (she wrote of wanting to die, then of having been raped) still brings its own lines.
 */
function helpDue(turn: Turn, categories: string[], earlier: string[]): string[] {
  const { state, ctx } = turn;
  const last = state.lastRiskNoticeAt ? Date.parse(state.lastRiskNoticeAt) : NaN;
  const cooldownMs = turn.flow.settings.riskNoticeCooldownMinutes * 60_000;
  if (Number.isNaN(last) || ctx.now.getTime() - last >= cooldownMs) {
    Object.assign(state, { lastRiskNoticeAt: ctx.now.toISOString(), riskNoticeCategories: categories });
    return categories;
  }
  // A state saved before categories were noted: what was flagged then had its notice.
  const given = state.riskNoticeCategories ?? earlier;
  const fresh = categories.filter((c) => !given.includes(c));
  state.riskNoticeCategories = [...given, ...fresh];
  return fresh;
}

/**
 * The person is near: one short line. Her first message (no greeting yet, so she does not know
 * the exit word): the help and the exit word in one message. Otherwise the flow's risk notice.
 */
function sendRiskNotice(turn: Turn, help: string[]): void {
  turn.helpCategories = help;
  const m = turn.flow.messages;
  if (personNear(turn.state.triage)) return say(turn, m.riskNoticeNear ?? m.riskNotice.slice(0, 1));
  if (turn.state.status === "new") return sayAsOne(turn, m.riskNoticeFirst ?? m.riskNotice);
  say(turn, m.riskNotice);
}

/** Several texts sent as one LINE message, so that none of them arrives without the others. */
function sayAsOne(turn: Turn, texts: string[]): void {
  turn.messages.push({ type: "text", text: render(turn, texts).join("\n\n") });
}

const HANDOFF_TEXTS: Record<
  Exclude<HandoffReason, "completed">,
  "handoffRequested" | "riskHandoff" | "flowChanged"
> = {
  requested: "handoffRequested",
  risk: "riskHandoff",
  "flow-changed": "flowChanged",
};

/**
 * Hands her to the queue. Her region closed while a neighbour is open: she joins the
 * neighbour's queue (her region stays hers). Nobody on duty: she is told when a counsellor
 * answers (her region or a neighbour that will take her, whichever opens first), and stays
 * queued.
 */
export function handoff(turn: Turn, reason: HandoffReason): void {
  const { regionId, hours } = regionHours(turn);
  const now = turn.ctx.now;
  // Only while her region is closed (openNeighbour checks).
  const neighbour = openNeighbour(turn.preset, regionId, now);
  const open = herRegionOpen(turn);
  const nextAt = hours && !open ? whenAnswered(turn.preset, regionId, now) : null;
  const near = personNear(turn.state.triage);
  // When the person is near, the risk notice's one short line is all (a request gets its one line).
  if (reason !== "completed" && !(near && reason === "risk")) say(turn, turn.flow.messages[HANDOFF_TEXTS[reason]]);
  if (!near) sayWait(turn, reason, open, nextAt);
  turn.closing.push({
    type: "handoff",
    reason,
    regionId,
    outOfHours: !open,
    ...(nextAt ? { nextOpenAt: nextAt.toISOString() } : {}),
    ...(neighbour ? { servingRegionId: neighbour.id } : {}),
  });
  Object.assign(turn.state, { status: "handed-off", nodeId: null, queue: [], retries: 0 });
}

/** When a counsellor answers; not said when the person is near (the short line is all). */
function sayWait(turn: Turn, reason: HandoffReason, open: boolean, nextAt: Date | null): void {
  if (open) return say(turn, turn.flow.messages.waitInHours, nextAt);
  say(turn, turn.flow.messages.waitOutOfHours, nextAt);
  // The risk notice already listed the lines that fit.
  if (reason !== "risk") say(turn, turn.flow.messages.outOfHoursHotlines, nextAt);
}

export function end(turn: Turn, reason: EndReason, texts: string[]): void {
  say(turn, texts);
  turn.closing.push({ type: "end", reason });
  Object.assign(turn.state, { status: "ended", nodeId: null, queue: [], retries: 0 });
}

// ---------- result

function chunk(messages: LineMessage[]): Effect[] {
  const sends: Effect[] = [];
  for (let i = 0; i < messages.length; i += LINE_LIMITS.messagesPerSend) {
    sends.push({ type: "send", messages: messages.slice(i, i + LINE_LIMITS.messagesPerSend) });
  }
  return sends;
}

/** Effects in the order the worker applies them: risk first (the queue reorders at once). */
export function finish(turn: Turn, before: Triage): StepResult {
  const triageChanged = JSON.stringify(before) !== JSON.stringify(turn.state.triage);
  const effects: Effect[] = [
    ...turn.riskEffects,
    ...(triageChanged ? [{ type: "setTriage" as const, triage: structuredClone(turn.state.triage) }] : []),
    ...chunk(turn.messages),
    ...turn.closing,
  ];
  return { state: turn.state, effects };
}
