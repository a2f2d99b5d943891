/**
 * One fault under the load: warm up, inject, and once the fault has cleared, wait for the work
 * written up to then to be done (the recovery time); then hold the women's new messages, let
 * every piece of the phase's work finish, and count it.
 */
import type { FaultName } from "./chaos-options";
import { FAULTS, type FaultContext } from "./faults";
import type { MarkerBook } from "./markers";
import { isDone, observe, tally, type Observation, type Tally } from "./tally";

export interface PhaseResult {
  fault: FaultName | "all";
  note: string;
  tally: Tally;
  /** From the fault clearing until the work written before then was done. */
  recoveryMs: number | undefined;
  /** Not done by the deadline (recoveryTimeoutMs after the fault cleared). */
  stuck: boolean;
}

export interface PhaseContext extends FaultContext {
  book: MarkerBook;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FINAL_WAIT_MS = 60_000;

export async function runPhase(name: FaultName, ctx: PhaseContext): Promise<PhaseResult> {
  const { book, load, options } = ctx;
  book.phase = name;
  const began = Date.now();
  await sleep(options.warmUpMs);
  const note = await FAULTS[name](ctx);
  const clearedAt = Date.now();
  const deadline = clearedAt + options.recoveryTimeoutMs;
  const recoveredAt = await until(ctx, deadline, { since: began, until: clearedAt }, (o) =>
    isDone(book.select(name, clearedAt), o),
  );
  load.pause();
  await until(ctx, (recoveredAt ?? deadline) + 30_000, { since: began }, (o) => {
    return load.busy() === 0 && isDone(book.select(name), o);
  });
  const result = await count(ctx, name, began);
  load.resume();
  return {
    ...result,
    note,
    recoveryMs: recoveredAt === undefined ? undefined : recoveredAt - clearedAt,
    stuck: recoveredAt === undefined,
  };
}

/**
 * Every phase's work together, once the women have stopped writing: a last chance for late work
 * to be done (a minute at most), and for a late duplicate to show.
 */
export async function countAll(ctx: PhaseContext): Promise<PhaseResult> {
  const deadline = Date.now() + FINAL_WAIT_MS;
  const done = await until(ctx, deadline, { since: 0 }, (o) =>
    isDone(ctx.book.select(undefined), o),
  );
  const result = await count(ctx, undefined, 0);
  const note = "every phase, counted again at the end";
  return { ...result, note, recoveryMs: undefined, stuck: done === undefined };
}

async function count(ctx: PhaseContext, phase: FaultName | undefined, since: number) {
  await sleep(ctx.options.settleMs);
  const window = { since: new Date(since), until: new Date() };
  const observation = await retrying(() => observe(ctx.book, ctx.db, ctx.cluster.line, window));
  return { fault: phase ?? ("all" as const), tally: tally(ctx.book.select(phase), observation) };
}

/**
 * When `done` first holds (polled twice a second), or undefined at the deadline. The service's
 * pending work counts if stored in `window` (until each observation when not given).
 */
async function until(
  ctx: PhaseContext,
  deadline: number,
  window: { since: number; until?: number },
  done: (o: Observation) => boolean,
): Promise<number | undefined> {
  for (;;) {
    const span = { since: new Date(window.since), until: new Date(window.until ?? Date.now()) };
    const observation = await observe(ctx.book, ctx.db, ctx.cluster.line, span).catch(
      () => undefined,
    );
    if (observation && done(observation)) return Date.now();
    if (Date.now() > deadline) return undefined;
    await sleep(500);
  }
}

async function retrying<T>(probe: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await probe();
    } catch (error) {
      if (attempt >= 20) throw error;
      await sleep(1000);
    }
  }
}
