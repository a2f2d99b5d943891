import { createSealer } from "../src/privacy/sealer";
/**
 * `npm run bench:stats`: five years of a large prefecture's consultations (≥ 200,000 answered
 * LINE consultations, ≥ 2,000,000 messages, plus greetings, bot-only exits, abandoned hand-offs
 * and other-channel entries), then every statistics request through the real API (session
 * cookie, scope, zod, SQL, JSON or CSV) many times; prints p50/p99 per request.
 * Its database (see support/bench-database.ts) is on DATABASE_URL's server when set, else on
 * embedded PostgreSQL under .data/bench-stats-pg. The data is generated once and kept between
 * runs (BENCH_RELOAD=1 regenerates it). BENCH_RUNS (default 60) sets the timed runs per request.
 */
import type { AddressInfo } from "node:net";
import path from "node:path";
import argon2 from "argon2";
import express from "express";
import { Client } from "pg";
import { loadPreset } from "../src/config/preset-loader";
import { buildApiRouter } from "../src/http/api-router";
import { authenticate } from "../src/http/auth-middleware";
import { idempotency } from "../src/http/idempotency";
import { generate } from "otplib";
import { Pool } from "pg";
import { createCounsellor } from "../src/console/auth-service";
import { createConsoleAuth } from "../src/console/console-module";
import { onOffSetting } from "../src/config/env-config";
import { createPrismaClient } from "../src/db/prisma-client";
import { AppError } from "../src/errors";
import { createLogger } from "../src/logger";
import { statsRoutes } from "../src/stats/stats-routes";
import { openBenchDatabase } from "./support/bench-database";
import { ascending, quantile } from "./support/quantile";
import { printTable } from "./support/table";

const BENCH_KEY = "stats-bench-secret-key-0123456789abcdef";

const ROOT = path.resolve(__dirname, "..");
const DATABASE = "lws_bench_stats";
const RUNS = Number(process.env.BENCH_RUNS ?? 60);
const CONVERSATIONS = 262_000; // 77 % answered: ≥ 200,000 consultations
const PERSONS = 60_000;
const ENTRIES = 20_000;

