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

/** Her open conversation, or a new one (her first message, or she wrote after the last closed). */
export async function openConversation(tx: Tx, person: Person, at: Date): Promise<Conversation> {
  const open = await tx.conversation.findFirst({
    where: { personId: person.id, status: { in: [...OPEN_STATUSES] } },
    orderBy: { startedAt: "desc" },
  });
  if (open) {
    return tx.conversation.update({ where: { id: open.id }, data: { lastMessageAt: at } });
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
      await tx.conversation.update({ where: { id: conversation.id }, data });
      return messages;
    },
  };
}
