import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { Pool } from "pg";
import type { PrismaClient } from "../../src/db/prisma-client";
import { startRuntime, type Runtime } from "../../src/main/runtime";
import { createSealer } from "../../src/privacy/sealer";
import { LineSimulator } from "../../src/simulator/line-simulator";
import type { SimulatedPerson } from "../../src/simulator/simulated-person";
import { periodOf } from "../../src/stats/stats-period";
import { reportSql } from "../../src/stats/stats-queries";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { settledIn, silentTurn, watchService } from "../support/conversation-driver";
import { eventually } from "../support/eventually";
import { handOff } from "../support/handoff";
import { latestConversationOf } from "../support/her-conversation";
import { sharedJapaneseAnalyser } from "../support/japanese-analyser";
import { gunmaOpenAroundTheClock } from "../support/presets";
import { recountReportSql } from "../support/stats-recount";
import {
  createTestDatabase,
  createTestRedisUrl,
  testConfig,
  TEST_ACCESS_TOKEN,
  TEST_APP_SECRET_KEY,
  TEST_CHANNEL_SECRET,
  type TestDatabase,
} from "../support/test-env";

const ROOT = path.resolve(__dirname, "../..");
const OLD_KEY = TEST_APP_SECRET_KEY;
const NEW_KEY = "the-replacing-app-secret-key-after-a-rotation-0123456789";

/** What she wrote, what the counsellor answered and noted: none of it may be readable at rest. */
const HER_WORDS = ["夫が毎晩どなって眠れません", "子どもを連れて家を出たい"];
const IMAGE_WORDS = "山田花子の診断書";
const REPLY_WORDS = "明日の朝に窓口へ一緒に行きましょう";
const NOTE_WORDS = "左腕にあざ、本人は転んだと説明";
const EMERGENCY_WORDS = "自宅に刃物あり、警察へ通報済み";
const TYPED_REFERRAL = "駅前のよりそいカフェ";
const WRITTEN_BEFORE_SEALING = "移行前の平文の相談";
const AFTER_ROTATION_WORDS = "鍵が替わったあとの相談です";
const IMAGE = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from(IMAGE_WORDS),
  randomBytes(300),
]);

interface View {
  conversation: { pseudonym: string; referrals: string[] };
  messages: { id: string; text: string | null; hasContent: boolean }[];
  notes: { text: string }[];
  emergencies: { note: string | null }[];
}

/**
 * Every text, JSON, bytea and text[] column of every table (read from information_schema),
 * searched for each word's UTF-8 bytes: the words found, with where.
 */
async function wordsAtRest(pool: Pool, words: string[]): Promise<string[]> {
  const columns = await pool.query<{ table_name: string; column_name: string; bytea: boolean }>(`
    SELECT c.table_name, c.column_name, c.data_type = 'bytea' AS bytea
    FROM information_schema.columns c
    JOIN information_schema.tables t USING (table_schema, table_name)
    WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
      AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea')
           OR c.udt_name IN ('_text', '_varchar'))`);
  expect(columns.rows.length).toBeGreaterThan(50);
  const needles = words.map((w) => Buffer.from(w, "utf8"));
  const found: string[] = [];
  for (const { table_name: t, column_name: c, bytea } of columns.rows) {
    const value = bytea ? `"${c}"` : `convert_to("${c}"::text, 'UTF8')`;
    const hits = await pool.query<{ needle: Buffer }>(
      `SELECT n.needle FROM unnest($1::bytea[]) AS n(needle)
       WHERE EXISTS (SELECT 1 FROM "${t}" WHERE position(n.needle IN ${value}) > 0)`,
      [needles],
    );
    for (const h of hits.rows) found.push(`${t}.${c}: ${h.needle.toString("utf8")}`);
  }
  return found;
}

/** 実数 and every other figure of the report, by the fast path and by the plain recount. */
async function figures(prisma: PrismaClient) {
  const period = periodOf({ from: "2020-01-01", to: "2029-12-31" });
  const [fast] = await prisma.$queryRaw<{ report: unknown }[]>(reportSql(period, {}, true));
  const [slow] = await prisma.$queryRaw<{ report: unknown }[]>(recountReportSql(period, {}, true));
  return { fast: fast?.report, slow: slow?.report };
}

