import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { Client, Pool } from "pg";
import { sourceIdOf, type IncomingEvent } from "../../src/line/webhook-event";
import { rotateKey } from "../../src/privacy/key-rotation";
import { createSealer } from "../../src/privacy/sealer";
import { eventually } from "../support/eventually";
import { createTestDatabase, type TestDatabase } from "../support/test-env";

const ROOT = path.resolve(__dirname, "../..");
const OLD_KEY = "key-rotation-test-old-key-0123456789abcdef";
const NEW_KEY = "key-rotation-test-new-key-0123456789abcdef";
const old = createSealer(OLD_KEY);
const rotating = createSealer(NEW_KEY, OLD_KEY);

describe("rotate-key against a running service's writes", () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeEach(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
  });
  afterEach(async () => {
    await pool.end();
    await db.drop();
  });

  async function herMessage(text: string) {
    const person = await db.prisma.person.create({
      data: {
        lineUserHash: old.hash("U-rotation"),
        lineUserIdEnc: old.seal("U-rotation"),
        pseudonym: "凪すみれ-7KQ2XM",
      },
    });
    const c = await db.prisma.conversation.create({ data: { personId: person.id } });
    return db.prisma.message.create({
      data: {
        conversationId: c.id,
        personId: person.id,
        direction: "in",
        author: "person",
        kind: "text",
        textEnc: old.seal(text),
        sentAt: new Date(),
      },
    });
  }

  it("never overwrites a value the service wrote while the batch was in flight", async () => {
    const message = await herMessage("最初の文");
    // The service is writing her row (unsend, a rewrite): it holds the row lock meanwhile.
    const service = new Client({ connectionString: db.url });
    await service.connect();
    await service.query("BEGIN");
    await service.query("SELECT 1 FROM message WHERE id = $1 FOR UPDATE", [message.id]);
    const rotation = rotateKey({
      pool,
      sealer: rotating,
      sourceIdOf: (json) => sourceIdOf(JSON.parse(json) as IncomingEvent),
      report: () => {},
    });
    // rotate-key has read the old value and now waits for the row.
    await eventually(
      async () =>
        (
          await pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE wait_event_type = 'Lock' AND query LIKE '%UPDATE "message"%'`,
          )
        ).rows[0]?.n,
      (n) => n === 1,
    );
    await service.query("UPDATE message SET text_enc = $1 WHERE id = $2", [
      Buffer.from(rotating.seal("サービスが書いた文")),
      message.id,
    ]);
    await service.query("COMMIT");
    await service.end();
    const result = await rotation;

    const row = await db.prisma.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(createSealer(NEW_KEY).open(row.textEnc ?? new Uint8Array())).toBe("サービスが書いた文");
    expect(result.resealed["message.text_enc"]).toBe(0);
    expect(result.resealed["person.line_user_id_enc"]).toBe(1);
  }, 60_000);

  it("re-seals every row across many batches, whatever its key (numbers, composite keys)", async () => {
    const message = await herMessage("最初の文");
    // Twelve raw events (ids 1…12: in text order 10 comes before 9) and twelve chunks of a file.
    for (let i = 1; i <= 12; i++) {
      await pool.query(
        `INSERT INTO webhook_event (id, webhook_event_id, type, mode, is_redelivery, source_key,
           event_at, payload_enc, status)
         VALUES ($1, $2, 'message', 'active', false, $3, now(), $4, 'processed')`,
        [
          i,
          `evt-${i}`,
          old.hash("U-rotation"),
          Buffer.from(old.seal(JSON.stringify({ source: { userId: "U-rotation" }, n: i }))),
        ],
      );
    }
    await db.prisma.messageMedia.create({
      data: { messageId: message.id, contentType: "image/png", status: "stored" },
    });
    for (let seq = 0; seq < 12; seq++) {
      await db.prisma.messageMediaChunk.create({
        data: { messageId: message.id, seq, bytes: old.sealBytes(Buffer.from(`写真の${seq}`)) },
      });
    }
    const progress: string[] = [];
    const result = await rotateKey({
      pool,
      sealer: rotating,
      sourceIdOf: (json) => sourceIdOf(JSON.parse(json) as IncomingEvent),
      report: (line) => progress.push(line),
      batchSize: 4,
    });
    expect(result.resealed["webhook_event.payload_enc"]).toBe(12);
    expect(result.resealed["message_media_chunk.bytes"]).toBe(12);
    expect(progress).toContain("webhook_event.payload_enc: 12 re-sealed");
    const fresh = createSealer(NEW_KEY);
    const events = await db.prisma.webhookEvent.findMany({ orderBy: { id: "asc" } });
    expect(
      events.map((e) => JSON.parse(fresh.open(e.payloadEnc ?? Buffer.alloc(0))) as { n: number }),
    ).toEqual(
      Array.from({ length: 12 }, (_, i) => ({ source: { userId: "U-rotation" }, n: i + 1 })),
    );
    expect(new Set(events.map((e) => e.sourceKey))).toEqual(new Set([fresh.hash("U-rotation")]));
    const chunks = await db.prisma.messageMediaChunk.findMany({ orderBy: { seq: "asc" } });
    expect(chunks.map((c) => fresh.openBytes(c.bytes).toString())).toEqual(
      Array.from({ length: 12 }, (_, seq) => `写真の${seq}`),
    );
  }, 60_000);

  it("exits non-zero, naming the rows, when a value opens under neither key", async () => {
    const message = await herMessage("読める文");
    await db.prisma.message.update({
      where: { id: message.id },
      data: { textEnc: createSealer("a-third-key-nobody-has-any-more-0123456789").seal("x") },
    });
    const run = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "src/main/admin.ts", "rotate-key"],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          APP_SECRET_KEY: NEW_KEY,
          APP_SECRET_KEY_PREVIOUS: OLD_KEY,
        },
      },
    ).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "1 value(s) open under neither APP_SECRET_KEY nor APP_SECRET_KEY_PREVIOUS",
    );
    expect(run.stderr).toContain(`message ${message.id}`);
    // Everything else was done: her person is under the new key.
    const person = await db.prisma.person.findUniqueOrThrow({ where: { id: message.personId } });
    expect(person.lineUserHash).toBe(createSealer(NEW_KEY).hash("U-rotation"));
  }, 60_000);
});
