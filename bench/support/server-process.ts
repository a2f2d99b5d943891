/**
 * The servers a bench measures, each in a process of its own: started as Node itself running
 * the script through tsx's loader (not a tsx wrapper process), so the child's pid is the server's
 * own, its CPU can be read from /proc and --cpu-prof applies to it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

/**
 * Starts `node --import tsx <args…>` in the project's folder with exactly `env`; its output goes
 * to the bench's. With `profileDir`, it writes a V8 CPU profile there when it exits.
 */
export function startServer(
  args: string[],
  env: NodeJS.ProcessEnv,
  profileDir?: string,
): ChildProcess {
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  return spawn(process.execPath, [...profile, "--import", "tsx", ...args], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
}

/**
 * Waits until `url` answers as `ready` wants (any answer by default), for at most a minute;
 * fails at once if one of `servers` exits.
 */
export async function waitUntilAnswering(
  servers: ChildProcess[],
  url: string,
  options: { method?: string; ready?: (response: Response) => boolean } = {},
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const exited = servers.find((s) => s.exitCode !== null || s.signalCode !== null);
    if (exited) throw new Error(`a server exited (${exited.exitCode ?? exited.signalCode})`);
    const answered = await fetch(url, { method: options.method ?? "GET" })
      .then((response) => options.ready?.(response) ?? true)
      .catch(() => false);
    if (answered) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within a minute`);
}

/** SIGTERM (the servers exit cleanly on it, writing their CPU profile), then its exit. */
export async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGTERM");
  await exited;
}
