/**
 * `npm run bench:audit`: what the audit log's hash chain costs an audited action. An action is
 * one transaction that changes a row and writes its audit row (as a display-name change does),
 * through recordAudit. Measured on one fresh database, alternating, BENCH_ROUNDS times (default
 * 3): without the chain (its two triggers disabled: the audit log as it was before) and with it,
 * one action after another (latency) and from BENCH_WRITERS connections at once (default 20:
 * throughput, where every commit waits for the chain's advisory lock).
 *
 * Uses DATABASE_URL (a server where a database may be created) or embedded PostgreSQL in
 * .data/bench-audit-<pid> (removed at the end).
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { Client } from "pg";
import { recordAudit } from "../src/audit/audit-log";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../src/db/embedded-postgres";
import { migrate } from "../src/db/migration-runner";
import { createPrismaClient, type PrismaClient } from "../src/db/prisma-client";
import { freePort } from "../scripts/free-port";
import { ascending, quantile } from "./support/quantile";
import { printTable } from "./support/table";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SEQUENTIAL = Number(process.env.BENCH_ACTIONS ?? 1000);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 20);
const PER_WRITER = Number(process.env.BENCH_PER_WRITER ?? 100);
const DATABASE = `bench_audit_${process.pid}`;

async function action(prisma: PrismaClient, counsellorId: string, i: number): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await tx.counsellor.update({ where: { id: counsellorId }, data: { lastSignInAt: new Date() } });
    await recordAudit(tx, { by: counsellorId, action: "change-display-name", detail: { rows: i } });
  });
}

async function setChain(url: string, on: boolean): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const verb = on ? "ENABLE" : "DISABLE";
  await client.query(`ALTER TABLE audit_entry ${verb} TRIGGER audit_entry_chain`);
  await client.query(`ALTER TABLE audit_entry ${verb} TRIGGER audit_entry_unchained`);
  await client.end();
}

async function main() {
  let embedded: EmbeddedPostgresHandle | undefined;
  const dataDir = path.join(__dirname, `../.data/bench-audit-${process.pid}`);
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    adminUrl = embedded.adminUrl;
  }
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${DATABASE}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${DATABASE}`;
  const dbUrl = url.toString();
  const prisma = createPrismaClient(dbUrl, WRITERS);
  try {
    await migrate(dbUrl);
    const counsellors = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) =>
        prisma.counsellor.create({
          data: {
            loginName: `bench${i}`,
            displayName: `bench${i}`,
            passwordHash: "-",
            role: "counsellor",
            regionId: "seimo",
          },
        }),
      ),
    );
    const first = counsellors[0]?.id ?? "";
    const row = printTable([
      { title: "audit log", width: 14 },
      "round",
      "1 by 1 p50 ms",
      "p99 ms",
      `${WRITERS} at once: actions/s`,
    ]);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const chained of [false, true]) {
        await setChain(dbUrl, chained);
        const latencies: number[] = [];
        for (let i = 0; i < SEQUENTIAL; i++) {
          const started = performance.now();
          await action(prisma, first, i);
          latencies.push(performance.now() - started);
        }
        const started = performance.now();
        await Promise.all(
          counsellors.map(async (c) => {
            for (let i = 0; i < PER_WRITER; i++) await action(prisma, c.id, i);
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        const sorted = ascending(latencies);
        row([
          chained ? "hash chain" : "no chain",
          round,
          quantile(sorted, 0.5).toFixed(2),
          quantile(sorted, 0.99).toFixed(2),
          Math.round((WRITERS * PER_WRITER) / seconds),
        ]);
      }
    }
  } finally {
    await prisma.$disconnect();
    await admin.query(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
    await admin.end();
    if (embedded) {
      await embedded.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
