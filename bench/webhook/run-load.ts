/**
 * One run of load against a server, driven from a child process of its own (load-client.ts) so
 * the client has its own event loop and heap (the bench's process holds pg clients and does the
 * bookkeeping) and its CPU can be counted. What the two processes say to each other is here.
 */
import { spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

/** What the bench asks of the client: a closed loop, or an open loop at `rate` requests/s. */
export interface LoadJob {
  url: string;
  seconds: number;
  rate?: number;
}

/** What the client measured. */
export interface LoadFigures {
  eventsPerSecond: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  /** Paced runs: requests per second the client actually offered. */
  offeredRate?: number;
  /** Paced runs: p99 of how late the client's timer sent a request (ms), its own noise. */
  clientLateP99?: number;
}

export type ClientOutcome = LoadFigures & {
  /** During the run, and in all (start-up, signing requests beforehand, the run). */
  clientCpuMs: number;
  clientTotalCpuMs: number;
};

export const cpuMs = (cpu: NodeJS.CpuUsage) => (cpu.user + cpu.system) / 1000;

export async function runLoad(
  url: string,
  seconds: number,
  rate?: number,
): Promise<LoadFigures & { clientCores: number; clientTotalCpuMs: number }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(__dirname, "load-client.ts")],
    { cwd: ROOT, stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  const outcome = new Promise<ClientOutcome>((resolve, reject) => {
    child.once("message", (message) => resolve(message as ClientOutcome));
    child.once("exit", (code) =>
      reject(new Error(`load client exited (${code}) without a result`)),
    );
  });
  const job: LoadJob = { url, seconds, rate };
  child.send(job);
  const { clientCpuMs, ...result } = await outcome;
  return { ...result, clientCores: clientCpuMs / 1000 / seconds };
}
