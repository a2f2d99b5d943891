import type { messagingApi } from "@line/bot-sdk";
import type { Conversation, Person, Tx } from "../db/prisma-client";
import { pickFlow, step } from "../flows/flow-engine";
import type { EngineInput, EngineState, Preset } from "../flows/flow-types";
import { applyStep } from "./flow-effects";

type Message = messagingApi.Message;

/** What she did, as the conversation logic sees it (no LINE identifiers). */
export type Inbound = EngineInput;

/**
 * Runs the conversation: the preset's triage flow while the bot has her, risk detection on
 * every message throughout. The event processor and the timers only know this interface.
 */
export interface ConversationResponder {
  respond(tx: Tx, conversation: Conversation, inbound: Inbound, at: Date): Promise<Message[]>;
}

const OPEN_STATUSES = ["bot", "waiting", "active"] as const;

/** She writes again this soon after a counsellor closed her chat: the same consultation reopens. */
export const REOPEN_WITHIN_MS = 60 * 60_000;

/**
 * Her open conversation; else the one a counsellor closed moments ago, reopened into the
 * waiting queue (her place and triage kept); else a new one.
 */
export async function openConversation(tx: Tx, person: Person, at: Date): Promise<Conversation> {
  const open = await tx.conversation.findFirst({
    where: { personId: person.id, status: { in: [...OPEN_STATUSES] } },
    orderBy: { startedAt: "desc" },
  });
  if (open) {
    return tx.conversation.update({ where: { id: open.id }, data: { lastMessageAt: at } });
  }
  const recent = await tx.conversation.findFirst({
    where: {
      personId: person.id,
      status: "closed",
      closedById: { not: null },
      closedAt: { gt: new Date(at.getTime() - REOPEN_WITHIN_MS) },
    },
    orderBy: { closedAt: "desc" },
  });
  if (recent) {
    return tx.conversation.update({
      where: { id: recent.id },
      data: {
        status: "waiting",
        reopenedAt: at,
        waitingSince: at,
        lastMessageAt: at,
        closedAt: null,
        assignedToId: null,
        assignedAt: null,
      },
    });
  }
  return tx.conversation.create({
    data: { personId: person.id, startedAt: at, lastMessageAt: at },
  });
}

export function createFlowResponder(preset: Preset): ConversationResponder {
  return {
    async respond(tx, conversation, inbound, at) {
      const state = conversation.flowState as unknown as EngineState | null;
      const flow = pickFlow(preset, state);
      const result = step(flow, preset, state, inbound, {
        now: at,
        conversationPhase: conversation.status === "active" ? "human" : "bot",
      });
      const { data, messages } = applyStep(conversation, result, at, flow.settings.silenceMinutes);
      const updated = await tx.conversation.update({ where: { id: conversation.id }, data });
      if (conversation.status === "bot" && updated.status === "waiting" && !updated.outOfHours) {
        messages.push({ type: "text", text: queuePositionText(await peopleAhead(tx, updated)) });
      }
      return messages;
    },
  };
}

/** Waiting conversations of her region that a counsellor will take before hers. */
export async function peopleAhead(tx: Tx, c: Conversation): Promise<number> {
  const since = c.waitingSince ?? new Date();
  return tx.conversation.count({
    where: {
      status: "waiting",
      regionId: c.regionId,
      id: { not: c.id },
      OR:
        c.riskLevel === "high"
          ? [{ riskLevel: "high", waitingSince: { lt: since } }]
          : [{ riskLevel: "high" }, { waitingSince: { lt: since } }],
    },
  });
}

/** Safe on a lock screen: says nothing about why she wrote. */
export function queuePositionText(ahead: number): string {
  return ahead === 0
    ? "次に、相談員がお返事します。"
    : `いま、あなたの前に${ahead}人が順番を待っています。順番が来たら、相談員がお返事します。`;
}
