import { z } from "zod";
import { TASK_KINDS, TASK_OUTCOMES } from "./task-types";

/** A calendar day, YYYY-MM-DD, that exists (no 2月30日). */
export const daySchema = z.iso.date();

/** A time of day, HH:MM (00:00 to 23:59), Tokyo. */
export const timeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM");

export const taskInputSchema = z.object({
  kind: z.enum(TASK_KINDS),
  /** The due day; for 訪問 and 同行 the appointment's day. */
  dueOn: daySchema,
  ownerId: z.uuid().optional(),
  /** What it follows (one at most): a LINE consultation, a manual entry, or her file. */
  conversationId: z.uuid().optional(),
  entryId: z.uuid().optional(),
  /** Her file, by her LINE pseudonym. */
  personPseudonym: z.string().trim().min(1).max(50).optional(),
  /** Her file, by the NPO's case number (of the task's region): a woman known by phone. */
  caseRef: z.string().trim().min(1).max(50).optional(),
  regionId: z.string().min(1).max(50).optional(),
  /** 訪問 and 同行: the appointment's time, when known. */
  appointmentTime: timeSchema.optional(),
  /** 同行: the partner she is accompanied to (the partner directory's id). */
  partnerId: z.uuid().optional(),
});

/** A follow-up planned while closing: the same, for the consultation being closed. */
export const followUpTaskSchema = z.object({
  kind: z.enum(TASK_KINDS),
  dueOn: daySchema,
  ownerId: z.uuid().optional(),
});

export const taskCloseSchema = z.object({ outcome: z.enum(TASK_OUTCOMES) });

export const taskQuerySchema = z.object({
  scope: z.enum(["mine", "region"]).default("mine"),
  status: z.enum(["open", "closed"]).default("open"),
  ownerId: z.uuid().optional(),
});

export const taskSchema = z.object({
  id: z.uuid(),
  kind: z.enum(TASK_KINDS),
  dueOn: z.string(),
  /** Open and due before today (Tokyo). */
  overdue: z.boolean(),
  regionId: z.string(),
  regionName: z.string(),
  owner: z.object({ id: z.uuid(), displayName: z.string() }),
  conversationId: z.uuid().nullable(),
  /** The manual entry it follows. */
  entryId: z.uuid().nullable(),
  /** Her pseudonym, when the task follows her (a consultation, an entry or her file). */
  pseudonym: z.string().nullable(),
  /** Her case number, when she is known by it only. */
  caseRef: z.string().nullable(),
  /** 訪問 and 同行: the appointment (the due day, and its time when known). */
  appointment: z.object({ day: z.string(), time: z.string().nullable() }).nullable(),
  /** 同行: the partner she is accompanied to. */
  partner: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  /** Closed as done (訪問, 同行): the consultation it recorded. */
  doneEntryId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  createdByName: z.string(),
  outcome: z.enum(TASK_OUTCOMES).nullable(),
  closedAt: z.iso.datetime().nullable(),
  closedByName: z.string().nullable(),
});
