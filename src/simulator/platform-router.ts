import { once } from "node:events";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import type { FaultQueue } from "./fault-queue";
import { checkMessages, mergeProblems } from "./line-rules";
import type { OpenApiValidator, ValidationProblem } from "./openapi-validator";
import { newRequestId } from "./simulator-ids";
import type { SimulatorStore } from "./simulator-store";
import type { LineMessage, RequestLogEntry, SimulatorLogger } from "./simulator-types";

export interface PlatformDeps {
  store: SimulatorStore;
  validator: OpenApiValidator;
  faults: FaultQueue;
  requestLog: RequestLogEntry[];
  channelAccessToken: string;
  botUserId: string;
  botName: string;
  faultTimeoutMs: number;
  logger: SimulatorLogger | undefined;
}

const entries = new WeakMap<Response, RequestLogEntry>();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHAT_ID = /^[UCR][0-9a-f]{32}$/;

/** Answers like LINE: JSON body, `x-line-request-id` (set earlier), and a log entry. */
/** Responses whose answer a "lost-response" fault drops after the work is done. */
const losing = new WeakSet<Response>();

function send(res: Response, status: number, body: unknown, headers: Record<string, string> = {}) {
  const entry = entries.get(res);
  if (entry) {
    entry.status = losing.has(res) ? "lost-response" : status;
    entry.responseBody = body;
  }
  if (losing.has(res)) {
    res.socket?.destroy();
    return;
  }
  res.status(status).set(headers).json(body);
}

function fail(res: Response, status: number, message: string, details?: ValidationProblem[]) {
  send(res, status, details && details.length > 0 ? { message, details } : { message });
}

function invalidBody(res: Response, problems: ValidationProblem[]) {
  fail(res, 400, `The request body has ${problems.length} error(s)`, problems);
}

/**
 * The Messaging API (api.line.me) and its data API (api-data.line.me) as far as this project
 * uses them, with LINE's rules: reply tokens, retry keys, limits, auth, spec validation.
 */
export function platformRouter(deps: PlatformDeps): Router {
  const router = express.Router();
  router.use("/v2/bot", express.raw({ type: () => true, limit: "2mb" }));
  router.use("/v2/bot", begin(deps), injectFaults(deps), authenticate(deps), parseJson);
  router.post("/v2/bot/message/reply", (req, res) => reply(deps, req, res));
  router.post("/v2/bot/message/push", (req, res) => push(deps, req, res));
  router.post("/v2/bot/message/validate/reply", (req, res) =>
    validateOnly(deps, req, res, "reply"),
  );
  router.post("/v2/bot/message/validate/push", (req, res) => validateOnly(deps, req, res, "push"));
  router.post("/v2/bot/chat/loading/start", (req, res) => loading(deps, req, res));
  router.post("/v2/bot/chat/markAsRead", (req, res) => markAsReadByToken(deps, req, res));
  router.post("/v2/bot/message/markAsRead", (req, res) => markAsReadByChat(deps, req, res));
  router.get("/v2/bot/profile/:userId", (req, res) => profile(deps, req.params.userId, res));
  router.get("/v2/bot/info", (_req, res) => botInfo(deps, res));
  router.get("/v2/bot/message/:messageId/content", (req, res) => content(deps, req, res));
  router.get("/v2/bot/message/:messageId/content/preview", (req, res) => content(deps, req, res));
  router.get("/v2/bot/message/:messageId/content/transcoding", (req, res) =>
    transcoding(deps, req, res),
  );
  router.use("/v2/bot", (_req, res) => fail(res, 404, "Not found"));
  router.use("/v2/bot", onError);
  return router;
}

function begin(deps: PlatformDeps) {
  return (req: Request, res: Response, next: NextFunction) => {
    const requestId = newRequestId();
    res.set("x-line-request-id", requestId);
    const entry: RequestLogEntry = {
      requestId,
      at: deps.store.now(),
      method: req.method,
      path: req.baseUrl.replace(/^.*?(?=\/v2\/bot)/, "") + req.path,
      headers: loggedHeaders(req),
      retryKey: req.get("x-line-retry-key"),
      body: rawBodyForLog(req),
      status: "pending",
      responseBody: undefined,
    };
    deps.requestLog.push(entry);
    entries.set(res, entry);
    res.on("finish", () => {
      deps.logger?.info(
        { requestId, method: req.method, route: routeName(entry.path), status: res.statusCode },
        "simulator platform call",
      );
    });
    next();
  };
}

/** Headers as sent, but the bearer token never leaves the simulator. */
function loggedHeaders(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  if (out["authorization"]) out["authorization"] = "Bearer [redacted]";
  return out;
}

