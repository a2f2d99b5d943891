/**
 * The run's own redis-server (Debian's, as the tests use it: in memory, no RDB or AOF), which a
 * fault restarts on the same port. A restart starts it empty: every queued job is gone, and the
 * service must find its stored work again.
 */
import type { ChildProcess } from "node:child_process";
import { startRedis } from "../../scripts/redis-server";

export interface RedisProcess {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startRedisProcess(port: number): Promise<RedisProcess> {
  let child: ChildProcess | undefined = await startRedis(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once("exit", resolve));
      running.kill("SIGTERM");
      await exited;
    },
    async start() {
      child ??= await startRedis(port);
    },
  };
}
