/**
 * `npm run bench:webhook`: signed webhook load against the real web role (every event stored in
 * PostgreSQL before the 200, then queued) and, in the same run, against two yardsticks: a bare
 * @line/bot-sdk server that stores nothing (the ceiling), and the "durable floor", the bare
 * server plus an fdatasync'd write of each body to a preallocated journal on the same disk
 * (what the disk allows any server that answers only once the event is stored). Each request carries one
 * event of a new webhookEventId, as LINE sends them. Prints events/s and ack latency p50/p99
 * at saturation (autocannon, closed loop) and at 2,000 requests/s (open loop, see webhook/paced-load.ts),
 * the CPU and WAL each event costs, and checks that every acknowledged event is stored and
 * queued. Its database: see support/bench-database.ts. The service's web role is measured with
 * BullMQ on its PostgreSQL backend (the embedded default) and, when Debian's redis-server is
 * installed, on a throwaway Redis of the bench's own (as a real channel runs it). Then `npm start`
 * itself, web and worker roles with processing on (webhook/measure-start.ts): what it
 * acknowledges while it answers her, and whether every event was processed. The events come from
 * BENCH_WOMEN (default 500) women, so that processed they continue conversations.
 *
 * Fairness: the servers are measured one after the other, each alone (the others are not
 * running), with the same client settings, the same warm-up, and the same wait before every run
 * until the server's own CPU is quiet, so no server pays for work left over from an earlier run
 * (our service keeps queueing jobs for a moment after the last 200). The load client runs in a
 * process of its own; it shares the 2 cores with the server and PostgreSQL, so the table shows
 * the cores it used, how late its own timer was, the CPU other processes on the machine used
 * and how long the machine was stalled on its disk: the noise behind each figure.
 *
 * BENCH_SECONDS (default 15) sets each run's length; BENCH_CONNECTIONS (default 64) the client's
 * connections; BENCH_ROUNDS (default 1) how many times every server is measured, to show the
 * spread between runs; BENCH_SERVERS (default "bare,floor,pg,redis,start") which of them;
 * BENCH_RATE (default 2000) sets the open loop's rate, to see how latency grows with load;
 * BENCH_ARRIVALS=uniform paces evenly instead of at random (Poisson); BENCH_PROFILE=1 writes a
 * CPU profile of each server to artifacts/bench-profile/.
 *
 * Its parts, in webhook/: the two yardsticks (bare-echo-server, durable-floor-server); the load
 * client, a process of its own (run-load starts it; load-client, paced-load, paced-connection,
 * signed-request); what a run costs and the noise around it (run-costs); one server measured
 * (measure-server); `npm start` with processing on (measure-start, line-fake-server); the
 * service's table and queue (service-backing); the printout
 * (webhook-report); the settings above (settings).
 */
import path from "node:path";
import { Redis } from "ioredis";
import { Client } from "pg";
import { freePort } from "../scripts/free-port";
import { hasRedisServer, startRedis } from "../scripts/redis-server";
import { openBenchDatabase } from "./support/bench-database";
import { measure, type ServerRow } from "./webhook/measure-server";
import { measureStart } from "./webhook/measure-start";
import { postgresQueue, redisQueue } from "./webhook/service-backing";
import { ROUNDS, SERVERS } from "./webhook/settings";
import { printReport, type Series } from "./webhook/webhook-report";

const ROOT = path.resolve(__dirname, "..");

async function main() {
  // Migrated here (the service would do it too) so the bench can reset the tables it counts.
  // Made anew on every run: a database grown by earlier runs slows inserts (see README).
  const database = await openBenchDatabase({
    name: "bench_webhook",
    dataDir: "bench-pg",
    fresh: true,
  });
  const databaseUrl = database.url;
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const serviceEnv = {
    DATABASE_URL: databaseUrl,
    LINE_CHANNEL_ACCESS_TOKEN: "bench-access-token-0123456789",
    APP_SECRET_KEY: "bench-app-secret-key-0123456789abcdef",
    LOG_LEVEL: "warn",
  };
  // BullMQ on Redis too, as a real channel runs it, when Debian's redis-server is installed
  // (scripts/test-deps.sh does). Always a throwaway one of the bench's own: it is flushed.
  const wantsRedis = SERVERS.includes("redis") || SERVERS.includes("start");
  const redisPort = wantsRedis && hasRedisServer() ? await freePort() : 0;
  const redisServer = redisPort ? await startRedis(redisPort) : undefined;
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const redis = redisServer ? new Redis(redisUrl) : undefined;
  const processes = { postgresDataDir: database.postgresDataDir, redisPid: redisServer?.pid };
  const series: Series[] = [
    { key: "bare", label: "bare", rows: [] },
    { key: "floor", label: "floor", rows: [] },
    { key: "pg", label: "service/pg", rows: [] },
    { key: "redis", label: "service/redis", rows: [] },
    { key: "start", label: redis ? "npm start/redis" : "npm start/pg", rows: [] },
  ];
  const run = async (key: string, round: number, row: () => Promise<ServerRow>) => {
    const s = series.find((x) => x.key === key);
    if (!s || !SERVERS.includes(key) || (key === "redis" && !redis)) return;
    s.rows.push({ ...(await row()), name: `${s.label} #${round}` });
  };
  try {
    // Rounds alternate the servers, so a change in the machine's load over time falls on all.
    for (let round = 1; round <= ROUNDS; round++) {
      // The bare server first, and only once PostgreSQL has written out earlier runs.
      await db.query("CHECKPOINT");
      await run("bare", round, () =>
        measure("bare", "bench/webhook/bare-echo-server.ts", {}, processes),
      );
      await run("floor", round, () =>
        // On the same disk as the embedded PostgreSQL's data.
        measure(
          "floor",
          "bench/webhook/durable-floor-server.ts",
          { FLOOR_DIR: path.join(ROOT, ".data") },
          processes,
        ),
      );
      await run("pg", round, () =>
        measure("service", "src/main/start.ts web", serviceEnv, processes, {
          db,
          queue: postgresQueue(db),
        }),
      );
      await run("redis", round, () =>
        measure(
          "service-redis",
          "src/main/start.ts web",
          { ...serviceEnv, REDIS_URL: redisUrl },
          processes,
          { db, queue: redisQueue(redis as Redis, db) },
        ),
      );
      await run("start", round, () =>
        measureStart(redis ? { ...serviceEnv, REDIS_URL: redisUrl } : serviceEnv, processes, db),
      );
    }
  } finally {
    await db.end();
    redis?.disconnect();
    redisServer?.kill("SIGTERM");
    await database.stop();
  }
  printReport(series);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
