import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

/** One of the project's commands (`npm start`, `npm run demo`…) running as a process of its own. */
export interface ServiceProcess {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Its exit code, once it has exited. */
  exit: Promise<number | null>;
  /** Resolves once it has printed `text`; fails with its output if it exits or takes too long. */
  printed(text: string, timeoutMs?: number): Promise<void>;
  /** A signal to its whole process group, as a terminal's Ctrl-C (SIGINT) reaches everything. */
  signalGroup(signal: NodeJS.Signals | 0): void;
  /** Whether anything of its process group is still running. */
  groupAlive(): boolean;
}

/** Runs `src/main/<script>` with tsx, as the npm scripts do, in a process group of its own. */
export function startServiceProcess(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): ServiceProcess {
  const child = spawn(process.execPath, ["--import", "tsx", `src/main/${script}`, ...args], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const signalGroup = (signal: NodeJS.Signals | 0) => process.kill(-(child.pid ?? 0), signal);
  return {
    child,
    output: () => output,
    exit,
    async printed(text, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes(text)) {
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`"${text}" was not printed:\n${output}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    signalGroup,
    groupAlive() {
      try {
        signalGroup(0);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** Log lines (pino JSON) at warn or above in `output` from offset `from` on. */
export function warningsIn(output: string, from = 0): string[] {
  return output
    .slice(from)
    .split("\n")
    .filter((l) => /"level":(40|50|60)/.test(l));
}
