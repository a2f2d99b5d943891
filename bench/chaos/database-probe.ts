/**
 * The harness's read-only look into the service's database: how many times each marked message
 * is stored, her messages and the counsellors' replies apart. Queries fail while PostgreSQL is
 * down; the caller asks again later.
 */
import { Pool } from "pg";
import type { Sealer } from "../../src/privacy/sealer";

export interface StoredCounts {
  /** Her messages (direction "in") per marker. */
  inbound: Map<string, number>;
  /** Counsellors' replies per marker. */
  outbound: Map<string, number>;
}

/** The service's own book of work: what it still has to do, and what it gave up on. */
export interface WorkState {
  /** Events not yet processed and deliveries not yet settled, stored in the window asked for. */
  pending: number;
  /** Events and deliveries it marked failed (its retries exhausted). */
  failed: number;
}

/** A span of time in which work was stored. */
export interface Window {
  since: Date;
  until: Date;
}

export interface DatabaseProbe {
  stored(runId: string): Promise<StoredCounts>;
  work(window: Window): Promise<WorkState>;
  /** Rows of `sql` (setup only). */
  query<R extends object>(sql: string, values?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/** `sealer`: the service's, to open the texts it stored sealed (her words are sealed at rest). */
export function openDatabaseProbe(url: string, sealer: Pick<Sealer, "open">): DatabaseProbe {
  const pool = new Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 2000 });
  // A connection cut by a PostgreSQL outage: the next query connects again.
  pool.on("error", () => undefined);
  const query = async <R extends object>(sql: string, values: unknown[] = []) =>
    (await pool.query<R>(sql, values)).rows;
  return {
    query,
    async stored(runId) {
      const rows = await query<{ text: Uint8Array; direction: string }>(
        `SELECT text_enc AS text, direction::text FROM message
         WHERE kind = 'text' AND text_enc IS NOT NULL AND (direction = 'in' OR author = 'counsellor')`,
      );
      const counts: StoredCounts = { inbound: new Map(), outbound: new Map() };
      for (const r of rows) {
        const marker = sealer.open(r.text).split(" ")[0] ?? "";
        if (!marker.startsWith(`c${runId}-`)) continue;
        const tally = r.direction === "in" ? counts.inbound : counts.outbound;
        tally.set(marker, (tally.get(marker) ?? 0) + 1);
      }
      return counts;
    },
    async work({ since, until }) {
      const [row] = await query<WorkState>(
        `SELECT
           (SELECT count(*) FROM webhook_event
            WHERE status = 'received' AND received_at BETWEEN $1 AND $2)
           + (SELECT count(*) FROM outbound_delivery
              WHERE status = 'pending' AND created_at BETWEEN $1 AND $2) AS pending,
           (SELECT count(*) FROM webhook_event WHERE status = 'failed')
           + (SELECT count(*) FROM outbound_delivery WHERE status = 'failed') AS failed`,
        [since, until],
      );
      return { pending: Number(row?.pending), failed: Number(row?.failed) };
    },
    close: () => pool.end(),
  };
}
