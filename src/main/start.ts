import { loadConfig, processEnv } from "../config/env-config";
import { AppError } from "../errors";
import { runMain } from "./run-main";
import { startRuntime, stopOnSignals } from "./runtime";

const ROLES = {
  all: { web: true, worker: true },
  web: { web: true, worker: false },
  worker: { web: false, worker: true },
};

/**
 * `npm start` (web and worker in one process), `npm run start:web`, `npm run start:worker`.
 * Any number of web and worker processes may run against the same database and queue.
 */
runMain(async () => {
  const role = process.argv[2] ?? "all";
  if (!(role in ROLES))
    throw new AppError("ROLE_UNKNOWN", `Unknown role "${role}": use all, web or worker`);
  const config = loadConfig(processEnv());
  const runtime = await startRuntime(config, ROLES[role as keyof typeof ROLES]);
  stopOnSignals(runtime, runtime.logger, config.shutdownTimeoutMs);
});