/** Generated inside PostgreSQL (no round trips); triggers off (the message NOTIFY) while loading. */
const LOAD = [
  `SET session_replication_role = replica`,
  `SELECT setseed(0.42)`,
  `INSERT INTO counsellor (id, login_name, display_name, password_hash, role, region_id)
   SELECT md5('c' || g)::uuid, 'bench-c' || g, '相談員' || g, 'x', 'counsellor',
     (ARRAY['chuhoku','seimo','tomo'])[1 + g % 3] FROM generate_series(1, 30) g`,
  `INSERT INTO person (id, line_user_hash, line_user_id_enc, pseudonym, created_at)
   SELECT md5('p' || g)::uuid, md5('h' || g), '\\x00', 'B-' || g, now()
   FROM generate_series(1, ${PERSONS}) g`,
  `INSERT INTO conversation (id, person_id, status, started_at, last_message_at, closed_at,
     topics, region_id, age_band, waiting_since, first_response_at, referrals, follow_ups,
     risk_level, end_reason, flow_state, triage_answers, closed_by_id, preset_id, flow_version)
   SELECT md5('v' || g)::uuid, md5('p' || (1 + floor(power(random(), 2) * ${PERSONS}))::int)::uuid,
     CASE WHEN k < 0.77 THEN 'closed' WHEN k < 0.85 THEN 'abandoned' ELSE 'closed' END::conversation_status,
     t, t + interval '40 minutes', t + interval '50 minutes',
     CASE floor(random() * 8)::int WHEN 0 THEN ARRAY['dv'] WHEN 1 THEN ARRAY['poverty']
       WHEN 2 THEN ARRAY['work'] WHEN 3 THEN ARRAY['mental'] WHEN 4 THEN ARRAY['dv','mental']
       WHEN 5 THEN ARRAY['dv','poverty','mental'] WHEN 6 THEN ARRAY['other'] ELSE ARRAY[]::text[] END,
     (ARRAY['chuhoku','seimo','tomo'])[1 + floor(random() * 3)::int],
     (ARRAY['10s','20s','30s','40s','50s','60plus',NULL])[1 + floor(random() * 7)::int],
     CASE WHEN k < 0.85 THEN t + interval '3 minutes' END,
     CASE WHEN k < 0.77 THEN t + interval '3 minutes' + random() * interval '40 minutes' END,
     CASE WHEN k < 0.2 THEN ARRAY['群馬県女性相談支援センター'] WHEN k < 0.3 THEN ARRAY['ハローワーク','社会福祉協議会'] ELSE ARRAY[]::text[] END,
     CASE WHEN k < 0.05 THEN ARRAY['accompany'] WHEN k < 0.1 THEN ARRAY['visit'] ELSE ARRAY[]::text[] END,
     CASE WHEN random() < 0.05 THEN 'high' ELSE 'none' END,
     CASE WHEN k < 0.77 THEN 'completed' WHEN k < 0.95 THEN 'exit-word' ELSE 'silence' END,
     jsonb_build_object('schemaVersion', 1, 'presetId', 'gunma', 'flowVersion', '2025-11',
       'status', 'done', 'nodeId', null, 'queue', '[]'::jsonb, 'retries', 0,
       'triage', jsonb_build_object('safeNow', true, 'topics', '["dv"]'::jsonb,
         'municipality', '前橋市', 'regionId', 'chuhoku', 'ageBand', '30s',
         'supportWish', '["chat"]'::jsonb, 'answers', jsonb_build_object('q1', 'はい', 'q2', 'ときどき'))),
     jsonb_build_object('q1', 'はい', 'q2', 'ときどき', 'q3', 'まだ相談していない'),
     CASE WHEN k < 0.77 THEN md5('c' || (1 + g % 30))::uuid END, 'gunma', '2025-11'
   FROM (SELECT g, random() AS k,
       timestamptz '2021-04-01 00:00+09' + random() * interval '1826 days' AS t
     FROM generate_series(1, ${CONVERSATIONS}) g) s
   ORDER BY s.t`, // written as they happen: a year's rows lie together, as in production
  // Greetings (k ≥ 0.92) get no message from her; the rest 8–10 each: ≥ 2,000,000 in all.
  // Texts as sealed values' size (the statistics never read them): 33 bytes and the words.
  // Its place (seq) given here: the trigger that numbers messages is off while loading.
  `INSERT INTO message (id, conversation_id, person_id, direction, author, kind, text_enc, sent_at, seq)
   SELECT gen_random_uuid(), c.id, c.person_id,
     CASE WHEN i % 2 = 0 THEN 'in' ELSE 'out' END::message_direction,
     CASE WHEN i % 2 = 0 THEN 'person' WHEN c.first_response_at IS NULL OR i < 4 THEN 'bot' ELSE 'counsellor' END,
     'text', decode(repeat('00', 33), 'hex') || convert_to(repeat('相談の文面', 8), 'UTF8'),
     c.started_at + i * interval '1 minute', i + 1
   FROM conversation c
   CROSS JOIN LATERAL generate_series(0, CASE WHEN c.end_reason = 'silence' AND c.first_response_at IS NULL
       THEN -1 ELSE 7 + (abs(hashtext(c.id::text)) % 3) END) i
   ORDER BY c.started_at, i`,
  `INSERT INTO consultation_entry (id, channel, region_id, case_ref, first_contact, started_at,
     topics, age_band, referrals, follow_ups, risk_level, counsellor_id)
   SELECT gen_random_uuid(), (ARRAY['phone','email','visit','outreach','accompany'])[1 + floor(random() * 5)::int],
     (ARRAY['chuhoku','seimo','tomo'])[1 + g % 3],
     CASE WHEN random() < 0.6 THEN 'K-' || floor(random() * 5000)::int END,
     CASE WHEN random() < 0.5 THEN random() < 0.3 END,
     timestamptz '2021-04-01 00:00+09' + random() * interval '1826 days',
     ARRAY['dv'], '40s', ARRAY[]::text[], ARRAY[]::text[], 'none', md5('c' || (1 + g % 30))::uuid
   FROM generate_series(1, ${ENTRIES}) g ORDER BY 6`,
  `SET session_replication_role = origin`,
];

