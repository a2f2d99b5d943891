import { existsSync } from "node:fs";
import path from "node:path";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { PUBLIC_KIT_DIR } from "../http/public-kit";
import type { FaultQueue } from "./fault-queue";
import { PersonActions, SimulatorError } from "./simulator-actions";
import type { SimulatorStore } from "./simulator-store";
import type { ActionResult, FaultSpec, LineAction, SimPerson } from "./simulator-types";

export interface PersonDeps {
  store: SimulatorStore;
  actions: PersonActions;
  faults: FaultQueue;
  botName: string;
  publicDir: string;
  /** Open event streams, ended when the simulator closes. */
  streams: Set<Response>;
}

/** Where the page's static files are: next to this file when run from source (tsx, ts-jest). */
export function defaultPublicDir(): string {
  const candidates = [
    path.resolve(__dirname, "public"),
    path.resolve(__dirname, "../../src/simulator/public"),
  ];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0] ?? "public";
}

/**
 * The person's side: the chat page at `/` (relative URLs only, so any mount prefix works), the
 * shared browser modules it imports under `/kit`, and the JSON + server-sent-events API it uses
 * under `/_sim`. Local development only: no auth.
 */
export function personRouter(deps: PersonDeps): Router {
  const router = express.Router();
  router.use("/_sim", express.json({ limit: "1mb" }));
  router.get("/_sim/state", (_req, res) => void res.json(stateView(deps)));
  router.get("/_sim/stream", (req, res) => stream(deps, req, res));
  router.post("/_sim/persons", (req, res) => void res.status(201).json(createPerson(deps, req)));
  router.get("/_sim/persons/:userId", (req, res) => personView(deps, req.params.userId, res));
  router.post(
    "/_sim/persons/:userId/follow",
    act(deps, (a, id) => a.follow(id)),
  );
  router.post(
    "/_sim/persons/:userId/unfollow",
    act(deps, (a, id) => a.unfollow(id)),
  );
  router.post("/_sim/persons/:userId/messages", act(deps, sendMessage));
  router.post(
    "/_sim/persons/:userId/images",
    express.raw({ type: "image/*", limit: "10mb" }),
    act(deps, sendImage),
  );
  router.post("/_sim/persons/:userId/actions", act(deps, tapAction));
  router.post("/_sim/persons/:userId/unsend", act(deps, unsend));
  router.post("/_sim/events/:webhookEventId/redeliver", (req, res, next) => {
    deps.actions.redeliver(req.params.webhookEventId).then((r) => res.json(r), next);
  });
  router.post("/_sim/faults", (req, res) => injectFault(deps, req, res));
  router.delete("/_sim/faults", (_req, res) => {
    deps.faults.clear();
    res.json({ faults: [] });
  });
  router.get("/_sim/content/:messageId", (req, res) => herContent(deps, req, res));
  router.get("/", redirectToSlash);
  router.use("/kit", express.static(PUBLIC_KIT_DIR));
  router.use(express.static(deps.publicDir, { index: "index.html" }));
  router.use("/_sim", onError);
  return router;
}

function summary(person: SimPerson) {
  return { userId: person.userId, displayName: person.displayName, state: person.state };
}

function stateView(deps: PersonDeps) {
  return {
    botName: deps.botName,
    persons: [...deps.store.persons.values()].map(summary),
    faults: deps.faults.pending(),
  };
}

function createPerson(deps: PersonDeps, req: Request) {
  const name: unknown = (req.body as { displayName?: unknown } | undefined)?.displayName;
  const displayName =
    typeof name === "string" && name.trim() ? name.trim().slice(0, 20) : undefined;
  return summary(deps.store.addPerson(displayName));
}

function personView(deps: PersonDeps, userId: string, res: Response) {
  const person = deps.store.person(userId);
  if (!person) return void res.status(404).json({ code: "unknown_person", message: "Not found" });
  const events = deps.store.webhooks
    .filter((r) => r.userId === userId)
    .map(({ webhookEventId, type, isRedelivery, at, status, error }) => ({
      webhookEventId,
      type,
      isRedelivery,
      at,
      status,
      error,
    }));
  res.json({
    ...summary(person),
    botName: deps.botName,
    loading: deps.store.loadingVisible(userId),
    items: deps.store.chat(userId),
    events,
  });
}

