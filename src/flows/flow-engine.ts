/**
 * The triage engine: (flow, preset, state, input, context) → (next state, effects). Pure: time
 * comes in through the context, and the worker carries out the effects.
 *
 * Safety comes before the triage on every input: risk detection first, then the exit word and
 * the hand-off words, and only then is the input read as an answer.
 */
import { detectRisk } from "./risk-detector";
import {
  asksForContactTimes,
  contactBand,
  contactTimesConfirmation,
  contactTimesQuestion,
} from "./contact-times";
import { decodePostback, type PostbackAction } from "./flow-postback";
import { choiceItems, DEFAULT_DONE_LABEL, municipalityItems, withQuickReply } from "./flow-prompts";
import { resolveMunicipality } from "./region-resolver";
import { normalizeText } from "./text-normalize";
import { gatheringList, pickupPointList } from "./programme-texts";
import {
  anyRegionOpen,
  emptyTriage,
  end,
  finish,
  flagRisk,
  handoff,
  initialState,
  newTurn,
  render,
  say,
  type Turn,
} from "./flow-turn";
import {
  RETURN_TARGET,
  type Choice,
  type ChoiceNode,
  type EngineContext,
  type EngineInput,
  type EngineState,
  type Flow,
  type FlowNode,
  type MunicipalityNode,
  type Preset,
  type StepResult,
  type TriageField,
} from "./flow-types";

export { initialState } from "./flow-turn";

/** Guards against a flow whose message nodes loop (the validator rejects such flows anyway). */
const MAX_NODES_PER_STEP = 50;
/** A restart word counts only in a short message: 「最初から」 yes, a long story that uses it no. */
const RESTART_EXTRA_CHARS = 6;

/**
 * The flow a conversation must run on: the version it started with when still loaded.
 * Older versions are kept as files in flows/<preset>/versions/ (see flows/README.md).
 */
export function pickFlow(preset: Preset, state: EngineState | null): Flow {
  if (!state) return preset.flow;
  return preset.flowVersions[state.flowVersion] ?? preset.flow;
}

export function step(
  flow: Flow,
  preset: Preset,
  prev: EngineState | null,
  input: EngineInput,
  ctx: EngineContext,
): StepResult {
  const start = prev ?? initialState(flow, preset);
  const startsAgain = start.status === "ended" && input.type !== "silence";
  const turn = newTurn(flow, preset, startsAgain ? initialState(flow, preset) : start, ctx);
  // A fresh conversation starts from the empty record, which the worker already has.
  const before = prev && !startsAgain ? prev.triage : emptyTriage();
  if (input.type === "text") {
    const risk = detectRisk(input.text, preset.lexicon, ctx.analyse);
    if (risk.hit) flagRisk(turn, risk.categories, "text");
  }
  const contact = contactTimesInput(input);
  if (contact) {
    contactTimes(turn, contact);
  } else if (ctx.conversationPhase === "human" || turn.state.status === "handed-off") {
    humanPhase(turn, input);
  } else if (turn.riskHit && flow.settings.handoffOnRisk) {
    handoff(turn, "risk");
  } else if (turn.state.status === "active" && turn.state.flowVersion !== flow.version) {
    handoff(turn, "flow-changed");
  } else {
    turn.state.flowVersion = flow.version;
    route(turn, input);
  }
  return finish(turn, before);
}

/** A counsellor has her (or she is queued): the bot stays quiet except for risk and the exit word. */
function humanPhase(turn: Turn, input: EngineInput): void {
  if (input.type === "text" && isExitWord(turn.flow, normalizeText(input.text))) {
    turn.closing.push({ type: "end", reason: "exit-word" });
  }
}

// ---------- contact times (src/flows/contact-times.ts)

type ContactInput = { ask: true } | { ask: false; bandId: string | null };

/** Her asking to choose when she may be contacted, or her choice: at any point of the chat. */
function contactTimesInput(input: EngineInput): ContactInput | undefined {
  if (input.type === "text" && asksForContactTimes(input.text)) return { ask: true };
  if (input.type !== "postback") return undefined;
  const postback = decodePostback(input.data);
  if (postback?.action !== "contact-times") return undefined;
  return { ask: false, bandId: contactBand(postback.bandId) ? postback.bandId : null };
}

/** Asks, or records her choice; then the triage goes on where it was (its question again). */
function contactTimes(turn: Turn, contact: ContactInput): void {
  if (contact.ask) {
    turn.messages.push(contactTimesQuestion());
    return;
  }
  turn.closing.push({ type: "setContactTimes", bandId: contact.bandId });
  turn.messages.push(contactTimesConfirmation(contact.bandId));
  // Only a triage in progress has a question waiting: handed over, ended or new, nothing is asked.
  reprompt(turn);
}

