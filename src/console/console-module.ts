import path from "node:path";
import express, { type Router } from "express";
import { Pool } from "pg";
import type { PrismaClient } from "../db/prisma-client";
import type { Preset } from "../flows/flow-types";
import { createCounsellorService } from "../conversations/counsellor-service";
import type { JobDispatcher } from "../jobs/job-dispatch";
import type { JobOutbox } from "../jobs/job-outbox";
import { PUBLIC_KIT_DIR } from "../http/public-kit";
import type { Logger } from "../logger";
import { buildApiRouter, openApiDocument } from "../http/api-router";
import { authenticate } from "../http/auth-middleware";
import { idempotency } from "../http/idempotency";
import { accountRoutes } from "./account-routes";
import { createAccountService } from "./account-service";
import { createAuthService, type AuthService } from "./auth-service";
import { createConsolePresenter } from "./console-presenter";
import { consoleRoutes } from "./console-routes";
import { startLiveEvents } from "./live-events";
import { createSecondFactor } from "./second-factor";
import { createSignInKeys } from "./sign-in-keys";
import { createSignInThrottle } from "./sign-in-throttle";
import type { Sealer } from "../privacy/sealer";
import { statsRoutes } from "../stats/stats-routes";
import { onCallRoutes } from "../oncall/oncall-routes";
import { createPersonRightsService } from "../privacy/person-rights-service";
import { personRightsRoutes } from "./person-rights-routes";
import { createTaskPresenter } from "../tasks/task-presenter";
import { taskRoutes } from "../tasks/task-routes";
import { caseFileRoutes } from "../casefile/casefile-routes";
import { programmeRoutes } from "../programme/programme-routes";
import { createCannedReplyService } from "./canned-reply-service";
import { createMonitorPresenter } from "./monitor-presenter";
import { shiftRoutes } from "./shift-routes";
import { TOPIC_LABELS } from "../conversations/coding";
import { partnerRoutes } from "../partners/partner-routes";
import { campaignLinks, campaignRoutes } from "../campaigns/campaign-routes";

/** The console's sign-in, sessions and second factor, with what they are built from. */
export function createConsoleAuth(deps: {
  prisma: PrismaClient;
  /** Where sign-in budgets are counted (rate-limiter-flexible speaks node-postgres). */
  pool: Pool;
  appSecretKey: string;
  /** APP_SECRET_KEY_PREVIOUS while the key is being replaced. */
  appSecretKeyPrevious?: string | undefined;
  /** Seals TOTP secrets (the runtime's one sealer, built from the same keys). */
  sealer: Sealer;
  requireSecondFactor: boolean;
  now?: () => number;
}): AuthService {
  const keys = createSignInKeys(deps.appSecretKey, deps.appSecretKeyPrevious);
  const now = deps.now ?? Date.now;
  return createAuthService({
    prisma: deps.prisma,
    throttle: createSignInThrottle(deps.pool),
    keys,
    secondFactor: createSecondFactor({
      prisma: deps.prisma,
      sealer: deps.sealer,
      keys,
      now,
    }),
    requireSecondFactor: deps.requireSecondFactor,
    now,
  });
}

export const CONSOLE_PUBLIC_DIR = path.resolve(__dirname, "../../src/console/public");
/** chart.js's browser build (UMD), served as /console/vendor/chart.js for the statistics page. */
const CHART_JS = path.join(path.dirname(require.resolve("chart.js")), "chart.umd.min.js");

