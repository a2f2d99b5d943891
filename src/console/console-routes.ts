import { once } from "node:events";
import { z } from "zod";
import type { Request, Response } from "express";
import type { PrismaClient } from "../db/prisma-client";
import { AppError } from "../errors";
import type { Preset } from "../flows/flow-types";
import type { CounsellorService } from "../conversations/counsellor-service";
import { route, type ApiRoute } from "../http/api-router";
import type { JobDispatcher } from "../jobs/job-dispatch";
import type { JobOutbox, OutboxEntry } from "../jobs/job-outbox";
import { cookieOf, SESSION_COOKIE, type ConsoleUser } from "../http/auth-middleware";
import {
  CHALLENGE_MS,
  SESSION_MAX_MS,
  type AuthService,
  type SignedIn,
  type SignInClient,
  type SignInResult,
} from "./auth-service";
import { changeDisplayName } from "./account-service";
import { acknowledgeAlert } from "./alert-service";
import type { ConsolePresenter } from "./console-presenter";
import * as s from "./console-schemas";
import type { LiveEvents } from "./live-events";

export interface ConsoleRouteDeps {
  prisma: PrismaClient;
  preset: Preset;
  auth: AuthService;
  presenter: ConsolePresenter;
  conversations: CounsellorService;
  live: LiveEvents;
  /** Stuck work, for admins: listed from the job outbox, retried through the dispatcher. */
  outbox: JobOutbox;
  dispatcher: JobDispatcher;
}

/** Work pending this long has missed its chance on the queue: an admin sees it as stuck. */
const STUCK_AFTER_MS = 5 * 60_000;

function stuckJob(e: OutboxEntry) {
  return {
    key: e.key,
    job: e.request.name,
    state: e.state === "dead" ? (e.dueAt ? "dead" : "given-up") : "waiting",
    attempt: e.attempt,
    createdAt: e.createdAt.toISOString(),
    nextAttemptAt: e.state === "dead" && e.dueAt ? e.dueAt.toISOString() : null,
    lastError: e.lastError,
  } as const;
}

function setSessionCookie(res: Response, token: string, secure: boolean) {
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "strict",
    secure,
    path: "/",
    maxAge: SESSION_MAX_MS,
  });
}

/** Between a right password and its second factor (POST /session/second-factor). */
const PENDING_COOKIE = "lws_pending";
/** A browser that signed in keeps its device cookie this long (sent to sign-in routes only). */
const DEVICE_COOKIE_MS = 180 * 24 * 3600_000;
const SIGN_IN_PATH = "/api/v1/session";

export const signInClientOf = (req: Request): SignInClient => ({
  address: req.ip ?? "unknown",
  cookie: (name) => cookieOf(req, name),
  userAgent: req.get("user-agent"),
});

/** Cookies only the sign-in routes read: never sent with any other request. */
const signInCookie = (secure: boolean, maxAge: number) =>
  ({ httpOnly: true, sameSite: "strict", secure, path: SIGN_IN_PATH, maxAge }) as const;

/** The session's cookies for a finished sign-in, or the pending one before the second factor. */
function answerSignIn(
  result: SignInResult,
  req: Request,
  res: Response,
  mustEnrol: boolean,
): { next: "second-factor" } | { signed: SignedIn; mustEnrol: boolean } {
  if (result.kind === "second-factor") {
    res.cookie(PENDING_COOKIE, result.challengeToken, signInCookie(req.secure, CHALLENGE_MS));
    return { next: "second-factor" };
  }
  setSessionCookie(res, result.signed.sessionToken, req.secure);
  res.cookie(
    result.deviceCookie.name,
    result.deviceCookie.value,
    signInCookie(req.secure, DEVICE_COOKIE_MS),
  );
  if (cookieOf(req, PENDING_COOKIE)) res.clearCookie(PENDING_COOKIE, { path: SIGN_IN_PATH });
  return { mustEnrol, signed: result.signed };
}

/**
 * Work of the whole service (stuck jobs carry ids of every region): only an admin of every
 * region sees or retries it.
 */
function requireEveryRegion(user: ConsoleUser): void {
  if (user.regionId !== null) {
    throw new AppError("FORBIDDEN", "Only an admin of every region can do this", 403);
  }
}

