/**
 * `npm run bench:console`: 200 simulated women in conversations with counsellors at once, through
 * the whole service (webhook, queue, worker, console API and its live events, LINE simulator):
 * as many chatting as 30 counsellors may hold (the preset's chat limit), the others waiting in
 * the queue. 30 counsellors and 3 supervisors are signed in, whose consoles do on each live event what the page
 * does (console/page-model.ts: the queue fetched again on every message of their scope, the open
 * conversation on its own). Measures (1) her message → visible in the counsellor's console: from
 * her sending to her counsellor's page showing the message (its fetch after the live event, or
 * the counsellor's click when another conversation was open); (2) a counsellor's send → the
 * message on her simulated phone. Prints p50/p95/p99, the CPU per exchange of every process and
 * the pages' fetches per exchange. BENCH_COUNSELLORS and BENCH_SUPERVISORS change the room.
 * Then, in the same run, the floor (console/exchange-floor.ts): the least an exchange needs of the
 * database, from one process with node-postgres, on the same conversations; the service's CPU
 * per exchange is printed against it.
 * BENCH_STATEMENTS=1 prints, for each pace, the statements PostgreSQL spent the most time on.
 * Its database (see support/bench-database.ts), made anew on every run, is on DATABASE_URL's
 * server when set, else on embedded PostgreSQL; BullMQ runs on it unless REDIS_URL is set.
 */
import path from "node:path";
import { randomBytes } from "node:crypto";
import { createPrismaClient } from "../src/db/prisma-client";
import { createCounsellor } from "../src/console/auth-service";
import { LineSimulator } from "../src/simulator/line-simulator";
import type { SimulatedPerson } from "../src/simulator/simulated-person";
import { createSealer } from "../src/privacy/sealer";
import { freePort } from "../scripts/free-port";
import { loadJapaneseAnalyser } from "../src/text/japanese-analyser";
import { runFloor } from "./console/exchange-floor";
import { ConsolePage } from "./console/page-model";
import { openBenchDatabase } from "./support/bench-database";
import {
  openStatementProfile,
  STATEMENT_PROFILE_SETTINGS,
  statementProfileWanted,
} from "./support/statement-profile";
import { cpuTicks, postgresTicks, TICKS_PER_SECOND } from "./support/proc-stat";
import { ascending, quantile } from "./support/quantile";
import { startServer, stopServer, waitUntilAnswering } from "./support/server-process";
import { printTable } from "./support/table";

const ROOT = path.resolve(__dirname, "..");
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 200);
const COUNSELLORS = Number(process.env.BENCH_COUNSELLORS ?? 30);
const SUPERVISORS = Number(process.env.BENCH_SUPERVISORS ?? 3);
/**
 * Her pause before each message: random up to this. Two paces by default, one after the other on
 * the same conversations: a chat pace (up to 15 s: she types on a phone, and here the counsellor
 * answers at once, so this is already brisker than a real consultation) and a stress pace (up to
 * 3 s: 200 people writing every few seconds). BENCH_THINK_MS takes a comma-separated list.
 */
const PACES_MS = (process.env.BENCH_THINK_MS ?? "15000,3000").split(",").map(Number);
const MESSAGES_EACH = Number(process.env.BENCH_MESSAGES ?? 3);
/** The floor's exchanges in flight at once. */
const FLOOR_CONCURRENCY = 16;
const PASSWORD = "bench-password-0123";
const SECRET = randomBytes(16).toString("hex");
const TOKEN = randomBytes(24).toString("base64url");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes every message already on her phone, so the next one read is a new one. */
async function drain(her: SimulatedPerson): Promise<void> {
  for (;;) {
    try {
      await her.nextMessage({ timeoutMs: 0 });
    } catch {
      return;
    }
  }
}

