import type { OnCallConfig } from "../config/env-config";
import type { Conversation, OnCallNotification, PrismaClient, Tx } from "../db/prisma-client";
import { openSince } from "../flows/opening-hours";
import type { Preset } from "../flows/flow-types";
import type { JobDispatcher, JobIntents } from "../jobs/job-dispatch";
import type { Logger } from "../logger";
import { lockConversation } from "../conversations/conversation-repository";
import { mailOf, payloadOf, signatureOf } from "./oncall-message";
import { nextAfter, rosterAt } from "./oncall-repository";
import type { OnCallSenders } from "./oncall-senders";
import {
  GIVE_UP_AFTER_MS,
  NEEDS_SOMEONE,
  REMINDER_AFTER_MINUTES,
  type DueOnCall,
  type OnCallKind,
  type SendOutcome,
} from "./oncall-types";

const MINUTE_MS = 60_000;
const BUCKET_MS = 10 * MINUTE_MS;
const minutesBefore = (now: Date, minutes: number) => new Date(now.getTime() - minutes * MINUTE_MS);
const bucketOf = (now: Date) => new Date(Math.floor(now.getTime() / BUCKET_MS) * BUCKET_MS);
const needsSomeone = (c: Conversation) => (NEEDS_SOMEONE as readonly string[]).includes(c.status);

/**
 * Calls the on-call people (webhook and e-mail, each optional) when a high-risk conversation
 * needs someone:
 * - `high-risk-out-of-hours`: her risk is high while no region is open (nights, holidays);
 * - `high-risk-waiting`: a high-risk conversation nobody took within the preset's
 *   `onCall.highRiskWaitMinutes`, counted while a region is open (at night the first kind calls);
 * - `reminder`: neither was acknowledged in the console within ten minutes: the webhook again,
 *   and the next person on the roster by e-mail.
 * At most one notification per conversation and kind. `due` finds them (the outbox sweep
 * enqueues one job each); `fire` checks again under the conversation's row lock and writes the
 * notification with its sends in one transaction, so a job that runs twice or late sends
 * nothing twice. The clock is the service's (tests choose it).
 */
