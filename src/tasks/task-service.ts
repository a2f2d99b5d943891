import { recordAudit } from "../audit/audit-log";
import type { CounsellorRole, PrismaClient, Tx } from "../db/prisma-client";
import { AppError } from "../errors";
import { tokyoDay, type TaskKind, type TaskOutcome } from "./task-types";

/** Who acts on the task list (the console's signed-in user). */
export interface TaskActor {
  id: string;
  role: CounsellorRole;
  /** null: every region (supervisors and admins only). */
  regionId: string | null;
}

/**
 * The region whose tasks a user reaches; null = all. The rule of conversations
 * (src/conversations/conversation-scope.ts `regionsOf`), which this folder may not import (the
 * conversations use the task list): a counsellor her or his region only, never all.
 */
export function taskRegionOf(user: TaskActor): string | null {
  if (user.role === "counsellor") return user.regionId ?? "";
  return user.regionId;
}

export interface NewTask {
  kind: TaskKind;
  /** YYYY-MM-DD, a Tokyo calendar day: today or later. */
  dueOn: string;
  /** Who does it; absent: the one who makes it. */
  ownerId?: string | undefined;
  /** The consultation it follows; its region is the task's. */
  conversationId?: string | undefined;
  /** For a task on its own: the region (a user of one region: her or his own, by default). */
  regionId?: string | undefined;
}

/**
 * May this user see or act on a task of this region? Her or his region; every region for a
 * supervisor or admin without one. Outside it a task does not exist (404), as conversations.
 */
export function taskInReach(user: TaskActor, regionId: string): boolean {
  const region = taskRegionOf(user);
  return region === null || region === regionId;
}

/**
 * Writes a task in the caller's transaction, with its audit row: the closing of a consultation
 * makes one this way (src/conversations/counsellor-service.ts), and so does the console's form.
 * Refused (nothing written): a day before today (400 DUE_DATE_PAST), an owner who cannot work in
 * the task's region (400 BAD_OWNER), a region the user does not reach (403 TASK_OUT_OF_REGION).
 */
export async function createTaskIn(
  tx: Tx,
  user: TaskActor,
  input: NewTask & { regionId: string },
  at: Date,
): Promise<{ id: string }> {
  if (input.dueOn < tokyoDay(at)) {
    throw new AppError("DUE_DATE_PAST", "The due date is before today", 400);
  }
  if (!taskInReach(user, input.regionId)) {
    throw new AppError("TASK_OUT_OF_REGION", "That region is not yours", 403);
  }
  const ownerId = input.ownerId ?? user.id;
  const owner = await tx.counsellor.findFirst({ where: { id: ownerId, active: true } });
  if (!owner || (owner.regionId !== null && owner.regionId !== input.regionId)) {
    throw new AppError("BAD_OWNER", "That person cannot take a task of this region", 400);
  }
  const task = await tx.followUpTask.create({
    data: {
      regionId: input.regionId,
      conversationId: input.conversationId ?? null,
      kind: input.kind,
      dueOn: new Date(`${input.dueOn}T00:00:00Z`),
      ownerId,
      createdById: user.id,
      createdAt: at,
    },
    select: { id: true },
  });
  await recordAudit(tx, {
    by: user.id,
    action: "task-create",
    conversationId: input.conversationId ?? null,
    detail: {
      taskId: task.id,
      kind: input.kind,
      dueOn: input.dueOn,
      ownerId,
      regionId: input.regionId,
    },
  });
  return task;
}

/** The task list's changes: a task made on its own, a task closed with its outcome. */
export function createTaskService(deps: { prisma: PrismaClient; now?: () => Date }) {
  const { prisma } = deps;
  const now = deps.now ?? (() => new Date());

  return {
    /** A task on its own, or following a consultation the user may see. */
    create(user: TaskActor, input: NewTask): Promise<{ id: string }> {
      return prisma.$transaction(async (tx) => {
        let regionId = input.regionId;
        if (regionId !== undefined && !taskInReach(user, regionId)) {
          throw new AppError("TASK_OUT_OF_REGION", "That region is not yours", 403);
        }
        if (input.conversationId) {
          const c = await tx.conversation.findFirst({
            where: { id: input.conversationId },
            select: { regionId: true },
          });
          if (!c?.regionId || !taskInReach(user, c.regionId)) {
            throw new AppError("NOT_FOUND", "No such conversation", 404);
          }
          if (regionId !== undefined && regionId !== c.regionId) {
            throw new AppError(
              "TASK_REGION_MISMATCH",
              "The conversation is of another region",
              400,
            );
          }
          regionId = c.regionId;
        }
        regionId ??= user.regionId ?? undefined;
        if (!regionId) throw new AppError("TASK_REGION_REQUIRED", "Name the task's region", 400);
        return createTaskIn(tx, user, { ...input, regionId }, now());
      });
    },

    /** Closes an open task with its outcome (409 TASK_CLOSED when it was closed already). */
    close(user: TaskActor, id: string, outcome: TaskOutcome): Promise<void> {
      return prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT 1 FROM follow_up_task WHERE id = ${id}::uuid FOR UPDATE`;
        const task = await tx.followUpTask.findUnique({ where: { id } });
        if (!task || !taskInReach(user, task.regionId)) {
          throw new AppError("NOT_FOUND", "No such task", 404);
        }
        if (task.closedAt) throw new AppError("TASK_CLOSED", "The task is closed already", 409);
        await tx.followUpTask.update({
          where: { id },
          data: { outcome, closedAt: now(), closedById: user.id },
        });
        await recordAudit(tx, {
          by: user.id,
          action: "task-close",
          conversationId: task.conversationId,
          detail: { taskId: id, outcome },
        });
      });
    },
  };
}

export type TaskService = ReturnType<typeof createTaskService>;
