import type { Conversation, PrismaClient, Tx } from "../db/prisma-client";
import type { Preset, Region } from "../flows/flow-types";
import { openSince } from "../flows/opening-hours";
import type { QueueTimerKind } from "../jobs/job-catalog";
import type { JobDispatcher, JobIntents } from "../jobs/job-dispatch";
import { recordOutbound } from "../line/outbound-service";
import type { Sealer } from "../privacy/sealer";
import { lockConversation, moveConversation, updateConversation } from "./conversation-repository";
import { openNeighbour } from "../flows/waiting-notice";
import { inQueueOf, peopleAhead, queueRegionOf, waitAgainText } from "./queue-position";
import { createWaitingService } from "./waiting-service";

export type { QueueTimerKind };

export interface DueTimer {
  kind: QueueTimerKind;
  conversationId: string;
  /** The moment the timer counts from; a changed moment means the timer is stale. */
  since: Date;
}

const minutesAgo = (now: Date, minutes: number) => new Date(now.getTime() - minutes * 60_000);

/**
 * The queue's timers, kept in the conversation columns so a restart loses none:
 * - nobody took her within the region's limit: supervisors are alerted, and the regions the
 *   preset names may take her (overflow);
 * - a counsellor took her but has not answered within the limit: back to the queue;
 * - her wait grows long: she is told again, in words safe on a lock screen;
 * - her region is closed and a neighbour has opened: she joins its queue (open-neighbour).
 * `due` finds them (the outbox sweep enqueues one job each); `fire` re-checks under a row lock,
 * so a job that runs twice or late does nothing the second time.
 *
 * The two waiting clocks run only while her region is open, and count from its opening at the
 * earliest: nobody is on duty at night to alert, and a message pushed to her phone at 3 a.m.
 * saying "please wait a little longer" is neither true nor safe on a shared phone. A wait that
 * began out of hours (she was told when the service opens) therefore alerts, or is told again,
 * once the region has been open for the limit. "Her region" is the one whose queue she is in:
 * while she waits in an open neighbour's queue, its hours and rules are the ones that count.
 */
