import type { Metrics, MetricsSnapshot } from "../metrics";
import { isSupervisorMessage, type RoleToSupervisor } from "./role-messages";

/** A role's side of its supervisor (role-supervisor.ts), when it runs as one of `npm start`'s. */
export interface SupervisorLink {
  /** The other roles' metrics, for this role's /metrics; none if they do not answer in time. */
  siblingMetrics: () => Promise<MetricsSnapshot[]>;
  /** Tells the supervisor the role has started, and from now on answers its metrics requests. */
  started: (metrics: Metrics) => void;
}

/**
 * The link to the supervisor when this process was started by one (`--supervised` and an IPC
 * channel), otherwise undefined. A role whose supervisor is gone (killed) stops as on SIGTERM:
 * no role is left serving on its own.
 */
export function supervisorLink(
  argv: readonly string[],
  timeoutMs = 3000,
): SupervisorLink | undefined {
  if (!argv.includes("--supervised") || !process.send) return undefined;
  const send = (message: RoleToSupervisor) => {
    if (process.connected) process.send?.(message);
  };
  let metrics: Metrics | undefined;
  let nextId = 1;
  const waiting = new Map<number, (snapshots: MetricsSnapshot[]) => void>();
  process.on("message", (message: unknown) => {
    if (!isSupervisorMessage(message)) return;
    if (message.type === "metrics") {
      const id = message.id;
      void metrics?.registry
        .getMetricsAsJSON()
        .then((snapshot) => send({ type: "metrics", id, snapshot }));
    } else {
      waiting.get(message.id)?.(message.snapshots);
      waiting.delete(message.id);
    }
  });
  process.on("disconnect", () => process.kill(process.pid, "SIGTERM"));
  return {
    siblingMetrics: () =>
      new Promise((resolve) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          waiting.delete(id);
          resolve([]);
        }, timeoutMs);
        waiting.set(id, (snapshots) => {
          clearTimeout(timer);
          resolve(snapshots);
        });
        send({ type: "sibling-metrics", id });
      }),
    started: (m) => {
      metrics = m;
      send({ type: "started" });
    },
  };
}
