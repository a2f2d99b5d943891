import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

export type { PrismaClient };
export * from "./generated/client";

/** How long a new connection to PostgreSQL may take before the request fails. */
export const CONNECT_TIMEOUT_MS = 5_000;

/**
 * How long one statement may go without an answer. The slowest the service runs (a year's
 * statistics report) takes well under a second; a statement waiting this long is on a
 * connection that went silent.
 */
export const QUERY_TIMEOUT_MS = 10_000;

/** Prisma 7 on node-postgres: no engine binary, the adapter speaks to PostgreSQL directly. */
export function createPrismaClient(databaseUrl: string, maxConnections = 10): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: maxConnections,
    // A database that does not answer (a network partition, a hung server) fails the request
    // in seconds, as one that refuses does, instead of holding it for ever.
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
  });
  // Under a burst (every counsellor taking a chat at once) transactions queue for a connection;
  // waiting a few seconds beats failing with "Unable to start a transaction".
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000, timeout: 15_000 } });
}

/** A Prisma interactive-transaction client, for repositories that run inside a transaction. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