function route(turn: Turn, input: EngineInput): void {
  switch (input.type) {
    case "follow":
      return restartFresh(turn);
    case "silence":
      return onSilence(turn);
    case "text":
      return onText(turn, input.text);
    case "postback":
      return onPostback(turn, input.data);
    case "sticker":
      return onNonText(turn, turn.flow.messages.sticker);
    case "media":
      return onNonText(turn, turn.flow.messages.media);
  }
}

// ---------- inputs

function restartFresh(turn: Turn): void {
  const risk = turn.state.triage.risk;
  const { lastRiskNoticeAt, riskNoticeCategories } = turn.state;
  turn.state = { ...initialState(turn.flow, turn.preset), lastRiskNoticeAt, riskNoticeCategories };
  turn.state.triage.risk = risk;
  beginConversation(turn);
}

function beginConversation(turn: Turn): void {
  turn.state.status = "active";
  if (!anyRegionOpen(turn)) turn.pendingNotice = turn.flow.messages.outOfHoursNotice;
  enterNode(turn, turn.flow.start);
}

function onSilence(turn: Turn): void {
  if (turn.state.status === "active") end(turn, "silence", turn.flow.messages.silence);
}

function isExitWord(flow: Flow, normalized: string): boolean {
  return flow.keywords.exit.some((w) => normalizeText(w) === normalized);
}

function wantsCounsellor(flow: Flow, normalized: string): boolean {
  return flow.keywords.handoff.some((w) => normalized.includes(normalizeText(w)));
}

function wantsRestart(flow: Flow, normalized: string): boolean {
  return flow.keywords.restart.some((w) => {
    const word = normalizeText(w);
    return normalized.includes(word) && normalized.length <= word.length + RESTART_EXTRA_CHARS;
  });
}

function onText(turn: Turn, text: string): void {
  const normalized = normalizeText(text);
  if (isExitWord(turn.flow, normalized)) return end(turn, "exit-word", turn.flow.messages.exit);
  if (wantsCounsellor(turn.flow, normalized)) return handoff(turn, "requested");
  if (turn.state.status === "new") return beginConversation(turn);
  if (wantsRestart(turn.flow, normalized)) return restart(turn);
  const node = currentNode(turn);
  if (node?.type === "choice") return answerChoiceText(turn, node, normalized);
  if (node?.type === "municipality") return answerMunicipalityText(turn, node, text);
  // Nothing is being asked (should not happen while active): ask the counsellor to take over.
  handoff(turn, "completed");
}

function onPostback(turn: Turn, data: string): void {
  const postback = decodePostback(data);
  if (postback?.action === "handoff") return handoff(turn, "requested");
  if (turn.state.status === "new") return beginConversation(turn);
  if (!postback || !("nodeId" in postback) || postback.nodeId !== turn.state.nodeId) {
    // A button from an earlier question: show the current one again.
    return reprompt(turn);
  }
  answerPostback(turn, postback);
}

function onNonText(turn: Turn, texts: string[]): void {
  if (turn.state.status === "new") return beginConversation(turn);
  say(turn, texts);
  reprompt(turn);
}

function restart(turn: Turn): void {
  const { safeNow, risk } = turn.state.triage;
  turn.state.triage = { ...emptyTriage(), risk, ...(safeNow ? { safeNow } : {}) };
  turn.state.queue = [];
  say(turn, turn.flow.messages.restart);
  goTo(turn, turn.flow.settings.restartAt);
}

// ---------- walking the graph

function currentNode(turn: Turn): FlowNode | undefined {
  const id = turn.state.nodeId;
  return id ? turn.flow.nodes[id] : undefined;
}

function goTo(turn: Turn, target: string | undefined): void {
  Object.assign(turn.state, { nodeId: null, retries: 0 });
  if (target === RETURN_TARGET) return goTo(turn, turn.state.queue.shift());
  if (target === undefined) return handoff(turn, "completed");
  enterNode(turn, target);
}

