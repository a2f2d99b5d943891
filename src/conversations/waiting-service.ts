import type { Conversation, Tx } from "../db/prisma-client";
import { isOpen } from "../flows/opening-hours";
import type { EngineState, Flow, LineMessage, Preset } from "../flows/flow-types";
import { pickFlow } from "../flows/flow-engine";
import { emptyTriage } from "../flows/flow-turn";
import {
  acknowledgementDue,
  openNeighbour,
  waitingNotice,
  whenAnswered,
} from "../flows/waiting-notice";
import type { JobIntents } from "../jobs/job-dispatch";
import { recordOutbound } from "../line/outbound-service";
import type { Sealer } from "../privacy/sealer";
import { updateConversation } from "./conversation-repository";
import { peopleAhead, queuePositionText, queueRegionOf } from "./queue-position";

/**
 * Nobody is chatting with her (she waits in a queue): nothing she writes meets silence, and a
 * closed region does not keep her waiting while a neighbour is open.
 * - `acknowledge`: her message gets a sign it arrived and what happens next (her place, or when
 *   someone answers and the 24-hour lines), as the reply to it; at most once per the preset's
 *   `waiting.acknowledgeEveryMinutes`, counted from `waitToldAt`, the one column that says when
 *   she was last told about her wait (the queue's "tell again" timer writes it too, so the two
 *   never tell her twice in a row).
 * - `joinOpenNeighbour`: her region is closed, a neighbour is open: she joins its queue.
 * - `tellTransferred`: a counsellor put her in another region's queue: she is told, neutrally.
 * Every text is the preset's and lock-screen safe; once the person is near, one short line.
 */
/** `sealer` seals what she is told, as every message is stored. */
export function createWaitingService(preset: Preset, sealer: Sealer) {
  const regionOf = (id: string | null) => preset.regions.find((r) => r.id === id);
  const stateOf = (c: Conversation) => c.flowState as unknown as EngineState | null;
  const triageOf = (c: Conversation) => stateOf(c)?.triage ?? emptyTriage();

  /** Her place, or when someone answers: the one message about her wait. */
  async function notice(
    tx: Tx,
    flow: Flow,
    c: Conversation,
    kind: "acknowledge" | "transferred",
    at: Date,
  ) {
    const serving = regionOf(queueRegionOf(c));
    const open = serving ? isOpen(serving.hours, at) : false;
    const pinned = c.servingRegionId !== null;
    const answeredAt = open
      ? null
      : whenAnswered(preset, queueRegionOf(c) ?? preset.defaultRegionId, at, pinned);
    const place = open ? queuePositionText(await peopleAhead(tx, c)) : "";
    return waitingNotice(preset, flow, kind, {
      triage: triageOf(c),
      open,
      answeredAt,
      place,
      now: at,
    });
  }

  return {
    /** Her region is closed and a neighbour open (the preset allows it): she joins its queue. */
    async joinOpenNeighbour(tx: Tx, c: Conversation, now: Date): Promise<Conversation> {
      if (c.status !== "waiting" || c.servingRegionId !== null || !c.regionId) return c;
      const neighbour = openNeighbour(preset, c.regionId, now);
      if (!neighbour) return c;
      return updateConversation(tx, c.id, {
        servingRegionId: neighbour.id,
        overflowRegions: [...new Set([...c.overflowRegions, neighbour.id])],
        outOfHours: false,
      });
    },

    /** A message of hers while she waits: the reply that says it arrived, when one is due. */
    async acknowledge(tx: Tx, flow: Flow, c: Conversation, at: Date): Promise<LineMessage[]> {
      const joined = await this.joinOpenNeighbour(tx, c, at);
      if (!acknowledgementDue(joined.waitToldAt, at, preset.waiting.acknowledgeEveryMinutes)) {
        return [];
      }
      const told = await updateConversation(tx, c.id, { waitToldAt: at });
      return [{ type: "text", text: await notice(tx, flow, told, "acknowledge", at) }];
    },

    /** A counsellor put her in another region's queue: a push that says so (no region named). */
    async tellTransferred(tx: Tx, jobs: JobIntents, c: Conversation, at: Date): Promise<void> {
      const told = await updateConversation(tx, c.id, { waitToldAt: at });
      await recordOutbound(tx, jobs, sealer, {
        personId: c.personId,
        conversationId: c.id,
        author: "bot",
        messages: [
          {
            type: "text",
            text: await notice(tx, pickFlow(preset, stateOf(c)), told, "transferred", at),
          },
        ],
        dedupeKey: `transferred:${c.id}:${at.getTime()}`,
      });
    },
  };
}

export type WaitingService = ReturnType<typeof createWaitingService>;
