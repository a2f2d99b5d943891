/**
 * One engine step in progress: a private copy of the state, the messages to send and the other
 * effects. Helpers here do the things every route needs (say, hand off, flag risk, end).
 */
import { formatOpening, isOpen, nextOpening } from "./opening-hours";
import { renderTemplate, staticVars, type TemplateVars } from "./flow-text";
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
  /** Out-of-hours notice waiting to go out just before the first question. */
  pendingNotice: string[];
  riskHit: boolean;
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
  return { ...base, nextOpening: openingText(at, turn.ctx.now) };
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
  risk.level = "high";
  risk.categories = [...new Set([...risk.categories, ...categories])];
  turn.riskEffects.push({ type: "markRisk", level: "high", categories, source });
  turn.riskHit = true;
  const last = turn.state.lastRiskNoticeAt ? Date.parse(turn.state.lastRiskNoticeAt) : NaN;
  const cooldownMs = turn.flow.settings.riskNoticeCooldownMinutes * 60_000;
  if (Number.isNaN(last) || turn.ctx.now.getTime() - last >= cooldownMs) {
    say(turn, turn.flow.messages.riskNotice);
    turn.state.lastRiskNoticeAt = turn.ctx.now.toISOString();
  }
}

const HANDOFF_TEXTS: Record<Exclude<HandoffReason, "completed">, keyof Flow["messages"]> = {
  requested: "handoffRequested",
  risk: "riskHandoff",
  "flow-changed": "flowChanged",
};

/**
 * Hands her to the queue. Her region closed while a neighbour is open: she joins the
 * neighbour's queue (her region stays hers). Nobody on duty: she is told when a counsellor
 * answers, and stays queued.
 */
export function handoff(turn: Turn, reason: HandoffReason): void {
  const { regionId, hours } = regionHours(turn);
  const now = turn.ctx.now;
  const neighbour = hours && !isOpen(hours, now) ? openNeighbour(turn.preset, regionId, now) : undefined;
  const open = neighbour !== undefined || (hours ? isOpen(hours, now) : false);
  const nextAt = hours && !open ? whenAnswered(turn.preset, regionId, now) : null;
  turn.pendingNotice = [];
  if (reason !== "completed") say(turn, turn.flow.messages[HANDOFF_TEXTS[reason]]);
  if (open) say(turn, turn.flow.messages.waitInHours, nextAt);
  else {
    say(turn, turn.flow.messages.waitOutOfHours, nextAt);
    // The risk notice already listed the 24-hour lines.
    if (reason !== "risk") say(turn, turn.flow.messages.outOfHoursHotlines, nextAt);
  }
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

export function end(turn: Turn, reason: EndReason, texts: string[]): void {
  turn.pendingNotice = [];
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
