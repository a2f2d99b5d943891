/**
 * How big and how long a chaos run is. The full form (`npm run chaos`) holds each fault long
 * enough to matter (PostgreSQL away for three minutes); the short form (`--short`, and the
 * integration test) injects the same faults for a few seconds each.
 */
import type { LoadOptions } from "./steady-load";

export const FAULT_NAMES = [
  "worker-kill",
  "web-kill",
  "redis-restart",
  "postgres-outage",
  "line-storm",
  "line-lost-answers",
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export interface ChaosOptions extends LoadOptions {
  form: "full" | "short";
  women: number;
  counsellors: number;
  faults: FaultName[];
  /** The load runs this long before each fault. */
  warmUpMs: number;
  postgresOutageMs: number;
  redisDownMs: number;
  /** How long LINE answers 500 and 429. */
  stormMs: number;
  /** How long LINE loses its answers. */
  lostAnswersMs: number;
  /** After a fault clears, how long the run waits for its work to be done before it calls it stuck. */
  recoveryTimeoutMs: number;
  /** Once a phase's work is done, a pause to catch a late duplicate before counting. */
  settleMs: number;
  /** Where to write the results as JSON (for the integration test). */
  jsonFile?: string;
}

/** Recovery is good when everything is done within this long after the fault clears. */
export const RECOVERY_GOAL_MS = 30_000;

export const FULL: ChaosOptions = {
  form: "full",
  women: 12,
  counsellors: 3,
  messageIntervalMs: 1500,
  patienceMs: 10 * 60_000,
  replyDelayMs: 800,
  secondReplyShare: 0.3,
  resendAfterMs: 1000,
  giveUpAfterMs: 10 * 60_000,
  faults: [...FAULT_NAMES],
  warmUpMs: 10_000,
  postgresOutageMs: 3 * 60_000,
  redisDownMs: 5000,
  stormMs: 20_000,
  lostAnswersMs: 10_000,
  recoveryTimeoutMs: 4 * 60_000,
  settleMs: 5000,
};

export const SHORT: ChaosOptions = {
  ...FULL,
  form: "short",
  women: 6,
  counsellors: 2,
  messageIntervalMs: 1000,
  patienceMs: 90_000,
  replyDelayMs: 500,
  giveUpAfterMs: 2 * 60_000,
  warmUpMs: 2000,
  postgresOutageMs: 5000,
  redisDownMs: 1000,
  stormMs: 4000,
  lostAnswersMs: 3000,
  recoveryTimeoutMs: 75_000,
  settleMs: 1500,
};

const USAGE = `npm run chaos -- [--short] [--faults=${FAULT_NAMES.join(",")}]
  [--postgres-outage=SECONDS] [--json=FILE]`;

/** The options of `npm run chaos -- …`. */
export function parseOptions(args: string[]): ChaosOptions {
  let options = args.includes("--short") ? { ...SHORT } : { ...FULL };
  for (const arg of args) {
    const [name, value = ""] = arg.split("=", 2);
    if (name === "--short") continue;
    else if (name === "--faults") options = { ...options, faults: faultList(value) };
    else if (name === "--postgres-outage" && Number(value) > 0)
      options = { ...options, postgresOutageMs: Number(value) * 1000 };
    else if (name === "--json" && value) options = { ...options, jsonFile: value };
    else throw new Error(`unknown option ${arg}\nusage: ${USAGE}`);
  }
  return options;
}

function faultList(value: string): FaultName[] {
  const names = value.split(",").filter(Boolean);
  const unknown = names.filter((n) => !FAULT_NAMES.includes(n as FaultName));
  if (unknown.length > 0) throw new Error(`unknown fault ${unknown.join(", ")}\nusage: ${USAGE}`);
  return names as FaultName[];
}
