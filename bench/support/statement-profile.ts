/**
 * Where PostgreSQL's time goes during a bench's phase: the statements that took the most of it,
 * from `pg_stat_statements` (nested statements too: a trigger's, a function's). Opt-in
 * (BENCH_STATEMENTS=1; BENCH_STATEMENTS=calls: the 40 run most often instead; =toplevel: the 60
 * top-level ones run most often, the round trips), as the extension
 * must be loaded when the server starts (`STATEMENT_PROFILE_SETTINGS`) and costs a little on
 * every statement.
 */
import { Client } from "pg";

/** The embedded server's settings for the profile. */
export const STATEMENT_PROFILE_SETTINGS = [
  "shared_preload_libraries=pg_stat_statements",
  "pg_stat_statements.track=all",
];

export const statementProfileWanted = (): boolean => Boolean(process.env.BENCH_STATEMENTS);

/** Opens the profile on `databaseUrl`'s database; `start` empties it before a phase. */
export async function openStatementProfile(databaseUrl: string) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  return {
    async start(): Promise<void> {
      await client.query("SELECT pg_stat_statements_reset()");
    },
    /** Prints the `top` statements by total time, per unit of work (`per`, e.g. exchanges). */
    async print(per: number, unit: string): Promise<void> {
      const mode = process.env.BENCH_STATEMENTS;
      const topLevelOnly = mode === "toplevel";
      const byCalls = mode === "calls" || topLevelOnly;
      const top = topLevelOnly ? 60 : byCalls ? 40 : 15;
      const { rows } = await client.query<{
        calls: string;
        ms: number;
        toplevel: boolean;
        query: string;
      }>(
        `SELECT calls, total_exec_time AS ms, toplevel,
                left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
           FROM pg_stat_statements
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND query NOT LIKE '%pg_stat_statements%' ${topLevelOnly ? "AND toplevel" : ""}
          ORDER BY ${byCalls ? "calls" : "total_exec_time"} DESC
          LIMIT $1`,
        [top],
      );
      const totals = await client.query<{ ms: number; calls: string }>(
        `SELECT coalesce(sum(total_exec_time), 0) AS ms, coalesce(sum(calls), 0) AS calls
           FROM pg_stat_statements
          WHERE toplevel AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      const total = Number(totals.rows[0]?.ms ?? 0);
      const calls = Number(totals.rows[0]?.calls ?? 0);
      console.log(
        `\nPostgreSQL's statements (pg_stat_statements, time in the server, waits for locks ` +
          `included): ${(calls / per).toFixed(1)} top-level statements and ` +
          `${(total / per).toFixed(1)} ms per ${unit}; the ` +
          `${top} ${byCalls ? "run most often" : "that took the most"} (nested: run inside a ` +
          `trigger or function; a deferred trigger's, run at COMMIT, count as top-level):`,
      );
      for (const row of rows) {
        const calls = Number(row.calls);
        console.log(
          `  ${(row.ms / per).toFixed(2).padStart(6)} ms/${unit} ` +
            `${(calls / per).toFixed(1).padStart(5)} calls/${unit} ` +
            `${(row.ms / calls).toFixed(3).padStart(7)} ms each ` +
            `${row.toplevel ? "" : "(nested) "}${row.query}`,
        );
      }
    },
    close: () => client.end(),
  };
}