function enterNode(turn: Turn, firstId: string): void {
  let id: string | undefined = firstId;
  for (let guard = 0; id !== undefined && guard < MAX_NODES_PER_STEP; guard++) {
    const node: FlowNode | undefined = turn.flow.nodes[id];
    if (!node) return handoff(turn, "flow-changed");
    if (node.type === "pickupPoints" || node.type === "gatherings") {
      showList(turn, node.text, listFor(turn, node.type), node.noneText);
    } else if (node.type === "message") {
      say(turn, node.text);
    } else if (!alreadyAnswered(turn, node)) {
      return enterStopNode(turn, id, node);
    }
    // A question she answered in this conversation (where she lives) or in an earlier one (a
    // once-per-person question) is not asked again: like a message, it leads on.
    id = node.next === RETURN_TARGET ? turn.state.queue.shift() : node.next;
  }
  handoff(turn, "completed");
}

/** The pickup points or the next gatherings for her (empty: none). */
function listFor(turn: Turn, kind: "pickupPoints" | "gatherings"): string {
  const { preset, state, ctx } = turn;
  if (kind === "pickupPoints") return pickupPointList(preset, state.triage);
  return gatheringList(preset, state.triage, ctx.gatherings ?? [], ctx.now);
}

/** The node's texts, the list joined to the last one (one bubble); without a list, `noneText`. */
function showList(turn: Turn, texts: string[], list: string, noneText: string): void {
  if (list === "") return say(turn, joinToLast(texts, noneText));
  // The list is the preset's or the console's words: shown as they are, never as a template.
  for (const text of joinToLast(render(turn, texts), list)) turn.messages.push({ type: "text", text });
}

function joinToLast(texts: string[], tail: string): string[] {
  return texts.map((t, i) => (i === texts.length - 1 ? `${t}\n${tail}` : t));
}

/**
 * A municipality question once her region is known in this conversation; a once-per-person
 * question she was asked before (in any conversation of hers).
 */
function alreadyAnswered(turn: Turn, node: FlowNode): node is FlowNode & { next: string } {
  if (node.type === "municipality") return turn.state.triage.regionSource !== undefined;
  if (node.type === "choice" && node.oncePerPerson && node.next !== undefined) {
    return turn.ctx.askedOnce?.includes(node.field) ?? false;
  }
  return false;
}

/** A node that waits for her or ends the bot part. */
function enterStopNode(turn: Turn, id: string, node: FlowNode): void {
  if (node.type === "choice" && node.oncePerPerson) {
    turn.closing.push({ type: "askedOnce", field: node.field });
  }
  if (node.type === "handoff") {
    say(turn, node.text);
    return handoff(turn, "completed");
  }
  if (node.type === "end") return end(turn, node.reason, node.text);
  turn.state.nodeId = id;
  ask(turn, render(turn, node.text));
}

function ask(turn: Turn, texts: string[]): void {
  // One question per step at most, so the notice goes out once without being cleared.
  say(turn, turn.pendingNotice);
  const id = turn.state.nodeId;
  const node = currentNode(turn);
  if (!id || !node) return;
  const items =
    node.type === "choice"
      ? choiceItems(id, node, turn.flow, pickedValues(turn, node))
      : node.type === "municipality"
        ? municipalityItems(id, node, turn.flow)
        : [];
  turn.messages.push(...withQuickReply(texts, items));
}

/** Asks the current question again, shortly: its last line with the buttons. */
function reprompt(turn: Turn): void {
  const node = currentNode(turn);
  const last = node ? node.text[node.text.length - 1] : undefined;
  if (last !== undefined) ask(turn, render(turn, [last]));
}

// ---------- answers

function answerPostback(turn: Turn, postback: Exclude<PostbackAction, { action: "handoff" }>): void {
  const node = currentNode(turn);
  if (node?.type === "choice") {
    if (postback.action === "choose") {
      const choice = node.choices.find((c) => c.id === postback.choiceId);
      return choice ? applyChoices(turn, node, [choice]) : reprompt(turn);
    }
    if (postback.action === "done" || postback.action === "skip") return leaveChoice(turn, node);
  }
  if (node?.type === "municipality") {
    if (postback.action === "municipality") return answerMunicipalityText(turn, node, postback.name);
    if (postback.action === "prefer-not") return useDefaultRegion(turn, node);
  }
  reprompt(turn);
}

function keyMatches(key: string, normalized: string): boolean {
  return key.length >= 2 ? normalized.includes(key) : normalized === key;
}

/**
 * Choices her text names, best (longest matching word) first. A word that is her whole text is
 * the longest any choice can match, so an exact answer always comes first.
 */
function matchChoices(node: ChoiceNode, normalized: string): Choice[] {
  const scored = node.choices.map((choice) => {
    const keys = [choice.label, ...choice.match].map(normalizeText);
    const score = Math.max(0, ...keys.filter((k) => keyMatches(k, normalized)).map((k) => k.length));
    return { choice, score };
  });
  return scored
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score)
    .map((s) => s.choice);
}

