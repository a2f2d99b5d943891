import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { Client } from "pg";
import { AppError } from "../errors";

/**
 * Applies prisma/migrations/<name>/migration.sql in name order and records each one in
 * `_prisma_migrations` exactly as `prisma migrate deploy` does (same table, same sha256
 * checksum of the file), so either tool can take over from the other. We need our own runner
 * because Prisma 7's migrate needs a native schema engine that cannot be installed offline.
 */

export const DEFAULT_MIGRATIONS_DIR = path.resolve(__dirname, "../../prisma/migrations");

/** Prisma's advisory lock key for migrations, so our runner and Prisma's never interleave. */
const PRISMA_MIGRATE_LOCK = 72707369;

const CREATE_LEDGER = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

interface LedgerRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export function readMigrations(dir = DEFAULT_MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")),
    )
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/** Applies what is pending; returns the names applied. Safe to run from several processes. */
export async function migrate(
  databaseUrl: string,
  dir = DEFAULT_MIGRATIONS_DIR,
): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
    await client.query(CREATE_LEDGER);
    const ledger = await client.query<LedgerRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const applied: string[] = [];
    for (const migration of readMigrations(dir)) {
      const rows = ledger.rows.filter(
        (r) => r.migration_name === migration.name && !r.rolled_back_at,
      );
      if (rows.some((r) => r.finished_at)) {
        assertUnchanged(migration, rows);
        continue;
      }
      if (rows.length > 0) {
        throw new AppError(
          "MIGRATION_FAILED_BEFORE",
          `Migration ${migration.name} failed in an earlier run; fix the database and mark it rolled back before retrying.`,
        );
      }
      await applyOne(client, migration);
      applied.push(migration.name);
    }
    return applied;
  } finally {
    await client
      .query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK])
      .catch(() => undefined);
    await client.end();
  }
}

function assertUnchanged(migration: MigrationFile, rows: LedgerRow[]): void {
  if (!rows.some((r) => r.checksum === migration.checksum)) {
    throw new AppError(
      "MIGRATION_MODIFIED",
      `Migration ${migration.name} was changed after it was applied; add a new migration instead.`,
    );
  }
}

/** One migration in one transaction; the ledger row is written as Prisma writes it. */
async function applyOne(client: Client, migration: MigrationFile): Promise<void> {
  const id = randomUUID();
  await client.query(
    `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
     VALUES ($1, $2, $3, now(), 0)`,
    [id, migration.checksum, migration.name],
  );
  try {
    await client.query("BEGIN");
    await client.query(migration.sql);
    await client.query(
      `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
      [id],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    const message = error instanceof Error ? error.message : String(error);
    await client.query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, message]);
    throw new AppError("MIGRATION_FAILED", `Migration ${migration.name} failed: ${message}`);
  }
}
