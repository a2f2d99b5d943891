import { JSONParseError, SignatureValidationFailed, middleware } from "@line/bot-sdk";
import express, { type ErrorRequestHandler, type Router } from "express";
import { AppError } from "../errors";
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
}): Router {
  const router = express.Router();
  router.post(
    WEBHOOK_PATH,
    express.raw({ type: () => true, limit: MAX_BODY }),
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

/** Turns the SDK's and body parser's errors into typed ones; the app's handler answers. */
const webhookErrors: ErrorRequestHandler = (error: unknown, _req, _res, next) => {
  if (error instanceof SignatureValidationFailed) {
    next(new AppError("SIGNATURE_INVALID", "Missing or invalid x-line-signature", 401));
  } else if (error instanceof JSONParseError) {
    next(new AppError("BODY_NOT_JSON", "The body is not valid JSON", 400));
  } else if (isTooLarge(error)) {
    next(new AppError("BODY_TOO_LARGE", "The body is larger than 1 MiB", 413));
  } else if (error instanceof AppError) {
    next(error);
  } else {
    // Anything else here means the events could not be stored: LINE must redeliver.
    next(new AppError("STORE_UNAVAILABLE", "Events could not be stored; retry later", 503));
  }
};

function isTooLarge(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as { type?: unknown }).type === "entity.too.large"
  );
}
