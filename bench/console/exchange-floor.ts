/**
 * bench:console's yardstick: the least one exchange needs of the database, issued with
 * node-postgres from this one process, on the conversations the service just served. Her
 * message: the webhook event stored (sealed), her words sealed and risk-checked as the worker
 * does, stored in the conversation with the next sequence number, the event marked done, a
 * NOTIFY; the counsellor's console reads the conversation (its row and last 50 messages,
 * opened); the reply: sealed, stored with its delivery, a NOTIFY; the delivery: taken and marked
 * sent. Not counted: the HTTP call to LINE and the console's HTTP round trips. Its NOTIFYs go to
 * a channel nobody listens to, so the service does not react to them.
 */
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { Pool, type PoolClient } from "pg";
import { loadPreset } from "../../src/config/preset-loader";
import { detectRisk } from "../../src/flows/risk-detector";
import type { Sealer } from "../../src/privacy/sealer";
import type { JapaneseAnalyser } from "../../src/text/japanese-analyser";

const ROOT = path.resolve(__dirname, "../..");

export interface FloorTarget {
  conversationId: string;
  personId: string;
}

export interface FloorDeps {
  databaseUrl: string;
  sealer: Sealer;
  analyser: JapaneseAnalyser;
  /** Exchanges in flight at once (the service had as many women waiting on it). */
  concurrency: number;
}

/** Runs `count` exchanges over `targets`, round robin; resolves with the exchanges done. */
export async function runFloor(
  deps: FloorDeps,
  targets: FloorTarget[],
  count: number,
): Promise<number> {
  const lexicon = loadPreset(path.join(ROOT, "flows/gunma")).lexicon;
  const pool = new Pool({ connectionString: deps.databaseUrl, max: deps.concurrency });
  let next = 0;
  let done = 0;
  try {
    await Promise.all(
      Array.from({ length: deps.concurrency }, async () => {
        for (;;) {
          const i = next++;
          const target = targets[i % targets.length];
          if (i >= count || !target) return;
          const text = `相談の続きです floor-${i}`;
          const risk = detectRisk(text, lexicon, deps.analyser.analyse);
          await withClient(pool, (db) =>
            herMessage(db, deps.sealer, target, text, risk.categories),
          );
          await withClient(pool, (db) => consoleView(db, deps.sealer, target));
          const deliveryId = await withClient(pool, (db) =>
            reply(db, deps.sealer, target, `お返事です floor-${i}`),
          );
          await withClient(pool, (db) => deliver(db, deps.sealer, deliveryId));
          done++;
        }
      }),
    );
  } finally {
    await pool.end();
  }
  return done;
}

async function withClient<T>(pool: Pool, work: (db: PoolClient) => Promise<T>): Promise<T> {
  const db = await pool.connect();
  try {
    return await work(db);
  } finally {
    db.release();
  }
}

async function transaction<T>(db: PoolClient, work: () => Promise<T>): Promise<T> {
  await db.query("BEGIN");
  try {
    const result = await work();
    await db.query("COMMIT");
    return result;
  } catch (error) {
    await db.query("ROLLBACK");
    throw error;
  }
}

/** Stored before LINE's 200, then processed: the message in her conversation, the event done. */
async function herMessage(
  db: PoolClient,
  sealer: Sealer,
  target: FloorTarget,
  text: string,
  riskCategories: string[],
): Promise<void> {
  const event = {
    type: "message",
    webhookEventId: randomBytes(13).toString("hex").toUpperCase(),
    message: { type: "text", text },
  };
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO webhook_event (webhook_event_id, type, mode, is_redelivery, source_key, event_at, payload_enc)
     VALUES ($1, 'message', 'active', false, $2, now(), $3) RETURNING id`,
    [event.webhookEventId, target.personId, sealer.seal(JSON.stringify(event))],
  );
  const eventId = rows[0]?.id;
  await transaction(db, async () => {
    const seq = await nextSeq(db, target.conversationId);
    await db.query(
      `INSERT INTO message (id, conversation_id, person_id, direction, author, kind, text_enc, webhook_event_id, sent_at, seq)
       VALUES ($1, $2, $3, 'in', 'person', 'text', $4, $5, now(), $6)`,
      [randomUUID(), target.conversationId, target.personId, sealer.seal(text), eventId, seq],
    );
    if (riskCategories.length > 0) {
      await db.query(`UPDATE conversation SET risk_categories = $2 WHERE id = $1`, [
        target.conversationId,
        riskCategories,
      ]);
    }
    await db.query(
      `UPDATE webhook_event SET status = 'processed', processed_at = now() WHERE id = $1`,
      [eventId],
    );
    await db.query(`SELECT pg_notify('bench_floor', $1)`, [target.conversationId]);
  });
}

async function nextSeq(db: PoolClient, conversationId: string): Promise<number> {
  const { rows } = await db.query<{ seq: number }>(
    `UPDATE conversation SET message_seq = message_seq + 1, last_message_at = now()
     WHERE id = $1 RETURNING message_seq AS seq`,
    [conversationId],
  );
  return rows[0]?.seq ?? 0;
}

/** What the counsellor's page shows: the conversation and its last 50 messages, opened. */
async function consoleView(db: PoolClient, sealer: Sealer, target: FloorTarget): Promise<void> {
  await db.query(`SELECT * FROM conversation WHERE id = $1`, [target.conversationId]);
  const { rows } = await db.query<{ text_enc: Buffer | null }>(
    `SELECT id, direction, author, kind, text_enc, sent_at, seq FROM message
     WHERE conversation_id = $1 ORDER BY seq DESC LIMIT 50`,
    [target.conversationId],
  );
  for (const row of rows) if (row.text_enc) sealer.open(row.text_enc);
}

/** The counsellor's reply and its delivery, in one transaction; the delivery's id. */
async function reply(
  db: PoolClient,
  sealer: Sealer,
  target: FloorTarget,
  text: string,
): Promise<string> {
  return transaction(db, async () => {
    const deliveryId = randomUUID();
    const payload = JSON.stringify([{ type: "text", text }]);
    await db.query(
      `INSERT INTO outbound_delivery (id, dedupe_key, person_id, payload_enc, retry_key)
       VALUES ($1, $2, $3, $4, $5)`,
      [deliveryId, `floor:${deliveryId}`, target.personId, sealer.seal(payload), randomUUID()],
    );
    const seq = await nextSeq(db, target.conversationId);
    await db.query(
      `INSERT INTO message (id, conversation_id, person_id, direction, author, kind, text_enc, delivery_id, sent_at, seq)
       VALUES ($1, $2, $3, 'out', 'counsellor', 'text', $4, $5, now(), $6)`,
      [randomUUID(), target.conversationId, target.personId, sealer.seal(text), deliveryId, seq],
    );
    await db.query(`SELECT pg_notify('bench_floor', $1)`, [target.conversationId]);
    return deliveryId;
  });
}

/** The delivery job's database work: take the delivery, open its payload, mark it sent. */
async function deliver(db: PoolClient, sealer: Sealer, deliveryId: string): Promise<void> {
  await transaction(db, async () => {
    const { rows } = await db.query<{ payload_enc: Buffer }>(
      `SELECT payload_enc FROM outbound_delivery WHERE id = $1 AND status = 'pending' FOR UPDATE`,
      [deliveryId],
    );
    const sealed = rows[0]?.payload_enc;
    if (sealed) sealer.open(sealed);
    await db.query(
      `UPDATE outbound_delivery SET status = 'sent', method = 'push', attempts = attempts + 1, sent_at = now()
       WHERE id = $1`,
      [deliveryId],
    );
  });
}
