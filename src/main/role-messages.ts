import type { MetricsSnapshot } from "../metrics";

/**
 * What a supervised role and its supervisor say to each other over the IPC channel of
 * `child_process.fork`. Nothing about a woman, a message or a secret ever goes through it.
 */
export type RoleToSupervisor =
  /** The role has started (web: listening; worker: taking jobs). */
  | { type: "started" }
  /** The web role, asked for /metrics, wants its siblings' metrics. */
  | { type: "sibling-metrics"; id: number }
  /** A role's answer to `metrics`. */
  | { type: "metrics"; id: number; snapshot: MetricsSnapshot };

export type SupervisorToRole =
  | { type: "metrics"; id: number }
  /** The answer to `sibling-metrics`: one snapshot per other role that answered. */
  | { type: "sibling-metrics"; id: number; snapshots: MetricsSnapshot[] };

export function isRoleMessage(value: unknown): value is RoleToSupervisor {
  return typeof value === "object" && value !== null && "type" in value;
}

export function isSupervisorMessage(value: unknown): value is SupervisorToRole {
  return typeof value === "object" && value !== null && "type" in value;
}