function rawBodyForLog(req: Request): unknown {
  if (!Buffer.isBuffer(req.body)) return req.body as unknown;
  if (req.body.length === 0) return undefined;
  const text = req.body.toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Logs name the route, never the user id inside the path. */
function routeName(path: string): string {
  return path.replace(/U[0-9a-f]{32}/g, "{userId}").replace(/\/message\/\d+\//, "/message/{id}/");
}

function injectFaults(deps: PlatformDeps) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const entry = entries.get(res);
    const spec = deps.faults.take(entry?.path ?? "");
    const fault = spec?.status;
    if (fault === undefined) return next();
    if (fault === "slow") return holdThenTake(deps, res, next, spec?.delayMs ?? 1000);
    if (fault === 500) return fail(res, 500, "Internal server error");
    if (fault === 429) return fail(res, 429, "Too many requests");
    if (fault === 400) return fail(res, 400, "Failed to send messages");
    if (fault === "lost-response") {
      losing.add(res);
      return next();
    }
    if (entry) entry.status = "timeout";
    holdOpen(deps, res);
  };
}

/** Held a while, then taken as usual (unless the caller went away meanwhile). */
function holdThenTake(
  deps: PlatformDeps,
  res: Response,
  next: NextFunction,
  delayMs: number,
): void {
  deps.faults.hanging.add(res);
  const timer = setTimeout(() => {
    deps.faults.hanging.delete(res);
    if (!res.socket?.destroyed) next();
  }, delayMs);
  res.on("close", () => {
    clearTimeout(timer);
    deps.faults.hanging.delete(res);
  });
}

/** Never answers; the socket is cut after faultTimeoutMs or when the simulator closes. */
function holdOpen(deps: PlatformDeps, res: Response): void {
  deps.faults.hanging.add(res);
  const timer = setTimeout(() => res.socket?.destroy(), deps.faultTimeoutMs);
  timer.unref();
  res.on("close", () => {
    clearTimeout(timer);
    deps.faults.hanging.delete(res);
  });
}

function authenticate(deps: PlatformDeps) {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.get("authorization");
    const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
    if (!match) {
      return fail(
        res,
        401,
        "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'",
      );
    }
    if (match[1] !== deps.channelAccessToken) {
      return fail(
        res,
        401,
        "Authentication failed due to the following reason: invalid token. Confirm that the access token in the authorization header is valid.",
      );
    }
    next();
  };
}

function parseJson(req: Request, res: Response, next: NextFunction) {
  if (req.method !== "POST" || !Buffer.isBuffer(req.body)) return next();
  const text = req.body.toString("utf8");
  try {
    req.body = text.length === 0 ? undefined : (JSON.parse(text) as unknown);
    next();
  } catch {
    fail(res, 400, "The request body could not be parsed as JSON (line: -, column: -)");
  }
}

function onError(error: unknown, _req: Request, res: Response, next: NextFunction) {
  if (res.headersSent) return next(error);
  const status = (error as { status?: unknown }).status;
  if (status === 413) return fail(res, 413, "Request entity too large");
  fail(res, 500, "Internal server error");
}

/** Spec validation (messaging-api.yml) plus LINE's documented limits the spec lacks. */
function bodyProblems(deps: PlatformDeps, template: string, body: unknown): ValidationProblem[] {
  if (body === undefined) return [{ property: "", message: "Request body required" }];
  return mergeProblems(
    checkMessages(body),
    deps.validator.requestBodyProblems(template, "post", body),
  );
}

function messagesOf(body: unknown): LineMessage[] {
  return (body as { messages: LineMessage[] }).messages;
}

function reply(deps: PlatformDeps, req: Request, res: Response) {
  const body: unknown = req.body;
  const problems = bodyProblems(deps, "/v2/bot/message/reply", body);
  if (problems.length > 0) return invalidBody(res, problems);
  const token = (body as { replyToken: string }).replyToken;
  const check = deps.store.checkReplyToken(token);
  if (!check.ok) return fail(res, 400, "Invalid reply token");
  deps.store.useReplyToken(token);
  const requestId = entries.get(res)?.requestId ?? "";
  const sent = deps.store.deliver(check.userId, messagesOf(body), "reply", requestId);
  send(res, 200, { sentMessages: sent });
}

function push(deps: PlatformDeps, req: Request, res: Response) {
  const retryKey = req.get("x-line-retry-key");
  if (retryKey !== undefined && !UUID.test(retryKey)) {
    return fail(res, 400, "The value of the X-Line-Retry-Key header is invalid");
  }
  const accepted = retryKey ? deps.store.acceptedRetryKey(retryKey) : undefined;
  if (accepted) {
    const body = {
      message: "The retry key is already accepted",
      sentMessages: accepted.sentMessages,
    };
    return send(res, 409, body, { "x-line-accepted-request-id": accepted.requestId });
  }
  const body: unknown = req.body;
  const problems = bodyProblems(deps, "/v2/bot/message/push", body);
  if (problems.length > 0) return invalidBody(res, problems);
  const to = (body as { to: string }).to;
  if (!CHAT_ID.test(to)) {
    return fail(
      res,
      400,
      "The property, 'to', in the request body is invalid (line: -, column: -)",
    );
  }
  // LINE answers this for an id that does not exist (or belongs to another provider).
  if (!deps.store.person(to)) return fail(res, 400, "Failed to send messages");
  const requestId = entries.get(res)?.requestId ?? "";
  const sent = deps.store.deliver(to, messagesOf(body), "push", requestId);
  if (retryKey) deps.store.rememberRetryKey(retryKey, requestId, sent);
  send(res, 200, { sentMessages: sent });
}

