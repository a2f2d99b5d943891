/**
 * Every error a service raises on purpose. `code` is stable (clients and tests rely on it),
 * `status` is the HTTP status the one error handler answers with, `message` is safe to show.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 500,
    readonly details?: readonly string[],
  ) {
    super(message);
    this.name = "AppError";
  }
}

/** Configuration that cannot start the service; `details` lists every problem. */
export class ConfigError extends AppError {
  constructor(problems: readonly string[]) {
    super(
      "CONFIG_INVALID",
      `Invalid configuration:\n  - ${problems.join("\n  - ")}`,
      500,
      problems,
    );
    this.name = "ConfigError";
  }
}

/** An error as one short line for a log: its name and message, never a stack or a payload. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : "unknown error";
}
