import type { Response } from "express";
import type { PrismaClient } from "../db/prisma-client";
import { AppError } from "../errors";
import type { Preset } from "../flows/flow-types";
import { enqueueDeliveries, markReadJobId } from "../jobs/job-handlers";
import type { JobProducer } from "../jobs/job-queue";
import { SESSION_COOKIE, type ConsoleUser } from "./auth-middleware";
import { conversationScope as scopeOf } from "./console-scope";
import { createCounsellor, SESSION_MAX_MS, type AuthService } from "./auth-service";
import { route, type ApiRoute } from "./api-router";
import type { ConsolePresenter } from "./console-presenter";
import * as s from "./console-schemas";
import type { ActionResult, ConsoleService } from "./console-service";
import type { LiveEvents } from "./live-events";
import type { SignInLimiter } from "./sign-in-limiter";

export interface ConsoleRouteDeps {
  prisma: PrismaClient;
  preset: Preset;
  auth: AuthService;
  presenter: ConsolePresenter;
  service: ConsoleService;
  producer: JobProducer;
  live: LiveEvents;
  /** Failed sign-ins allowed per client address and minute (on top of the account lock). */
  signInLimiter: SignInLimiter;
}

const CANNED_REPLIES = [
  "こんにちは。相談員の{name}です。メッセージを読みました。お話を聞かせてください。",
  "話してくれてありがとうございます。あなたのペースで大丈夫です。",
  "いま、安全な場所にいますか？",
  "少し確認しますので、このままお待ちください。",
  "今日はここまでにしますね。また話したくなったら、いつでも送ってください。",
];

function setSessionCookie(res: Response, token: string, secure: boolean) {
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "strict",
    secure,
    path: "/",
    maxAge: SESSION_MAX_MS,
  });
}

/** The console API: thin handlers over the presenter (reads) and the service (changes). */
export function consoleRoutes(d: ConsoleRouteDeps): ApiRoute[] {
  /** After a change commits: send what it queued for LINE. */
  const after = async (result: ActionResult) => {
    await enqueueDeliveries(d.producer, result.deliveryIds);
    if (result.markReadConversationId) {
      const conversationId = result.markReadConversationId;
      await d.producer.add("mark-read", { conversationId }, markReadJobId(conversationId));
    }
  };
  const view = async (user: ConsoleUser, id: string) => {
    await after(await d.service.markViewed(user, id));
    return d.presenter.view(user, id);
  };

  // The preset does not change while the service runs: the reference is built once.
  const reference = d.presenter.reference(CANNED_REPLIES);

  return [
    route({
      method: "post",
      path: "/session",
      summary: "Sign in",
      public: true,
      body: s.signInSchema,
      response: s.sessionSchema,
      handler: async ({ body, req, res }) => {
        const client = req.ip ?? "unknown";
        if (d.signInLimiter.blocked(client)) {
          throw new AppError("TOO_MANY_ATTEMPTS", "Too many failed sign-ins; wait a minute", 429);
        }
        const signed = await d.auth
          .signIn(body.loginName, body.password)
          .catch((error: unknown) => {
            d.signInLimiter.failed(client);
            throw error;
          });
        setSessionCookie(res, signed.sessionToken, req.secure);
        return { counsellor: d.presenter.me(signed.counsellor), csrfToken: signed.csrfToken };
      },
    }),
    route({
      method: "get",
      path: "/session",
      summary: "The signed-in user and the CSRF token",
      response: s.sessionSchema,
      handler: ({ user }) =>
        Promise.resolve({ counsellor: d.presenter.me(user), csrfToken: user.csrfToken }),
    }),
    route({
      method: "delete",
      path: "/session",
      summary: "Sign out",
      handler: async ({ user, res }) => {
        await d.auth.signOut(user.sessionToken);
        res.clearCookie(SESSION_COOKIE, { path: "/" });
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
        const c = await d.prisma.counsellor.update({
          where: { id: user.id },
          data: { displayName: body.displayName },
        });
        return d.presenter.me(c);
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
      method: "post",
      path: "/conversations/:id/claim",
      summary: "Take a waiting conversation (409 if someone else did first)",
      response: s.conversationViewSchema,
      handler: async ({ user, params }) => {
        await d.service.claim(user, params.id ?? "");
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
        const result = await d.service.sendMessage(user, id, body.text);
        await after(result);
        const delivery = result.deliveryIds[result.deliveryIds.length - 1];
        if (!delivery) throw new AppError("INTERNAL", "The message was not recorded", 500);
        return d.presenter.sentMessage(user, id, delivery);
      },
    }),
    route({
      method: "post",
      path: "/conversations/:id/notes",
      summary: "Add a private note",
      body: s.noteInputSchema,
      response: s.noteSchema,
      status: 201,
      handler: async ({ user, params, body }) => {
        const note = await d.service.addNote(user, params.id ?? "", body.text);
        return {
          id: note.id,
          kind: note.kind,
          text: note.text,
          createdAt: note.createdAt.toISOString(),
          counsellorName: user.displayName,
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
        await d.service.transfer(user, id, body, body.note);
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
        await d.service.close(user, params.id ?? "", body);
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
        const e = await d.service.emergency(user, params.id ?? "", body);
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
      summary: "An image she sent, from our own store",
      handler: async ({ user, params, res }) => {
        const media = await d.prisma.messageMedia.findFirst({
          where: {
            messageId: params.id ?? "",
            message: { conversation: { AND: [scopeOf(user)] } },
          },
        });
        if (!media) throw new AppError("NOT_FOUND", "No such content", 404);
        res
          .type(media.contentType)
          .set("cache-control", "private, no-store")
          .send(Buffer.from(media.bytes));
        return undefined;
      },
    }),
    route({
      method: "get",
      path: "/counsellors",
      summary: "Colleagues in my scope (transfer targets)",
      handler: ({ user }) => d.presenter.colleagues(user),
    }),
    route({
      method: "post",
      path: "/counsellors",
      summary: "Create an account",
      roles: ["admin"],
      body: s.newCounsellorSchema,
      response: s.colleagueSchema,
      status: 201,
      handler: async ({ user, body }) => {
        if (body.regionId && !d.preset.regions.some((r) => r.id === body.regionId)) {
          throw new AppError("INVALID_INPUT", `Unknown region ${body.regionId}`, 400);
        }
        const c = await createCounsellor(d.prisma, body);
        await d.prisma.auditEntry.create({
          data: {
            counsellorId: user.id,
            action: "create-account",
            detail: { loginName: c.loginName, role: c.role },
          },
        });
        return { id: c.id, displayName: c.displayName, role: c.role, regionId: c.regionId };
      },
    }),
    route({
      method: "get",
      path: "/alerts",
      summary: "Unacknowledged alerts",
      roles: ["supervisor", "admin"],
      handler: ({ user }) => d.presenter.alerts(user),
    }),
    route({
      method: "post",
      path: "/alerts/:id/ack",
      summary: "Acknowledge an alert",
      roles: ["supervisor", "admin"],
      handler: async ({ user, params }) => {
        await d.prisma.supervisorAlert.updateMany({
          where: { id: params.id ?? "", ...(user.regionId ? { regionId: user.regionId } : {}) },
          data: { acknowledgedAt: new Date() },
        });
        return undefined;
      },
    }),
    route({
      method: "get",
      path: "/audit",
      summary: "The audit log, newest first",
      roles: ["admin"],
      query: s.auditQuerySchema,
      handler: ({ query }) =>
        d.presenter.audit(query as { limit: number; conversationId?: string }),
    }),
  ];
}