export function createQueueTimers(deps: {
  prisma: PrismaClient;
  dispatcher: JobDispatcher;
  preset: Preset;
  sealer: Sealer;
  /** The clock a timer's job fires by (new Date()). */
  now?: () => Date;
}) {
  const { prisma, dispatcher, preset, sealer } = deps;
  const clock = deps.now ?? (() => new Date());
  const waiting = createWaitingService(preset, sealer);

  async function dueIn(region: Region, now: Date, limit: number): Promise<DueTimer[]> {
    const q = region.queue;
    const opened = openSince(region.hours, now);
    /** Whether the region has been open for `minutes` (the waiting clocks' condition). */
    const openFor = (minutes: number) => opened !== null && opened < minutesAgo(now, minutes);
    // Closed regions whose waiting women this one, open now, takes.
    const closedHomes = opened
      ? preset.regions.filter((h) => openNeighbour(preset, h.id, now)?.id === region.id)
      : [];
    const [waitOver, overdue, tell, joining] = await Promise.all([
      openFor(q.waitLimitMinutes)
        ? prisma.conversation.findMany({
            where: {
              ...inQueueOf(region.id),
              status: "waiting",
              waitAlertedAt: null,
              waitingSince: { lt: minutesAgo(now, q.waitLimitMinutes) },
            },
            select: { id: true, waitingSince: true },
            take: limit,
          })
        : [],
      prisma.$queryRaw<{ id: string; assigned_at: Date }[]>`
        SELECT c.id::text, c.assigned_at FROM conversation c
        WHERE c.region_id = ${region.id} AND c.status = 'active'
          AND c.assigned_at < ${minutesAgo(now, q.answerLimitMinutes)}
          AND NOT EXISTS (SELECT 1 FROM message m WHERE m.conversation_id = c.id
                          AND m.author = 'counsellor' AND m.sent_at >= c.assigned_at)
        LIMIT ${limit}`,
      openFor(q.tellAgainMinutes)
        ? prisma.conversation.findMany({
            where: {
              status: "waiting",
              AND: [
                inQueueOf(region.id),
                {
                  OR: [
                    {
                      waitToldAt: null,
                      waitingSince: { lt: minutesAgo(now, q.tellAgainMinutes) },
                    },
                    { waitToldAt: { lt: minutesAgo(now, q.tellAgainMinutes) } },
                  ],
                },
              ],
            },
            select: { id: true, waitingSince: true, waitToldAt: true },
            take: limit,
          })
        : [],
      closedHomes.length > 0
        ? prisma.conversation.findMany({
            where: {
              status: "waiting",
              servingRegionId: null,
              regionId: { in: closedHomes.map((h) => h.id) },
            },
            select: { id: true, waitingSince: true },
            take: limit,
          })
        : [],
    ]);
    return [
      ...waitOver.flatMap((c) =>
        c.waitingSince
          ? [{ kind: "wait-over-limit" as const, conversationId: c.id, since: c.waitingSince }]
          : [],
      ),
      ...overdue.map((c) => ({
        kind: "answer-overdue" as const,
        conversationId: c.id,
        since: c.assigned_at,
      })),
      ...tell.flatMap((c) => {
        const since = c.waitToldAt ?? c.waitingSince;
        return since ? [{ kind: "tell-again" as const, conversationId: c.id, since }] : [];
      }),
      ...joining.flatMap((c) =>
        c.waitingSince
          ? [{ kind: "open-neighbour" as const, conversationId: c.id, since: c.waitingSince }]
          : [],
      ),
    ];
  }

  /** The region whose queue she is in: its hours and rules run her clocks. */
  const regionOf = (c: Conversation) => preset.regions.find((r) => r.id === queueRegionOf(c));

  /** Nobody took her within the limit: supervisors are alerted, overflow regions may take her. */
  async function waitOverLimit(
    tx: Tx,
    c: Conversation,
    region: Region,
    timer: DueTimer,
    now: Date,
  ) {
    if (
      c.status !== "waiting" ||
      c.waitAlertedAt ||
      c.waitingSince?.getTime() !== timer.since.getTime()
    )
      return;
    // Added to the regions that already see her (the one she joined while hers was closed).
    const overflow = [...c.overflowRegions, ...region.queue.overflowTo].filter(
      (id) => id !== c.regionId,
    );
    await updateConversation(tx, c.id, {
      waitAlertedAt: now,
      overflowRegions: [...new Set(overflow)],
    });
    await tx.supervisorAlert.create({
      data: { conversationId: c.id, regionId: c.regionId, kind: "wait-over-limit" },
    });
  }

  /** Taken but not answered within the limit: back to the queue, her place kept. */
  async function answerOverdue(tx: Tx, c: Conversation, region: Region, timer: DueTimer) {
    if (c.status !== "active" || c.assignedAt?.getTime() !== timer.since.getTime()) return;
    await moveConversation(tx, c, "return-to-queue", {
      by: null,
      data: { assignedToId: null, assignedAt: null },
      detail: { afterMinutes: region.queue.answerLimitMinutes },
    });
  }

  /** Her wait grows long: she is told again, in words safe on a lock screen. */
  async function tellAgain(tx: Tx, jobs: JobIntents, c: Conversation, timer: DueTimer, now: Date) {
    if (
      c.status !== "waiting" ||
      (c.waitToldAt ?? c.waitingSince)?.getTime() !== timer.since.getTime()
    )
      return;
    await updateConversation(tx, c.id, { waitToldAt: now });
    const ahead = await peopleAhead(tx, c);
    await recordOutbound(tx, jobs, sealer, {
      personId: c.personId,
      conversationId: c.id,
      author: "bot",
      messages: [{ type: "text", text: waitAgainText(ahead) }],
      dedupeKey: `tell-again:${c.id}:${timer.since.getTime()}`,
      at: now,
    });
  }

  return {
    async due(now: Date, limit: number): Promise<DueTimer[]> {
      const all = await Promise.all(preset.regions.map((r) => dueIn(r, now, limit)));
      return all.flat();
    },

    /** Fires one timer; a timer that is stale (its moment moved) does nothing. */
    fire(timer: DueTimer, now = clock()): Promise<void> {
      return dispatcher.transaction(async (tx, jobs) => {
        const c = await lockConversation(tx, timer.conversationId);
        const region = c ? regionOf(c) : undefined;
        if (!c || !region) return;
        if (timer.kind === "open-neighbour") {
          // Re-checked under the lock: still waiting in her own closed region's queue.
          if (c.waitingSince?.getTime() === timer.since.getTime()) {
            await waiting.joinOpenNeighbour(tx, c, now);
          }
          return;
        }
        // A waiting clock's job that runs after closing time: the region is closed, no alert
        // and nothing to her (the next opening starts the clock again).
        if (timer.kind !== "answer-overdue" && !openSince(region.hours, now)) return;
        if (timer.kind === "wait-over-limit") await waitOverLimit(tx, c, region, timer, now);
        else if (timer.kind === "answer-overdue") await answerOverdue(tx, c, region, timer);
        else await tellAgain(tx, jobs, c, timer, now);
      });
    },
  };
}

export type QueueTimers = ReturnType<typeof createQueueTimers>;
