import { z } from "zod";

/** The queue timers a conversation can have (see src/conversations/queue-timers.ts). */
export const QUEUE_TIMER_KINDS = [
  "wait-over-limit",
  "answer-overdue",
  "tell-again",
  "open-neighbour",
] as const;
export type QueueTimerKind = (typeof QUEUE_TIMER_KINDS)[number];

/** What the on-call people are called about (see src/oncall/). */
export const ON_CALL_KINDS = ["high-risk-out-of-hours", "high-risk-waiting", "reminder"] as const;
export type OnCallKind = (typeof ON_CALL_KINDS)[number];

interface JobSpec<S extends z.ZodType> {
  /** Ids only, never content or LINE identifiers. */
  payload: S;
  /**
   * The job's BullMQ id, from its payload alone: adding the same work twice (a retry, the
   * outbox sweep finding it again) is then a no-op.
   */
  jobId: (payload: z.infer<S>) => string;
  attempts: number;
  backoffMs: number;
}

const job = <S extends z.ZodType>(spec: JobSpec<S>) => spec;

const ms = (iso: string) => new Date(iso).getTime();

/**
 * Every job the service runs: its payload schema, its id, attempts and back-off. Producers and
 * the worker both go through this table.
 */
export const JOB_CATALOG = {
  "process-event": job({
    payload: z.object({ eventId: z.string().regex(/^\d+$/) }),
    jobId: (p) => `evt-${p.eventId}`,
    attempts: 8,
    backoffMs: 1000,
  }),
  "conversation-silence": job({
    payload: z.object({ conversationId: z.uuid(), dueAt: z.iso.datetime() }),
    jobId: (p) => `silence-${p.conversationId}-${ms(p.dueAt)}`,
    attempts: 5,
    backoffMs: 2000,
  }),
  "queue-timer": job({
    payload: z.object({
      conversationId: z.uuid(),
      kind: z.enum(QUEUE_TIMER_KINDS),
      since: z.iso.datetime(),
    }),
    jobId: (p) => `qt-${p.kind}-${p.conversationId}-${ms(p.since)}`,
    attempts: 5,
    backoffMs: 2000,
  }),
  "oncall-timer": job({
    // dueAt: the ten minutes in which the sweep found it due, so a job found again while it
    // waits is not written twice, and one that found nothing to do may be found again later.
    payload: z.object({
      conversationId: z.uuid(),
      kind: z.enum(ON_CALL_KINDS),
      dueAt: z.iso.datetime(),
    }),
    jobId: (p) => `oncall-${p.kind}-${p.conversationId}-${ms(p.dueAt)}`,
    attempts: 5,
    backoffMs: 2000,
  }),
  // The receiver and the mail server get an hour: 12 attempts, 2 s doubling (about 68 minutes
  // in all); the service gives up once the notification is an hour old (src/oncall/).
  "oncall-webhook": job({
    payload: z.object({ notificationId: z.uuid() }),
    jobId: (p) => `oncall-webhook-${p.notificationId}`,
    attempts: 12,
    backoffMs: 2000,
  }),
  "oncall-mail": job({
    payload: z.object({ notificationId: z.uuid() }),
    jobId: (p) => `oncall-mail-${p.notificationId}`,
    attempts: 12,
    backoffMs: 2000,
  }),
  "mark-read": job({
    // One job per view that read new messages: each must reach LINE.
    payload: z.object({ conversationId: z.uuid(), readAt: z.iso.datetime() }),
    jobId: (p) => `read-${p.conversationId}-${ms(p.readAt)}`,
    attempts: 6,
    backoffMs: 2000,
  }),
  "copy-media": job({
    payload: z.object({ messageId: z.uuid() }),
    jobId: (p) => `media-${p.messageId}`,
    attempts: 6,
    backoffMs: 5000,
  }),
  "send-delivery": job({
    // `notBefore`: a delivery held for her contact times, released when its window opened; its
    // own id, so that a run of the plain job (which sends nothing early) never takes it.
    payload: z.object({ deliveryId: z.uuid(), notBefore: z.iso.datetime().optional() }),
    jobId: (p) => (p.notBefore ? `dlv-${p.deliveryId}-w${ms(p.notBefore)}` : `dlv-${p.deliveryId}`),
    attempts: 10,
    backoffMs: 2000,
  }),
  // The daily retention (src/privacy/retention-service.ts): one job per Tokyo day, whichever
  // worker's sweep writes it first; a run is batches of short transactions, safe to repeat.
  retention: job({
    payload: z.object({ day: z.iso.date() }),
    jobId: (p) => `retention-${p.day}`,
    attempts: 5,
    backoffMs: 60_000,
  }),
} as const;

export type JobName = keyof typeof JOB_CATALOG;
export type JobPayload<N extends JobName> = z.infer<(typeof JOB_CATALOG)[N]["payload"]>;
/** A job to run: its name and payload (the catalog gives its id and options). */
export type JobRequest = { [N in JobName]: { name: N; payload: JobPayload<N> } }[JobName];

/** The BullMQ id of a job, from the catalog. */
export function jobIdOf(request: JobRequest): string {
  const jobId = JOB_CATALOG[request.name].jobId as (payload: unknown) => string;
  return jobId(request.payload);
}

/**
 * A job as it goes on the queue: attempt 0 is the first time, each re-drive of a job that failed
 * all its attempts is the next one (see job-outbox.ts).
 */
export interface QueuedJob {
  request: JobRequest;
  attempt: number;
}

/** The BullMQ id of one attempt: a re-drive never meets the kept job of an earlier one. */
export function queuedJobId({ request, attempt }: QueuedJob): string {
  const key = jobIdOf(request);
  return attempt === 0 ? key : `${key}-r${attempt}`;
}

export const QUEUE_NAME = "line-support";

/**
 * Failed jobs are kept a week, to look into (the outbox records them as dead and re-drives them
 * under new ids, so a kept one never blocks its work).
 */
export const KEEP_FAILED = { age: 7 * 24 * 3600 };

/**
 * Completed jobs are kept a day (their ids de-duplicate a re-add racing the job's end). By age
 * only: a count limit makes BullMQ's PostgreSQL backend sort every kept job on each completion
 * (4 ms a job with 10,000 kept, growing with the day's traffic).
 */
export const KEEP_COMPLETED = { age: 24 * 3600 };
