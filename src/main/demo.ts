import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadConfig, processEnv } from "../config/env-config";
import { createCounsellor, type NewCounsellor } from "../console/auth-service";
import { loadPreset, presetDir } from "../config/preset-loader";
import { ensureDatabase, startEmbeddedPostgres } from "../db/embedded-postgres";
import { createPrismaClient } from "../db/prisma-client";
import { createLogger } from "../logger";
import { runMain } from "./run-main";
import { WORKER_NICENESS } from "./role-supervisor";
import { runSupervised } from "./run-supervised";
import type { StopStep } from "./runtime";

const ROOT = path.resolve(__dirname, "../..");

interface DemoSecrets {
  channelSecret: string;
  channelAccessToken: string;
  appSecretKey: string;
  /** Password of the demo's console accounts (kept with the data, printed at start). */
  consolePassword: string;
}

/** The demo's own secrets, made on first run and kept with its data, so a rerun keeps both. */
function demoSecrets(dataDir: string): DemoSecrets {
  const file = path.join(dataDir, "secrets.json");
  const kept = existsSync(file)
    ? (JSON.parse(readFileSync(file, "utf8")) as Partial<DemoSecrets>)
    : {};
  const secrets: DemoSecrets = {
    channelSecret: kept.channelSecret ?? randomBytes(16).toString("hex"),
    channelAccessToken: kept.channelAccessToken ?? randomBytes(32).toString("base64url"),
    appSecretKey: kept.appSecretKey ?? randomBytes(32).toString("base64url"),
    consolePassword: kept.consolePassword ?? randomBytes(9).toString("base64url"),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/**
 * `npm run demo`: the whole service with nothing configured. Embedded PostgreSQL (data in
 * .data/demo, kept between runs), BullMQ on that PostgreSQL, and the LINE simulator in place of
 * LINE, served at /simulator/ on the service's port. DATABASE_URL or REDIS_URL, when set, are
 * used instead of the embedded ones.
 */
runMain(async () => {
  const env = processEnv();
  const port = Number(env.PORT ?? 3000);
  const dataDir = path.resolve(env.DEMO_DATA_DIR ?? path.join(ROOT, ".data/demo"));
  const secrets = demoSecrets(dataDir);
  let databaseUrl = env.DATABASE_URL;
  let postgres: StopStep | undefined;
  if (!databaseUrl) {
    process.stdout.write("Starting embedded PostgreSQL…\n");
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "pg"),
      port: Number(env.DEMO_PG_PORT ?? 54329),
    });
    await ensureDatabase(pg.adminUrl, "line_support");
    databaseUrl = pg.urlFor("line_support");
    postgres = { name: "embedded PostgreSQL", stop: () => pg.stop() };
  }
  // The simulator's Messaging API sits at the service's root (see simulatorRoutes).
  const simulatorBase = `http://127.0.0.1:${port}`;
  const roleEnv = {
    ...env,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    LINE_CHANNEL_SECRET: secrets.channelSecret,
    LINE_CHANNEL_ACCESS_TOKEN: secrets.channelAccessToken,
    LINE_API_BASE_URL: simulatorBase,
    LINE_DATA_API_BASE_URL: simulatorBase,
    APP_SECRET_KEY: env.APP_SECRET_KEY ?? secrets.appSecretKey,
    // A demo is tried with a password alone; REQUIRE_SECOND_FACTOR=true asks for it as npm start does.
    REQUIRE_SECOND_FACTOR: env.REQUIRE_SECOND_FACTOR || "false",
  };
  const config = loadConfig(roleEnv);
  // The web role (with the simulator) and the worker, each a process of its own, as npm start.
  await runSupervised(
    [
      { name: "web", script: path.join(__dirname, "demo-web.ts"), args: [], env: roleEnv },
      {
        name: "worker",
        script: path.join(__dirname, "start.ts"),
        args: ["worker"],
        env: roleEnv,
        niceness: WORKER_NICENESS,
      },
    ],
    {
      logger: createLogger(config.logLevel),
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      stopAfter: postgres ? [postgres] : [],
    },
  );
  const accounts = await demoAccounts(
    config.databaseUrl,
    config.flowPreset,
    secrets.consolePassword,
  );
  const base = `http://localhost:${port}`;
  process.stdout.write(
    [
      "",
      "The service is running on the embedded default.",
      `  LINE simulator (chat as a woman writing in):  ${base}/simulator/`,
      `  Counsellor console:                           ${base}/console/`,
      `    accounts: ${accounts.join(", ")} — password ${secrets.consolePassword}`,
      config.requireSecondFactor
        ? "    Second factor: required of admins and supervisors (REQUIRE_SECOND_FACTOR=true)."
        : "    Second factor: not required in the demo (npm start requires it of admins and supervisors; REQUIRE_SECOND_FACTOR=true here too).",
      `  Webhook:                                      ${base}/webhook/line`,
      `  Health / readiness / metrics:                 ${base}/healthz  ${base}/readyz  ${base}/metrics`,
      `  Data: ${path.relative(process.cwd(), dataDir) || dataDir} (kept between runs). Ctrl-C stops.`,
      "",
    ].join("\n"),
  );
});

/** First run: an admin, a supervisor of every region and a counsellor per region. */
async function demoAccounts(
  databaseUrl: string,
  presetName: string,
  password: string,
): Promise<string[]> {
  const preset = loadPreset(presetDir(presetName));
  const wanted: NewCounsellor[] = [
    { loginName: "admin", displayName: "管理者", role: "admin", regionId: null, password },
    {
      loginName: "supervisor",
      displayName: "スーパーバイザー",
      role: "supervisor",
      regionId: null,
      password,
    },
    ...preset.regions.map((r) => ({
      loginName: r.id,
      displayName: `${r.name}相談員`,
      role: "counsellor" as const,
      regionId: r.id,
      password,
    })),
  ];
  const prisma = createPrismaClient(databaseUrl, 2);
  try {
    if ((await prisma.counsellor.count()) === 0) {
      for (const account of wanted) await createCounsellor(prisma, account);
    }
    return (await prisma.counsellor.findMany({ orderBy: { createdAt: "asc" } })).map(
      (c) => c.loginName,
    );
  } finally {
    await prisma.$disconnect();
  }
}
