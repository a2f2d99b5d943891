/**
 * `npm run bench:rotate-key`: how long `npm run admin -- rotate-key` takes per 100,000 messages.
 * A history sealed under an old key is generated (BENCH_MESSAGES messages, 100,000 by default:
 * half hers, each with its raw webhook event, half answers, each with its delivery, over one
 * conversation per 50 messages), then re-sealed under a new key by the same code the command
 * runs, with its default batches. Prints the time per table and per 100,000 messages. Its
 * database is the benches' own (support/bench-database.ts), under .data/bench-rotate-pg or on
 * DATABASE_URL's server.
 */
import { randomUUID } from "node:crypto";
import { Pool } from "pg";
import { sourceIdOf, type IncomingEvent } from "../src/line/webhook-event";
import { rotateKey } from "../src/privacy/key-rotation";
import { createSealer } from "../src/privacy/sealer";
import { openBenchDatabase } from "./support/bench-database";
import { printTable } from "./support/table";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const PER_CONVERSATION = 50;
const OLD = createSealer("rotate-bench-old-key-0123456789abcdef");
const NEW = createSealer(
  "rotate-bench-new-key-0123456789abcdef",
  "rotate-bench-old-key-0123456789abcdef",
);
const HER = "夫が毎晩どなって眠れません。子どもを連れて家を出たいけれど、お金がなくて不安です。";
const REPLY = "お話ししてくださってありがとうございます。今夜は安全な場所にいられますか。";

const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

async function seed(pool: Pool) {
  const conversations = Math.ceil(MESSAGES / PER_CONVERSATION);
  const people: string[] = [];
  const convs: string[] = [];
  const userIds: string[] = [];
  for (let i = 0; i < conversations; i++) {
    people.push(randomUUID());
    convs.push(randomUUID());
    userIds.push(`U${randomUUID().replaceAll("-", "")}`);
  }
  await pool.query(
    `INSERT INTO person (id, line_user_hash, line_user_id_enc, pseudonym)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::text[])`,
    [
      people,
      userIds.map((u) => OLD.hash(u)),
      userIds.map((u) => buf(OLD.seal(u))),
      people.map((p) => `bench-${p}`),
    ],
  );
  await pool.query(
    `INSERT INTO conversation (id, person_id) SELECT * FROM unnest($1::uuid[], $2::uuid[])`,
    [convs, people],
  );
  const BATCH = 5_000;
  let eventId = 0;
  for (let start = 0; start < MESSAGES; start += BATCH) {
    const n = Math.min(BATCH, MESSAGES - start);
    const rows = Array.from({ length: n }, (_, k) => {
      const i = start + k;
      const c = Math.floor(i / PER_CONVERSATION);
      return { i, c, hers: i % 2 === 0, id: randomUUID() };
    });
    const hers = rows.filter((r) => r.hers);
    const ours = rows.filter((r) => !r.hers);
    const events = hers.map((r) => {
      eventId += 1;
      const event = {
        type: "message",
        mode: "active",
        timestamp: Date.now(),
        webhookEventId: `bench-${eventId}`,
        deliveryContext: { isRedelivery: false },
        source: { type: "user", userId: userIds[r.c] },
        replyToken: randomUUID(),
        message: { id: String(eventId), type: "text", text: `${HER}${r.i}` },
      };
      return { id: eventId, json: JSON.stringify(event), userId: userIds[r.c] ?? "" };
    });
    await pool.query(
      `INSERT INTO webhook_event (id, webhook_event_id, type, mode, is_redelivery, source_key,
         event_at, payload_enc, status)
       SELECT id, 'bench-' || id, 'message', 'active', false, sk, now(), p, 'processed'
       FROM unnest($1::bigint[], $2::text[], $3::bytea[]) AS t(id, sk, p)`,
      [
        events.map((e) => e.id),
        events.map((e) => OLD.hash(e.userId)),
        events.map((e) => buf(OLD.seal(e.json))),
      ],
    );
    const deliveries = ours.map(() => randomUUID());
    await pool.query(
      `INSERT INTO outbound_delivery (id, dedupe_key, person_id, payload_enc, retry_key, status)
       SELECT d, d::text, p, pl, gen_random_uuid(), 'sent'
       FROM unnest($1::uuid[], $2::uuid[], $3::bytea[]) AS t(d, p, pl)`,
      [
        deliveries,
        ours.map((r) => people[r.c]),
        ours.map((r) => buf(OLD.seal(JSON.stringify([{ type: "text", text: `${REPLY}${r.i}` }])))),
      ],
    );
    await pool.query(
      `INSERT INTO message (id, conversation_id, person_id, direction, author, kind, text_enc,
         webhook_event_id, delivery_id, sent_at)
       SELECT id, c, p, d::message_direction, a, 'text', t, e, dl, now()
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::bytea[],
                   $7::bigint[], $8::uuid[]) AS x(id, c, p, d, a, t, e, dl)`,
      [
        rows.map((r) => r.id),
        rows.map((r) => convs[r.c]),
        rows.map((r) => people[r.c]),
        rows.map((r) => (r.hers ? "in" : "out")),
        rows.map((r) => (r.hers ? "person" : "counsellor")),
        rows.map((r) => buf(OLD.seal(r.hers ? `${HER}${r.i}` : `${REPLY}${r.i}`))),
        rows.map((r) => (r.hers ? events[hers.indexOf(r)]?.id : null)),
        rows.map((r) => (r.hers ? null : deliveries[ours.indexOf(r)])),
      ],
    );
  }
  await pool.query("VACUUM ANALYZE");
}

async function main() {
  const db = await openBenchDatabase({
    name: "lws_bench_rotate",
    dataDir: "bench-rotate-pg",
    fresh: true,
  });
  const pool = new Pool({ connectionString: db.url, max: 2 });
  try {
    process.stdout.write(`Sealing a history of ${MESSAGES} messages under the old key…\n`);
    await seed(pool);
    const tables: [string, number][] = [];
    let last = performance.now();
    const began = last;
    const result = await rotateKey({
      pool,
      sealer: NEW,
      sourceIdOf: (json) => sourceIdOf(JSON.parse(json) as IncomingEvent),
      report: (line) => {
        if (line.includes("so far")) return;
        const now = performance.now();
        tables.push([line, now - last]);
        last = now;
      },
    });
    const total = performance.now() - began;
    if (result.unreadable.length > 0) throw new Error(`unreadable: ${result.unreadable.length}`);
    const row = printTable([
      { title: "re-sealed", width: 48 },
      { title: "seconds", width: 8 },
    ]);
    for (const [line, ms] of tables) row([line, (ms / 1000).toFixed(2)]);
    process.stdout.write(
      `rotate-key: ${(total / 1000).toFixed(1)} s for ${MESSAGES} messages (with their events and deliveries): ${((total / 1000) * (100_000 / MESSAGES)).toFixed(1)} s per 100,000 messages\n`,
    );
  } finally {
    await pool.end();
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
