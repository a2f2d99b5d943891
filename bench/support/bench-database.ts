/**
 * The benches' database: one of the bench's own, migrated as the service has it (its tables and
 * BullMQ's PostgreSQL backend). On the server at DATABASE_URL when set, one where the bench may
 * create and drop databases (the URL's own database is left alone); else on an embedded
 * PostgreSQL whose data is kept under .data/ between runs.
 *
 * A bench's database is disposable: when a migration changed since it was made (one still being
 * written), it is dropped and made again, and `fresh` makes it anew on every run.
 */
import path from "node:path";
import { Client } from "pg";
import { ensureDatabase, startEmbeddedPostgres } from "../../src/db/embedded-postgres";
import { migrate } from "../../src/db/migration-runner";
import { AppError } from "../../src/errors";
import { migrateQueue } from "../../src/jobs/job-queue";
import { freePort } from "../../scripts/free-port";

const ROOT = path.resolve(__dirname, "../..");

export interface BenchDatabase {
  url: string;
  /** The embedded server's data folder, to count its CPU; undefined on DATABASE_URL's server. */
  postgresDataDir?: string;
  /** Stops the embedded server; leaves DATABASE_URL's server running. */
  stop(): Promise<void>;
}

export async function openBenchDatabase(options: {
  /** The database's name. */
  name: string;
  /** The embedded server's data folder, under .data/. */
  dataDir: string;
  /** Drop and make it again first (for a bench that must start empty). */
  fresh?: boolean;
  /** More settings for the embedded server (see startEmbeddedPostgres). */
  settings?: string[];
}): Promise<BenchDatabase> {
  const external = process.env.DATABASE_URL;
  const postgresDataDir = external ? undefined : path.join(ROOT, ".data", options.dataDir);
  const server = postgresDataDir
    ? await startEmbeddedPostgres({
        dataDir: postgresDataDir,
        port: await freePort(),
        settings: options.settings,
      })
    : { adminUrl: external ?? "", stop: () => Promise.resolve() };
  const url = new URL(server.adminUrl);
  url.pathname = `/${options.name}`;
  const database = { name: options.name, url: url.toString(), adminUrl: server.adminUrl };
  try {
    if (options.fresh) await drop(database);
    await ensureDatabase(server.adminUrl, options.name);
    await migrateDisposable(database);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url: database.url, postgresDataDir, stop: () => server.stop() };
}

interface Database {
  name: string;
  url: string;
  adminUrl: string;
}

async function migrateDisposable(db: Database): Promise<void> {
  try {
    await migrate(db.url);
  } catch (error) {
    if (!(error instanceof AppError && error.code === "MIGRATION_MODIFIED")) throw error;
    console.log(`a migration changed: making the bench database ${db.name} again`);
    await drop(db);
    await ensureDatabase(db.adminUrl, db.name);
    await migrate(db.url);
  }
  await migrateQueue({ redisUrl: undefined, databaseUrl: db.url });
}

async function drop(db: Database): Promise<void> {
  const admin = new Client({ connectionString: db.adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${db.name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
