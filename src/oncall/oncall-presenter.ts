import type { OnCallNotification, OnCallShift, PrismaClient } from "../db/prisma-client";
import type { ConsoleUser } from "../http/auth-middleware";
import { regionsOf } from "../conversations/conversation-scope";
import { MAX_SHIFT_DAYS } from "./oncall-schemas";
import type { NotificationFacts } from "./oncall-types";

const DAY_MS = 86_400_000;

/** Which shifts a supervisor or admin sees: her or his region's and every region's; all when unbound. */
export const visibleShifts = (user: ConsoleUser) => {
  const region = regionsOf(user);
  return region === null ? {} : { OR: [{ regionId: region }, { regionId: null }] };
};

/** A region's supervisor changes her or his region's shifts only; an unbound one, all. */
export const mayEdit = (user: ConsoleUser, shift: Pick<OnCallShift, "regionId">) => {
  const region = regionsOf(user);
  return region === null || shift.regionId === region;
};

/** Which notifications a supervisor or admin sees and may acknowledge. */
export const visibleNotifications = (user: ConsoleUser) => {
  const region = regionsOf(user);
  return region === null ? {} : { regionId: region };
};

/** Reads for the on-call page: the roster, who may be on it, and the notifications. */
export function createOnCallPresenter(deps: { prisma: PrismaClient; now?: () => Date }) {
  const { prisma } = deps;
  const now = deps.now ?? (() => new Date());

  async function shifts(user: ConsoleUser, range: { from?: string; to?: string }) {
    const from = range.from ? new Date(range.from) : now();
    const to = range.to ? new Date(range.to) : new Date(from.getTime() + MAX_SHIFT_DAYS * DAY_MS);
    const rows = await prisma.onCallShift.findMany({
      where: { AND: [visibleShifts(user), { endsAt: { gt: from }, startsAt: { lt: to } }] },
      include: { counsellor: { select: { id: true, displayName: true, loginName: true } } },
      orderBy: [{ startsAt: "asc" }, { priority: "asc" }, { createdAt: "asc" }],
      take: 500,
    });
    return rows.map((s) => shiftView(user, s));
  }

  function shiftView(
    user: ConsoleUser,
    s: OnCallShift & { counsellor: { id: string; displayName: string; loginName: string } },
  ) {
    return {
      id: s.id,
      counsellor: s.counsellor,
      regionId: s.regionId,
      startsAt: s.startsAt.toISOString(),
      endsAt: s.endsAt.toISOString(),
      priority: s.priority,
      editable: mayEdit(user, s),
    };
  }

  /** Supervisors and admins who may be on call for the caller's region. */
  async function people(user: ConsoleUser) {
    const region = regionsOf(user);
    const rows = await prisma.counsellor.findMany({
      where: {
        active: true,
        role: { in: ["supervisor", "admin"] },
        ...(region === null ? {} : { OR: [{ regionId: null }, { regionId: region }] }),
      },
      orderBy: [{ displayName: "asc" }],
    });
    return rows.map((c) => ({
      id: c.id,
      displayName: c.displayName,
      loginName: c.loginName,
      role: c.role as "supervisor" | "admin",
      regionId: c.regionId,
      email: c.email,
    }));
  }

  /** The week's notifications, the unacknowledged first, newest first. */
  async function notifications(user: ConsoleUser) {
    const rows = await prisma.onCallNotification.findMany({
      where: {
        AND: [
          visibleNotifications(user),
          { createdAt: { gt: new Date(now().getTime() - 7 * DAY_MS) } },
        ],
      },
      include: {
        mailTo: { select: { displayName: true } },
        acknowledgedBy: { select: { displayName: true } },
      },
      orderBy: [{ createdAt: "desc" }],
      take: 200,
    });
    const views = rows.map(notificationView);
    return [...views.filter((n) => !n.acknowledgedAt), ...views.filter((n) => n.acknowledgedAt)];
  }

  return { shifts, shiftView, people, notifications, notificationView };
}

function notificationView(
  n: NotificationFacts &
    Pick<OnCallNotification, "mailSentAt" | "webhookSentAt" | "gaveUpAt" | "acknowledgedAt"> & {
      mailTo: { displayName: string } | null;
      acknowledgedBy: { displayName: string } | null;
    },
) {
  return {
    id: n.id,
    kind: n.kind as "high-risk-out-of-hours" | "high-risk-waiting" | "reminder",
    conversationId: n.conversationId,
    regionId: n.regionId,
    riskCategories: n.riskCategories,
    at: n.createdAt.toISOString(),
    mailedTo: n.mailTo?.displayName ?? null,
    mailSent: n.mailSentAt !== null,
    webhookSent: n.webhookSentAt !== null,
    gaveUp: n.gaveUpAt !== null,
    acknowledgedAt: n.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: n.acknowledgedBy?.displayName ?? null,
  };
}

export type OnCallPresenter = ReturnType<typeof createOnCallPresenter>;