/** Writes chunks as the client takes them, so a large file never sits whole in memory. */
async function streamOut(res: Response, chunks: AsyncIterable<Buffer>): Promise<void> {
  try {
    for await (const chunk of chunks) {
      if (res.write(chunk)) continue;
      await Promise.race([once(res, "drain"), once(res, "close")]);
      if (res.destroyed) return;
    }
    res.end();
  } catch (error) {
    // Headers are gone: the client sees a cut transfer, never half a file as a whole one.
    res.destroy(error instanceof Error ? error : undefined);
  }
}

/** The console API: thin handlers over the presenter (reads) and src/conversations/ (changes). */
export function consoleRoutes(d: ConsoleRouteDeps): ApiRoute[] {
  const view = async (user: ConsoleUser, id: string) => {
    await d.conversations.markViewed(user, id);
    return d.presenter.view(user, id);
  };

  function sessionAnswer(a: {
    signed: SignedIn;
    mustEnrol: boolean;
  }): z.infer<typeof s.sessionSchema>;
  function sessionAnswer(a: ReturnType<typeof answerSignIn>): z.infer<typeof s.signInAnswerSchema>;
  function sessionAnswer(a: ReturnType<typeof answerSignIn>) {
    if ("next" in a) return a;
    return {
      counsellor: d.presenter.me(a.signed.counsellor),
      csrfToken: a.signed.csrfToken,
      mustEnrolSecondFactor: a.mustEnrol,
    };
  }
  const mustEnrolAfter = (r: SignInResult) =>
    r.kind === "session" && d.auth.mustEnrol(r.signed.counsellor);

  // The preset does not change while the service runs: the reference is built once.
  const reference = d.presenter.reference();

  return [
    route({
      method: "post",
      path: "/session",
      summary: "Sign in",
      public: true,
      body: s.signInSchema,
      response: s.signInAnswerSchema,
      handler: async ({ body, req, res }) => {
        const result = await d.auth.signIn(body.loginName, body.password, signInClientOf(req));
        return sessionAnswer(answerSignIn(result, req, res, mustEnrolAfter(result)));
      },
    }),
    route({
      method: "post",
      path: "/session/second-factor",
      summary: "Sign in, second step: the code from her app or a recovery code",
      public: true,
      body: s.codeSchema,
      response: s.sessionSchema,
      handler: async ({ body, req, res }) => {
        const pending = cookieOf(req, PENDING_COOKIE);
        const result = await d.auth.completeSignIn(pending, body.code, signInClientOf(req));
        const answer = answerSignIn(result, req, res, false);
        if ("next" in answer) throw new AppError("SIGN_IN_EXPIRED", "Sign in again", 401);
        return sessionAnswer(answer);
      },
    }),
    route({
      method: "get",
      path: "/session",
      summary: "The signed-in user and the CSRF token",
      beforePasswordChange: true,
      response: s.sessionSchema,
      duringEnrolment: true,
      handler: ({ user }) =>
        Promise.resolve({
          counsellor: d.presenter.me(user),
          csrfToken: user.csrfToken,
          mustEnrolSecondFactor: user.mustEnrolSecondFactor,
        }),
    }),
    route({
      method: "delete",
      path: "/session",
      summary: "Sign out (its live-events streams end too)",
      beforePasswordChange: true,
      duringEnrolment: true,
      handler: async ({ user, res }) => {
        await d.auth.signOut(user.sessionToken);
        res.clearCookie(SESSION_COOKIE, { path: "/" });
        return undefined;
      },
    }),
    route({
      method: "get",
      path: "/me/second-factor",
      summary: "Her second factor: on or off, required of her role or not, recovery codes left",
      response: s.secondFactorStateSchema,
      duringEnrolment: true,
      beforePasswordChange: true,
      handler: ({ user }) => d.auth.ownSecondFactor.state(user.id),
    }),
    route({
      method: "post",
      path: "/me/second-factor",
      summary: "Start setting up a second factor: a new TOTP secret, as text and as a QR code",
      response: s.enrolmentSchema,
      duringEnrolment: true,
      beforePasswordChange: true,
      holdsSecrets: true,
      handler: ({ user }) => d.auth.ownSecondFactor.start(user.id),
    }),
    route({
      method: "post",
      path: "/me/second-factor/confirm",
      summary: "Confirm the second factor with a first code; answers the recovery codes, once",
      body: s.codeSchema,
      response: s.recoveryCodesSchema,
      duringEnrolment: true,
      beforePasswordChange: true,
      holdsSecrets: true,
      handler: async ({ user, body }) => ({
        recoveryCodes: await d.auth.ownSecondFactor.confirm(user.id, body.code),
      }),
    }),
    route({
      method: "post",
      path: "/me/second-factor/disable",
      summary: "Turn her second factor off, with her password or a code",
      body: s.disableSecondFactorSchema,
      handler: async ({ user, body, req }) => {
        await d.auth.ownSecondFactor.disable(user.id, body, signInClientOf(req));
        return undefined;
      },
    }),
    route({
      method: "patch",
      path: "/me",
      summary: "Change the name she sees",
      body: s.profileSchema,
      response: s.meSchema,
      handler: async ({ user, body }) => {
        return d.presenter.me(await changeDisplayName(d.prisma, user.id, body.displayName));
      },
    }),
    route({
      method: "get",
      path: "/reference",
      summary: "Regions, topics and other choices for the console's forms",
      response: s.referenceSchema,
      handler: () => Promise.resolve(reference),
    }),
    route({
      method: "get",
      path: "/queue",
      summary: "Waiting conversations (most urgent first), mine, and colleagues'",
      response: s.queueSchema,
      handler: ({ user }) => d.presenter.queue(user),
    }),
    route({
      method: "get",
      path: "/events",
      summary: "Server-Sent Events: queue, message, alert",
      handler: ({ user, res }) => {
        d.live.subscribe(user, res);
        return Promise.resolve(undefined);
      },
    }),
    route({
      method: "get",
      path: "/conversations/:id",
      summary: "One conversation (marks her messages read on LINE)",
      response: s.conversationViewSchema,
      handler: ({ user, params }) => view(user, params.id ?? ""),
    }),
    route({
      method: "get",
      path: "/conversations/:id/messages",
      summary:
        "Her messages after a place, as the open conversation needs them on a message (marks her messages read on LINE)",
      query: s.newMessagesQuerySchema,
      response: s.newMessagesSchema,
      handler: async ({ user, params, query }) => {
        const id = params.id ?? "";
        await d.conversations.markViewed(user, id);
        return d.presenter.newMessages(user, id, (query as { after: number }).after);
      },
    }),
    route({
      method: "post",
      path: "/conversations/:id/claim",
      summary: "Take a waiting conversation (409 if someone else did first)",
      response: s.conversationViewSchema,
      handler: async ({ user, params }) => {
        await d.conversations.claim(user, params.id ?? "");
        return view(user, params.id ?? "");
      },
    }),
    route({
      method: "post",
      path: "/conversations/:id/messages",
      summary: "Answer her (sent through LINE)",
      body: s.replySchema,
      response: s.messageSchema,
      status: 201,
      handler: async ({ user, params, body }) => {
        const id = params.id ?? "";
        const delivery = await d.conversations.sendMessage(user, id, body.text, {
          overrideHold: body.overrideHold,
          unsafeFirstLine: body.confirmUnsafeFirstLine,
        });
        return d.presenter.sentMessage(user, id, delivery);
      },
    }),
    route({
      method: "post",
      path: "/conversations/:id/notes",
      summary:
        "Add a private note, or (supervisors) whisper to the counsellor who has her; shown live",
      body: s.noteInputSchema,
      response: s.noteSchema,
      status: 201,
      handler: async ({ user, params, body }) => {
        const note = await d.conversations.addNote(
          user,
          params.id ?? "",
          body.text,
          body.whisper === true,
        );
        return {
          id: note.id,
          kind: note.kind,
          text: note.text,
          createdAt: note.createdAt.toISOString(),
          counsellorName: user.displayName,
          toCounsellorName: note.toCounsellor?.displayName ?? null,
        };
      },
    }),
    route({
      method: "post",
      path: "/conversations/:id/transfer",
      summary: "Hand over to a colleague or to another region's queue",
      body: s.transferSchema,
      response: s.conversationViewSchema,
      handler: async ({ user, params, body }) => {
        const id = params.id ?? "";
        await d.conversations.transfer(user, id, body, body.note);
        // Handed to a region outside mine: it is no longer mine to see (204, no body).
        return d.presenter.view(user, id).catch((error: unknown) => {
          if (error instanceof AppError && error.status === 404) return undefined;
          throw error;
        });
      },
    }),
    route({
      method: "post",
      path: "/conversations/:id/close",
      summary: "Close with coding",
      body: s.closeSchema,
      response: s.conversationViewSchema,
      handler: async ({ user, params, body }) => {
        await d.conversations.close(user, params.id ?? "", body);
        return d.presenter.view(user, params.id ?? "");
      },
    }),
    route({
      method: "post",
      path: "/conversations/:id/emergency",
      summary: "Record an emergency checklist and decision; alerts supervisors",
      body: s.emergencyInputSchema,
      response: s.emergencySchema,
      status: 201,
      handler: async ({ user, params, body }) => {
        const e = await d.conversations.emergency(user, params.id ?? "", body);
        return {
          ...e,
          calledAt: e.calledAt?.toISOString() ?? null,
          createdAt: e.createdAt.toISOString(),
          counsellorName: user.displayName,
        };
      },
    }),
    route({
      method: "get",
      path: "/messages/:id/content",
      summary:
        "A file she sent, from our own store: an allow-listed image inline, anything else as an attachment; 410 once she unsent it",
      handler: async ({ user, params, res }) => {
        const id = params.id ?? "";
        const content = await d.presenter.messageContent(user, id);
        res.status(200).set({
          // Only an image type proved by its bytes is shown; nothing is ever rendered as a page.
          "content-type": content.imageType ?? "application/octet-stream",
          "content-disposition": content.imageType
            ? "inline"
            : `attachment; filename="message-${id}.bin"`,
          "content-length": String(content.size),
          "x-content-type-options": "nosniff",
          "content-security-policy": "default-src 'none'; sandbox",
          "cache-control": "private, no-store",
        });
        await streamOut(res, content.chunks);
        return undefined;
      },
    }),
    route({
      method: "get",
      path: "/regions",
      summary: "Each region, open now or when it opens next (the transfer dialog warns by it)",
      response: s.regionStatesSchema,
      handler: () => Promise.resolve(d.presenter.regionStates()),
    }),
    route({
      method: "get",
      path: "/counsellors",
      summary: "Colleagues in my scope (transfer targets)",
      handler: ({ user }) => d.presenter.colleagues(user),
    }),
    route({
      method: "post",
      path: "/accounts/:id/unlock",
      summary: "Clear an account's sign-in throttling (a regional admin: her region's accounts)",
      roles: ["admin"],
      handler: async ({ user, params }) => {
        await d.auth.unlock(user, params.id ?? "");
        return undefined;
      },
    }),
    route({
      method: "delete",
      path: "/accounts/:id/second-factor",
      summary: "Remove an account's second factor, when she lost her phone",
      roles: ["admin"],
      handler: async ({ user, params }) => {
        await d.auth.resetSecondFactor(user, params.id ?? "");
        return undefined;
      },
    }),
    route({
      method: "get",
      path: "/alerts",
      summary: "Unacknowledged alerts: her pseudonym, the counsellor, an emergency's decision",
      roles: ["supervisor", "admin"],
      response: z.array(s.alertSchema),
      handler: ({ user }) => d.presenter.alerts(user),
    }),
    route({
      method: "post",
      path: "/alerts/:id/ack",
      summary: "Acknowledge an alert",
      roles: ["supervisor", "admin"],
      handler: async ({ user, params }) => {
        await acknowledgeAlert(d.prisma, user, params.id ?? "", new Date());
        return undefined;
      },
    }),
    route({
      method: "get",
      path: "/stuck-work",
      summary:
        "Jobs that failed all their attempts or never reached the queue, oldest first (admins of every region)",
      roles: ["admin"],
      response: z.array(s.stuckJobSchema),
      handler: async ({ user }) => {
        requireEveryRegion(user);
        return (await d.outbox.stuck(new Date(Date.now() - STUCK_AFTER_MS), 500)).map(stuckJob);
      },
    }),
    route({
      method: "post",
      path: "/stuck-work/:key/retry",
      summary: "Run a stuck job again now (admins of every region)",
      roles: ["admin"],
      response: s.stuckJobSchema,
      handler: async ({ user, params }) => {
        requireEveryRegion(user);
        const entry = await d.dispatcher.retry(params.key ?? "");
        if (!entry) throw new AppError("NOT_FOUND", "No such stuck job", 404);
        return stuckJob(entry);
      },
    }),
    route({
      method: "get",
      path: "/audit",
      summary:
        "The audit log, newest first; a region's admin sees her or his region's conversations and people",
      roles: ["admin"],
      query: s.auditQuerySchema,
      response: z.array(s.auditSchema),
      handler: ({ user, query }) =>
        d.presenter.audit(user, query as { limit: number; conversationId?: string }),
    }),
  ];
}
