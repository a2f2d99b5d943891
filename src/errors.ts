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

/** Prisma's codes for a database it cannot reach or that stopped answering in time. */
const UNREACHABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028"]);
/** Node's and node-postgres's signs of the same, on an error or any of its causes. */
const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "57P01"]);
const CONNECTION_MESSAGE =
  /Connection terminated|connection timeout|Connection is closed|Query read timeout|Can't reach database server|Timed out fetching a new connection|ECONNREFUSED/i;

/** Whether an error's message (all a queue keeps of a job's failure) says a dependency was down. */
export function saysDependencyDown(message: string): boolean {
  return CONNECTION_MESSAGE.test(message);
}

/**
 * Whether an error says a dependency (the database, the queue) is down or not answering, not
 * that the request or the code is wrong: such a request is answered 503, to be retried.
 */
export function isDependencyDown(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (UNREACHABLE_CODES.has(code) || CONNECTION_CODES.has(code)))
      return true;
    if (CONNECTION_MESSAGE.test(e.message)) return true;
    e = e.cause;
  }
  return false;
}
