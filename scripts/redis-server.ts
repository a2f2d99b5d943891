import { spawn, spawnSync, type ChildProcess } from "node:child_process";

/** Whether Debian's redis-server is installed (scripts/test-deps.sh installs it). */
export function hasRedisServer(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

/**
 * A throwaway redis-server on 127.0.0.1:`port`, in memory only (no RDB or AOF files), for the
 * tests and benches. Resolves once it accepts connections; kill it with SIGTERM.
 */
export function startRedis(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--maxmemory-policy",
        "noeviction",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    child.on("error", reject);
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("Ready to accept connections")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`redis-server exited (${code})`)));
  });
}
