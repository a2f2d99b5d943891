import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { Redis } from "ioredis";
import { DEFAULT_MEDIA_MAX_BYTES, type AppConfig } from "../../src/config/env-config";
import { createPrismaClient, type PrismaClient } from "../../src/db/prisma-client";

/** Set by scripts/run-tests.ts; tests cannot run without the real servers it starts. */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\``);
  return value;
}

function urlFor(database: string): string {
  const url = new URL(required("TEST_PG_ADMIN_URL"));
  url.pathname = `/${database}`;
  return url.toString();
}

export interface TestDatabase {
  url: string;
  prisma: PrismaClient;
  drop(): Promise<void>;
}

/** A database of this test's own: a copy of the migrated template (BullMQ's tables included). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `lws_t_${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${required("TEST_PG_TEMPLATE")}"`);
  const url = urlFor(name);
  const prisma = createPrismaClient(url, 5);
  return {
    url,
    prisma,
    async drop() {
      await prisma.$disconnect();
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/** An empty database (no migrations), for the migration tests. */
export async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `lws_t_${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  return {
    url: urlFor(name),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: required("TEST_PG_ADMIN_URL") });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A Redis database of this jest worker's own, emptied: test files of one worker run one after
 * another, and workers never share a database, so queues never steal each other's jobs.
 */
export async function createTestRedisUrl(): Promise<string> {
  const url = new URL(required("TEST_REDIS_URL"));
  url.pathname = `/${Number(process.env.JEST_WORKER_ID ?? "1") % 16}`;
  const redis = new Redis(url.toString());
  await redis.flushdb();
  redis.disconnect();
  return url.toString();
}

export const TEST_APP_SECRET_KEY = "test-app-secret-key-0123456789abcdef-0123456789";
export const TEST_CHANNEL_SECRET = "8c570fa6dd201bb328f1c1eac23a96d8";
export const TEST_ACCESS_TOKEN = "test-channel-access-token-0123456789";

/** Service configuration for a test: port 0, the given database, queue and LINE base URL. */
export function testConfig(overrides: {
  databaseUrl: string;
  redisUrl?: string;
  lineApiBaseUrl?: string;
  /**
   * REQUIRE_SECOND_FACTOR; off by default, so tests sign admins and supervisors in with a
   * password alone (tests of the second factor turn it on).
   */
  requireSecondFactor?: boolean;
  /** On-call webhook, SMTP and console address; by default none (nothing is sent). */
  onCall?: Partial<AppConfig["onCall"]>;
  /** The media cap (MEDIA_MAX_BYTES); by default the service's own. */
  mediaMaxBytes?: number;
  /** APP_SECRET_KEY (a key rotation's new key); by default the tests' own (TEST_APP_SECRET_KEY). */
  appSecretKey?: string;
  /** APP_SECRET_KEY_PREVIOUS, while a test rotates the key; by default none. */
  appSecretKeyPrevious?: string;
}): AppConfig {
  return {
    port: 0,
    databaseUrl: overrides.databaseUrl,
    databasePreparedStatements: true,
    redisUrl: overrides.redisUrl,
    line: {
      channelSecret: TEST_CHANNEL_SECRET,
      channelAccessToken: TEST_ACCESS_TOKEN,
      apiBaseUrl: overrides.lineApiBaseUrl ?? "http://127.0.0.1:9",
      dataApiBaseUrl: overrides.lineApiBaseUrl ?? "http://127.0.0.1:9",
    },
    appSecretKey: overrides.appSecretKey ?? TEST_APP_SECRET_KEY,
    appSecretKeyPrevious: overrides.appSecretKeyPrevious,
    // TEST_LOG_LEVEL=info shows the service's own log lines while debugging a test.
    logLevel: process.env.TEST_LOG_LEVEL ?? "silent",
    workerConcurrency: 4,
    flowPreset: "gunma",
    shutdownTimeoutMs: 10_000,
    trustProxy: false,
    metricsToken: undefined,
    requireSecondFactor: overrides.requireSecondFactor ?? false,
    mediaMaxBytes: overrides.mediaMaxBytes ?? DEFAULT_MEDIA_MAX_BYTES,
    onCall: {
      webhook: undefined,
      smtpUrl: undefined,
      mailFrom: "line-support@localhost",
      publicBaseUrl: undefined,
      ...overrides.onCall,
    },
  };
}
