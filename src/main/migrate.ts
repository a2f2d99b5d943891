import { loadConfig, processEnv } from "../config/env-config";
import { migrate } from "../db/migration-runner";
import { migrateQueue } from "../jobs/job-queue";
import { runMain } from "./run-main";

/** `npm run db:migrate`: applies pending migrations (ours, and BullMQ's PostgreSQL tables). */
runMain(async () => {
  const config = loadConfig(processEnv());
  const applied = await migrate(config.databaseUrl);
  await migrateQueue({ redisUrl: config.redisUrl, databaseUrl: config.databaseUrl });
  process.stdout.write(applied.length ? `Applied: ${applied.join(", ")}\n` : "Up to date\n");
});
