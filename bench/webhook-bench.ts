/**
 * `npm run bench:webhook`: signed webhook load with autocannon against the real web role
 * (every event stored in PostgreSQL before the 200, then queued) and, in the same run, against
 * a bare @line/bot-sdk server that stores nothing: the ceiling. Each request carries one event
 * of a new webhookEventId, as LINE sends them. Prints events/s and ack latency p50/p99 at
 * saturation and at a fixed 2,000 requests/s, and checks that every acknowledged event is stored.
 * Uses DATABASE_URL / REDIS_URL when set, else embedded PostgreSQL (and BullMQ on it).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import path from "node:path";
import autocannon from "autocannon";
import { Client } from "pg";
import { ensureDatabase, startEmbeddedPostgres } from "../src/db/embedded-postgres";
import { freePort } from "../scripts/free-port";

const ROOT = path.resolve(__dirname, "..");
const SECRET = "bench-channel-secret-0123456789ab";
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = 64;

function signedRequest() {
  const userId = `U${randomBytes(16).toString("hex")}`;
  const body = JSON.stringify({
    destination: "Ubench",
    events: [
      {
        type: "message",
        mode: "active",
        timestamp: Date.now(),
        webhookEventId: randomBytes(13).toString("hex").toUpperCase(),
        deliveryContext: { isRedelivery: false },
        source: { type: "user", userId },
        replyToken: randomBytes(16).toString("hex"),
        message: {
          id: String(Date.now()),
          type: "text",
          text: "こんにちは、相談したいです",
          quoteToken: "q",
        },
      },
    ],
  });
  const signature = createHmac("sha256", SECRET).update(body).digest("base64");
  return { body, headers: { "content-type": "application/json", "x-line-signature": signature } };
}

async function load(url: string, overallRate?: number) {
  const result = await autocannon({
    url: `${url}/webhook/line`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    overallRate,
    requests: [{ method: "POST", setupRequest: (req) => ({ ...req, ...signedRequest() }) }],
  });
  return {
    eventsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result["2xx"],
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

function spawnServer(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(path.join(ROOT, "node_modules/.bin/tsx"), args, {
    cwd: ROOT,
    env: { ...process.env, ...env, LINE_CHANNEL_SECRET: SECRET },
    stdio: ["ignore", "inherit", "inherit"],
  });
}

async function waitForPort(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(`${url}/webhook/line`, { method: "POST" });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not start`);
}

async function main() {
  let databaseUrl = process.env.DATABASE_URL;
  const embedded = databaseUrl
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: path.join(ROOT, ".data/bench-pg"),
        port: await freePort(),
      });
  if (embedded) {
    await ensureDatabase(embedded.adminUrl, "bench_webhook");
    databaseUrl = embedded.urlFor("bench_webhook");
  }
  const servicePort = await freePort();
  const barePort = await freePort();
  const service = spawnServer(["src/main/start.ts", "web"], {
    DATABASE_URL: databaseUrl ?? "",
    PORT: String(servicePort),
    LINE_CHANNEL_ACCESS_TOKEN: "bench-access-token-0123456789",
    APP_SECRET_KEY: "bench-app-secret-key-0123456789abcdef",
    LOG_LEVEL: "warn",
  });
  const bare = spawnServer(["bench/bare-echo-server.ts"], { PORT: String(barePort) });
  const serviceUrl = `http://127.0.0.1:${servicePort}`;
  const bareUrl = `http://127.0.0.1:${barePort}`;
  try {
    await Promise.all([waitForPort(serviceUrl), waitForPort(bareUrl)]);
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query("TRUNCATE webhook_event CASCADE");
    await load(serviceUrl, 500); // warm-up (JIT, connection pools)
    await db.query("TRUNCATE webhook_event CASCADE");

    const rows = [];
    for (const [name, url] of [
      ["bare @line/bot-sdk (no storage)", bareUrl],
      ["this service (stored)", serviceUrl],
    ] as const) {
      const before = Number(
        (await db.query<{ n: string }>("SELECT count(*) AS n FROM webhook_event")).rows[0]?.n,
      );
      const saturated = await load(url);
      const paced = await load(url, 2000);
      const after = Number(
        (await db.query<{ n: string }>("SELECT count(*) AS n FROM webhook_event")).rows[0]?.n,
      );
      rows.push({ name, saturated, paced, stored: after - before });
    }
    await db.end();

    console.log(
      `\nbench:webhook, ${DURATION_S} s per run, ${CONNECTIONS} connections, 1 event per request\n`,
    );
    console.log(
      "server                            | max events/s | p50 ms | p99 ms | @2000/s: events/s | p50 ms | p99 ms | non-2xx | stored",
    );
    for (const r of rows) {
      const ok = r.saturated.ok + r.paced.ok;
      console.log(
        `${r.name.padEnd(33)} | ${String(r.saturated.eventsPerSecond).padStart(12)} | ${String(r.saturated.p50).padStart(6)} | ${String(r.saturated.p99).padStart(6)} | ${String(r.paced.eventsPerSecond).padStart(17)} | ${String(r.paced.p50).padStart(6)} | ${String(r.paced.p99).padStart(6)} | ${String(r.saturated.failed + r.paced.failed).padStart(7)} | ${r.name.startsWith("this") ? `${r.stored}/${ok}` : "-"}`,
      );
    }
    // Requests cut off by the end of a run may be stored without being counted as answered.
    const [bareRow, ours] = rows;
    if (bareRow && ours) {
      const share = ours.saturated.eventsPerSecond / bareRow.saturated.eventsPerSecond;
      const ok = ours.saturated.ok + ours.paced.ok;
      console.log(
        `\nthroughput vs bare: ${(share * 100).toFixed(0)}%   every acknowledged event stored: ${ours.stored >= ok ? "yes" : "NO"}`,
      );
    }
  } finally {
    service.kill("SIGTERM");
    bare.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 1000));
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
