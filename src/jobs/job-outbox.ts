import { Prisma, type PrismaClient, type Tx } from "../db/prisma-client";
import { JOB_CATALOG, jobIdOf, type JobName, type JobRequest } from "./job-catalog";

/**
 * Waits before re-driving a job that failed all its attempts: the first soon (a cause that
 * cleared, such as a database outage, costs her seconds), then longer (a cause that stays, such
 * as a bug, is not hammered). After the last, the job is given up until an admin retries it.
 */
export const REDRIVE_DELAYS_MS = [5_000, 30_000, 120_000, 600_000, 3_600_000, 21_600_000];

/** A row of the outbox as the sweep and the admin page see it. */
export interface OutboxEntry {
  key: string;
  request: JobRequest;
  state: "pending" | "done" | "dead";
  attempt: number;
  dueAt: Date | null;
  lastError: string | null;
  createdAt: Date;
}

/**
 * The transactional outbox (table `job_outbox`): written inside the change's transaction,
 * marked done or dead by the worker, walked by the sweep. The only code that touches the table
 * but for the webhook's INSERT, which writes each new event with its job in one statement
 * (src/line/webhook-event-store.ts).
 */
export interface JobOutbox {
  /**
   * Writes the jobs inside the change's transaction. Work already written (the same key) is
   * left as it is; returns the jobs that are new, the ones to put on the queue.
   */
  write(tx: Tx, requests: readonly JobRequest[]): Promise<JobRequest[]>;
  markDone(key: string): Promise<void>;
  /**
   * A job that failed all its attempts: dead, to be re-driven after a back-off, or given up
   * (`dueAt` null) once the back-offs are used up. Returns which; "gone" when the entry was
   * already done, dead or missing (another worker or the sweep got there first).
   */
  markDead(key: string, error: string, now: Date): Promise<"redrive" | "given-up" | "gone">;
  /** Pending entries not put on the queue or checked since `before`, oldest first. */
  stalePending(before: Date, limit: number): Promise<OutboxEntry[]>;
  /** Checked now: the sweep looks at them again after its grace period. */
  touch(keys: readonly string[], now: Date): Promise<void>;
  /** Dead entries whose back-off has passed, oldest first. */
  dueDead(now: Date, limit: number): Promise<OutboxEntry[]>;
  /** A dead entry back to pending under its next attempt id; null if it was not dead. */
  redrive(key: string, now: Date): Promise<OutboxEntry | null>;
  find(key: string): Promise<OutboxEntry | null>;
  /** What is stuck: dead entries and pending ones asked for (or re-driven) before `before`. */
  stuck(before: Date, limit: number): Promise<OutboxEntry[]>;
  /** Removes done entries older than `before`; returns how many. */
  prune(before: Date, limit: number): Promise<number>;
}

interface Row {
  key: string;
  name: string;
  payload: Prisma.JsonValue;
  state: "pending" | "done" | "dead";
  attempt: number;
  dueAt: Date | null;
  lastError: string | null;
  createdAt: Date;
}

function toEntry(row: Row): OutboxEntry {
  return {
    key: row.key,
    request: { name: row.name as JobName, payload: row.payload } as JobRequest,
    state: row.state,
    attempt: row.attempt,
    dueAt: row.dueAt,
    lastError: row.lastError,
    createdAt: row.createdAt,
  };
}

function payloadJson(request: JobRequest | undefined): string {
  return request ? JSON.stringify(JOB_CATALOG[request.name].payload.parse(request.payload)) : "{}";
}

/**
 * The INSERT that writes `requests` to the outbox, work already written (the same key) left as
 * it is, returning the keys that are new; only when `when` holds. `write` runs it inside a
 * transaction; a change made in one statement writes its jobs with it, as a data-modifying CTE
 * (the dispatcher's `single`).
 */
