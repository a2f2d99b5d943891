import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync, cpSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { migrate, readMigrations } from "../../src/db/migration-runner";
import { createEmptyDatabase } from "../support/test-env";

const ROOT = path.resolve(__dirname, "../..");
const MIGRATION_SQL_TOOL = path.resolve(ROOT, "../shared/tools/migration-sql");

/** The database's shape as PostgreSQL sees it: columns, enums, indexes and constraints. */
async function catalog(url: string): Promise<Record<string, string[]>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const q = async (sql: string) =>
      (await client.query<{ v: string }>(sql)).rows.map((r) => r.v).sort();
    return {
      columns:
        await q(`SELECT concat_ws(' ', table_name, column_name, udt_name, is_nullable, column_default,
          character_maximum_length, datetime_precision) AS v FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`),
      enums:
        await q(`SELECT t.typname || ':' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS v
          FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`),
      indexes: await q(`SELECT indexdef AS v FROM pg_indexes WHERE schemaname = 'public'
          AND tablename <> '_prisma_migrations'`),
      // Constraint triggers (contype t, e.g. the audit chain's) are triggers, which Prisma does
      // not model, like every other trigger: not part of the shape.
      constraints:
        await q(`SELECT c.conrelid::regclass || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid) AS v
          FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
          WHERE n.nspname = 'public' AND c.conrelid::regclass::text <> '_prisma_migrations'
            AND c.contype <> 't'`),
    };
  } finally {
    await client.end();
  }
}

async function exec(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

describe("database migrations", () => {
  it("give the database exactly the shape Prisma derives from schema.prisma", async () => {
    expect(existsSync(MIGRATION_SQL_TOOL)).toBe(true);
    const migrated = await createEmptyDatabase();
    const fromSchema = await createEmptyDatabase();
    try {
      await migrate(migrated.url);
      // Prisma's own engine (the WebAssembly one the shared tool runs) writes the SQL for an
      // empty database straight from schema.prisma; both databases must come out the same.
      const sql = execFileSync(MIGRATION_SQL_TOOL, ["-", path.join(ROOT, "prisma/schema.prisma")], {
        env: { ...process.env, DATABASE_URL: fromSchema.url },
        encoding: "utf8",
        timeout: 240_000,
      });
      await exec(fromSchema.url, sql);
      expect(await catalog(migrated.url)).toEqual(await catalog(fromSchema.url));
    } finally {
      await migrated.drop();
      await fromSchema.drop();
    }
  }, 300_000);

  it("record each migration in _prisma_migrations as Prisma does, and run once", async () => {
    const db = await createEmptyDatabase();
    try {
      const names = readMigrations().map((m) => m.name);
      expect(await migrate(db.url)).toEqual(names);
      expect(await migrate(db.url)).toEqual([]);
      const client = new Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query<{
        migration_name: string;
        checksum: string;
        finished_at: Date | null;
        applied_steps_count: number;
      }>(
        `SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name`,
      );
      await client.end();
      expect(rows.map((r) => r.migration_name)).toEqual(names);
      for (const row of rows) {
        const file = readFileSync(
          path.join(ROOT, "prisma/migrations", row.migration_name, "migration.sql"),
        );
        expect(row.checksum).toBe(createHash("sha256").update(file).digest("hex"));
        expect(row.finished_at).not.toBeNull();
        expect(row.applied_steps_count).toBe(1);
      }
    } finally {
      await db.drop();
    }
  });

  it("refuse to go on when an applied migration was edited, and record a failed one", async () => {
    const db = await createEmptyDatabase();
    const dir = mkdtempSync(path.join(os.tmpdir(), "migrations-"));
    try {
      cpSync(path.join(ROOT, "prisma/migrations"), dir, { recursive: true });
      await migrate(db.url, dir);
      const first = readMigrations(dir)[0]?.name ?? "";
      writeFileSync(path.join(dir, first, "migration.sql"), "-- edited\n", { flag: "a" });
      await expect(migrate(db.url, dir)).rejects.toMatchObject({ code: "MIGRATION_MODIFIED" });

      cpSync(path.join(ROOT, "prisma/migrations"), dir, { recursive: true });
      mkdirSync(path.join(dir, "29991231000000_broken"));
      writeFileSync(
        path.join(dir, "29991231000000_broken", "migration.sql"),
        "CREATE TABLE person (id int);",
      );
      await expect(migrate(db.url, dir)).rejects.toMatchObject({ code: "MIGRATION_FAILED" });
      await expect(migrate(db.url, dir)).rejects.toMatchObject({ code: "MIGRATION_FAILED_BEFORE" });
    } finally {
      await db.drop();
    }
  });
});