function validateOnly(deps: PlatformDeps, req: Request, res: Response, kind: "reply" | "push") {
  // The validate endpoints take only {messages}; check them as the real endpoint would.
  const body: unknown = req.body;
  const filler = kind === "reply" ? { replyToken: "validate" } : { to: deps.botUserId };
  const problems = bodyProblems(deps, `/v2/bot/message/${kind}`, {
    ...filler,
    ...(body as object),
  });
  if (problems.length > 0) return invalidBody(res, problems);
  send(res, 200, {});
}

function loading(deps: PlatformDeps, req: Request, res: Response) {
  const body: unknown = req.body;
  const problems = bodyProblems(deps, "/v2/bot/chat/loading/start", body);
  const { chatId, loadingSeconds = 20 } = (body ?? {}) as {
    chatId?: string;
    loadingSeconds?: number;
  };
  if (typeof loadingSeconds === "number" && loadingSeconds % 5 !== 0) {
    problems.push({ property: "loadingSeconds", message: "Must be a multiple of 5" });
  }
  if (problems.length > 0) return invalidBody(res, problems);
  const person = chatId ? deps.store.person(chatId) : undefined;
  if (!person || person.state !== "friend") return fail(res, 400, "Invalid chatId");
  deps.store.startLoading(person.userId, loadingSeconds);
  send(res, 202, {});
}

function markAsReadByToken(deps: PlatformDeps, req: Request, res: Response) {
  const body: unknown = req.body;
  const problems = bodyProblems(deps, "/v2/bot/chat/markAsRead", body);
  if (problems.length > 0) return invalidBody(res, problems);
  const token = (body as { markAsReadToken: string }).markAsReadToken;
  if (!deps.store.markReadByToken(token)) return fail(res, 400, "Invalid markAsReadToken");
  send(res, 200, {});
}

function markAsReadByChat(deps: PlatformDeps, req: Request, res: Response) {
  const body: unknown = req.body;
  const problems = bodyProblems(deps, "/v2/bot/message/markAsRead", body);
  if (problems.length > 0) return invalidBody(res, problems);
  const userId = (body as { chat: { userId: string } }).chat.userId;
  if (!deps.store.person(userId)) return fail(res, 400, "Invalid chat");
  deps.store.markAllRead(userId);
  send(res, 200, {});
}

/** LINE answers 404 for an unknown id, or a person who has not added or has blocked the account. */
function profile(deps: PlatformDeps, userId: string, res: Response) {
  const person = deps.store.person(userId);
  if (!person || person.state !== "friend") return fail(res, 404, "Not found");
  send(res, 200, { userId: person.userId, displayName: person.displayName, language: "ja" });
}

function botInfo(deps: PlatformDeps, res: Response) {
  send(res, 200, {
    userId: deps.botUserId,
    basicId: "@000simulator",
    displayName: deps.botName,
    chatMode: "chat",
    markAsReadMode: "manual",
  });
}

function content(deps: PlatformDeps, req: Request, res: Response) {
  const stored = deps.store.content(String(req.params["messageId"]));
  if (!stored) return fail(res, 404, "Not found");
  const entry = entries.get(res);
  if (entry) {
    entry.status = 200;
    entry.responseBody = `<${stored.bytes.length} bytes>`;
  }
  res.status(200).type(stored.contentType);
  void streamPieces(res, stored.bytes);
}

/** Bytes per write of a content body. */
const CONTENT_PIECE_BYTES = 64 * 1024;

/**
 * The body goes out in pieces, chunked and without Content-Length, as a large download arrives
 * over the network: the service must count what it reads (its cap) rather than trust a header,
 * and may stop reading part-way.
 */
async function streamPieces(res: Response, bytes: Buffer): Promise<void> {
  for (let at = 0; at < bytes.length && !res.destroyed; at += CONTENT_PIECE_BYTES) {
    if (!res.write(bytes.subarray(at, at + CONTENT_PIECE_BYTES))) {
      await Promise.race([once(res, "drain"), once(res, "close")]);
    }
  }
  if (!res.destroyed) res.end();
}

function transcoding(deps: PlatformDeps, req: Request, res: Response) {
  if (!deps.store.content(String(req.params["messageId"]))) return fail(res, 404, "Not found");
  send(res, 200, { status: "succeeded" });
}
