/**
 * Everything the chaos run starts, each in a process of its own: PostgreSQL, Redis, LINE (the
 * simulator), the web role and the worker role of the service, configured by environment as
 * in production. Any of them can be killed or stopped and started again on the same address.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { ensureDatabase } from "../../src/db/embedded-postgres";
import { migrate } from "../../src/db/migration-runner";
import { freePort } from "../../scripts/free-port";
import { LineControl } from "./line-control";
import { startNodeProcess, type NodeProcess } from "./node-process";
import { startPostgres, type PostgresServer } from "./postgres-server";
import { startRedisProcess, type RedisProcess } from "./redis-process";

/** A role of the service that a fault may kill -9 and the harness starts again. */
export interface ServiceRole {
  start(): Promise<void>;
  kill9(): Promise<void>;
  /** Frozen (SIGSTOP) and going on again (SIGCONT): a role that falls behind for a moment. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

export interface Cluster {
  databaseUrl: string;
  webUrl: string;
  appSecretKey: string;
  line: LineControl;
  postgres: PostgresServer;
  redis: RedisProcess;
  web: ServiceRole;
  worker: ServiceRole;
  /** Where each process writes its log. */
  logDir: string;
  stop(): Promise<void>;
}

const DATABASE = "chaos";

export async function startCluster(workDir: string): Promise<Cluster> {
  const logDir = path.join(workDir, "logs");
  mkdirSync(logDir, { recursive: true });
  const [pgPort, redisPort, linePort, webPort] = await Promise.all(
    [1, 2, 3, 4].map(() => freePort()),
  );
  const secrets = {
    LINE_CHANNEL_SECRET: randomBytes(16).toString("hex"),
    LINE_CHANNEL_ACCESS_TOKEN: randomBytes(24).toString("base64url"),
  };
  const webUrl = `http://127.0.0.1:${webPort}`;
  const lineUrl = `http://127.0.0.1:${linePort}`;
  const lineProcess = startNodeProcess(
    ["bench/chaos/line-process.ts"],
    { ...process.env, ...secrets, PORT: String(linePort), WEBHOOK_URL: `${webUrl}/webhook/line` },
    path.join(logDir, "line.log"),
  );
  const stops: (() => Promise<void>)[] = [() => lineProcess.stop()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const postgres = await startPostgres(path.join(workDir, "pg"), Number(pgPort));
    stops.push(() => postgres.remove());
    await ensureDatabase(postgres.adminUrl, DATABASE);
    const databaseUrl = postgres.urlFor(DATABASE);
    await migrate(databaseUrl);
    const redis = await startRedisProcess(Number(redisPort));
    stops.push(() => redis.stop());
    await lineProcess.printed("line simulator listening");

    const appSecretKey = randomBytes(32).toString("hex");
    const env = {
      ...process.env,
      ...secrets,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      LINE_API_BASE_URL: lineUrl,
      LINE_DATA_API_BASE_URL: lineUrl,
      APP_SECRET_KEY: appSecretKey,
      LOG_LEVEL: "info",
      FLOW_PRESET: "gunma",
    };
    const web = serviceRole("web", { ...env, PORT: String(webPort) }, logDir, (p) =>
      answering(`${webUrl}/healthz`, p),
    );
    const worker = serviceRole("worker", env, logDir, (p) => p.printed("worker role started"));
    stops.push(
      () => web.stop(),
      () => worker.stop(),
    );
    await Promise.all([web.start(), worker.start()]);
    return {
      databaseUrl,
      webUrl,
      appSecretKey,
      line: new LineControl(lineUrl),
      postgres,
      redis,
      web,
      worker,
      logDir,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** `node --import tsx src/main/start.ts <role>`; `ready` says when a start is done. */
function serviceRole(
  role: "web" | "worker",
  env: NodeJS.ProcessEnv,
  logDir: string,
  ready: (p: NodeProcess) => Promise<void>,
): ServiceRole {
  let current: NodeProcess | undefined;
  const logFile = path.join(logDir, `${role}.log`);
  return {
    async start() {
      current = startNodeProcess(["src/main/start.ts", role], env, logFile);
      await ready(current);
    },
    async kill9() {
      await current?.kill9();
      current = undefined;
    },
    freeze: () => current?.freeze(),
    thaw: () => current?.thaw(),
    async stop() {
      current?.thaw();
      await current?.stop();
      current = undefined;
    },
  };
}

/** Until `url` answers 2xx, for at most a minute; fails at once if `server` exits. */
async function answering(url: string, server: NodeProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { exitCode, signalCode } = server.child;
    if (exitCode !== null || signalCode !== null) throw new Error(`${url}: its server exited`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within a minute`);
}
