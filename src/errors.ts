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

/**
 * A request body express could not read (body-parser's error `type`), as the 4xx it is. The
 * parser's own message may quote the body (「Unexpected token … in "…"」): it is never passed on.
 */
export function unreadableBody(error: unknown, limit: string): AppError {
  switch ((error as { type?: unknown }).type) {
    case "entity.parse.failed":
      return new AppError("BODY_NOT_JSON", "The body is not valid JSON", 400);
    case "entity.too.large":
      return new AppError("BODY_TOO_LARGE", `The body is larger than ${limit}`, 413);
    case "encoding.unsupported":
      return new AppError(
        "BODY_ENCODING_UNSUPPORTED",
        "The body's Content-Encoding is not supported",
        415,
      );
    case "charset.unsupported":
      return new AppError("BODY_CHARSET_UNSUPPORTED", "The body's charset is not supported", 415);
    default:
      return new AppError("BODY_UNREADABLE", "The body could not be read as sent", 400);
  }
}
