import { z } from "zod";
import { recordAudit } from "../audit/audit-log";
import type { PrismaClient } from "../db/prisma-client";
import { route, type ApiRoute } from "../http/api-router";
import type { CannedReplyService } from "./canned-reply-service";
import type { ConsolePresenter } from "./console-presenter";
import * as s from "./console-schemas";
import type { MonitorPresenter } from "./monitor-presenter";

/**
 * Working a shift and watching one: a read-only preview before claiming, canned replies (the
 * preset's and her own), and the supervisors' monitor of active chats.
 */
export function shiftRoutes(d: {
  prisma: PrismaClient;
  presenter: ConsolePresenter;
  cannedReplies: CannedReplyService;
  monitor: MonitorPresenter;
  now?: (() => Date) | undefined;
}): ApiRoute[] {
  const now = d.now ?? (() => new Date());
  return [
    route({
      method: "get",
      path: "/conversations/:id/preview",
      summary:
        "Read a conversation before taking it: nothing is marked read on her phone (no 既読); audited",
      response: s.conversationViewSchema,
      handler: async ({ user, params }) => {
        const id = params.id ?? "";
        const view = await d.presenter.view(user, id);
        await recordAudit(d.prisma, { by: user.id, action: "preview", conversationId: id });
        return view;
      },
    }),
    route({
      method: "get",
      path: "/canned-replies",
      summary: "Canned replies: the preset's, then my own, with my name filled in",
      response: z.array(s.cannedReplySchema),
      handler: ({ user }) => d.cannedReplies.list(user),
    }),
    route({
      method: "post",
      path: "/canned-replies",
      summary: "Save a canned reply of my own",
      body: s.cannedReplyInputSchema,
      response: s.cannedReplySchema,
      status: 201,
      handler: ({ user, body }) => d.cannedReplies.create(user, body.text, now()),
    }),
    route({
      method: "patch",
      path: "/canned-replies/:id",
      summary: "Change a canned reply of my own",
      body: s.cannedReplyInputSchema,
      response: s.cannedReplySchema,
      handler: ({ user, params, body }) =>
        d.cannedReplies.update(user, params.id ?? "", body.text, now()),
    }),
    route({
      method: "delete",
      path: "/canned-replies/:id",
      summary: "Delete a canned reply of my own",
      handler: async ({ user, params }) => {
        await d.cannedReplies.remove(user, params.id ?? "");
        return undefined;
      },
    }),
    route({
      method: "get",
      path: "/monitor",
      summary:
        "Active chats in my scope: who has her, since her last message, since the last reply",
      roles: ["supervisor", "admin"],
      response: z.array(s.monitorItemSchema),
      handler: ({ user }) => d.monitor(user),
    }),
  ];
}