/** The console's part of the web role: API under /api/v1, its OpenAPI document, the pages. */
export async function startConsole(deps: {
  databaseUrl: string;
  prisma: PrismaClient;
  preset: Preset;
  dispatcher: JobDispatcher;
  outbox: JobOutbox;
  logger: Logger;
  /** APP_SECRET_KEY: device cookies, recovery codes and TOTP secrets are keyed from it. */
  appSecretKey: string;
  /** APP_SECRET_KEY_PREVIOUS while the key is being replaced: what it keyed still counts. */
  appSecretKeyPrevious?: string | undefined;
  /** Seals and opens her words, notes and files, and TOTP secrets. */
  sealer: Sealer;
  /** REQUIRE_SECOND_FACTOR: admins and supervisors must use one. */
  requireSecondFactor: boolean;
  /** A database connection lost (by default a warning; the runtime keeps quiet when stopping). */
  connectionLost?: (message: string, err: string) => void;
  /**
   * The clock sessions, second-factor codes and Idempotency-Keys are measured with (Date.now).
   * Sign-in budgets expire by the machine's clock (rate-limiter-flexible reads Date.now).
   */
  now?: () => number;
  /**
   * The clock of conversations: counsellors' replies, her contact times, which regions are open
   * now (new Date()).
   */
  clock?: () => Date;
}): Promise<{ routers: { path: string; router: Router }[]; stop(): Promise<void> }> {
  // Sign-in budgets are counted in PostgreSQL through a pool of their own: a sign-in storm does
  // not take the connections conversations need.
  const limitsPool = new Pool({
    connectionString: deps.databaseUrl,
    max: 4,
    connectionTimeoutMillis: 5000,
  });
  const connectionLost =
    deps.connectionLost ?? ((message, err) => deps.logger.warn({ err }, message));
  limitsPool.on("error", (error) =>
    connectionLost("sign-in limits: database connection lost", error.message),
  );
  const auth = createConsoleAuth({ ...deps, pool: limitsPool });
  const presenter = createConsolePresenter({
    prisma: deps.prisma,
    preset: deps.preset,
    sealer: deps.sealer,
    now: deps.clock,
    tasks: createTaskPresenter({ prisma: deps.prisma, preset: deps.preset, now: deps.clock }),
  });
  const live = await startLiveEvents(deps.databaseUrl, deps.logger, presenter.queueLine);
  const routes = consoleRoutes({
    prisma: deps.prisma,
    preset: deps.preset,
    auth,
    presenter,
    conversations: createCounsellorService({
      dispatcher: deps.dispatcher,
      preset: deps.preset,
      sealer: deps.sealer,
      now: deps.clock,
    }),
    live,
    outbox: deps.outbox,
    dispatcher: deps.dispatcher,
  });
  routes.push(
    ...shiftRoutes({
      prisma: deps.prisma,
      presenter,
      cannedReplies: createCannedReplyService({ prisma: deps.prisma, preset: deps.preset }),
      monitor: createMonitorPresenter({ prisma: deps.prisma, preset: deps.preset }),
      now: deps.clock,
    }),
  );
  const accounts = createAccountService({ prisma: deps.prisma, now: deps.now });
  routes.push(...accountRoutes({ preset: deps.preset, auth, accounts }));
  routes.push(...statsRoutes({ prisma: deps.prisma, preset: deps.preset }));
  routes.push(...onCallRoutes({ prisma: deps.prisma, preset: deps.preset }));
  routes.push(...taskRoutes({ prisma: deps.prisma, preset: deps.preset, now: deps.clock }));
  routes.push(
    ...partnerRoutes({
      prisma: deps.prisma,
      preset: deps.preset,
      topics: Object.keys(TOPIC_LABELS),
      now: deps.clock,
    }),
    ...campaignRoutes({ prisma: deps.prisma, preset: deps.preset, now: deps.clock }),
  );
  routes.push(...caseFileRoutes({ prisma: deps.prisma, preset: deps.preset, now: deps.clock }));
  routes.push(...programmeRoutes({ prisma: deps.prisma, preset: deps.preset, now: deps.clock }));
  const clock = deps.now;
  const dateNow = clock ? () => new Date(clock()) : undefined;
  routes.push(
    ...personRightsRoutes({
      rights: createPersonRightsService({ prisma: deps.prisma, sealer: deps.sealer, now: dateNow }),
      preset: deps.preset,
      now: dateNow,
    }),
  );
  const openapi = openApiDocument(routes, { title: "Counsellor console API", version: "1" });
  const docs = express.Router();
  docs.get("/openapi.json", (_req, res) => {
    res.json(openapi);
  });
  const pages = express.Router();
  pages.get("/vendor/chart.js", (_req, res) => res.type("text/javascript").sendFile(CHART_JS));
  pages.use("/kit", express.static(PUBLIC_KIT_DIR));
  pages.use(express.static(CONSOLE_PUBLIC_DIR, { index: "index.html" }));
  return {
    routers: [
      {
        path: "/api/v1",
        router: buildApiRouter(routes, {
          authenticate: authenticate(auth),
          idempotency: idempotency({
            prisma: deps.prisma,
            sealer: deps.sealer,
            logger: deps.logger,
            now: deps.now,
          }),
        }),
      },
      { path: "/api", router: docs },
      { path: "/console", router: pages },
      // Campaign links (/s/:code): public, counted per campaign and month, then LINE's page.
      {
        path: "/s",
        router: campaignLinks({ prisma: deps.prisma, preset: deps.preset, now: deps.clock }),
      },
    ],
    async stop() {
      await live.close();
      await limitsPool.end();
    },
  };
}
