/**
 * One of the run's Node processes (the web role, the worker role, LINE): `node --import tsx`
 * itself, so that its pid is the one kill -9 reaches. Its output goes to a log file of its own;
 * the harness only watches it for the line that says it has started.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

export interface NodeProcess {
  readonly child: ChildProcess;
  /** Resolves once it has printed `text`; fails if it exits first or takes too long. */
  printed(text: string, timeoutMs?: number): Promise<void>;
  /** kill -9, and its exit. */
  kill9(): Promise<void>;
  /** SIGSTOP / SIGCONT: frozen in place, every connection left open, then going on. */
  freeze(): void;
  thaw(): void;
  /** SIGTERM (a clean stop), then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function startNodeProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
): NodeProcess {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = createWriteStream(logFile, { flags: "a" });
  // Only the start-up lines are searched: the rest goes straight to the file.
  let head = "";
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    if (head.length < 100_000) head += chunk.toString();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const kill = async (signal: NodeJS.Signals) => {
    if (alive()) child.kill(signal);
    await exited;
  };
  return {
    child,
    async printed(text, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!head.includes(text)) {
        if (!alive()) throw new Error(`${args.join(" ")} exited before "${text}" (${logFile})`);
        if (Date.now() > deadline) throw new Error(`${args.join(" ")}: no "${text}" (${logFile})`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    kill9: () => kill("SIGKILL"),
    freeze: () => void (alive() && child.kill("SIGSTOP")),
    thaw: () => void (alive() && child.kill("SIGCONT")),
    async stop(graceMs = 10_000) {
      const timer = setTimeout(() => alive() && child.kill("SIGKILL"), graceMs);
      await kill("SIGTERM");
      clearTimeout(timer);
    },
  };
}