async function load(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    // The facts are written last: a load that stopped half-way is made again.
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM stats_fact`);
    if (Number(rows[0]?.n) >= CONVERSATIONS + ENTRIES && !process.env.BENCH_RELOAD) return;
    // The audit log is append-only (its trigger refuses TRUNCATE): this bench database is
    // wiped as a superuser would, with triggers off for the statement.
    await client.query(`SET session_replication_role = replica`);
    await client.query(
      `TRUNCATE message, conversation, consultation_entry, console_session, person, counsellor, audit_entry CASCADE`,
    );
    await client.query(`SET session_replication_role = origin`);
    for (const sql of LOAD) {
      const started = Date.now();
      await client.query(sql);
      console.log(`  ${sql.slice(0, 40).replace(/\s+/g, " ")}… ${Date.now() - started} ms`);
    }
    // Loaded with triggers off: the statistics facts are written afresh, as an operator would.
    const started = Date.now();
    await client.query(`SELECT stats_rebuild()`);
    console.log(`  stats_rebuild()… ${Date.now() - started} ms`);
    await client.query(`VACUUM ANALYZE`);
  } finally {
    await client.end();
  }
}

async function sizes(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<Record<string, string>>(`SELECT
    (SELECT count(*) FROM conversation WHERE first_response_at IS NOT NULL) AS line,
    (SELECT count(*) FROM conversation) AS conversations,
    (SELECT count(*) FROM consultation_entry) AS entries,
    (SELECT count(*) FROM message) AS messages,
    (SELECT count(*) FROM person) AS persons,
    (SELECT count(*) FROM stats_fact) AS facts`);
  await client.end();
  const r = rows[0] ?? {};
  return `${r.line} LINE consultations (${r.conversations} conversations), ${r.entries} other-channel entries, ${r.messages} messages, ${r.persons} persons, ${r.facts} statistics facts`;
}

/** The statistics routes behind the real session check, as the console serves them. */
async function serve(url: string) {
  const prisma = createPrismaClient(url, 10);
  const preset = loadPreset(path.join(ROOT, "flows/gunma"));
  const pool = new Pool({ connectionString: url, max: 2 });
  // As configured: with REQUIRE_SECOND_FACTOR on (the default), the admin enrols and signs in
  // with a code from the secret, as a person with an authenticator app would.
  const requireSecondFactor = onOffSetting(
    "REQUIRE_SECOND_FACTOR",
    process.env.REQUIRE_SECOND_FACTOR,
    true,
  );
  const auth = createConsoleAuth({
    prisma,
    pool,
    appSecretKey: BENCH_KEY,
    sealer: createSealer(BENCH_KEY),
    requireSecondFactor,
  });
  // The audit log keeps the account's earlier sign-ins and refuses to lose them, so the account
  // of an earlier run is kept: without its sessions and second factor, its password set again.
  await prisma.consoleSession.deleteMany({ where: { counsellor: { loginName: "bench-admin" } } });
  const earlier = await prisma.counsellor.findUnique({ where: { loginName: "bench-admin" } });
  if (earlier) {
    await prisma.recoveryCode.deleteMany({ where: { counsellorId: earlier.id } });
    await prisma.counsellor.update({
      where: { id: earlier.id },
      data: {
        passwordHash: await argon2.hash("bench-password-123", { type: argon2.argon2id }),
        secondFactorAt: null,
        totpSecret: null,
        active: true,
        mustChangePassword: false,
      },
    });
  } else {
    await createCounsellor(prisma, {
      loginName: "bench-admin",
      displayName: "bench",
      password: "bench-password-123",
      role: "admin",
      regionId: null,
    });
  }
  const client = { address: "127.0.0.1", cookie: () => undefined };
  const admin = await prisma.counsellor.findUniqueOrThrow({ where: { loginName: "bench-admin" } });
  let secret: string | undefined;
  if (requireSecondFactor) {
    secret = (await auth.ownSecondFactor.start(admin.id)).secret;
    await auth.ownSecondFactor.confirm(admin.id, await generate({ secret }));
  }
  let result = await auth.signIn("bench-admin", "bench-password-123", client);
  if (result.kind === "second-factor" && secret) {
    // The enrolment used this 30-second step's code: the next step's is accepted now too.
    const code = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    result = await auth.completeSignIn(result.challengeToken, code, client);
  }
  if (result.kind !== "session") throw new Error("the bench admin could not sign in");
  const signed = result.signed;
  const app = express();
  const router = buildApiRouter(statsRoutes({ prisma, preset }), {
    authenticate: authenticate(auth),
    idempotency: idempotency({
      prisma,
      sealer: createSealer(BENCH_KEY),
      logger: createLogger("silent"),
    }),
  });
  app.use("/api/v1", router);
  app.use(((error, _req, res, _next) => {
    const status = error instanceof AppError ? error.status : 500;
    res.status(status).json({ message: String(error) });
  }) as express.ErrorRequestHandler);
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  return {
    get: async (p: string) => {
      const res = await fetch(base + p, {
        headers: { cookie: `lws_session=${signed.sessionToken}` },
      });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${p}: ${res.status} ${body.slice(0, 300)}`);
      return body.length;
    },
    close: async () => {
      server.close();
      await pool.end();
      await prisma.$disconnect();
    },
  };
}

