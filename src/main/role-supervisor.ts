import { fork, type ChildProcess } from "node:child_process";
import { setPriority } from "node:os";
import { AppError } from "../errors";
import type { Logger } from "../logger";
import type { MetricsSnapshot } from "../metrics";
import { isRoleMessage, type SupervisorToRole } from "./role-messages";

/**
 * The worker's scheduling priority under a supervisor. When the cores are all busy the web role
 * goes first: LINE waits for its acknowledgement (and may not send an event again), while her
 * answer may come a moment later from the queue.
 */
export const WORKER_NICENESS = 5;

/** One role to run as a process of its own: `src/main/<script>` with its arguments. */
export interface RoleCommand {
  name: string;
  /** Absolute path of the entry point. */
  script: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Its scheduling priority (nice, 0 to 19): higher yields the cores to the other roles. */
  niceness?: number;
}

export interface RoleSupervisorOptions {
  logger: Logger;
  /** How long a role is given to stop on SIGTERM before it is killed. */
  stopTimeoutMs: number;
  /** The wait before a crashed role is started again; it doubles after each crash, up to `max`. */
  restartDelayMs?: { first: number; max: number };
  /** How long /metrics waits for a sibling's metrics before serving without them. */
  metricsTimeoutMs?: number;
}

export interface RoleSupervisor {
  /**
   * Starts the roles one after another (the first applies the migrations before the next
   * starts). A role that stops before it has started stops the others and fails the start.
   */
  start(): Promise<void>;
  /** SIGTERM to every role, SIGKILL to any still running after the timeout. True when all exited 0. */
  stop(): Promise<boolean>;
}

interface Running {
  command: RoleCommand;
  child: ChildProcess;
  /** It said it has started: it answers metrics requests. */
  started: boolean;
  /** A crash starts it again: it had started once (this process or the one it replaces). */
  restartable: boolean;
  startedAt: number;
  exited: Promise<number | null>;
}

/**
 * Runs the web and worker roles of `npm start` as processes of their own, so that processing her
 * messages never delays the acknowledgement LINE waits for, and each role has a core. A role that
 * crashes after it started is started again (1 s, doubling up to 30 s); the others keep serving.
 */
export function createRoleSupervisor(
  commands: RoleCommand[],
  options: RoleSupervisorOptions,
): RoleSupervisor {
  const { logger } = options;
  const delays = options.restartDelayMs ?? { first: 1000, max: 30_000 };
  const metricsTimeoutMs = options.metricsTimeoutMs ?? 2000;
  const running = new Map<string, Running>();
  const restartDelay = new Map<string, number>();
  const restartTimers = new Set<NodeJS.Timeout>();
  let stopping = false;
  let nextMetricsId = 1;
  const metricsWaiting = new Map<number, (snapshot: MetricsSnapshot) => void>();

  const send = (child: ChildProcess, message: SupervisorToRole) => {
    if (child.connected) child.send(message);
  };

  /** Every other started role's metrics, as far as they answer in time. */
  async function siblingsOf(name: string): Promise<MetricsSnapshot[]> {
    const others = [...running.values()].filter((r) => r.command.name !== name && r.started);
    const answers = await Promise.all(
      others.map(
        (other) =>
          new Promise<MetricsSnapshot | undefined>((resolve) => {
            const id = nextMetricsId++;
            const timer = setTimeout(() => {
              metricsWaiting.delete(id);
              resolve(undefined);
            }, metricsTimeoutMs);
            metricsWaiting.set(id, (snapshot) => {
              clearTimeout(timer);
              resolve(snapshot);
            });
            send(other.child, { type: "metrics", id });
          }),
      ),
    );
    return answers.filter((a): a is MetricsSnapshot => a !== undefined);
  }

  function spawnRole(command: RoleCommand): Running {
    const child = fork(command.script, [...command.args, "--supervised"], { env: command.env });
    if (command.niceness && child.pid) setPriority(child.pid, command.niceness);
    const role: Running = {
      command,
      child,
      started: false,
      restartable: false,
      startedAt: Date.now(),
      exited: new Promise((resolve) => child.on("exit", (code) => resolve(code))),
    };
    running.set(command.name, role);
    child.on("message", (message: unknown) => {
      if (!isRoleMessage(message)) return;
      if (message.type === "started") {
        role.started = true;
        role.restartable = true;
      } else if (message.type === "metrics") {
        metricsWaiting.get(message.id)?.(message.snapshot);
        metricsWaiting.delete(message.id);
      } else {
        void siblingsOf(command.name).then((snapshots) =>
          send(child, { type: "sibling-metrics", id: message.id, snapshots }),
        );
      }
    });
    child.on("exit", (code, signal) => {
      if (running.get(command.name) === role) running.delete(command.name);
      if (stopping || !role.restartable) return;
      restartLater(role, code, signal);
    });
    return role;
  }

  function restartLater(role: Running, code: number | null, signal: NodeJS.Signals | null) {
    const name = role.command.name;
    // A role that ran for a while before it crashed starts again soon; one that keeps
    // crashing (its database gone) is started less and less often.
    const ranMs = Date.now() - role.startedAt;
    const delayMs = ranMs > delays.max ? delays.first : (restartDelay.get(name) ?? delays.first);
    restartDelay.set(name, Math.min(delayMs * 2, delays.max));
    logger.warn(
      { role: name, code, signal, restartInMs: delayMs },
      "role stopped; starting it again",
    );
    const timer = setTimeout(() => {
      restartTimers.delete(timer);
      if (stopping) return;
      // If it crashes again before it has started, it is started again, later (the database
      // may still be down).
      spawnRole(role.command).restartable = true;
    }, delayMs);
    restartTimers.add(timer);
  }

  /** Resolves once the role says it has started; fails if it exits first. */
  async function startRole(command: RoleCommand): Promise<void> {
    const role = spawnRole(command);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        if (isRoleMessage(message) && message.type === "started") {
          role.child.off("exit", onExit);
          resolve();
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        role.child.off("message", onMessage);
        reject(
          new AppError(
            "ROLE_FAILED_TO_START",
            `The ${command.name} role stopped before it started (${signal ?? `exit code ${code}`})`,
          ),
        );
      };
      role.child.on("message", onMessage);
      role.child.once("exit", onExit);
    });
  }

  async function stop(): Promise<boolean> {
    stopping = true;
    for (const timer of restartTimers) clearTimeout(timer);
    restartTimers.clear();
    const roles = [...running.values()];
    for (const role of roles) role.child.kill("SIGTERM");
    const codes = await Promise.all(
      roles.map(async (role) => {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<"timeout">((resolve) => {
          timer = setTimeout(() => resolve("timeout"), options.stopTimeoutMs);
        });
        const code = await Promise.race([role.exited, timedOut]);
        clearTimeout(timer);
        if (code !== "timeout") return code;
        logger.error({ role: role.command.name }, "role did not stop in time; killed");
        role.child.kill("SIGKILL");
        await role.exited;
        return null;
      }),
    );
    return codes.every((code) => code === 0);
  }

  return {
    async start() {
      try {
        for (const command of commands) await startRole(command);
      } catch (error) {
        await stop();
        throw error;
      }
    },
    stop,
  };
}