async function main() {
  const database = await openBenchDatabase({
    name: "bench_console",
    dataDir: "bench-console-pg",
    fresh: true,
    settings: statementProfileWanted() ? STATEMENT_PROFILE_SETTINGS : [],
  });
  const databaseUrl = database.url;
  const appSecretKey = randomBytes(32).toString("hex");
  const sealer = createSealer(appSecretKey);
  const sim = new LineSimulator({ channelSecret: SECRET, channelAccessToken: TOKEN });
  const { baseUrl } = await sim.listen();
  // The service runs in its own process, as in production; this one plays LINE and the people.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // BENCH_ROLES=all runs web and worker in one process; the default runs them apart (two
  // processes, as a deployment on this 2-core machine would), which uses both cores.
  const roles = (process.env.BENCH_ROLES ?? "web,worker").split(",");
  const env = {
    ...process.env,
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    LINE_CHANNEL_SECRET: SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: TOKEN,
    LINE_API_BASE_URL: baseUrl,
    LINE_DATA_API_BASE_URL: baseUrl,
    APP_SECRET_KEY: appSecretKey,
    LOG_LEVEL: "warn",
    // The supervisors sign in with a password alone here.
    REQUIRE_SECOND_FACTOR: "false",
    WORKER_CONCURRENCY: "16",
  };
  const profileDir = process.env.BENCH_PROFILE
    ? path.join(ROOT, "artifacts/bench-profile")
    : undefined;
  const services = roles.map((role) => startServer(["src/main/start.ts", role], env, profileDir));
  const prisma = createPrismaClient(databaseUrl, 4);
  const statements = statementProfileWanted() ? await openStatementProfile(databaseUrl) : undefined;
  const pages: ConsolePage[] = [];
  const pageFetches = () =>
    pages.reduce(
      (sum, p) => ({
        queue: sum.queue + p.fetches.queue,
        conversation: sum.conversation + p.fetches.conversation,
        newMessages: sum.newMessages + p.fetches.newMessages,
        alerts: sum.alerts + p.fetches.alerts,
      }),
      { queue: 0, conversation: 0, newMessages: 0, alerts: 0 },
    );
  try {
    await waitUntilAnswering(services, `${url}/readyz`, { ready: (r) => r.ok });
    sim.setWebhookUrl(`${url}/webhook/line`);
    for (let i = 0; i < COUNSELLORS; i++) {
      await createCounsellor(prisma, {
        loginName: `c${i}`,
        displayName: `相談員${i}`,
        password: PASSWORD,
        role: "counsellor",
        regionId: "chuhoku",
      });
    }
    for (let i = 0; i < SUPERVISORS; i++) {
      await createCounsellor(prisma, {
        loginName: `s${i}`,
        displayName: `スーパーバイザー${i}`,
        password: PASSWORD,
        role: "supervisor",
        regionId: null,
      });
    }
    const consoles = await Promise.all(
      Array.from({ length: COUNSELLORS }, (_, i) => ConsolePage.signedIn(url, `c${i}`, PASSWORD)),
    );
    const supervisors = await Promise.all(
      Array.from({ length: SUPERVISORS }, (_, i) => ConsolePage.signedIn(url, `s${i}`, PASSWORD)),
    );
    pages.push(...consoles, ...supervisors);

    // 200 women write in and ask for a counsellor (no municipality: the default region).
    const people: SimulatedPerson[] = Array.from({ length: PEOPLE }, (_, i) => sim.person(`p${i}`));
    await Promise.all(
      people.map(async (p) => {
        await p.follow();
        await p.say("相談員と話したいです");
      }),
    );
    for (;;) {
      const rows = await prisma.conversation.findMany({
        where: { status: "waiting" },
        select: { id: true },
      });
      if (rows.length >= PEOPLE) break;
      await sleep(200);
    }
    // The counsellors share the queue between them.
    const waiting = await prisma.conversation.findMany({
      where: { status: "waiting" },
      include: { person: true },
    });
    // Which conversation is whose: the service finds her by the keyed hash of her LINE id.
    const conversationOf = new Map<string, string>();
    for (const her of people) {
      const c = waiting.find((w) => w.person.lineUserHash === sealer.hash(her.userId));
      if (c) conversationOf.set(her.userId, c.id);
    }
    // Each counsellor takes as many chats as the preset lets her hold at once; the others wait
    // in the queue (an evening with a queue), listed on every page, and stay quiet.
    const chatLimit = Number((await consoles[0]?.call("GET", "/api/v1/queue"))?.chatLimit ?? 0);
    const assignment = new Map<string, { console: ConsolePage; conversationId: string }>();
    await Promise.all(
      waiting.slice(0, COUNSELLORS * chatLimit).map(async (c, i) => {
        const counsellor = consoles[i % COUNSELLORS];
        if (!counsellor) return;
        await counsellor.call("POST", `/api/v1/conversations/${c.id}/claim`);
        assignment.set(c.id, { console: counsellor, conversationId: c.id });
      }),
    );
    const inQueue = waiting.length - assignment.size;

    // CPU used during the exchanges only (not start-up, triage and claims), per process.
    const pgDir = database.postgresDataDir;
    const cpuNow = (): Record<string, number> => ({
      ...Object.fromEntries(
        services.map((child, i): [string, number] => [
          roles[i] ?? "service",
          cpuTicks(child.pid ?? 0) / TICKS_PER_SECOND,
        ]),
      ),
      bench: cpuTicks(process.pid) / TICKS_PER_SECOND,
      // PostgreSQL with its backends.
      ...(pgDir ? { postgres: postgresTicks(pgDir) / TICKS_PER_SECOND } : {}),
    });
    const phase = async (thinkMs: number, round: number) => {
      const toConsole: number[] = [];
      const toPhone: number[] = [];
      const timeline: [number, number][] = [];
      const cpuBefore = cpuNow();
      const fetchesBefore = pageFetches();
      await statements?.start();
      const t0 = Date.now();
      await Promise.all(
        people.map(async (her, index) => {
          for (let m = 0; m < MESSAGES_EACH; m++) {
            await sleep(Math.random() * thinkMs);
            const text = `相談の続きです ${round}-${index}-${m}`;
            const started = Date.now();
            const conversationId = conversationOf.get(her.userId);
            const a = conversationId ? assignment.get(conversationId) : undefined;
            if (!a) continue;
            // Shown as the page shows it: the live event, then the page's own fetch.
            const event = a.console.nextMessageEvent(a.conversationId);
            await her.say(text);
            await event;
            await a.console.shows(a.conversationId, text);
            toConsole.push(Date.now() - started);
            timeline.push([started - t0, Date.now() - started]);

            const answer = `お返事です ${round}-${index}-${m}`;
            await drain(her);
            const sendStart = Date.now();
            await a.console.send(a.conversationId, answer);
            // Woken by the delivery itself (no polling loop competing for the CPU).
            while ((await her.nextMessage({ timeoutMs: 60_000 })).text !== answer);
            toPhone.push(Date.now() - sendStart);
          }
        }),
      );
      const seconds = (Date.now() - t0) / 1000;
      const cpuAfter = cpuNow();
      console.log(
        `\nbench:console — ${PEOPLE} women: ${assignment.size} chatting at once with ${COUNSELLORS} counsellors (${chatLimit} chats each at most) and ${inQueue} waiting in the queue, ${SUPERVISORS} supervisors signed in, ${MESSAGES_EACH} exchanges each, pauses up to ${thinkMs} ms, ${seconds.toFixed(1)} s, roles: ${roles.join(" + ")}, queue: ${process.env.REDIS_URL ? "Redis" : "PostgreSQL"}\n`,
      );
      const row = printTable([
        { title: "measure (ms)", width: 40 },
        { title: "n", width: 5 },
        { title: "p50", width: 6 },
        { title: "p95", width: 6 },
        { title: "p99", width: 6 },
      ]);
      for (const [name, values] of [
        ["her message → shown in the console", toConsole],
        ["counsellor's send → on her phone", toPhone],
      ] as const) {
        const v = ascending(values);
        row([name, v.length, quantile(v, 0.5), quantile(v, 0.95), quantile(v, 0.99)]);
      }
      const exchanges = toPhone.length;
      // The service's own CPU per exchange: its roles and PostgreSQL (not the bench's side).
      const serviceMs = Object.entries(cpuAfter)
        .filter(([name]) => name !== "bench")
        .reduce((sum, [name, s]) => sum + (1000 * (s - (cpuBefore[name] ?? 0))) / exchanges, 0);
      serviceMsPerPace.push({ thinkMs, serviceMs });
      console.log(
        `\nCPU during the exchanges (${exchanges} exchanges, ${(exchanges / seconds).toFixed(1)}/s), ms per exchange: ` +
          Object.entries(cpuAfter)
            .map(
              ([name, s]) =>
                `${name} ${((1000 * (s - (cpuBefore[name] ?? 0))) / exchanges).toFixed(1)}`,
            )
            .join(", ") +
          " (bench = the simulated LINE, women and consoles)",
      );
      const fetches = pageFetches();
      const per = (n: number, before: number) => ((n - before) / exchanges).toFixed(1);
      console.log(
        `Pages' fetches per exchange (${COUNSELLORS} counsellors, ${SUPERVISORS} supervisors): ` +
          `queue ${per(fetches.queue, fetchesBefore.queue)}, ` +
          `conversation ${per(fetches.conversation, fetchesBefore.conversation)}, ` +
          `its new messages ${per(fetches.newMessages, fetchesBefore.newMessages)}, ` +
          `alerts ${per(fetches.alerts, fetchesBefore.alerts)}`,
      );
      await statements?.print(exchanges, "exchange");
      if (process.env.BENCH_DEBUG) {
        // The worst "shown in the console" time of each second of the run: when do tails happen?
        const worst = new Map<number, number>();
        for (const [at, ms] of timeline) {
          const second = Math.floor(at / 1000);
          worst.set(second, Math.max(worst.get(second) ?? 0, ms));
        }
        console.log([...worst].map(([s, ms]) => `${s}s:${ms}`).join(" "));
        const metrics = await (await fetch(`${url}/metrics`)).text();
        console.log(
          metrics
            .split("\n")
            .filter((l) => /job_duration_seconds_(sum|count)|line_api_calls_total/.test(l))
            .join("\n"),
        );
      }
    };
    const serviceMsPerPace: { thinkMs: number; serviceMs: number }[] = [];
    for (const [round, thinkMs] of PACES_MS.entries()) await phase(thinkMs, round);

    // The floor, on the same conversations, once the service is quiet.
    const targets = waiting
      .filter((c) => assignment.has(c.id))
      .map((c) => ({ conversationId: c.id, personId: c.personId }));
    const count = targets.length * MESSAGES_EACH;
    const analyser = await loadJapaneseAnalyser();
    const floorBefore = { bench: process.cpuUsage(), postgres: pgDir ? postgresTicks(pgDir) : 0 };
    const floorStart = Date.now();
    const done = await runFloor(
      { databaseUrl, sealer, analyser, concurrency: FLOOR_CONCURRENCY },
      targets,
      count,
    );
    const floorSeconds = (Date.now() - floorStart) / 1000;
    const used = process.cpuUsage(floorBefore.bench);
    const floorProcessMs = (used.user + used.system) / 1000 / done;
    const floorPostgresMs = pgDir
      ? ((postgresTicks(pgDir) - floorBefore.postgres) / TICKS_PER_SECOND) * (1000 / done)
      : 0;
    const floorMs = floorProcessMs + floorPostgresMs;
    console.log(
      `\nFloor (console/exchange-floor.ts): ${done} exchanges in ${floorSeconds.toFixed(1)} s, ` +
        `${FLOOR_CONCURRENCY} at once, from one process with node-postgres; CPU ms per exchange: ` +
        `process ${floorProcessMs.toFixed(1)}, postgres ${floorPostgresMs.toFixed(1)}, ` +
        `total ${floorMs.toFixed(1)}` +
        (pgDir ? "" : " (PostgreSQL's CPU not counted: DATABASE_URL's server)"),
    );
    for (const { thinkMs, serviceMs } of serviceMsPerPace) {
      console.log(
        `  pauses up to ${thinkMs} ms: the service ${serviceMs.toFixed(1)} ms per exchange ` +
          `(web + worker + PostgreSQL) = ${(serviceMs / floorMs).toFixed(1)}× the floor`,
      );
    }
  } finally {
    for (const page of pages) page.close();
    await statements?.close();
    await prisma.$disconnect();
    await Promise.all(services.map(stopServer));
    await sim.close();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
