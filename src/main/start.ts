import { loadConfig, processEnv } from "../config/env-config";
import { AppError } from "../errors";
import { createLogger } from "../logger";
import { runMain } from "./run-main";
import { WORKER_NICENESS } from "./role-supervisor";
import { runSupervised } from "./run-supervised";
import { startRuntime, stopOnSignals } from "./runtime";
import { supervisorLink } from "./supervisor-link";

const ROLES = {
  web: { web: true, worker: false },
  worker: { web: false, worker: true },
};

/**
 * `npm start` (role `all`: the web and worker roles as two processes under one supervisor),
 * `npm run start:web`, `npm run start:worker`. Any number of web and worker processes may run
 * against the same database and queue.
 */
runMain(async () => {
  const role = process.argv[2] ?? "all";
  if (role !== "all" && !(role in ROLES))
    throw new AppError("ROLE_UNKNOWN", `Unknown role "${role}": use all, web or worker`);
  // Checked here first, so that a bad environment is reported once, before any role starts.
  const env = processEnv();
  const config = loadConfig(env);
  if (role === "all") {
    const roleCommand = (name: keyof typeof ROLES) => ({
      name,
      script: __filename,
      args: [name],
      env,
      niceness: name === "worker" ? WORKER_NICENESS : 0,
    });
    await runSupervised([roleCommand("web"), roleCommand("worker")], {
      logger: createLogger(config.logLevel),
      shutdownTimeoutMs: config.shutdownTimeoutMs,
    });
    return;
  }
  const link = supervisorLink(process.argv);
  const runtime = await startRuntime(config, {
    ...ROLES[role as keyof typeof ROLES],
    siblingMetrics: link?.siblingMetrics,
  });
  stopOnSignals(runtime, runtime.logger, config.shutdownTimeoutMs);
  link?.started(runtime.metrics);
});
