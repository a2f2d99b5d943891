import { loadConfig, processEnv } from "../config/env-config";
import { LineSimulator } from "../simulator/line-simulator";
import { simulatorRoutes } from "../simulator/simulator-routes";
import { runMain } from "./run-main";
import { startRuntime, stopOnSignals } from "./runtime";
import { supervisorLink } from "./supervisor-link";

/**
 * The demo's web role (started by demo.ts, configured by the environment it is given): the
 * service's web role with the LINE simulator served beside it, at /simulator/ and at the root
 * where the simulator's Messaging API sits.
 */
runMain(async () => {
  const config = loadConfig(processEnv());
  const link = supervisorLink(process.argv);
  const simulator = new LineSimulator({
    channelSecret: config.line.channelSecret,
    channelAccessToken: config.line.channelAccessToken,
    webhookUrl: `http://127.0.0.1:${config.port}/webhook/line`,
  });
  const runtime = await startRuntime(config, {
    web: true,
    worker: false,
    routers: simulatorRoutes(simulator),
    siblingMetrics: link?.siblingMetrics,
    stopAfter: [{ name: "LINE simulator", stop: () => simulator.close() }],
  });
  stopOnSignals(runtime, runtime.logger, config.shutdownTimeoutMs);
  link?.started(runtime.metrics);
});
