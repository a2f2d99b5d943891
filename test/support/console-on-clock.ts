import { testSealer } from "./sealed";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp, type TrustProxy } from "../../src/app";
import { startConsole } from "../../src/console/console-module";
import { createJobProducer } from "../../src/jobs/job-queue";
import { createLogger } from "../../src/logger";
import { createMetrics } from "../../src/metrics";
import { account } from "./console-client";
import { gunma } from "./presets";
import { createTestDatabase, testConfig, type TestDatabase } from "./test-env";
import { testJobs } from "./test-jobs";

export interface ConsoleOnClock {
  db: TestDatabase;
  url: string;
  stop(): Promise<void>;
}

/**
 * The console alone (API, no LINE, no worker) on a database of its own and BullMQ's PostgreSQL
 * backend, measuring time by `now`: for tests that move the clock (sessions, second-factor codes,
 * key expiry). Counsellors west (西毛) and east (東毛) exist. `trustProxy`, `metricsToken`,
 * `requireSecondFactor`: as TRUST_PROXY, METRICS_TOKEN and REQUIRE_SECOND_FACTOR (unset/off by
 * default).
 */
export async function startConsoleOnClock(
  now: () => number,
  options: {
    trustProxy?: TrustProxy;
    metricsToken?: string;
    requireSecondFactor?: boolean;
    /**
     * Another web process on this console's database (kept, and its accounts not made again):
     * what one process changes, the other must see.
     */
    sameDatabaseAs?: ConsoleOnClock;
  } = {},
): Promise<ConsoleOnClock> {
  const shared = options.sameDatabaseAs?.db;
  const db = shared ?? (await createTestDatabase());
  const producer = createJobProducer({ redisUrl: undefined, databaseUrl: db.url }, () => {});
  const logger = createLogger("silent");
  const consoleApp = await startConsole({
    databaseUrl: db.url,
    prisma: db.prisma,
    preset: gunma(),
    ...testJobs(db, producer),
    logger,
    appSecretKey: testConfig({ databaseUrl: db.url }).appSecretKey,
    sealer: testSealer,
    requireSecondFactor: options.requireSecondFactor ?? false,
    now,
  });
  const app = createApp({
    logger,
    metrics: createMetrics(),
    readiness: [],
    routers: consoleApp.routers,
    trustProxy: options.trustProxy ?? false,
    metricsToken: options.metricsToken,
  });
  const server = await new Promise<Server>((resolve) => {
    const started = app.listen(0, "127.0.0.1", () => resolve(started));
  });
  if (!shared) {
    await account(db.prisma, "west", "counsellor", "seimo");
    await account(db.prisma, "east", "counsellor", "tomo");
  }
  return {
    db,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await consoleApp.stop();
      await producer.close();
      if (!shared) await db.drop();
    },
  };
}
