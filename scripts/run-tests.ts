/**
 * `npm test`: starts what the tests need, runs jest, stops it all.
 * - PostgreSQL: DATABASE_URL when set (a server where we may create databases), else embedded
 *   PostgreSQL in a folder of this run's own under .data/ (removed at the end, so two runs
 *   never share a server). A migrated template database makes each test's own
 *   database a cheap copy.
 * - Redis: REDIS_URL when set, else Debian's redis-server on a throwaway port (installed by
 *   scripts/test-deps.sh).
 * Extra arguments go to jest, e.g. `npm run test:only -- test/integration/webhook`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { Client } from "pg";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../src/db/embedded-postgres";
import { migrate } from "../src/db/migration-runner";
import { migrateQueue } from "../src/jobs/job-queue";
import { freePort } from "./free-port";
import { startRedis } from "./redis-server";

const TEMPLATE = "lws_test_template";
const pgDir = path.join(__dirname, "..", `.data/test-pg-${process.pid}`);
const root = path.resolve(__dirname, "..");

async function main(): Promise<number> {
  let embedded: EmbeddedPostgresHandle | undefined;
  let redis: ChildProcess | undefined;
  try {
    let adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) {
      embedded = await startEmbeddedPostgres({
        dataDir: pgDir,
        port: await freePort(),
      });
      adminUrl = embedded.adminUrl;
    }
    const templateUrl = await prepareTemplate(adminUrl);
    await migrateQueue({ redisUrl: undefined, databaseUrl: templateUrl });

    let redisUrl = process.env.REDIS_URL;
    if (!redisUrl) {
      const port = await freePort();
      redis = await startRedis(port);
      redisUrl = `redis://127.0.0.1:${port}`;
    }
    const code = await runJest({
      TEST_PG_ADMIN_URL: adminUrl,
      TEST_PG_TEMPLATE: TEMPLATE,
      TEST_REDIS_URL: redisUrl,
    });
    return code;
  } finally {
    redis?.kill("SIGTERM");
    await embedded?.stop();
    rmSync(pgDir, { recursive: true, force: true });
  }
}

async function prepareTemplate(adminUrl: string): Promise<string> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`UPDATE pg_database SET datistemplate = false WHERE datname = $1`, [
      TEMPLATE,
    ]);
    // Databases left by an interrupted run go first.
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'lws_t_%' OR datname = $1`,
      [TEMPLATE],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE "${datname}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${TEMPLATE}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${TEMPLATE}`;
  await migrate(url.toString());
  return url.toString();
}

function runJest(env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const jest = spawn(
      process.execPath,
      [path.join(root, "node_modules/jest/bin/jest.js"), ...process.argv.slice(2)],
      {
        stdio: "inherit",
        env: { ...process.env, ...env },
        cwd: root,
      },
    );
    jest.on("exit", (code) => resolve(code ?? 1));
  });
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