async function rotateKeyCommand(databaseUrl: string, env: Record<string, string>) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "src/main/admin.ts", "rotate-key"],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl, ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("her words at rest: sealed, and a key rotation that loses nobody", () => {
  let db: TestDatabase;
  let sim: LineSimulator;
  let redisUrl: string;
  let simUrl = "";
  let runtime: Runtime | undefined;
  let unwatch: (() => void) | undefined;
  let pool: Pool;
  let url = "";
  let her: SimulatedPerson;
  let conversationId = "";
  let personId = "";
  let pseudonym = "";
  let west: ConsoleClient;

  /** The service (web and worker) on this database, with these keys, as after a restart. */
  async function start(keys: { key: string; previous?: string }) {
    await stop();
    const config = {
      ...testConfig({ databaseUrl: db.url, redisUrl, lineApiBaseUrl: simUrl }),
      appSecretKey: keys.key,
      appSecretKeyPrevious: keys.previous,
    };
    runtime = await startRuntime(config, {
      preset: gunmaOpenAroundTheClock(),
      analyser: await sharedJapaneseAnalyser(),
      sweepIntervalMs: 500,
      web: true,
      worker: true,
    });
    url = runtime.url ?? "";
    sim.setWebhookUrl(`${url}/webhook/line`);
    // Her events are settled once her deliveries are: found under either key's hash.
    const probes = [keys.key, ...(keys.previous ? [keys.previous] : [])].map((k) =>
      watchService(settledIn(db.prisma, k)),
    );
    unwatch = () => probes.forEach((u) => u());
    west = await ConsoleClient.signedIn(url, "west", PASSWORD);
  }
  async function stop() {
    unwatch?.();
    await runtime?.stop();
    runtime = undefined;
  }
  const view = async () =>
    (await west.get(`/api/v1/conversations/${conversationId}`)).json as unknown as View;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
    redisUrl = await createTestRedisUrl();
    sim = new LineSimulator({
      channelSecret: TEST_CHANNEL_SECRET,
      channelAccessToken: TEST_ACCESS_TOKEN,
    });
    simUrl = (await sim.listen()).baseUrl;
    await account(db.prisma, "west", "counsellor", "seimo");
    await start({ key: OLD_KEY });
  }, 60_000);

  afterAll(async () => {
    await stop();
    await pool.end();
    await sim.close();
    await db.drop();
  });

  it("keeps none of her words, the counsellor's note or reply readable in any column, while the console shows them all", async () => {
    her = sim.person();
    await handOff(her, "高崎");
    const c = await latestConversationOf(db.prisma, her.userId);
    conversationId = c.id;
    personId = c.personId;
    for (const words of HER_WORDS) await silentTurn(her, (p) => p.say(words));
    await silentTurn(her, (p) => p.sendImage(IMAGE, "image/png"));
    expect((await west.post(`/api/v1/conversations/${c.id}/claim`)).status).toBe(200);
    // With an Idempotency-Key, the answer is kept for a retry: it repeats the words.
    const key = { headers: { "Idempotency-Key": randomUUID() } };
    const sent = await west.call(
      "POST",
      `/api/v1/conversations/${c.id}/messages`,
      { text: REPLY_WORDS },
      key,
    );
    expect(sent.status).toBe(201);
    expect(
      (
        await west.call(
          "POST",
          `/api/v1/conversations/${c.id}/notes`,
          { text: NOTE_WORDS },
          {
            headers: { "Idempotency-Key": randomUUID() },
          },
        )
      ).status,
    ).toBe(201);
    const emergency = await west.post(`/api/v1/conversations/${c.id}/emergency`, {
      desire: true,
      plan: false,
      means: true,
      timeframe: false,
      decision: "called-110",
      calledBy: "west",
      calledAt: new Date().toISOString(),
      note: EMERGENCY_WORDS,
    });
    expect(emergency).toMatchObject({ status: 201, json: { note: EMERGENCY_WORDS } });
    await eventually(
      () => Promise.resolve(her.received().some((m) => m.text === REPLY_WORDS)),
      (got) => got,
    );
    const closed = await west.post(`/api/v1/conversations/${c.id}/close`, {
      topics: ["dv"],
      referrals: ["社会福祉協議会", TYPED_REFERRAL],
      followUps: ["accompany"],
      riskLevel: "high",
    });
    expect(closed.status).toBe(200);
    const shown = await eventually(view, (v) => v.messages.some((m) => m.hasContent));

    const words = [
      ...HER_WORDS,
      IMAGE_WORDS,
      REPLY_WORDS,
      NOTE_WORDS,
      EMERGENCY_WORDS,
      TYPED_REFERRAL,
    ];
    expect(await wordsAtRest(pool, words)).toEqual([]);

    // The console shows it all, opened.
    const texts = shown.messages.map((m) => m.text);
    expect(texts).toEqual(expect.arrayContaining([...HER_WORDS, REPLY_WORDS]));
    expect(shown.notes.map((n) => n.text)).toContain(NOTE_WORDS);
    expect(shown.emergencies.map((e) => e.note)).toEqual([EMERGENCY_WORDS]);
    expect(shown.conversation.referrals).toEqual(["社会福祉協議会", TYPED_REFERRAL]);
    const image = shown.messages.find((m) => m.hasContent);
    const content = await west.raw(`/api/v1/messages/${image?.id ?? ""}/content`);
    expect(Buffer.from(await content.arrayBuffer())).toEqual(IMAGE);
    pseudonym = shown.conversation.pseudonym;

    // The report counts the partner by name and the typed agency as その他, never its name.
    const row = await db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } });
    expect(row.referrals).toEqual(["社会福祉協議会", "その他"]);
  }, 120_000);

  it("rotates the key while the service runs: she is found under both keys, everything is re-sealed, 実数 is unchanged, and then only the new key is needed", async () => {
    // A value stored before sealing existed, as the migration left it (00 and its UTF-8).
    await pool.query(
      `UPDATE conversation_note SET text_enc = '\\x00'::bytea || convert_to($1, 'UTF8')
       WHERE id = (SELECT id FROM conversation_note WHERE conversation_id = $2 LIMIT 1)`,
      [WRITTEN_BEFORE_SEALING, conversationId],
    );
    // The new key in every process, the old one as the previous: she writes and is found.
    await start({ key: NEW_KEY, previous: OLD_KEY });
    const people = await db.prisma.person.count();
    await silentTurn(her, (p) => p.say("まだ家にいます"));
    expect(await db.prisma.person.count()).toBe(people);
    const before = await figures(db.prisma);
    expect(before.fast).toEqual(before.slow);

    const run = await rotateKeyCommand(db.url, {
      APP_SECRET_KEY: NEW_KEY,
      APP_SECRET_KEY_PREVIOUS: OLD_KEY,
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/message\.text_enc: \d+ re-sealed/);
    expect(run.stdout).toMatch(/person\.line_user_id_enc: 1 re-sealed/);
    expect(run.stdout).toContain("APP_SECRET_KEY_PREVIOUS can now be unset");

    // 実数 and every figure: the same, and the same once the facts are rebuilt from the records.
    expect(await figures(db.prisma)).toEqual(before);
    await db.prisma.$executeRaw`SELECT stats_rebuild()`;
    expect(await figures(db.prisma)).toEqual(before);
    expect(await wordsAtRest(pool, [...HER_WORDS, WRITTEN_BEFORE_SEALING])).toEqual([]);

    // Only the new key from now on: everything opens, she is the same person and pseudonym.
    await start({ key: NEW_KEY });
    const shown = await view();
    expect(shown.conversation.pseudonym).toBe(pseudonym);
    expect(shown.messages.map((m) => m.text)).toEqual(
      expect.arrayContaining([...HER_WORDS, REPLY_WORDS, "まだ家にいます"]),
    );
    expect(shown.notes.map((n) => n.text)).toEqual(
      expect.arrayContaining([WRITTEN_BEFORE_SEALING]),
    );
    expect(shown.emergencies.map((e) => e.note)).toEqual([EMERGENCY_WORDS]);
    expect(shown.conversation.referrals).toEqual(["社会福祉協議会", TYPED_REFERRAL]);
    const image = shown.messages.find((m) => m.hasContent);
    const content = await west.raw(`/api/v1/messages/${image?.id ?? ""}/content`);
    expect(Buffer.from(await content.arrayBuffer())).toEqual(IMAGE);

    // Her next message joins her person: found by her new keyed hash alone.
    await silentTurn(her, (p) => p.say(AFTER_ROTATION_WORDS));
    expect(await db.prisma.person.count()).toBe(people);
    const newOnly = createSealer(NEW_KEY);
    const hers = await db.prisma.message.findMany({ where: { personId, direction: "in" } });
    expect(hers.map((m) => (m.textEnc ? newOnly.open(m.textEnc) : null))).toContain(
      AFTER_ROTATION_WORDS,
    );
    const person = await db.prisma.person.findUniqueOrThrow({ where: { id: personId } });
    expect(person.lineUserHash).toBe(newOnly.hash(her.userId));
    expect(person.pseudonym).toBe(pseudonym);
    expect(newOnly.open(person.lineUserIdEnc ?? Buffer.alloc(0))).toBe(her.userId);
    const after = await figures(db.prisma);
    expect(after.fast).toEqual(after.slow);
    expect((after.fast as { people: number }).people).toBe(
      (before.fast as { people: number }).people,
    );
  }, 180_000);
});