export function createOnCallNotifier(deps: {
  prisma: PrismaClient;
  dispatcher: JobDispatcher;
  preset: Preset;
  config: OnCallConfig;
  senders: OnCallSenders;
  logger: Logger;
  clock?: () => Date;
}) {
  const { prisma, dispatcher, preset, config, senders, logger } = deps;
  const clock = deps.clock ?? (() => new Date());
  const waitLimit = preset.onCall.highRiskWaitMinutes;
  const regionName = (id: string | null) =>
    preset.regions.find((r) => r.id === id)?.name ?? "地域未定";

  /** Since when some region has been open (the earliest opening among those open); null: none. */
  function openedAt(now: Date): Date | null {
    const since = preset.regions
      .map((r) => openSince(r.hours, now))
      .filter((d): d is Date => d !== null)
      .map((d) => d.getTime());
    return since.length > 0 ? new Date(Math.min(...since)) : null;
  }

  /** Whether a high-risk wait has passed the limit, counting only time a region was open. */
  function waitedTooLong(waitingSince: Date | null, now: Date): boolean {
    const opened = openedAt(now);
    const limit = minutesBefore(now, waitLimit);
    return opened !== null && opened < limit && waitingSince !== null && waitingSince < limit;
  }

  async function due(now: Date, limit: number): Promise<DueOnCall[]> {
    const open = openedAt(now) !== null;
    const highRisk = { riskLevel: "high", status: { in: [...NEEDS_SOMEONE] } };
    const [outOfHours, waiting, unacknowledged] = await Promise.all([
      open
        ? []
        : prisma.conversation.findMany({
            where: { ...highRisk, onCall: { none: { kind: "high-risk-out-of-hours" } } },
            select: { id: true },
            take: limit,
          }),
      open
        ? prisma.conversation.findMany({
            where: {
              riskLevel: "high",
              status: "waiting",
              waitingSince: { lt: minutesBefore(now, waitLimit) },
              onCall: { none: { kind: "high-risk-waiting" } },
            },
            select: { id: true, waitingSince: true },
            take: limit,
          })
        : [],
      prisma.onCallNotification.findMany({
        where: {
          kind: { not: "reminder" },
          acknowledgedAt: null,
          createdAt: { lte: minutesBefore(now, REMINDER_AFTER_MINUTES) },
          conversation: {
            status: { in: [...NEEDS_SOMEONE] },
            onCall: { none: { kind: "reminder" } },
          },
        },
        select: { conversationId: true },
        distinct: ["conversationId"],
        take: limit,
      }),
    ]);
    const dueAt = bucketOf(now);
    const timer = (kind: OnCallKind) => (c: { id: string }) => ({
      kind,
      conversationId: c.id,
      dueAt,
    });
    return [
      ...outOfHours.map(timer("high-risk-out-of-hours")),
      ...waiting.filter((c) => waitedTooLong(c.waitingSince, now)).map(timer("high-risk-waiting")),
      ...unacknowledged.map((n) => timer("reminder")({ id: n.conversationId })),
    ];
  }

  /** Whether the timer's condition still holds, now, under the lock. */
  function stillDue(
    kind: OnCallKind,
    c: Conversation,
    earlier: OnCallNotification[],
    now: Date,
  ): boolean {
    if (earlier.some((n) => n.kind === kind) || !needsSomeone(c)) return false;
    if (kind === "high-risk-out-of-hours") return c.riskLevel === "high" && !openedAt(now);
    if (kind === "high-risk-waiting")
      return c.riskLevel === "high" && c.status === "waiting" && waitedTooLong(c.waitingSince, now);
    const reminded = minutesBefore(now, REMINDER_AFTER_MINUTES);
    return earlier.some((n) => !n.acknowledgedAt && n.createdAt <= reminded);
  }

  /** Who gets the e-mail: the first on the roster, or for a reminder the one after the first call. */
  async function mailTarget(
    tx: Tx,
    c: Conversation,
    kind: OnCallKind,
    earlier: OnCallNotification[],
    now: Date,
  ) {
    if (!senders.mail) return null;
    const roster = await rosterAt(tx, c.regionId ?? preset.defaultRegionId, now);
    if (kind !== "reminder") return roster[0] ?? null;
    const called = earlier.find((n) => n.kind !== "reminder" && n.mailToId)?.mailToId ?? null;
    return nextAfter(roster, called) ?? null;
  }

  async function notify(
    tx: Tx,
    jobs: JobIntents,
    c: Conversation,
    kind: OnCallKind,
    earlier: OnCallNotification[],
    now: Date,
  ) {
    const mailTo = await mailTarget(tx, c, kind, earlier, now);
    const n = await tx.onCallNotification.create({
      data: {
        conversationId: c.id,
        kind,
        regionId: c.regionId,
        riskCategories: c.riskCategories,
        createdAt: now,
        mailToId: mailTo?.counsellorId ?? null,
      },
    });
    if (senders.webhook) jobs.add("oncall-webhook", { notificationId: n.id });
    if (mailTo) jobs.add("oncall-mail", { notificationId: n.id });
    logger.info(
      {
        notificationId: n.id,
        kind,
        regionId: c.regionId,
        webhook: Boolean(senders.webhook),
        mail: Boolean(mailTo),
      },
      "on-call notified",
    );
  }

  /** After a failed attempt: retry, or give up once the notification is an hour old. */
  async function failed(
    n: OnCallNotification,
    channel: "webhook" | "mail",
    why: string,
  ): Promise<SendOutcome> {
    if (clock().getTime() - n.createdAt.getTime() < GIVE_UP_AFTER_MS) return "retry";
    await giveUp(n.id, channel, why);
    return "given-up";
  }

  async function giveUp(notificationId: string, channel: "webhook" | "mail", why: string) {
    await prisma.onCallNotification.updateMany({
      where: { id: notificationId, gaveUpAt: null },
      data: { gaveUpAt: clock() },
    });
    // Ids and the receiver's answer only: the notification holds nothing of hers to leak.
    logger.error({ notificationId, channel, why }, "on-call notification given up");
  }

  return {
    /** The service's clock, for the sweep and the job handlers. */
    now: clock,
    due,

    /** Fires one timer; a timer whose condition no longer holds does nothing. */
    fire(timer: DueOnCall, now = clock()): Promise<void> {
      return dispatcher.transaction(async (tx, jobs) => {
        const c = await lockConversation(tx, timer.conversationId);
        if (!c) return;
        const earlier = await tx.onCallNotification.findMany({
          where: { conversationId: c.id },
          orderBy: { createdAt: "asc" },
        });
        if (stillDue(timer.kind, c, earlier, now))
          await notify(tx, jobs, c, timer.kind, earlier, now);
      });
    },

    /** POSTs the notification to the webhook, signed; the same `id` on every retry. */
    async sendWebhook(notificationId: string): Promise<SendOutcome> {
      const n = await prisma.onCallNotification.findUnique({ where: { id: notificationId } });
      if (!n || n.webhookSentAt || !senders.webhook || !config.webhook) return "done";
      const raw = JSON.stringify(payloadOf(n, config.publicBaseUrl));
      const attempt = await senders.webhook(raw, signatureOf(raw, config.webhook.secret));
      if (!attempt.ok) return failed(n, "webhook", attempt.why);
      await prisma.onCallNotification.update({
        where: { id: n.id },
        data: { webhookSentAt: clock() },
      });
      return "done";
    },

    /** E-mails the roster person chosen when the notification was made. */
    async sendMail(notificationId: string): Promise<SendOutcome> {
      const n = await prisma.onCallNotification.findUnique({
        where: { id: notificationId },
        include: { mailTo: { select: { email: true } } },
      });
      const to = n?.mailTo?.email;
      if (!n || n.mailSentAt || !senders.mail || !to) return "done";
      const payload = payloadOf(n, config.publicBaseUrl);
      const attempt = await senders.mail({
        to,
        ...mailOf(payload, regionName(n.regionId), preset.serviceName),
      });
      if (!attempt.ok) return failed(n, "mail", attempt.why);
      await prisma.onCallNotification.update({
        where: { id: n.id },
        data: { mailSentAt: clock() },
      });
      return "done";
    },

    giveUp,
  };
}

export type OnCallNotifier = ReturnType<typeof createOnCallNotifier>;
