/**
 * The run's table: one row per fault as soon as it is counted, and a last row counting every
 * phase again at the end; then what the columns mean and whether the goals were met.
 */
import { printTable } from "../support/table";
import { RECOVERY_GOAL_MS, type ChaosOptions } from "./chaos-options";
import type { PhaseResult } from "./phase";

export type Print = (line: string) => void;

const COLUMNS = [
  { title: "fault", width: 17 },
  "events",
  "200",
  "stored 1×",
  "missing",
  "doubled",
  "replies",
  "LINE 1×",
  "missing",
  "doubled",
  "409 dup",
  "reply→push",
  { title: "recovery", width: 9 },
  { title: "what happened", align: "left" as const },
];

export function describeRun(options: ChaosOptions, print: Print): void {
  print(
    `chaos (${options.form} form): ${options.women} women, each writing again about ` +
      `${options.messageIntervalMs / 1000} s after her answer (or after ` +
      `${options.patienceMs / 1000} s without one); ${options.counsellors} counsellors answering ` +
      `what shows in the console (${Math.round(options.secondReplyShare * 100)} % twice); ` +
      `queue on Redis; faults: ${options.faults.join(", ")}\n`,
  );
}

/** Prints the header; returns the function that prints a phase's row. */
export function startTable(print: Print): (result: PhaseResult) => void {
  const row = printTable(COLUMNS, print);
  return (r) => {
    const { events: e, replies: p } = r.tally;
    row([
      r.fault,
      e.sent,
      e.acked,
      e.once,
      e.missing,
      e.doubled,
      p.sent,
      p.once,
      p.missing,
      p.doubled,
      p.conflicts409,
      p.repeatedAsPush,
      recovery(r),
      r.note,
    ]);
  };
}

function recovery(r: PhaseResult): string {
  if (r.stuck) return "stuck";
  return r.recoveryMs === undefined ? "" : `${(r.recoveryMs / 1000).toFixed(1)} s`;
}

export function explain(results: PhaseResult[], harnessErrors: string[], print: Print): void {
  print(`
events: her messages, each a signed webhook POST from LINE (the simulator), redelivered until
  answered; 200: acknowledged; stored 1×: in the message table exactly once.
replies: the counsellors' answers the console took (201) or the database holds; LINE 1×: on
  her phone exactly once (counted from what LINE accepted).
409 dup: pushes LINE answered 409 (retry key already accepted): nothing was delivered twice.
reply→push: replies LINE delivered but whose answer was lost, sent again as a push (a reply has
  no retry key): she got them twice; counted apart from "doubled".
recovery: from the fault clearing until all work written before then was done.`);
  let failedBefore = 0;
  for (const r of results) {
    const failed = r.tally.serviceFailed - (r.fault === "all" ? 0 : failedBefore);
    if (r.fault !== "all") failedBefore = r.tally.serviceFailed;
    if (failed > 0)
      print(
        `${r.fault}: the service marked ${failed} events or deliveries failed (retries exhausted)`,
      );
    if (r.tally.servicePending > 0)
      print(
        `${r.fault}: ${r.tally.servicePending} events or deliveries still pending when counted`,
      );
    const { storedTwice, notTaken } = r.tally.replies;
    if (storedTwice > 0)
      print(
        `${r.fault}: ${storedTwice} replies stored twice (a send pressed again after the service had taken it)`,
      );
    if (notTaken > 0)
      print(`${r.fault}: ${notTaken} sends the console never took (refused or given up)`);
  }
  for (const error of harnessErrors) print(`harness error: ${error}`);
}

/** Nothing missing, nothing doubled (reply→push apart), in any row. */
export function lostOrDoubled(r: PhaseResult): boolean {
  const { events: e, replies: p } = r.tally;
  return e.missing + e.doubled + p.missing + p.doubled > 0;
}

export function verdict(results: PhaseResult[], print: Print): boolean {
  const bad = results.filter(lostOrDoubled).map((r) => r.fault);
  const slow = results
    .filter((r) => r.fault !== "all" && (r.stuck || (r.recoveryMs ?? 0) >= RECOVERY_GOAL_MS))
    .map((r) => r.fault);
  print(
    `\ngoals: 0 missing, 0 doubled: ${bad.length === 0 ? "met" : `NOT met (${bad.join(", ")})`}; ` +
      `recovery < ${RECOVERY_GOAL_MS / 1000} s: ${slow.length === 0 ? "met" : `NOT met (${slow.join(", ")})`}`,
  );
  return bad.length === 0;
}
