import type { Router } from "express";
import type { LineSimulator } from "./line-simulator";

/**
 * How the service hosts the simulator (demo, end-to-end tests): its Messaging API at the root,
 * because @line/bot-sdk joins API paths to the base URL's origin and drops any path prefix,
 * and the chat page under /simulator/.
 */
export function simulatorRoutes(sim: LineSimulator): { path: string; router: Router }[] {
  return [
    { path: "/", router: sim.platformRouter() },
    { path: "/simulator", router: sim.personRouter() },
  ];
}
