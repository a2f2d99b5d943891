import type { Prisma, PrismaClient } from "../db/prisma-client";
import type { Preset } from "../flows/flow-types";
import { AppError } from "../errors";
import { taskInReach, taskRegionOf, type TaskActor } from "./task-service";
import { APPOINTMENT_KINDS, tokyoDay, type TaskKind, type TaskOutcome } from "./task-types";

export interface TaskQuery {
  /** mine: the tasks I own; region: every task of my region(s). */
  scope: "mine" | "region";
  status: "open" | "closed";
  /** Only one colleague's tasks (the list per counsellor), within my reach. */
  ownerId?: string | undefined;
}

const include = {
  owner: { select: { id: true, displayName: true } },
  createdBy: { select: { displayName: true } },
  closedBy: { select: { displayName: true } },
  conversation: { select: { person: { select: { pseudonym: true } } } },
  entry: { select: { caseRef: true, person: { select: { pseudonym: true } } } },
  person: { select: { pseudonym: true } },
  partner: { select: { id: true, name: true } },
} satisfies Prisma.FollowUpTaskInclude;

type TaskRow = Prisma.FollowUpTaskGetPayload<{ include: typeof include }>;

/** The task list as the console shows it (src/console/API.md, "Tasks"). */
export function createTaskPresenter(deps: {
  prisma: PrismaClient;
  preset: Preset;
  now?: () => Date;
}) {
  const { prisma, preset } = deps;
  const now = deps.now ?? (() => new Date());
  const regionName = (id: string) => preset.regions.find((r) => r.id === id)?.name ?? id;

  const item = (t: TaskRow, today: string) => {
    const dueOn = t.dueOn.toISOString().slice(0, 10);
    const pseudonym =
      t.conversation?.person.pseudonym ?? t.person?.pseudonym ?? t.entry?.person?.pseudonym ?? null;
    return {
      id: t.id,
      kind: t.kind as TaskKind,
      dueOn,
      overdue: t.closedAt === null && dueOn < today,
      regionId: t.regionId,
      regionName: regionName(t.regionId),
      owner: t.owner,
      conversationId: t.conversationId,
      entryId: t.entryId,
      pseudonym,
      caseRef: pseudonym === null ? (t.caseRef ?? t.entry?.caseRef ?? null) : null,
      appointment: APPOINTMENT_KINDS.includes(t.kind as TaskKind)
        ? { day: dueOn, time: t.appointmentTime }
        : null,
      partner: t.partner,
      doneEntryId: t.doneEntryId,
      createdAt: t.createdAt.toISOString(),
      createdByName: t.createdBy.displayName,
      outcome: t.outcome as TaskOutcome | null,
      closedAt: t.closedAt?.toISOString() ?? null,
      closedByName: t.closedBy?.displayName ?? null,
    };
  };

  async function list(user: TaskActor, query: TaskQuery) {
    const region = taskRegionOf(user);
    if (query.ownerId) {
      // One colleague's list: a colleague in my reach, else nobody (404, as an unknown id).
      const owner = await prisma.counsellor.findUnique({
        where: { id: query.ownerId },
        select: { regionId: true },
      });
      if (!owner || (region !== null && owner.regionId !== null && owner.regionId !== region)) {
        throw new AppError("NOT_FOUND", "No such colleague", 404);
      }
    }
    const where: Prisma.FollowUpTaskWhereInput = {
      ...(region === null ? {} : { regionId: region }),
      ...(query.scope === "mine" ? { ownerId: user.id } : {}),
      ...(query.ownerId ? { ownerId: query.ownerId } : {}),
      closedAt: query.status === "open" ? null : { not: null },
    };
    const rows = await prisma.followUpTask.findMany({
      where,
      include,
      orderBy:
        query.status === "open" ? [{ dueOn: "asc" }, { createdAt: "asc" }] : [{ closedAt: "desc" }],
      take: 500,
    });
    const today = tokyoDay(now());
    return rows.map((t) => item(t, today));
  }

  async function one(user: TaskActor, id: string) {
    const t = await prisma.followUpTask.findUnique({ where: { id }, include });
    if (!t || !taskInReach(user, t.regionId)) throw new AppError("NOT_FOUND", "No such task", 404);
    return item(t, tokyoDay(now()));
  }

  /** The tasks of one consultation (its view shows them), in the user's reach. */
  async function ofConversation(user: TaskActor, conversationId: string) {
    const rows = await prisma.followUpTask.findMany({
      where: { conversationId },
      include,
      orderBy: { createdAt: "asc" },
    });
    const today = tokyoDay(now());
    return rows.filter((t) => taskInReach(user, t.regionId)).map((t) => item(t, today));
  }

  /** The tasks of her file (src/casefile/): those the condition names, in the user's reach. */
  async function matching(user: TaskActor, where: Prisma.FollowUpTaskWhereInput) {
    const region = taskRegionOf(user);
    const rows = await prisma.followUpTask.findMany({
      where: { AND: [where, region === null ? {} : { regionId: region }] },
      include,
      orderBy: { createdAt: "asc" },
      take: 500,
    });
    const today = tokyoDay(now());
    return rows.map((t) => item(t, today));
  }

  return { list, one, ofConversation, matching };
}

export type TaskPresenter = ReturnType<typeof createTaskPresenter>;
