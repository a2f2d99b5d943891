import express, { type Request, type RequestHandler, type Response, type Router } from "express";
import { z } from "zod";
import type { CounsellorRole } from "../db/prisma-client";
import { AppError, unreadableBody } from "../errors";
import {
  requireCsrf,
  requirePasswordChanged,
  requireRole,
  requireSecondFactorEnrolled,
  userOf,
  type ConsoleUser,
} from "./auth-middleware";
import { IDEMPOTENCY_HEADER } from "./idempotency";

type Method = "get" | "post" | "patch" | "delete";

/** One API route: its schemas (validated in, typed out, documented) and a thin handler. */
export interface ApiRoute<B extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  method: Method;
  path: string;
  summary: string;
  /** Who may call it; absent = any signed-in user. `public` routes need no session. */
  roles?: CounsellorRole[];
  public?: boolean;
  /**
   * Answers even while her password must be changed (an admin reset it): the session check,
   * signing out and changing the password.
   */
  beforePasswordChange?: boolean;
  /**
   * The request or the answer holds a password: no Idempotency-Key is taken, whose store keeps
   * a fast hash of the request and the answer itself.
   */
  holdsSecrets?: boolean;
  /**
   * Open to a session that must first enrol a second factor (REQUIRE_SECOND_FACTOR); every
   * other signed-in route answers it 403 SECOND_FACTOR_ENROLMENT_REQUIRED.
   */
  duringEnrolment?: boolean;
  body?: B;
  query?: z.ZodType;
  response?: R;
  status?: number;
  handler: (ctx: {
    user: ConsoleUser;
    params: Record<string, string>;
    body: z.infer<B>;
    query: unknown;
    req: Request;
    res: Response;
  }) => Promise<z.infer<R> | undefined>;
}

