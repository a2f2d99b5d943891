import type { Pool } from "pg";
import { GroupCommit } from "../db/group-commit";
import type { Sealer } from "../privacy/sealer";
import { sourceIdOf, type IncomingEvent } from "./webhook-event";

export interface StoredEvent {
  id: string;
  webhookEventId: string;
  type: string;
  /** False when LINE had sent this event before (redelivery or duplicate). */
  isNew: boolean;
}

export interface WebhookEventStore {
  /** Resolves once every event is durably stored (new or already there); rejects otherwise. */
  store(events: readonly IncomingEvent[]): Promise<StoredEvent[]>;
}

interface Row {
  webhookEventId: string;
  type: string;
  mode: string;
  isRedelivery: boolean;
  sourceKey: string | null;
  eventAt: Date;
  payloadEnc: Buffer;
}

/**
 * Each new event and its process-event job in the job outbox (src/jobs/job-outbox.ts), in one
 * statement: the job's key is the catalog's (`evt-<id>`), its payload `{ eventId }`.
 */
const INSERT = `
WITH stored AS (
  INSERT INTO webhook_event (webhook_event_id, type, mode, is_redelivery, source_key, event_at, payload_enc)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bool[], $5::text[], $6::timestamptz[], $7::bytea[])
  ON CONFLICT (webhook_event_id) DO NOTHING
  RETURNING id, webhook_event_id
), jobs AS (
  INSERT INTO job_outbox (key, name, payload)
  SELECT 'evt-' || id, 'process-event', jsonb_build_object('eventId', id::text) FROM stored
)
SELECT id::text, webhook_event_id FROM stored`;

/**
 * The webhook's write path: raw SQL through a pg pool with group commit, because this is the
 * one hot path (LINE waits on it) and every event must be on disk before LINE gets its 200.
 */
export function createWebhookEventStore(pool: Pool, sealer: Sealer): WebhookEventStore {
  const writer = new GroupCommit<Row, { id: string; isNew: boolean }>(
    async (rows) => {
      const result = await pool.query<{ id: string; webhook_event_id: string }>({
        // Named: each pooled connection parses and plans the INSERT once, not once per batch.
        name: "webhook-event-insert",
        text: INSERT,
        values: [
          rows.map((r) => r.webhookEventId),
          rows.map((r) => r.type),
          rows.map((r) => r.mode),
          rows.map((r) => r.isRedelivery),
          rows.map((r) => r.sourceKey),
          rows.map((r) => r.eventAt),
          rows.map((r) => r.payloadEnc),
        ],
      });
      const inserted = new Map(result.rows.map((r) => [r.webhook_event_id, r.id]));
      // The same id twice in one batch is inserted once: only its first occurrence is new.
      return rows.map((row) => {
        const id = inserted.get(row.webhookEventId);
        inserted.delete(row.webhookEventId);
        return { id: id ?? "", isNew: id !== undefined };
      });
    },
    // Two INSERTs in flight: one commits while the next batch forms. Measured at 64 concurrent
    // requests, two cost ~15% less CPU per event than four (fewer, larger batches) at the same
    // storage latency; PostgreSQL flushes its WAL one commit group at a time anyway.
    { maxInFlight: 2 },
  );

  return {
    async store(events) {
      const results = await Promise.all(events.map((event) => writer.add(toRow(event, sealer))));
      return events.map((event, i) => {
        const result = results[i] ?? { id: "", isNew: false };
        return { ...result, webhookEventId: event.webhookEventId, type: event.type };
      });
    },
  };
}

function toRow(event: IncomingEvent, sealer: Sealer): Row {
  const sourceId = sourceIdOf(event);
  return {
    webhookEventId: event.webhookEventId,
    type: event.type,
    mode: event.mode,
    isRedelivery: event.deliveryContext.isRedelivery,
    sourceKey: sourceId ? sealer.hash(sourceId) : null,
    eventAt: new Date(event.timestamp),
    payloadEnc: Buffer.from(sealer.seal(JSON.stringify(event))),
  };
}