type ActionFn = (
  actions: PersonActions,
  userId: string,
  req: Request,
) => Promise<ActionResult | undefined>;

function act(deps: PersonDeps, fn: ActionFn) {
  return (req: Request, res: Response, next: NextFunction) => {
    fn(deps.actions, String(req.params["userId"]), req).then((result) => res.json(result), next);
  };
}

function sendMessage(actions: PersonActions, userId: string, req: Request) {
  const body = (req.body ?? {}) as { type?: unknown; text?: unknown; packageId?: unknown };
  if (body.type === "sticker") {
    const sticker = req.body as { packageId?: string; stickerId?: string };
    return actions.sendSticker(userId, sticker.packageId, sticker.stickerId);
  }
  if (typeof body.text !== "string") throw new SimulatorError("bad_request", "text required");
  return actions.sendText(userId, body.text);
}

function sendImage(actions: PersonActions, userId: string, req: Request) {
  if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
    throw new SimulatorError("bad_request", "image bytes required");
  }
  return actions.sendImage(userId, req.body, req.get("content-type") ?? "image/png");
}

function tapAction(actions: PersonActions, userId: string, req: Request) {
  const action: unknown = (req.body as { action?: unknown } | undefined)?.action;
  if (typeof action !== "object" || action === null || !("type" in action)) {
    throw new SimulatorError("bad_request", "action required");
  }
  return actions.tapAction(userId, action as LineAction);
}

function unsend(actions: PersonActions, userId: string, req: Request) {
  const messageId: unknown = (req.body as { messageId?: unknown } | undefined)?.messageId;
  if (typeof messageId !== "string") throw new SimulatorError("bad_request", "messageId required");
  return actions.unsend(userId, messageId);
}

function injectFault(deps: PersonDeps, req: Request, res: Response) {
  const body = (req.body ?? {}) as {
    status?: unknown;
    count?: unknown;
    path?: unknown;
    delayMs?: unknown;
  };
  const known: FaultSpec["status"][] = [500, 429, 400, "timeout", "lost-response", "slow"];
  const status = known.find((s) => s === body.status) ?? "timeout";
  const count = typeof body.count === "number" ? body.count : 1;
  const fault: FaultSpec = { status, count };
  if (typeof body.path === "string" && body.path) fault.path = body.path;
  if (typeof body.delayMs === "number" && body.delayMs >= 0) fault.delayMs = body.delayMs;
  deps.faults.inject(fault);
  res.status(201).json({ faults: deps.faults.pending() });
}

function herContent(deps: PersonDeps, req: Request, res: Response) {
  const stored = deps.store.content(String(req.params["messageId"]));
  if (!stored) return void res.status(404).end();
  res.type(stored.contentType).send(stored.bytes);
}

/** The page uses relative URLs, which only resolve below the mount point with a trailing slash. */
function redirectToSlash(req: Request, res: Response, next: NextFunction) {
  const [pathname = "", query] = req.originalUrl.split("?");
  if (pathname.endsWith("/")) return next();
  res.redirect(301, `${pathname}/${query === undefined ? "" : `?${query}`}`);
}

/** Server-sent events: "persons" when the list changes, "person" with an id when a chat does. */
function stream(deps: PersonDeps, _req: Request, res: Response) {
  res.set({
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  res.flushHeaders();
  res.write("retry: 1000\n\n");
  const onPerson = (userId: string) => res.write(`data: ${JSON.stringify({ userId })}\n\n`);
  const onPersons = () => res.write(`data: ${JSON.stringify({ persons: true })}\n\n`);
  const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
  deps.store.on("person", onPerson);
  deps.store.on("persons", onPersons);
  deps.streams.add(res);
  // "close" on the response fires both when the page goes away and when close() ends it.
  res.on("close", () => {
    clearInterval(ping);
    deps.store.off("person", onPerson);
    deps.store.off("persons", onPersons);
    deps.streams.delete(res);
  });
}

function onError(error: unknown, _req: Request, res: Response, next: NextFunction) {
  if (res.headersSent) return next(error);
  if (error instanceof SimulatorError) {
    const status = error.code.startsWith("unknown")
      ? 404
      : error.code === "bad_request"
        ? 400
        : 409;
    return void res.status(status).json({ code: error.code, message: error.message });
  }
  res.status(500).json({ code: "internal", message: "Simulator error" });
}