const REQUESTS: [string, string][] = [
  ["report, fiscal year 2025, all regions", "/stats/report?fiscalYear=2025"],
  ["report, fiscal year 2024, one region", "/stats/report?fiscalYear=2024&region=seimo"],
  ["report, one month", "/stats/report?month=2025-11"],
  ["report, FY2025, topic dv", "/stats/report?fiscalYear=2025&topic=dv"],
  ["report, FY2025, channel LINE, 30s", "/stats/report?fiscalYear=2025&channel=line&ageBand=30s"],
  ["report, five years (range)", "/stats/report?from=2021-04-01&to=2026-03-31"],
  ["report.csv, fiscal year 2025", "/stats/report.csv?fiscalYear=2025"],
  ["records.csv, fiscal year 2025", "/stats/records.csv?fiscalYear=2025"],
  ["options", "/stats/options"],
];

async function main() {
  // A database made again after a migration changed is empty: load() fills it again.
  const db = await openBenchDatabase({ name: DATABASE, dataDir: "bench-stats-pg" });
  try {
    console.log("loading (first run only)…");
    await load(db.url);
    console.log(await sizes(db.url));
    const api = await serve(db.url);
    try {
      console.log(`\n${RUNS} runs per request, after 3 warm-ups\n`);
      const row = printTable([
        { title: "request", width: 40 },
        { title: "p50 ms", width: 8 },
        { title: "p99 ms", width: 8 },
        { title: "bytes", width: 9 },
      ]);
      for (const [name, p] of REQUESTS) {
        for (let i = 0; i < 3; i++) await api.get(p);
        const times: number[] = [];
        let bytes = 0;
        for (let i = 0; i < RUNS; i++) {
          const started = process.hrtime.bigint();
          bytes = await api.get(p);
          times.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
        const sorted = ascending(times);
        row([name, quantile(sorted, 0.5).toFixed(1), quantile(sorted, 0.99).toFixed(1), bytes]);
      }
    } finally {
      await api.close();
    }
  } finally {
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
