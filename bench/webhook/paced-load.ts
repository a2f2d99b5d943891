import { ascending, quantile } from "../support/quantile";
import { PacedConnection } from "./paced-connection";
import { cpuMs } from "./run-load";
import { CONNECTIONS, UNIFORM_ARRIVALS } from "./settings";
import { rawRequest, signedRequest } from "./signed-request";

/**
 * Open loop, as LINE's traffic is: request i is due at a time fixed before the run (Poisson
 * arrivals at `rate`, i.e. independent users; BENCH_ARRIVALS=uniform for an even beat) and its
 * latency counts from that time, whether the server, a busy connection or the client itself
 * delayed it. autocannon's overallRate cannot do this: each connection sends its share of a
 * second back to back and then pauses, so a "2,000/s" run is a burst at full speed at the start
 * of every second; and it "corrects" the latencies of paced runs as if requests were due every
 * 1 ms (ceil(1 / rate per connection)), adding up to L − 1 made-up samples per L ms response.
 */
export async function pacedLoad(url: string, seconds: number, rate: number) {
  const { hostname, port } = new URL(url);
  const total = Math.round(rate * seconds);
  // Signed before the clock starts: during the run the client only writes and reads.
  const preparation = process.cpuUsage();
  const requests = Array.from({ length: total }, () => rawRequest(hostname, signedRequest()));
  const preparationCpuMs = cpuMs(process.cpuUsage(preparation));
  const due = arrivals(total, rate);
  const latencies: number[] = [];
  const late = new Float64Array(total);
  let ok = 0;
  let failed = 0;
  let lastSentAt = 0;
  const waiting: number[] = [];
  let nextWaiting = 0;
  const idle: PacedConnection[] = [];
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const onAnswer = (conn: PacedConnection, i: number, status: number) => {
    if (status >= 200 && status < 300) {
      ok += 1;
      latencies.push(performance.now() - start - (due[i] ?? 0));
    } else failed += 1;
    if (ok + failed === total) finish();
    const next = waiting[nextWaiting];
    if (next === undefined) idle.push(conn);
    else {
      nextWaiting += 1;
      conn.send(next, requests[next] ?? Buffer.alloc(0));
    }
  };
  const connections = Array.from(
    { length: CONNECTIONS },
    () => new PacedConnection(hostname, Number(port), onAnswer),
  );
  await Promise.all(connections.map((c) => c.connected));
  idle.push(...connections);

  const start = performance.now() + 10;
  let next = 0;
  const tick = () => {
    const now = performance.now() - start;
    for (; next < total && (due[next] ?? 0) <= now; next++) {
      late[next] = now - (due[next] ?? 0);
      lastSentAt = now;
      // Oldest first: the idle list is a queue, so every connection stays in use and warm.
      const conn = idle.shift();
      if (conn) conn.send(next, requests[next] ?? Buffer.alloc(0));
      else waiting.push(next);
    }
    if (next < total) setTimeout(tick, (due[next] ?? 0) - now);
  };
  setTimeout(tick, 10);
  const timeout = setTimeout(finish, (seconds + 30) * 1000);
  await finished;
  clearTimeout(timeout);
  for (const c of connections) c.close();
  const sorted = ascending(latencies);
  const lateSorted = ascending(late);
  return {
    eventsPerSecond: Math.round(ok / (Math.max(lastSentAt, due[total - 1] ?? 0) / 1000)),
    p50: round1(quantile(sorted, 0.5)),
    p99: round1(quantile(sorted, 0.99)),
    ok,
    failed: total - ok,
    offeredRate: Math.round(total / ((lastSentAt || 1) / 1000)),
    clientLateP99: round1(quantile(lateSorted, 0.99)),
    preparationCpuMs,
  };
}

function arrivals(total: number, rate: number): Float64Array {
  const due = new Float64Array(total);
  let at = 0;
  for (let i = 0; i < total; i++) {
    due[i] = at;
    at += UNIFORM_ARRIVALS ? 1000 / rate : (-Math.log(1 - Math.random()) * 1000) / rate;
  }
  return due;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
