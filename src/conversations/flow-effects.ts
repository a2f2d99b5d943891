import type { Conversation } from "../db/prisma-client";
import type { Effect, LineMessage, StepResult } from "../flows/flow-types";
import { nextStatus, type ConversationStatus, type Move } from "./conversation-lifecycle";
import type { ConversationChange } from "./conversation-repository";

/**
 * What one step of the flow engine means for the conversation record and for her phone: the
 * moves along the lifecycle, the other column updates and the messages to send. Pure, so the
 * rules read in one place:
 * - a hand-off moves a bot conversation to the waiting queue of the region triage chose;
 * - risk only ever raises the level;
 * - an end closes a bot conversation, makes a waiting one abandoned (she left before anyone
 *   answered) and only records the reason on a counsellor's chat, which the counsellor closes;
 * - on a counsellor's chat her exit word holds the counsellors' messages, and any other message
 *   of hers lifts the hold (she is writing again, so she can be answered);
 * - risk seen during a counsellor's chat is named (`riskInChat`) for the counsellor's alert;
 * - her contact times, when she chose them, go to her record (`contactTimes`);
 * - a once-per-person question put to her goes to her record too (`askedOnce`), so that no later
 *   conversation of hers asks it again.
 */
export function applyStep(
  conversation: Conversation,
  result: StepResult,
  now: Date,
  silenceMinutes: number,
): StepOutcome {
  const { state, effects } = result;
  const data: ConversationChange = {
    presetId: state.presetId,
    flowVersion: state.flowVersion,
    flowState: state as unknown as ConversationChange["flowState"],
  };
  let status: ConversationStatus = conversation.status;
  const moves: Move[] = [];
  let reason: string | undefined;
  const messages: LineMessage[] = [];
  const extra: Pick<StepOutcome, "contactTimes" | "riskInChat" | "askedOnce"> = {};
  for (const effect of effects) {
    if (effect.type === "send") {
      messages.push(...effect.messages);
      continue;
    }
    if (effect.type === "setContactTimes") {
      extra.contactTimes = { bandId: effect.bandId };
      continue;
    }
    if (effect.type === "askedOnce") {
      extra.askedOnce = [...new Set([...(extra.askedOnce ?? []), effect.field])];
      continue;
    }
    if (effect.type === "markRisk" && conversation.status === "active") {
      extra.riskInChat = [...new Set([...(extra.riskInChat ?? []), ...effect.categories])];
    }
    const move = applyEffect(effect, data, conversation, status, now);
    const to = move && nextStatus(move, status);
    if (move && to) {
      moves.push(move);
      status = to;
      if (effect.type === "handoff" || effect.type === "end") reason = effect.reason;
    }
  }
  // The bot waits for her answer only while it still runs the triage.
  const awaiting = status === "bot" && state.status === "active" && state.nodeId !== null;
  data.silenceDueAt = awaiting ? new Date(now.getTime() + silenceMinutes * 60_000) : null;
  if (conversation.status === "active") {
    // Stryker disable next-line ConditionalExpression: equivalent for the type check → true, because only an end carries the reason "exit-word" (a hand-off's reasons are others)
    const exitWord = effects.some((e) => e.type === "end" && e.reason === "exit-word");
    data.pushesHeldSince = exitWord ? (conversation.pushesHeldSince ?? now) : null;
  }
  return { moves, ...(reason ? { reason } : {}), data, messages, ...extra };
}

export interface StepOutcome {
  moves: Move[];
  reason?: string;
  data: ConversationChange;
  messages: LineMessage[];
  /** She chose when she may be contacted (null: any time). */
  contactTimes?: { bandId: string | null };
  /** Risk categories seen in her message while a counsellor has her. */
  riskInChat?: string[];
  /** Fields of once-per-person questions she was asked in this step. */
  askedOnce?: string[];
}

/** Writes the effect's columns into `data`; returns the move it asks for, if any. */
function applyEffect(
  effect: Exclude<Effect, { type: "send" | "setContactTimes" | "askedOnce" }>,
  data: ConversationChange,
  conversation: Conversation,
  status: ConversationStatus,
  now: Date,
): Move | undefined {
  switch (effect.type) {
    case "setTriage": {
      const t = effect.triage;
      Object.assign(data, {
        topics: t.topics,
        municipality: t.municipality ?? null,
        regionId: t.regionId ?? conversation.regionId,
        regionSource: t.regionSource ?? null,
        ageBand: t.ageBand ?? null,
        supportWish: t.supportWish,
        triageAnswers: t.answers,
      });
      return undefined;
    }
    case "markRisk":
      data.riskLevel = "high";
      data.riskCategories = [...new Set([...conversation.riskCategories, ...effect.categories])];
      return undefined;
    case "handoff":
      if (!nextStatus("handoff", status)) return undefined;
      Object.assign(data, {
        waitingSince: now,
        handoffReason: effect.reason,
        regionId: effect.regionId,
        outOfHours: effect.outOfHours,
        servingRegionId: effect.servingRegionId ?? null,
      });
      // Her region is closed: the open neighbour's counsellors see her and take her.
      if (effect.servingRegionId) {
        data.overflowRegions = [
          ...new Set([...conversation.overflowRegions, effect.servingRegionId]),
        ];
      }
      return "handoff";
    case "end":
      data.endReason = effect.reason;
      if (!nextStatus("end", status)) return undefined;
      data.closedAt = now;
      return "end";
  }
}
