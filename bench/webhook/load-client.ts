/**
 * bench:webhook's load client, a process of its own started by run-load.ts: takes one LoadJob,
 * runs it, sends back what it measured with its own CPU time, and exits.
 */
import autocannon from "autocannon";
import { pacedLoad } from "./paced-load";
import { cpuMs, type ClientOutcome, type LoadJob } from "./run-load";
import { CONNECTIONS } from "./settings";
import { signedRequest } from "./signed-request";

async function main(): Promise<void> {
  const job = await new Promise<LoadJob>((resolve) =>
    process.once("message", (message) => resolve(message as LoadJob)),
  );
  const cpuBefore = process.cpuUsage();
  const result = job.rate
    ? await pacedLoad(job.url, job.seconds, job.rate)
    : await saturatedLoad(job.url, job.seconds);
  const { preparationCpuMs, ...figures } = result;
  const outcome: ClientOutcome = {
    ...figures,
    clientCpuMs: cpuMs(process.cpuUsage(cpuBefore)) - preparationCpuMs,
    clientTotalCpuMs: cpuMs(process.cpuUsage()),
  };
  process.send?.(outcome, () => process.exit(0));
}

/** Closed loop: every connection sends its next request as soon as the last is answered. */
async function saturatedLoad(url: string, seconds: number) {
  const result = await autocannon({
    url: `${url}/webhook/line`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ method: "POST", setupRequest: (req) => ({ ...req, ...signedRequest() }) }],
  });
  return {
    eventsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result["2xx"],
    failed: result.non2xx + result.errors + result.timeouts,
    preparationCpuMs: 0,
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
