import { recordAudit } from "../audit/audit-log";
import type { CounsellorRole, PrismaClient, Tx } from "../db/prisma-client";
import { AppError } from "../errors";
import {
  APPOINTMENT_KINDS,
  CHANNEL_OF_DONE_KIND,
  tokyoDay,
  tokyoMoment,
  type TaskKind,
  type TaskOutcome,
} from "./task-types";

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
  /** Or the manual entry it follows; its region is the task's. */
  entryId?: string | undefined;
  /** Or her file, by her LINE pseudonym (a person the user may see). */
  personPseudonym?: string | undefined;
  /** Or her file, by the case number of the task's region (a woman known by phone). */
  caseRef?: string | undefined;
  /** For a task on its own: the region (a user of one region: her or his own, by default). */
  regionId?: string | undefined;
  /** 訪問 and 同行: the appointment's time (HH:MM, Tokyo) on the due day. */
  appointmentTime?: string | undefined;
  /** 同行: the partner she is accompanied to. */
  partnerId?: string | undefined;
}

/** What a task is written with, once what it follows is resolved to ids. */
export interface TaskRow {
  kind: TaskKind;
  dueOn: string;
  ownerId?: string | undefined;
  regionId: string;
  conversationId?: string | null | undefined;
  entryId?: string | null | undefined;
  personId?: string | null | undefined;
  caseRef?: string | null | undefined;
  appointmentTime?: string | undefined;
  partnerId?: string | undefined;
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
  input: TaskRow,
  at: Date,
): Promise<{ id: string }> {
  if (input.dueOn < tokyoDay(at)) {
    throw new AppError("DUE_DATE_PAST", "The due date is before today", 400);
  }
  if (input.appointmentTime !== undefined && !APPOINTMENT_KINDS.includes(input.kind)) {
    throw new AppError("NO_APPOINTMENT", "Only a 訪問 or a 同行 has an appointment time", 400);
  }
  if (input.partnerId !== undefined) {
    if (input.kind !== "accompany") {
      throw new AppError("NO_PARTNER", "Only a 同行 goes to a partner", 400);
    }
    const partner = await tx.partner.findUnique({ where: { id: input.partnerId } });
    if (!partner) throw new AppError("UNKNOWN_PARTNER", "No such partner", 400);
    if (partner.archivedAt) {
      throw new AppError("PARTNER_ARCHIVED", "That partner is no longer offered", 400);
    }
  }
  if (!taskInReach(user, input.regionId)) {
    throw new AppError("TASK_OUT_OF_REGION", "That region is not yours", 403);
  }
  const ownerId = input.ownerId ?? user.id;
  const owner = await tx.counsellor.findFirst({ where: { id: ownerId, active: true } });
  if (!owner || (owner.regionId !== null && owner.regionId !== input.regionId)) {
    throw new AppError("BAD_OWNER", "That person cannot take a task of this region", 400);
  }
  // Checked after every id it names (out of reach answers as unknown, whatever else is sent).
  const follows = [input.conversationId, input.entryId, input.personId, input.caseRef];
  if (follows.filter((x) => x !== undefined && x !== null).length > 1) {
    throw new AppError("TASK_FOLLOWS_ONE", "Name one of a conversation, an entry or her file", 400);
  }
  const task = await tx.followUpTask.create({
    data: {
      regionId: input.regionId,
      conversationId: input.conversationId ?? null,
      entryId: input.entryId ?? null,
      personId: input.personId ?? null,
      caseRef: input.caseRef ?? null,
      kind: input.kind,
      dueOn: new Date(`${input.dueOn}T00:00:00Z`),
      appointmentTime: input.appointmentTime ?? null,
      partnerId: input.partnerId ?? null,
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
      entryId: input.entryId ?? null,
      personId: input.personId ?? null,
      appointmentTime: input.appointmentTime ?? null,
      partnerId: input.partnerId ?? null,
    },
  });
  return task;
}

/**
 * Her file's person, by pseudonym: someone with a conversation or a manual entry in the user's
 * reach; anyone else answers exactly as a pseudonym of nobody (400 UNKNOWN_PERSON).
 */
async function personInReach(tx: Tx, user: TaskActor, pseudonym: string): Promise<string> {
  const region = taskRegionOf(user);
  const person = await tx.person.findFirst({
    where: {
      pseudonym,
      ...(region === null
        ? {}
        : {
            OR: [
              {
                conversations: {
                  some: { OR: [{ regionId: region }, { overflowRegions: { has: region } }] },
                },
              },
              { entries: { some: { regionId: region, deletedAt: null } } },
            ],
          }),
    },
    select: { id: true },
  });
  if (!person) throw new AppError("UNKNOWN_PERSON", `No LINE person ${pseudonym}`, 400);
  return person.id;
}

/**
 * The consultation a 訪問 or 同行 closed as done records, for her: her LINE person, else her
 * case number, else (a task following an entry without reference) continuing that entry.
 */
