import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

export type { PrismaClient };
export * from "./generated/client";

/** Prisma 7 on node-postgres: no engine binary, the adapter speaks to PostgreSQL directly. */
export function createPrismaClient(databaseUrl: string, maxConnections = 10): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: maxConnections });
  // Under a burst (every counsellor taking a chat at once) transactions queue for a connection;
  // waiting a few seconds beats failing with "Unable to start a transaction".
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000, timeout: 15_000 } });
}

/** A Prisma interactive-transaction client, for repositories that run inside a transaction. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
