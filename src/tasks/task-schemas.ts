import { z } from "zod";
import { TASK_KINDS, TASK_OUTCOMES } from "./task-types";

/** A calendar day, YYYY-MM-DD, that exists (no 2月30日). */
export const daySchema = z.iso.date();

export const taskInputSchema = z.object({
  kind: z.enum(TASK_KINDS),
  dueOn: daySchema,
  ownerId: z.uuid().optional(),
  conversationId: z.uuid().optional(),
  regionId: z.string().min(1).max(50).optional(),
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
  /** Her pseudonym, when the task follows a consultation. */
  pseudonym: z.string().nullable(),
  createdAt: z.iso.datetime(),
  createdByName: z.string(),
  outcome: z.enum(TASK_OUTCOMES).nullable(),
  closedAt: z.iso.datetime().nullable(),
  closedByName: z.string().nullable(),
});