/** Lets TypeScript check each handler against its own schemas. */
export const route = <B extends z.ZodType, R extends z.ZodType>(r: ApiRoute<B, R>) =>
  r as unknown as ApiRoute;

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`);
    throw new AppError("INVALID_INPUT", problems.join("; "), 400, problems);
  }
  return parsed.data;
}

/** Ids in paths are UUIDs: anything else names nothing (404), never a database error. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BODY_LIMIT = "100kb";

/** PostgreSQL text cannot hold NUL: refused at the door rather than by the database. */
function holdsNul(value: unknown): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (Array.isArray(value)) return value.some(holdsNul);
  if (value && typeof value === "object")
    return Object.entries(value).some(([k, v]) => k.includes("\u0000") || holdsNul(v));
  return false;
}

/**
 * JSON bodies up to 100 kB; what cannot be read is a 4xx that quotes nothing of it, and text
 * with a NUL character is refused, in the body or the query.
 */
function readBody(): RequestHandler {
  const json = express.json({ limit: BODY_LIMIT });
  return (req, res, next) => {
    json(req, res, (error?: unknown) => {
      if (error !== undefined) return next(unreadableBody(error, "100 kB"));
      if (holdsNul(req.body) || holdsNul(req.query)) {
        return next(new AppError("NUL_CHARACTER", "Text may not contain NUL characters", 400));
      }
      next();
    });
  };
}

/**
 * Refuses, as not found, a path whose `:id` is not a UUID or whose parameters hold a NUL (no key
 * can): before any guard reads the database, which would fail on either.
 */
function pathNamesSomething(path: string): RequestHandler {
  const names = [...path.matchAll(/:(\w+)/g)].map((m) => m[1] ?? "");
  return (req, _res, next) => {
    const params = req.params as Record<string, string>;
    const bad = names.some((n) => {
      const value = params[n] ?? "";
      return value.includes("\u0000") || (n === "id" && !UUID.test(value));
    });
    next(bad ? new AppError("NOT_FOUND", "Not found", 404) : undefined);
  };
}

/** A signed-in change: it takes an Idempotency-Key (sign-in has no account to keep keys for). */
const takesIdempotencyKey = (r: ApiRoute) => !r.public && !r.holdsSecrets && r.method !== "get";

export function buildApiRouter(
  routes: readonly ApiRoute[],
  middleware: {
    authenticate: RequestHandler;
    /** src/http/idempotency.ts, on every signed-in change. */
    idempotency: RequestHandler;
  },
): Router {
  const router = express.Router();
  router.use(readBody());
  for (const r of routes) {
    const guards: RequestHandler[] = [pathNamesSomething(r.path)];
    if (!r.public) guards.push(middleware.authenticate, requireCsrf);
    if (!r.public && !r.beforePasswordChange) guards.push(requirePasswordChanged);
    if (!r.public && !r.duringEnrolment) guards.push(requireSecondFactorEnrolled);
    if (r.roles) guards.push(requireRole(...r.roles));
    if (takesIdempotencyKey(r)) guards.push(middleware.idempotency);
    router[r.method](r.path, ...guards, async (req: Request, res: Response) => {
      const result = await r.handler({
        user: r.public ? (undefined as unknown as ConsoleUser) : userOf(res),
        params: req.params as Record<string, string>,
        body: r.body ? parse(r.body, req.body) : undefined,
        query: r.query ? parse(r.query, req.query) : undefined,
        req,
        res,
      });
      if (res.headersSent) return;
      if (result === undefined) res.status(r.status ?? 204).end();
      else res.status(r.status ?? 200).json(result);
    });
  }
  return router;
}

/** OpenAPI 3.1 document of the routes, from the same zod schemas that validate them. */
export function openApiDocument(
  routes: readonly ApiRoute[],
  info: { title: string; version: string },
) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = `/api/v1${r.path}`.replace(/:(\w+)/g, "{$1}");
    const params: object[] = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: m[1] === "id" ? { type: "string", format: "uuid" } : { type: "string" },
    }));
    if (r.query) params.push(...queryParameters(r.query));
    if (takesIdempotencyKey(r)) params.push(IDEMPOTENCY_PARAMETER);
    paths[path] ??= {};
    const ok = String(r.status ?? (r.response ? 200 : 204));
    paths[path][r.method] = {
      summary: r.summary,
      ...(r.roles ? { "x-roles": r.roles } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: z.toJSONSchema(r.body, { io: "input" }) } },
            },
          }
        : {}),
      responses: {
        [ok]: r.response
          ? {
              description: "OK",
              content: { "application/json": { schema: z.toJSONSchema(r.response) } },
            }
          : { description: "OK" },
        default: {
          description: "Error",
          content: { "application/json": { schema: ERROR_SCHEMA } },
        },
      },
      ...(r.public ? {} : { security: [{ session: [] }] }),
    };
  }
  return {
    openapi: "3.1.0",
    info,
    paths,
    components: {
      securitySchemes: {
        session: {
          type: "apiKey",
          in: "cookie",
          name: "lws_session",
          description: "plus header x-csrf-token on changes",
        },
      },
    },
  };
}

/** A query schema's fields as OpenAPI parameters (an object schema of plain fields). */
function queryParameters(schema: z.ZodType): object[] {
  const json = z.toJSONSchema(schema, { io: "input" }) as {
    properties?: Record<string, object>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, field]) => ({
    name,
    in: "query",
    required: json.required?.includes(name) ?? false,
    schema: field,
  }));
}

const IDEMPOTENCY_PARAMETER = {
  name: IDEMPOTENCY_HEADER,
  in: "header",
  required: false,
  description:
    "One key per action (e.g. a UUID), kept 24 h per account: a retry with it answers as the first time did, and changes nothing again",
  schema: { type: "string", minLength: 1, maxLength: 200, pattern: "^[\\x21-\\x7e]+$" },
};

const ERROR_SCHEMA = {
  type: "object",
  required: ["reqId", "code", "message"],
  properties: {
    reqId: { type: "string" },
    code: { type: "string" },
    message: { type: "string" },
    details: { type: "array", items: { type: "string" } },
  },
};
