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

/**
 * Statements shorter than this are prepared once per connection and then only executed: the
 * service's own, run thousands of times an hour, are parsed and planned once. Longer ones (the
 * statistics reports) are planned each time for their values, which change the best plan.
 */
const PREPARED_MAX_CHARS = 4_000;
/** At most this many prepared statements per process (each connection keeps those it ran). */
const PREPARED_MAX = 2_000;

/**
 * Names each short statement by its text, so node-postgres prepares it once per connection
 * (the same text always gets the same name, as node-postgres requires). "" leaves a statement
 * unnamed: parsed and planned each time, as without a name.
 */
function statementNames(): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    const known = names.get(sql);
    if (known !== undefined) return known;
    if (sql.length > PREPARED_MAX_CHARS || names.size >= PREPARED_MAX) return "";
    const name = `lws_${names.size + 1}`;
    names.set(sql, name);
    return name;
  };
}

/**
 * Prisma 7 on node-postgres: no engine binary, the adapter speaks to PostgreSQL directly.
 * `preparedStatements` (on unless the configuration says otherwise): see statementNames.
 */
export function createPrismaClient(
  databaseUrl: string,
  maxConnections = 10,
  preparedStatements = true,
): PrismaClient {
  const adapter = new PrismaPg(
    {
      connectionString: databaseUrl,
      max: maxConnections,
      // A database that does not answer (a network partition, a hung server) fails the request
      // in seconds, as one that refuses does, instead of holding it for ever.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
    },
    preparedStatements ? { statementNameGenerator: statementNames() } : {},
  );
  // Under a burst (every counsellor taking a chat at once) transactions queue for a connection;
  // waiting a few seconds beats failing with "Unable to start a transaction".
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000, timeout: 15_000 } });
}

/** A Prisma interactive-transaction client, for repositories that run inside a transaction. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
