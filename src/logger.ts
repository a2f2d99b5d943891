import pino, { type Logger } from "pino";

export type { Logger };

/**
 * pino JSON logs. Nothing a person wrote, no LINE user id, reply token, signature or secret may
 * reach a log line: the redact list is the safety net behind code that never logs them.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        "req.headers.authorization",
        'req.headers["x-line-signature"]',
        "req.headers.cookie",
        "body",
        "*.body",
        "text",
        "*.text",
        "replyToken",
        "*.replyToken",
        "userId",
        "*.userId",
        "*.password",
        "*.channelSecret",
        "*.channelAccessToken",
      ],
      censor: "[redacted]",
    },
  });
}

/**
 * Reports a lost connection a moment later: as a warning, or at debug if by then `stopping()`
 * says the connection was ours to close. Ctrl-C reaches an embedded PostgreSQL as it reaches
 * us, and its cut may come before our signal handler has run.
 */
export function reportConnectionLost(
  logger: Logger,
  stopping: () => boolean,
  message: string,
  err: string,
): void {
  const report = () =>
    stopping() ? logger.debug({ err }, message) : logger.warn({ err }, message);
  setTimeout(report, 200).unref();
}