export function outboxInsert(
  requests: readonly JobRequest[],
  when: Prisma.Sql = Prisma.sql`TRUE`,
): Prisma.Sql {
  const byKey = new Map(requests.map((r) => [jobIdOf(r), r]));
  const keys = [...byKey.keys()];
  return Prisma.sql`
    INSERT INTO job_outbox (key, name, payload)
    SELECT k, n, p::jsonb FROM unnest(
      ${keys}::text[],
      ${keys.map((k) => byKey.get(k)?.name)}::text[],
      ${keys.map((k) => payloadJson(byKey.get(k)))}::text[]) AS t(k, n, p)
    WHERE ${when}
    ON CONFLICT (key) DO NOTHING
    RETURNING key`;
}

export function createJobOutbox(
  prisma: PrismaClient,
  options: {
    /** Shortens the re-drive back-offs (tests that need a job given up). */
    backoffScale?: number;
  } = {},
): JobOutbox {
  const backoffScale = options.backoffScale ?? 1;
  const entries = (
    where: Prisma.JobOutboxWhereInput,
    limit: number,
    orderBy: Prisma.JobOutboxOrderByWithRelationInput = { dueAt: "asc" },
  ) =>
    prisma.jobOutbox
      .findMany({ where, orderBy: [orderBy, { key: "asc" }], take: limit })
      .then((rows) => rows.map(toEntry));

  return {
    async write(tx, requests) {
      if (requests.length === 0) return [];
      const inserted = await tx.$queryRaw<{ key: string }[]>`${outboxInsert(requests)}`;
      const byKey = new Map(requests.map((r) => [jobIdOf(r), r]));
      return inserted.flatMap(({ key }) => byKey.get(key) ?? []);
    },

    async markDone(key) {
      await prisma.jobOutbox.updateMany({
        where: { key, state: { not: "done" } },
        data: { state: "done", updatedAt: new Date() },
      });
    },

    async markDead(key, error, now) {
      return prisma.$transaction(async (tx) => {
        const [row] = await tx.$queryRaw<{ attempt: number }[]>`
          SELECT attempt FROM job_outbox WHERE key = ${key} AND state = 'pending' FOR UPDATE`;
        if (!row) return "gone";
        const delay = REDRIVE_DELAYS_MS[row.attempt];
        await tx.jobOutbox.update({
          where: { key },
          data: {
            state: "dead",
            lastError: error.slice(0, 500),
            dueAt: delay === undefined ? null : new Date(now.getTime() + delay * backoffScale),
            updatedAt: now,
          },
        });
        return delay === undefined ? "given-up" : "redrive";
      });
    },

    stalePending: (before, limit) => entries({ state: "pending", dueAt: { lte: before } }, limit),

    async touch(keys, now) {
      if (keys.length === 0) return;
      await prisma.jobOutbox.updateMany({
        where: { key: { in: [...keys] }, state: "pending" },
        data: { dueAt: now },
      });
    },

    dueDead: (now, limit) => entries({ state: "dead", dueAt: { lte: now } }, limit),

    async redrive(key, now) {
      const rows = await prisma.$queryRaw<Row[]>`
        UPDATE job_outbox
        SET state = 'pending', attempt = attempt + 1, due_at = ${now}, updated_at = ${now}
        WHERE key = ${key} AND state = 'dead'
        RETURNING key, name, payload, state::text AS state, attempt, due_at AS "dueAt",
          last_error AS "lastError", created_at AS "createdAt"`;
      const [row] = rows;
      return row ? toEntry(row) : null;
    },

    find: (key) =>
      prisma.jobOutbox.findUnique({ where: { key } }).then((row) => (row ? toEntry(row) : null)),

    stuck: (before, limit) =>
      entries(
        // A pending job's updatedAt is when it was asked for or last re-driven (a retry).
        { OR: [{ state: "dead" }, { state: "pending", updatedAt: { lte: before } }] },
        limit,
        { createdAt: "asc" },
      ),

    async prune(before, limit) {
      return prisma.$executeRaw`
        DELETE FROM job_outbox WHERE key IN (
          SELECT key FROM job_outbox WHERE state = 'done' AND updated_at < ${before} LIMIT ${limit})`;
    },
  };
}
