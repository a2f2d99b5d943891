import type { messagingApi } from "@line/bot-sdk";
import type { Conversation, Tx } from "../db/prisma-client";
import { pickFlow, step } from "../flows/flow-engine";
import { personNear } from "../flows/shared-phone";
import type {
  Analyse,
  EngineContext,
  EngineInput,
  EngineState,
  Flow,
  Preset,
} from "../flows/flow-types";
import { upcomingGatherings } from "../programme/upcoming-gatherings";
import { alertRiskInChat } from "./chat-safety";
import { applyMoves } from "./conversation-repository";
import { applyStep } from "./flow-effects";
import { peopleAhead, queuePositionText } from "./queue-position";
import { createWaitingService } from "./waiting-service";
import type { Sealer } from "../privacy/sealer";

type Message = messagingApi.Message;

/** What she did, as the conversation logic sees it (no LINE identifiers). */
export type Inbound = EngineInput;

/**
 * Runs the conversation: the preset's triage flow while the bot has her, risk detection on
 * every message throughout, and while she waits for a counsellor a sign that her message
 * arrived (waiting-service.ts). Her messages and the silence timer only know this interface.
 */
export interface ConversationResponder {
  respond(tx: Tx, conversation: Conversation, inbound: Inbound, at: Date): Promise<Message[]>;
}

/**
 * `analyse` is the worker's Japanese analyser, loaded once per process (src/text/); `sealer`
 * seals what the waiting notices tell her.
 */
export function createFlowResponder(
  preset: Preset,
  analyse: Analyse,
  sealer: Sealer,
): ConversationResponder {
  const waiting = createWaitingService(preset, sealer);
  return {
    async respond(tx, conversation, inbound, at) {
      const state = conversation.flowState as unknown as EngineState | null;
      const flow = pickFlow(preset, state);
      const result = step(flow, preset, state, inbound, {
        now: at,
        analyse,
        conversationPhase: conversation.status === "active" ? "human" : "bot",
        ...(await programmeContext(tx, flow, conversation, at)),
      });
      const { moves, reason, data, messages, contactTimes, riskInChat, askedOnce } = applyStep(
        conversation,
        result,
        at,
        flow.settings.silenceMinutes,
      );
      const updated = await applyMoves(tx, conversation, moves, { by: null, reason, data });
      if (riskInChat) await alertRiskInChat(tx, conversation, riskInChat, at);
      if (contactTimes) {
        await tx.person.update({
          where: { id: conversation.personId },
          data: { contactTimes: contactTimes.bandId },
        });
      }
      if (askedOnce) {
        await tx.person.update({
          where: { id: conversation.personId },
          data: { askedOnce: { push: askedOnce } },
        });
      }
      // When the person is near, the flow's one short line is all she gets.
      const quiet = personNear(result.state.triage);
      if (
        moves.includes("handoff") &&
        updated.status === "waiting" &&
        !updated.outOfHours &&
        !quiet
      ) {
        messages.push({ type: "text", text: queuePositionText(await peopleAhead(tx, updated)) });
      }
      // She was waiting and still is (no counsellor chats with her): her message is not met
      // with silence. A reopened chat is waiting again by now, so she is told too.
      const wrote = inbound.type !== "follow" && inbound.type !== "silence";
      if (wrote && conversation.status === "waiting" && updated.status === "waiting") {
        messages.push(...(await waiting.acknowledge(tx, flow, updated, at)));
      }
      return messages;
    },
  };
}

/**
 * What the console holds that the flow may show her, read only while the bot runs her triage and
 * only when her flow has the node that uses it: the next gatherings, and the once-per-person
 * questions she was already asked.
 */
async function programmeContext(
  tx: Tx,
  flow: Flow,
  conversation: Conversation,
  at: Date,
): Promise<Pick<EngineContext, "gatherings" | "askedOnce">> {
  if (conversation.status !== "bot") return {};
  const nodes = Object.values(flow.nodes);
  const context: Pick<EngineContext, "gatherings" | "askedOnce"> = {};
  if (nodes.some((n) => n.type === "gatherings"))
    context.gatherings = await upcomingGatherings(tx, at);
  if (nodes.some((n) => n.type === "choice" && n.oncePerPerson)) {
    const person = await tx.person.findUnique({
      where: { id: conversation.personId },
      select: { askedOnce: true },
    });
    context.askedOnce = person?.askedOnce ?? [];
  }
  return context;
}