function answerChoiceText(turn: Turn, node: ChoiceNode, normalized: string): void {
  const matches = matchChoices(node, normalized);
  const first = matches[0];
  if (node.multiple && matches.some((c) => c.value)) {
    // She named them in her own words: take all of them and do not ask "anything else?".
    recordChoices(turn, node, matches);
    return riskOr(turn, matches, () => leaveChoice(turn, node));
  }
  if (first) return applyChoices(turn, node, node.multiple ? matches : [first]);
  if (node.freeTextValue) setField(turn, node.field, node.freeTextValue, node.multiple);
  if (node.next) return leaveChoice(turn, node);
  reprompt(turn);
}

function recordChoices(turn: Turn, node: ChoiceNode, choices: Choice[]): void {
  for (const c of choices) if (c.value) setField(turn, node.field, c.value, node.multiple);
}

/** A choice that signals danger (e.g. he is with her now) is handled like a risk word. */
function riskOr(turn: Turn, choices: Choice[], next: () => void): void {
  const categories = [...new Set(choices.flatMap((c) => c.risk))];
  if (categories.length === 0) return next();
  flagRisk(turn, categories, "answer");
  if (turn.flow.settings.handoffOnRisk) return handoff(turn, "risk");
  next();
}

function applyChoices(turn: Turn, node: ChoiceNode, choices: Choice[]): void {
  const first = choices[0];
  if (node.multiple && first && first.value === undefined && first.next !== undefined) {
    // A way out of the list rather than an answer (「生理用品を受け取りたい」): it goes there at
    // once, records nothing and leaves what she picked before behind.
    turn.state.queue = [];
    return goTo(turn, first.next);
  }
  recordChoices(turn, node, choices);
  riskOr(turn, choices, () => {
    if (!node.multiple) return goTo(turn, first?.next ?? node.next);
    const remaining = node.choices.filter((c) => c.value && !pickedValues(turn, node).includes(c.value));
    if (remaining.length === 0) return leaveChoice(turn, node);
    ask(turn, render(turn, [node.moreText ?? `ほかにもあれば選んでください。なければ「${node.doneLabel ?? DEFAULT_DONE_LABEL}」を。`]));
  });
}

/** Leaving a question: a multi-select queues the sections of what she picked, then its `next`. */
function leaveChoice(turn: Turn, node: ChoiceNode): void {
  if (!node.multiple) return goTo(turn, node.next);
  const picked = pickedValues(turn, node);
  const sections = node.choices.flatMap((c) =>
    c.value && picked.includes(c.value) && c.next ? [c.next] : [],
  );
  turn.state.queue = [...new Set(sections), ...(node.next ? [node.next] : [])];
  goTo(turn, turn.state.queue.shift());
}

function answerMunicipalityText(turn: Turn, node: MunicipalityNode, text: string): void {
  const normalized = normalizeText(text);
  const preferNot = [node.preferNotLabel, ...node.preferNotMatch].map(normalizeText);
  if (preferNot.some((w) => normalized.includes(w))) return useDefaultRegion(turn, node);
  const found = resolveMunicipality(text, turn.preset);
  if (found) {
    Object.assign(turn.state.triage, { ...found, regionSource: "answer" });
    return goTo(turn, node.next);
  }
  if (turn.state.retries < node.retries) {
    turn.state.retries += 1;
    return ask(turn, render(turn, [node.retryText]));
  }
  useDefaultRegion(turn, node);
}

/** Not saying where she lives is fine: she is served by the preset's default region. */
function useDefaultRegion(turn: Turn, node: MunicipalityNode): void {
  const triage = turn.state.triage;
  delete triage.municipality;
  Object.assign(triage, { regionId: turn.preset.defaultRegionId, regionSource: "default" });
  goTo(turn, node.next);
}

// ---------- triage fields

/**
 * What she picked so far at a multi-select. Only topics and supportWish keep several answers, and
 * the schema allows `multiple` on no other field; a single choice never looks at this.
 */
function pickedValues(turn: Turn, node: ChoiceNode): string[] {
  return node.field === "supportWish" ? turn.state.triage.supportWish : turn.state.triage.topics;
}

function setField(turn: Turn, field: TriageField, value: string, add: boolean): void {
  const t = turn.state.triage;
  if (field === "topics" || field === "supportWish") {
    t[field] = add ? [...new Set([...t[field], value])] : [value];
  } else if (field === "safeNow" || field === "ageBand") {
    t[field] = value;
  } else {
    t.answers[field.slice("answers.".length)] = value;
  }
}
