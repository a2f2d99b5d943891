import { describeError } from "../errors";
import type { Logger } from "../logger";
import { createRoleSupervisor, type RoleCommand } from "./role-supervisor";
import { onStopSignals, type StopStep } from "./runtime";

export interface RunSupervisedOptions {
  logger: Logger;
  /** The roles' own stop timeout (SHUTDOWN_TIMEOUT_MS): they get a little more before SIGKILL. */
  shutdownTimeoutMs: number;
  /** What the caller started for the roles, stopped after them (the demo's PostgreSQL). */
  stopAfter?: StopStep[];
}

/** Time a role's own stop may overrun SHUTDOWN_TIMEOUT_MS (it exits 1 then) before it is killed. */
const KILL_GRACE_MS = 5000;

/**
 * Starts the roles under a supervisor and stops them all on Ctrl-C, SIGTERM or SIGHUP; exits 0
 * when every role stopped cleanly, 1 otherwise. Resolves once every role has started; a role that
 * cannot start stops the others and the `stopAfter` steps, and the start fails.
 */
export async function runSupervised(
  commands: RoleCommand[],
  options: RunSupervisedOptions,
): Promise<void> {
  const { logger } = options;
  const supervisor = createRoleSupervisor(commands, {
    logger,
    stopTimeoutMs: options.shutdownTimeoutMs + KILL_GRACE_MS,
  });
  const stopAfter = async () => {
    for (const step of options.stopAfter ?? []) {
      await step.stop().catch((error: unknown) => {
        logger.error({ step: step.name, err: describeError(error) }, "unclean stop");
      });
    }
  };
  let signalled = false;
  const stop = (signal: string) => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, "stopping");
    void supervisor
      .stop()
      .then(async (clean) => {
        await stopAfter();
        process.exit(clean ? 0 : 1);
      })
      .catch((error: unknown) => {
        logger.error({ err: describeError(error) }, "unclean stop");
        process.exit(1);
      });
  };
  onStopSignals(stop);
  try {
    await supervisor.start();
  } catch (error) {
    // Stopped by a signal while starting: the stop above ends the process.
    if (signalled) return new Promise(() => undefined);
    await stopAfter();
    throw error;
  }
}
