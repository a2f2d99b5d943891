import type { Conversation, Prisma } from "../db/prisma-client";
import type { Effect, LineMessage, StepResult } from "../flows/flow-types";

/**
 * What one step of the flow engine means for the conversation record and for her phone: the
 * column updates and the messages to send. Pure, so the rules read in one place:
 * - a hand-off moves a bot conversation to the waiting queue of the region triage chose;
 * - risk only ever raises the level;
 * - an end closes a bot conversation, makes a waiting one abandoned (she left before anyone
 *   answered) and only records the reason on a counsellor's chat, which the counsellor closes.
 */
export function applyStep(
  conversation: Conversation,
  result: StepResult,
  now: Date,
  silenceMinutes: number,
): { data: Prisma.ConversationUpdateInput; messages: LineMessage[] } {
  const { state, effects } = result;
  const data: Prisma.ConversationUpdateInput = {
    presetId: state.presetId,
    flowVersion: state.flowVersion,
    flowState: state as unknown as Prisma.InputJsonValue,
  };
  let status = conversation.status;
  const messages: LineMessage[] = [];
  for (const effect of effects) {
    if (effect.type === "send") messages.push(...effect.messages);
    else status = applyEffect(effect, data, conversation, status, now);
  }
  data.status = status;
  // The bot waits for her answer only while it still runs the triage.
  const awaiting = status === "bot" && state.status === "active" && state.nodeId !== null;
  data.silenceDueAt = awaiting ? new Date(now.getTime() + silenceMinutes * 60_000) : null;
  return { data, messages };
}

function applyEffect(
  effect: Exclude<Effect, { type: "send" }>,
  data: Prisma.ConversationUpdateInput,
  conversation: Conversation,
  status: Conversation["status"],
  now: Date,
): Conversation["status"] {
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
      return status;
    }
    case "markRisk":
      data.riskLevel = "high";
      data.riskCategories = [...new Set([...conversation.riskCategories, ...effect.categories])];
      return status;
    case "handoff":
      if (status !== "bot") return status;
      Object.assign(data, {
        waitingSince: now,
        handoffReason: effect.reason,
        regionId: effect.regionId,
        outOfHours: effect.outOfHours,
      });
      return "waiting";
    case "end":
      data.endReason = effect.reason;
      if (status === "bot") {
        data.closedAt = now;
        return "closed";
      }
      if (status === "waiting") {
        data.closedAt = now;
        return "abandoned";
      }
      return status;
  }
}
