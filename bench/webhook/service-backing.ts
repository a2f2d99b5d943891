/**
 * Where the service keeps what bench:webhook counts: its webhook_event table, and its queue on
 * either backend. No worker runs during the bench, so every queued job is waiting.
 */
import type { Redis } from "ioredis";
import type { Client } from "pg";
import { QUEUE_NAME } from "../../src/jobs/job-catalog";

export interface Backing {
  db: Client;
  queue: QueueProbe;
}

export interface QueueProbe {
  /** Jobs waiting in the queue. */
  queued(): Promise<number>;
  clear(): Promise<void>;
}

export function postgresQueue(db: Client): QueueProbe {
  return {
    async queued() {
      const { rows } = await db.query<{ n: string }>(
        "SELECT count(*) AS n FROM bullmq.job WHERE queue = $1",
        [QUEUE_NAME],
      );
      return Number(rows[0]?.n);
    },
    async clear() {
      await db.query(`DELETE FROM bullmq.job WHERE queue = $1`, [QUEUE_NAME]);
      // Its event stream too: BullMQ's bulk add on PostgreSQL appends two events a job without
      // trimming the stream (its other writes trim it), and no worker runs here: without this
      // every run would write to a larger table than the last (300,000 rows after a few).
      await db.query(`DELETE FROM bullmq.event WHERE queue = $1`, [QUEUE_NAME]);
    },
  };
}

/**
 * The bench's own throwaway redis-server: clearing it cannot touch anybody's data. Clearing also
 * empties the PostgreSQL queue's tables that earlier runs filled, so that every run starts on the
 * same database whichever queue it uses.
 */
export function redisQueue(redis: Redis, db: Client): QueueProbe {
  return {
    queued: () => redis.llen(`bull:${QUEUE_NAME}:wait`),
    clear: async () => {
      await redis.flushall();
      await postgresQueue(db).clear();
    },
  };
}

/** Events stored, and jobs queued. */
export async function counts({ db, queue }: Backing): Promise<{ stored: number; queued: number }> {
  const { rows } = await db.query<{ stored: string }>(
    "SELECT count(*) AS stored FROM webhook_event",
  );
  return { stored: Number(rows[0]?.stored), queued: await queue.queued() };
}

/** Empties the table and the queue, then checkpoints: every run starts with the same WAL to write. */
export async function resetBacking({ db, queue }: Backing): Promise<void> {
  await db.query(`TRUNCATE webhook_event CASCADE`);
  await queue.clear();
  await db.query("CHECKPOINT");
}
