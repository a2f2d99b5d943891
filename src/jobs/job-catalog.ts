import { z } from "zod";

/**
 * Every job the service runs: its payload schema (ids only, never content or LINE identifiers),
 * attempts and back-off. Producers and the worker both go through this table.
 */
export const JOB_CATALOG = {
  "process-event": {
    payload: z.object({ eventId: z.string().regex(/^\d+$/) }),
    attempts: 8,
    backoffMs: 1000,
  },
  "conversation-silence": {
    payload: z.object({ conversationId: z.uuid(), dueAt: z.iso.datetime() }),
    attempts: 5,
    backoffMs: 2000,
  },
  "queue-timer": {
    payload: z.object({
      conversationId: z.uuid(),
      kind: z.enum(["wait-over-limit", "answer-overdue", "tell-again"]),
      since: z.iso.datetime(),
    }),
    attempts: 5,
    backoffMs: 2000,
  },
  "mark-read": {
    payload: z.object({ conversationId: z.uuid() }),
    attempts: 6,
    backoffMs: 2000,
  },
  "copy-media": {
    payload: z.object({ messageId: z.uuid() }),
    attempts: 6,
    backoffMs: 5000,
  },
  "send-delivery": {
    payload: z.object({ deliveryId: z.uuid() }),
    attempts: 10,
    backoffMs: 2000,
  },
} as const;

export type JobName = keyof typeof JOB_CATALOG;
export type JobPayload<N extends JobName> = z.infer<(typeof JOB_CATALOG)[N]["payload"]>;

export const QUEUE_NAME = "line-support";

/**
 * Completed jobs are kept a day (their ids de-duplicate re-adds by the outbox sweep). By age
 * only: a count limit makes BullMQ's PostgreSQL backend sort every kept job on each completion
 * (4 ms a job with 10,000 kept, growing with the day's traffic).
 */
export const KEEP_COMPLETED = { age: 24 * 3600 };
