import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { CounsellorRole } from "../db/prisma-client";
import { AppError } from "../errors";

export const SESSION_COOKIE = "lws_session";

/** Who is calling, as every console and statistics route sees it. */
export interface ConsoleUser {
  id: string;
  loginName: string;
  displayName: string;
  role: CounsellorRole;
  /** null: every region (supervisors and admins only). */
  regionId: string | null;
  csrfToken: string;
  sessionToken: string;
  /** The session's row: its live-events streams end when it ends (src/console/live-events.ts). */
  sessionId: string;
  /** An admin reset her password: until she sets her own, only routes that allow it answer. */
  mustChangePassword: boolean;
  /** A second factor is required of her role and not set up yet: she must enrol first. */
  mustEnrolSecondFactor: boolean;
}

/** A cookie the request carries, by name. */
export function cookieOf(req: Request, cookie: string): string | undefined {
  const header = req.headers.cookie ?? "";
  for (const part of header.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name !== cookie) continue;
    try {
      return decodeURIComponent(value.join("="));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export const sessionCookieOf = (req: Request) => cookieOf(req, SESSION_COOKIE);

/** Where a session cookie is looked up (the console's sign-in service). */
export interface SessionLookup {
  session(token: string): Promise<{
    id: string;
    csrfToken: string;
    counsellor: Pick<
      ConsoleUser,
      "id" | "loginName" | "displayName" | "role" | "regionId" | "mustChangePassword"
    >;
    mustEnrolSecondFactor: boolean;
  } | null>;
}

/** 401 unless a live session cookie comes with the request; sets `res.locals.user`. */
export function authenticate(auth: SessionLookup): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = sessionCookieOf(req);
    const session = token ? await auth.session(token) : null;
    if (!token || !session) {
      next(new AppError("UNAUTHENTICATED", "Please sign in", 401));
      return;
    }
    const c = session.counsellor;
    const user: ConsoleUser = {
      id: c.id,
      loginName: c.loginName,
      displayName: c.displayName,
      role: c.role,
      regionId: c.regionId,
      csrfToken: session.csrfToken,
      sessionToken: token,
      sessionId: session.id,
      mustChangePassword: c.mustChangePassword,
      mustEnrolSecondFactor: session.mustEnrolSecondFactor,
    };
    res.locals.user = user;
    next();
  };
}

/** Every request that changes something carries the session's CSRF token in a header. */
export const requireCsrf: RequestHandler = (req, res, next) => {
  if (req.method === "GET" || req.method === "HEAD") return next();
  if (req.get("x-csrf-token") !== userOf(res).csrfToken) {
    return next(new AppError("CSRF_INVALID", "Missing or wrong x-csrf-token", 403));
  }
  next();
};

/** Where a second factor is required and missing, nothing but enrolling (and signing out). */
export const requireSecondFactorEnrolled: RequestHandler = (_req, res, next) => {
  if (userOf(res).mustEnrolSecondFactor) {
    return next(
      new AppError(
        "SECOND_FACTOR_ENROLMENT_REQUIRED",
        "Set up the second factor before anything else",
        403,
      ),
    );
  }
  next();
};

export function requireRole(...roles: CounsellorRole[]): RequestHandler {
  return (_req, res, next) => {
    if (!roles.includes(userOf(res).role)) {
      return next(new AppError("FORBIDDEN", "Your role cannot do this", 403));
    }
    next();
  };
}

/** 403 while her password must be changed (an admin reset it), unless the route allows it. */
export const requirePasswordChanged: RequestHandler = (_req, res, next) => {
  if (userOf(res).mustChangePassword) {
    return next(
      new AppError("PASSWORD_CHANGE_REQUIRED", "Choose a new password before anything else", 403),
    );
  }
  next();
};

export function userOf(res: Response): ConsoleUser {
  const user = res.locals.user as ConsoleUser | undefined;
  if (!user) throw new AppError("UNAUTHENTICATED", "Please sign in", 401);
  return user;
}
