/**
 * `npm run bench:retention`: how long the daily retention run takes per 100,000 messages.
 * 20,000 conversations of 2,000 people that ended in 2021, 5 messages each (100,000), a note
 * each and a delivery payload per message sent to her; then the run of 2026-12-01 with the
 * default periods erases all their content, and a second run of the same day finds nothing.
 * Its database (see support/bench-database.ts) is on DATABASE_URL's server when set, else on
 * embedded PostgreSQL under .data/bench-retention-pg; made afresh on every run.
 */
import { Client } from "pg";
import { createPrismaClient } from "../src/db/prisma-client";
import { RETENTION_DEFAULTS } from "../src/flows/flow-schema";
import { createRetentionService } from "../src/privacy/retention-service";
import { openBenchDatabase } from "./support/bench-database";

const CONVERSATIONS = 20_000;

async function load(url: string): Promise<void> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`INSERT INTO person (id, line_user_hash, line_user_id_enc, pseudonym)
      SELECT gen_random_uuid(), 'h' || g, '\\x00', 'p-' || g FROM generate_series(1, 2000) g`);
    await db.query(`INSERT INTO counsellor (id, login_name, display_name, password_hash, role,
      region_id) VALUES (gen_random_uuid(), 'bench', 'b', 'x', 'counsellor', 'seimo')`);
    await db.query(`WITH p AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM person)
      INSERT INTO conversation (id, person_id, status, started_at, closed_at, region_id,
        first_response_at)
      SELECT gen_random_uuid(), p.id, 'closed', t, t + interval '1 hour', 'seimo',
        t + interval '5 minutes'
      FROM generate_series(1, ${CONVERSATIONS}) g
      JOIN p ON p.n = g % 2000
      CROSS JOIN LATERAL (SELECT timestamptz '2021-01-01' + g * interval '20 minutes' AS t) s`);
    // Sealed-sized stand-ins (retention never opens what it erases): 33 bytes of header and tag
    // before the text, as the sealer writes.
    const sealed = (sqlText: string) =>
      `'\\x01'::bytea || decode(md5(random()::text) || md5(random()::text), 'hex') || convert_to(${sqlText}, 'UTF8')`;
    await db.query(`INSERT INTO message (id, conversation_id, person_id, direction, author, kind,
        text_enc, sent_at)
      SELECT gen_random_uuid(), cv.id, cv.person_id,
        CASE WHEN k % 2 = 0 THEN 'in'::message_direction ELSE 'out'::message_direction END,
        CASE WHEN k % 2 = 0 THEN 'person' ELSE 'counsellor' END, 'text',
        ${sealed("repeat('相談の本文', 20)")},
        cv.started_at + k * interval '1 minute'
      FROM conversation cv, generate_series(1, 5) k`);
    await db.query(`INSERT INTO conversation_note (id, conversation_id, counsellor_id, text_enc)
      SELECT gen_random_uuid(), cv.id, (SELECT id FROM counsellor LIMIT 1), ${sealed("'メモ'")}
      FROM conversation cv`);
    await db.query(`INSERT INTO outbound_delivery (id, dedupe_key, person_id, payload_enc, retry_key,
        status, created_at)
      SELECT gen_random_uuid(), 'd' || m.id, m.person_id,
        ${sealed(`'[{"type":"text","text":"返信"}]'`)},
        gen_random_uuid(), 'sent', m.sent_at
      FROM message m WHERE m.direction = 'out'`);
    await db.query("ANALYZE");
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  const db = await openBenchDatabase({
    name: "lws_bench_retention",
    dataDir: "bench-retention-pg",
    fresh: true,
  });
  const prisma = createPrismaClient(db.url, 2);
  try {
    console.log("loading…");
    await load(db.url);
    const messages = await prisma.message.count();
    const retention = createRetentionService({ prisma, periods: RETENTION_DEFAULTS });
    const started = performance.now();
    const erased = await retention.run("2026-12-01");
    const ms = performance.now() - started;
    const left = await prisma.message.count({ where: { textEnc: { not: null } } });
    const again = performance.now();
    const second = await retention.run("2026-12-01");
    console.log({ messages, erased, textsLeft: left, ms: Math.round(ms) });
    console.log({ secondRun: second, ms: Math.round(performance.now() - again) });
    console.log(`per 100,000 messages: ${(((ms / messages) * 100_000) / 1000).toFixed(1)} s`);
  } finally {
    await prisma.$disconnect();
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
