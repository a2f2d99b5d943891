import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import express, { type ErrorRequestHandler, type Express, type Router } from "express";
import { AppError, describeError, isDependencyDown } from "./errors";
import { securityHeaders } from "./http/security-headers";
import type { Logger } from "./logger";
import { metricsText, type Metrics, type MetricsSnapshot } from "./metrics";

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  readiness: readonly ReadinessCheck[];
  /** Feature routers (webhook, console, simulator…), mounted in order. */
  routers: readonly { path: string; router: Router }[];
  /** Which proxies' X-Forwarded-* headers to believe (express's `trust proxy`); none when unset. */
  trustProxy?: TrustProxy;
  /** When set, /metrics answers only `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** The other roles' metrics, when this process is one role of a supervised `npm start`. */
  siblingMetrics?: () => Promise<MetricsSnapshot[]>;
}

/** A hop count, or addresses/CIDRs/names (`loopback`…); false trusts no proxy. */
export type TrustProxy = number | string[] | false;

/** Express wiring only: routes come from feature modules, errors end in one handler. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", deps.trustProxy ?? false);
  app.use(securityHeaders());
  app.use((req, res, next) => {
    res.locals.reqId = req.header("x-request-id") ?? randomUUID();
    res.setHeader("x-request-id", String(res.locals.reqId));
    next();
  });

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const results = await Promise.all(deps.readiness.map(checkWithin(2000)));
    const failed = results.filter((r) => !r.ok).map((r) => r.name);
    res
      .status(failed.length ? 503 : 200)
      .json({ status: failed.length ? "unavailable" : "ok", failed });
  });
  app.get("/metrics", async (req, res) => {
    if (deps.metricsToken && !bearerMatches(req.header("authorization"), deps.metricsToken)) {
      res.setHeader("www-authenticate", 'Bearer realm="metrics"');
      throw new AppError("METRICS_TOKEN_REQUIRED", "A metrics token is required", 401);
    }
    const siblings = deps.siblingMetrics ? await deps.siblingMetrics() : [];
    res.type(deps.metrics.registry.contentType).send(await metricsText(deps.metrics, siblings));
  });

  for (const { path, router } of deps.routers) app.use(path, router);
  app.use((_req, _res, next) => next(new AppError("NOT_FOUND", "Not found", 404)));
  app.use(errorHandler(deps.logger));
  return app;
}

/** Compared as digests, in constant time: the token's length and bytes leak nothing. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(header ?? "")?.[1] ?? "";
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(token));
}

function checkWithin(ms: number) {
  return async (check: ReadinessCheck) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timeout")), ms);
    });
    try {
      await Promise.race([check.check(), timeout]);
      return { name: check.name, ok: true };
    } catch {
      return { name: check.name, ok: false };
    } finally {
      clearTimeout(timer);
    }
  };
}

/** `{reqId, code, message}` for every error; no stack, SQL or body ever reaches the client. */
function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const reqId = String(res.locals.reqId);
    const known =
      error instanceof AppError
        ? error
        : isDependencyDown(error)
          ? new AppError(
              "SERVICE_UNAVAILABLE",
              "The service is partly down; try again shortly",
              503,
            )
          : undefined;
    const status = known?.status ?? 500;
    const log = { reqId, method: req.method, path: req.path, status, code: known?.code };
    // A dependency that is down is reported by /readyz and the connection logs already.
    if (status === 503) logger.warn({ ...log, err: describeError(error) }, "request failed");
    else if (status >= 500) logger.error({ ...log, err: describeError(error) }, "request failed");
    else logger.info(log, "request rejected");
    if (res.headersSent) return;
    res.status(status).json({
      reqId,
      code: known?.code ?? "INTERNAL",
      message: known?.message ?? "Internal error",
      // What the client must show to fix its request (which fields, which word); never on 5xx.
      ...(status < 500 && known?.details ? { details: known.details } : {}),
    });
  };
}
