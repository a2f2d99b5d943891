import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Client } from "pg";
import { recordAudit } from "../../src/audit/audit-log";
import { pruneAuditBefore } from "../../src/audit/audit-retention";
import { verifyAuditChain } from "../../src/audit/audit-chain";
import { DEFAULT_MIGRATIONS_DIR, migrate, readMigrations } from "../../src/db/migration-runner";
import { createPrismaClient } from "../../src/db/prisma-client";
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from "../support/test-env";

const ROOT = path.resolve(__dirname, "../..");

/** The audit log's hash chain: append-only, tampering found by `npm run admin -- verify-audit`. */
describe("the audit trail", () => {
  let db: TestDatabase;
  /** A connection as someone with database access: a superuser, triggers in reach. */
  let sql: Client;

  beforeEach(async () => {
    db = await createTestDatabase();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  }, 60_000);
  afterEach(async () => {
    await sql.end();
    await db.drop();
  });

  /** `npm run admin -- verify-audit` on the test's database, as an operator runs it. */
  async function verifyAudit(...args: string[]) {
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--import", "tsx", "src/main/admin.ts", "verify-audit", ...args],
        { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url } },
      );
      return { code: 0, stdout };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout + e.stderr };
    }
  }

  /** Audited actions, one transaction each, as the service writes them. */
  async function audited(n: number, action = "view") {
    for (let i = 0; i < n; i++) {
      await db.prisma.$transaction((tx) =>
        recordAudit(tx, { by: null, action, detail: { kind: "k", priority: i } }),
      );
    }
  }

  const rows = () =>
    db.prisma.auditEntry
      .findMany({ orderBy: { chainSeq: "asc" } })
      .then((r) => r.map((a) => ({ id: a.id, seq: a.chainSeq, at: a.at, action: a.action })));

  /** What someone with database access does: the trigger off, a change, the trigger on again. */
  async function behindTheTriggersBack(statement: string) {
    await sql.query("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only");
    await sql.query(statement);
    await sql.query("ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_append_only");
  }

  it("chains every row to the one before, and verify-audit says so and exits 0", async () => {
    await audited(12);
    const chain = await rows();
    expect(chain.map((r) => r.seq)).toEqual(Array.from({ length: 12 }, (_, i) => BigInt(i + 1)));
    const run = await verifyAudit();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Audit chain intact: 12 rows checked.");
  }, 60_000);

  it("refuses a detail that could carry free text, and the action with it", async () => {
    const note = "夫が夜勤の時間なら話せるとのこと";
    const action = db.prisma.$transaction(async (tx) => {
      await tx.conversationNote.count();
      await recordAudit(tx, { by: null, action: "note", detail: { note } as never });
    });
    await expect(action).rejects.toMatchObject({ code: "AUDIT_DETAIL" });
    expect(await db.prisma.auditEntry.count()).toBe(0);
  }, 60_000);

  it("refuses UPDATE, DELETE and TRUNCATE of audit rows while the trigger is on", async () => {
    await audited(3);
    const [first] = await rows();
    const id = String(first?.id);
    await expect(
      sql.query(`UPDATE audit_entry SET detail = '{"kind":"x"}' WHERE id = ${id}`),
    ).rejects.toThrow("audit_entry is append-only: UPDATE refused");
    await expect(sql.query(`DELETE FROM audit_entry WHERE id = ${id}`)).rejects.toThrow(
      "audit_entry is append-only: DELETE refused",
    );
    await expect(sql.query(`TRUNCATE audit_entry`)).rejects.toThrow("TRUNCATE refused");
    // Nor through the setting retention uses, for a row that has its hash already.
    await sql.query("BEGIN");
    await sql.query("SELECT set_config('audit.chain_fill', 'on', true)");
    await expect(
      sql.query(`UPDATE audit_entry SET action = 'claim' WHERE id = ${id}`),
    ).rejects.toThrow("append-only");
    await sql.query("ROLLBACK");
    expect((await rows()).length).toBe(3);
    expect((await verifyAudit()).code).toBe(0);
  }, 60_000);

  it("finds a row changed behind the trigger's back: its id, what differs, exit 1", async () => {
    await audited(6);
    const changed = (await rows())[3];
    await behindTheTriggersBack(
      `UPDATE audit_entry SET detail = '{"kind":"other","priority":3}' WHERE id = ${String(changed?.id)}`,
    );
    const run = await verifyAudit();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`BROKEN at audit row id ${String(changed?.id)} (chain place 4)`);
    expect(run.stdout).toContain("no longer matches its hash");
    expect(run.stdout).toContain("3 rows checked before the break");
  }, 60_000);

  it("finds a row removed behind the trigger's back: where the gap is, exit 1", async () => {
    await audited(6);
    const chain = await rows();
    await behindTheTriggersBack(`DELETE FROM audit_entry WHERE id = ${String(chain[2]?.id)}`);
    const run = await verifyAudit();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`BROKEN at audit row id ${String(chain[3]?.id)} (chain place 4)`);
    expect(run.stdout).toContain("place 3 before it is missing");
  }, 60_000);

  it("with the head kept from an earlier run, finds the newest rows removed and a chain recomputed", async () => {
    await audited(5);
    const first = await verifyAudit();
    const head = /^Head: (\d+:[0-9a-f]{64})$/m.exec(first.stdout)?.[1] ?? "";
    expect(head).toMatch(/^5:/);
    expect((await verifyAudit("--head", head)).code).toBe(0);

    // The two newest rows removed: the chain alone cannot tell, the head kept can.
    await behindTheTriggersBack("DELETE FROM audit_entry WHERE chain_seq >= 4");
    expect((await verifyAudit()).code).toBe(0);
    const cut = await verifyAudit("--head", head);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toContain("the chain ends at place 3, before the place 5 kept");

    // A row changed and every hash after it recomputed, as someone who read the migration would.
    await audited(2);
    const again = /^Head: (\d+:[0-9a-f]{64})$/m.exec((await verifyAudit()).stdout)?.[1] ?? "";
    await behindTheTriggersBack(`DO $$
      DECLARE r audit_entry; h bytea;
      BEGIN
        UPDATE audit_entry SET detail = '{"kind":"other"}' WHERE chain_seq = 2;
        SELECT hash INTO h FROM audit_entry WHERE chain_seq = 1;
        FOR r IN SELECT * FROM audit_entry WHERE chain_seq >= 2 ORDER BY chain_seq LOOP
          UPDATE audit_entry SET prev_hash = h, hash = sha256(h || audit_entry_content(r))
            WHERE id = r.id RETURNING hash INTO h;
        END LOOP;
      END $$`);
    expect((await verifyAudit()).code).toBe(0);
    const rewritten = await verifyAudit("--head", again);
    expect(rewritten.code).toBe(1);
    expect(rewritten.stdout).toContain("the chain was rewritten: place 5 has hash");
  }, 240_000);

  it("finds a row slipped in with the chain trigger off", async () => {
    await audited(2);
    await sql.query("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_chain");
    await sql.query(`INSERT INTO audit_entry (action, detail) VALUES ('view', '{}')`);
    await sql.query("ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_chain");
    const run = await verifyAudit();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("has no place or hash in the chain");
  }, 60_000);

  it("retention removes whole months (Japan time) only, records where the chain restarts, and the chain still verifies", async () => {
    const write = (at: string, action: string) =>
      db.prisma.$transaction((tx) => tx.auditEntry.create({ data: { at: new Date(at), action } }));
    await write("2026-01-10T03:00:00Z", "january");
    await write("2026-02-27T03:00:00Z", "february");
    // 1 March 01:00 in Japan: March's, kept.
    await write("2026-02-28T16:00:00Z", "march-early");
    await write("2026-03-20T03:00:00Z", "march");
    const before = await rows();

    const pruned = await pruneAuditBefore(db.prisma, new Date("2026-03-25T00:00:00Z"));
    expect(pruned).toMatchObject({ removed: 2, restartSeq: before[2]?.seq });
    expect(pruned.removedBefore.toISOString()).toBe("2026-02-28T15:00:00.000Z");
    expect((await rows()).map((r) => r.action)).toEqual(["march-early", "march", "audit-prune"]);
    const [restart] = await db.prisma.auditChainRestart.findMany();
    expect(restart).toMatchObject({ removedCount: 2, restartSeq: before[2]?.seq });

    await audited(2);
    const run = await verifyAudit();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("the chain restarts at place 3");
    expect(run.stdout).toContain("Audit chain intact: 5 rows checked.");

    // The restart itself is kept for good.
    await expect(sql.query("DELETE FROM audit_chain_restart")).rejects.toThrow("append-only");
  }, 60_000);

  it("retention of every row keeps the chain going from the last one removed", async () => {
    const write = (at: string) =>
      db.prisma.$transaction((tx) =>
        tx.auditEntry.create({ data: { at: new Date(at), action: "old" } }),
      );
    await write("2025-11-10T03:00:00Z");
    await write("2025-12-10T03:00:00Z");
    const pruned = await pruneAuditBefore(db.prisma, new Date("2026-02-01T00:00:00Z"));
    expect(pruned).toMatchObject({ removed: 2, restartSeq: 3n });
    // Nothing older than the cutoff's month left: a second run removes nothing.
    expect(await pruneAuditBefore(db.prisma, new Date("2026-02-01T00:00:00Z"))).toMatchObject({
      removed: 0,
    });
    await audited(3);
    expect((await rows()).map((r) => [r.seq, r.action])).toEqual([
      [3n, "audit-prune"],
      [4n, "view"],
      [5n, "view"],
      [6n, "view"],
    ]);
    const run = await verifyAudit();
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain("Audit chain intact: 4 rows checked.");
  }, 60_000);

  it("keeps one unbroken chain when 20 audited actions commit at once", async () => {
    const wide = createPrismaClient(db.url, 20);
    try {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          wide.$transaction(async (tx) => {
            await recordAudit(tx, { by: null, action: "view", detail: { priority: i } });
            // More work after the audit row, as in a real action (a reply's outbox row).
            await tx.$queryRaw`SELECT count(*) FROM audit_entry`;
            await recordAudit(tx, { by: null, action: "reply", detail: { priority: i } });
          }),
        ),
      );
    } finally {
      await wide.$disconnect();
    }
    const chain = await rows();
    expect(chain.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => BigInt(i + 1)));
    const run = await verifyAudit();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Audit chain intact: 40 rows checked.");
  }, 60_000);

  it("chains the rows a database already had when the migration comes", async () => {
    const before = await createEmptyDatabase();
    const dir = mkdtempSync(path.join(os.tmpdir(), "migrations-"));
    try {
      // The database as it was before the chain: every migration but the chain's.
      for (const m of readMigrations()) {
        if (m.name !== "20261203120000_audit_chain") {
          cpSync(path.join(DEFAULT_MIGRATIONS_DIR, m.name), path.join(dir, m.name), {
            recursive: true,
          });
        }
      }
      await migrate(before.url, dir);
      const old = new Client({ connectionString: before.url });
      await old.connect();
      await old.query(`INSERT INTO audit_entry (action, detail) VALUES ('view', '{}'),
        ('claim', '{"from":"waiting","to":"active"}'), ('close', '{"topics":["dv"]}')`);
      await old.end();

      await migrate(before.url);
      const prisma = createPrismaClient(before.url, 2);
      try {
        await recordAudit(prisma, { by: null, action: "view" });
        const verdict = await verifyAuditChain(prisma);
        expect(verdict).toMatchObject({ checked: 4, broken: null });
      } finally {
        await prisma.$disconnect();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await before.drop();
    }
  }, 120_000);
});
