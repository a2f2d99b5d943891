import { JSONParseError, SignatureValidationFailed, middleware } from "@line/bot-sdk";
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from "express";
import { AppError, unreadableBody } from "../errors";
import type { Logger } from "../logger";
import type { WebhookIngress } from "./webhook-ingress";
import { webhookBodySchema } from "./webhook-event";

export const WEBHOOK_PATH = "/webhook/line";
const MAX_BODY = "1mb";

/**
 * POST /webhook/line. The raw body (≤ 1 MiB) is verified against x-line-signature by the SDK's
 * middleware before anything is parsed; LINE gets its 200 only once every event is stored.
 */
export function createWebhookRouter(deps: {
  channelSecret: string;
  ingress: WebhookIngress;
  logger: Logger;
}): Router {
  const router = express.Router();
  router.post(
    WEBHOOK_PATH,
    readBody(deps.logger),
    middleware({ channelSecret: deps.channelSecret }),
    async (req, res) => {
      const parsed = webhookBodySchema.safeParse(req.body);
      if (!parsed.success) {
        throw new AppError("WEBHOOK_MALFORMED", "The body is not a LINE webhook request", 400);
      }
      const stored = await deps.ingress.accept(parsed.data.events);
      res.status(200).json({});
      deps.ingress.dispatch(stored);
    },
  );
  router.use(WEBHOOK_PATH, webhookErrors);
  return router;
}

const readRaw = express.raw({ type: () => true, limit: MAX_BODY });

/**
 * The raw body, as the signature check needs it. A body that cannot be read (not the gzip it
 * says it is, an encoding we do not read, over 1 MiB, cut short) will never be readable: it is
 * refused with a 4xx, so LINE does not send it again, and logged at warn (a proxy may be
 * mangling LINE's requests), by the reader's reason and never with the body.
 */
function readBody(logger: Logger): RequestHandler {
  return (req, res, next) => {
    readRaw(req, res, (error?: unknown) => {
      if (!error) {
        next();
        return;
      }
      const refused = unreadableBody(error, "1 MiB");
      const { type, code } = error as { type?: unknown; code?: unknown };
      logger.warn(
        { reqId: res.locals.reqId, status: refused.status, reason: type ?? code },
        "webhook body unreadable",
      );
      next(refused);
    });
  };
}

/** Turns the SDK's errors into typed ones; the app's handler answers. */
const webhookErrors: ErrorRequestHandler = (error: unknown, _req, _res, next) => {
  if (error instanceof SignatureValidationFailed) {
    next(new AppError("SIGNATURE_INVALID", "Missing or invalid x-line-signature", 401));
  } else if (error instanceof JSONParseError) {
    next(new AppError("BODY_NOT_JSON", "The body is not valid JSON", 400));
  } else if (error instanceof AppError) {
    next(error);
  } else {
    // Anything else here means the events could not be stored: LINE must redeliver.
    next(new AppError("STORE_UNAVAILABLE", "Events could not be stored; retry later", 503));
  }
};