async function recordDoneConsultation(
  tx: Tx,
  user: TaskActor,
  task: {
    id: string;
    kind: string;
    regionId: string;
    dueOn: Date;
    appointmentTime: string | null;
    conversationId: string | null;
    entryId: string | null;
    personId: string | null;
    caseRef: string | null;
  },
  at: Date,
): Promise<string | null> {
  const channel = CHANNEL_OF_DONE_KIND[task.kind as TaskKind];
  if (!channel) return null;
  const conversation = task.conversationId
    ? await tx.conversation.findUnique({
        where: { id: task.conversationId },
        select: { personId: true, topics: true, ageBand: true },
      })
    : null;
  const entry = task.entryId
    ? await tx.consultationEntry.findUnique({
        where: { id: task.entryId },
        select: { personId: true, caseRef: true, topics: true, ageBand: true },
      })
    : null;
  const personId = task.personId ?? conversation?.personId ?? entry?.personId ?? null;
  const caseRef = personId ? null : (task.caseRef ?? entry?.caseRef ?? null);
  const day = task.dueOn.toISOString().slice(0, 10);
  const done = await tx.consultationEntry.create({
    data: {
      channel,
      regionId: task.regionId,
      personId,
      caseRef,
      // An entry without reference followed: she has consulted before (継続), not a new person.
      firstContact: entry && !personId && !caseRef ? false : null,
      startedAt: task.appointmentTime ? tokyoMoment(day, task.appointmentTime) : at,
      topics: conversation?.topics ?? entry?.topics ?? [],
      ageBand: conversation?.ageBand ?? entry?.ageBand ?? null,
      riskLevel: "none",
      counsellorId: user.id,
    },
    select: { id: true },
  });
  await recordAudit(tx, {
    by: user.id,
    action: "record-entry",
    conversationId: task.conversationId,
    detail: { entryId: done.id, channel, regionId: task.regionId, taskId: task.id, via: "task" },
  });
  return done.id;
}

/** The task list's changes: a task made on its own, a task closed with its outcome. */
export function createTaskService(deps: { prisma: PrismaClient; now?: () => Date }) {
  const { prisma } = deps;
  const now = deps.now ?? (() => new Date());

  return {
    /**
     * A task on its own, or following a consultation, a manual entry or her file that the user
     * may see. Every id named is checked first (out of reach: as unknown), then that it names
     * one thing at most (400 TASK_FOLLOWS_ONE, in createTaskIn).
     */
    create(user: TaskActor, input: NewTask): Promise<{ id: string }> {
      return prisma.$transaction(async (tx) => {
        let regionId = input.regionId;
        if (regionId !== undefined && !taskInReach(user, regionId)) {
          throw new AppError("TASK_OUT_OF_REGION", "That region is not yours", 403);
        }
        const mismatch = () =>
          new AppError("TASK_REGION_MISMATCH", "What it follows is of another region", 400);
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
        let entryRegion: string | undefined;
        if (input.entryId) {
          const e = await tx.consultationEntry.findFirst({
            where: { id: input.entryId, deletedAt: null },
            select: { regionId: true },
          });
          if (!e || !taskInReach(user, e.regionId)) {
            throw new AppError("NOT_FOUND", "No such entry", 404);
          }
          entryRegion = e.regionId;
        }
        const personId = input.personPseudonym
          ? await personInReach(tx, user, input.personPseudonym)
          : undefined;
        if (entryRegion !== undefined) {
          if (regionId !== undefined && regionId !== entryRegion) throw mismatch();
          regionId = entryRegion;
        }
        regionId ??= user.regionId ?? undefined;
        if (!regionId) throw new AppError("TASK_REGION_REQUIRED", "Name the task's region", 400);
        if (input.caseRef !== undefined) {
          const known = await tx.consultationEntry.findFirst({
            where: { regionId, caseRef: input.caseRef, deletedAt: null },
            select: { id: true },
          });
          if (!known) throw new AppError("UNKNOWN_CASE", "No entry has that case number", 400);
        }
        return createTaskIn(
          tx,
          user,
          {
            kind: input.kind,
            dueOn: input.dueOn,
            ownerId: input.ownerId,
            regionId,
            conversationId: input.conversationId,
            entryId: input.entryId,
            personId,
            caseRef: input.caseRef,
            appointmentTime: input.appointmentTime,
            partnerId: input.partnerId,
          },
          now(),
        );
      });
    },

    /**
     * Closes an open task with its outcome (409 TASK_CLOSED when it was closed already). A 訪問
     * or 同行 closed as done records her consultation on its channel in the same transaction.
     */
    close(user: TaskActor, id: string, outcome: TaskOutcome): Promise<void> {
      return prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT 1 FROM follow_up_task WHERE id = ${id}::uuid FOR UPDATE`;
        const task = await tx.followUpTask.findUnique({ where: { id } });
        if (!task || !taskInReach(user, task.regionId)) {
          throw new AppError("NOT_FOUND", "No such task", 404);
        }
        if (task.closedAt) throw new AppError("TASK_CLOSED", "The task is closed already", 409);
        const at = now();
        const doneEntryId =
          outcome === "done" ? await recordDoneConsultation(tx, user, task, at) : null;
        await tx.followUpTask.update({
          where: { id },
          data: { outcome, closedAt: at, closedById: user.id, doneEntryId },
        });
        await recordAudit(tx, {
          by: user.id,
          action: "task-close",
          conversationId: task.conversationId,
          detail: { taskId: id, outcome, entryId: doneEntryId },
        });
      });
    },
  };
}

export type TaskService = ReturnType<typeof createTaskService>;
