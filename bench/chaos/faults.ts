/**
 * The faults, injected one after another under the steady load. Each `run` returns once the
 * fault has cleared (the process is back, the server is up, LINE answers normally again) with
 * a line saying what exactly happened.
 */
import type { FaultSpec } from "../../src/simulator/simulator-types";
import type { ChaosOptions, FaultName } from "./chaos-options";
import type { Cluster } from "./cluster";
import type { DatabaseProbe } from "./database-probe";
import type { MessageCall } from "./line-ledger";
import type { SteadyLoad } from "./steady-load";

export interface FaultContext {
  cluster: Cluster;
  load: SteadyLoad;
  db: DatabaseProbe;
  options: ChaosOptions;
}

export type Fault = (ctx: FaultContext) => Promise<string>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
const MESSAGE_PATHS = ["/v2/bot/message/reply", "/v2/bot/message/push"];

/** The next `n` reply and push calls each get `statuses` in turn. */
function everyCall(statuses: FaultSpec["status"][], n: number): FaultSpec[] {
  return Array.from({ length: n }, (_, i) => statuses[i % statuses.length] ?? 500).flatMap(
    (status) => MESSAGE_PATHS.map((path) => ({ status, count: 1, path })),
  );
}

async function calls(ctx: FaultContext, wanted: (c: MessageCall) => boolean) {
  return (await ctx.cluster.line.ledger()).calls.filter(wanted);
}

/** A worker killed while it waits on LINE in a send job, then started again at once. */
async function workerKill(ctx: FaultContext): Promise<string> {
  const { line } = ctx.cluster;
  const held = (c: MessageCall) => c.status === "timeout";
  const before = (await calls(ctx, held)).length;
  // LINE holds the worker's next reply or push, so the kill lands in the middle of that job.
  await line.injectFaults([{ status: "timeout", count: 1, path: "/v2/bot/message/" }]);
  const deadline = Date.now() + 30_000;
  let caught: MessageCall | undefined;
  while (!caught && Date.now() < deadline) {
    caught = (await calls(ctx, held))[before];
    if (!caught) await sleep(20);
  }
  await ctx.cluster.worker.kill9();
  await line.clearFaults();
  await ctx.cluster.worker.start();
  return caught
    ? `kill -9 while a job waited on LINE for a ${caught.kind}; started again`
    : "kill -9 (no job caught waiting on LINE in 30 s); started again";
}

/**
 * The web role killed while a request is under way, then started again: a counsellor's send if
 * one comes within 10 s (its answer is then lost, whatever the service did), else a webhook.
 */
async function webKill(ctx: FaultContext): Promise<string> {
  const { inFlight } = ctx.load;
  const sendBy = Date.now() + 10_000;
  while (inFlight.sends === 0 && Date.now() < sendBy) await sleep(1);
  const anyBy = Date.now() + 10_000;
  while (inFlight.sends + inFlight.webhooks === 0 && Date.now() < anyBy) await sleep(1);
  const cut = `${inFlight.sends} console send(s) and ${inFlight.webhooks} webhook(s) under way`;
  await ctx.cluster.web.kill9();
  await ctx.cluster.web.start();
  return `kill -9 with ${cut}; started again`;
}

async function redisRestart(ctx: FaultContext): Promise<string> {
  await ctx.cluster.redis.stop();
  await sleep(ctx.options.redisDownMs);
  await ctx.cluster.redis.start();
  return `down ${seconds(ctx.options.redisDownMs)}, back empty (no persistence)`;
}

/**
 * PostgreSQL stopped (a fast shutdown) while the worker has stored work to do: the worker is
 * frozen for a moment first, as one that fell behind, until something stored waits for it.
 */
async function postgresOutage(ctx: FaultContext): Promise<string> {
  const { worker, postgres } = ctx.cluster;
  worker.freeze();
  const deadline = Date.now() + 10_000;
  let backlog = 0;
  while (backlog === 0 && Date.now() < deadline) {
    backlog = (await ctx.db.work({ since: new Date(0), until: new Date() })).pending;
    if (backlog === 0) await sleep(50);
  }
  await postgres.stop();
  worker.thaw();
  await sleep(ctx.options.postgresOutageMs);
  await postgres.start();
  return (
    `down ${seconds(ctx.options.postgresOutageMs)} (fast shutdown), ${backlog} stored ` +
    `event(s)/deliveries waiting for the worker; queue on Redis`
  );
}

async function lineStorm(ctx: FaultContext): Promise<string> {
  const failing = (c: MessageCall) => c.status === 500 || c.status === 429;
  const before = (await calls(ctx, failing)).length;
  await ctx.cluster.line.injectFaults(everyCall([500, 429], 2000));
  await sleep(ctx.options.stormMs);
  await ctx.cluster.line.clearFaults();
  const n = (await calls(ctx, failing)).length - before;
  return `${seconds(ctx.options.stormMs)} of 500/429 on every reply and push: ${n} calls`;
}

async function lineLostAnswers(ctx: FaultContext): Promise<string> {
  const lost = (c: MessageCall) => c.status === "lost-response";
  const before = (await calls(ctx, lost)).length;
  await ctx.cluster.line.injectFaults(everyCall(["lost-response"], 2000));
  await sleep(ctx.options.lostAnswersMs);
  await ctx.cluster.line.clearFaults();
  const n = (await calls(ctx, lost)).length - before;
  return `${seconds(ctx.options.lostAnswersMs)}: LINE did the work, lost the answer: ${n} calls`;
}

export const FAULTS: Record<FaultName, Fault> = {
  "worker-kill": workerKill,
  "web-kill": webKill,
  "redis-restart": redisRestart,
  "postgres-outage": postgresOutage,
  "line-storm": lineStorm,
  "line-lost-answers": lineLostAnswers,
};
