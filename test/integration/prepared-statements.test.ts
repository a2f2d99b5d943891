import { createPrismaClient, type PrismaClient } from "../../src/db/prisma-client";
import { createEmptyDatabase } from "../support/test-env";

/**
 * The service's statements are prepared once per connection (PostgreSQL parses and plans them
 * once); with DATABASE_PREPARED_STATEMENTS off, for a pooler that cannot keep them, none is.
 */
describe("prepared statements", () => {
  let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
  beforeAll(async () => {
    db = await createEmptyDatabase();
  });
  afterAll(() => db.drop());

  /** Runs a short and a long statement twice on one connection: what stays prepared on it. */
  async function preparedAfterUse(prisma: PrismaClient): Promise<string[]> {
    try {
      // A statistics report is long; its values change its best plan: planned every time.
      const long = `SELECT 1 AS one -- ${"x".repeat(4_100)}`;
      for (let i = 0; i < 2; i++) {
        await prisma.$queryRaw`SELECT ${i}::int AS n`;
        await prisma.$queryRawUnsafe(long);
      }
      const rows = await prisma.$queryRaw<{ statement: string }[]>`
        SELECT statement FROM pg_prepared_statements WHERE name LIKE 'lws_%' ORDER BY prepare_time`;
      return rows.map((r) => r.statement.trim().slice(0, 40));
    } finally {
      await prisma.$disconnect();
    }
  }

  it("prepares the short statements once per connection, and not the long ones", async () => {
    const prepared = await preparedAfterUse(createPrismaClient(db.url, 1));
    expect(prepared).toEqual([
      expect.stringContaining("SELECT $1::int AS n"),
      expect.stringContaining("SELECT statement FROM pg_prepared"),
    ]);
  });

  it("prepares none when switched off", async () => {
    expect(await preparedAfterUse(createPrismaClient(db.url, 1, false))).toEqual([]);
  });
});
