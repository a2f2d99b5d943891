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
