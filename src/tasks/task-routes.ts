import { z } from "zod";
import type { PrismaClient } from "../db/prisma-client";
import type { Preset } from "../flows/flow-types";
import { route, type ApiRoute } from "../http/api-router";
import { createTaskPresenter } from "./task-presenter";
import * as s from "./task-schemas";
import { createTaskService } from "./task-service";

/**
 * The task list (every role; scoped by region like conversations): my tasks or my region's,
 * open or closed; a task made on its own; a task closed with its outcome. Audited.
 */
export function taskRoutes(deps: {
  prisma: PrismaClient;
  preset: Preset;
  now?: (() => Date) | undefined;
}): ApiRoute[] {
  const presenter = createTaskPresenter(deps);
  const service = createTaskService(deps);
  return [
    route({
      method: "get",
      path: "/tasks",
      summary: "The task list: mine or my region's, open (by due date) or closed",
      query: s.taskQuerySchema,
      response: z.array(s.taskSchema),
      handler: ({ user, query }) =>
        presenter.list(user, query as z.infer<typeof s.taskQuerySchema>),
    }),
    route({
      method: "post",
      path: "/tasks",
      summary: "Make a follow-up task (call back, 訪問, 同行, other) with a due date and an owner",
      body: s.taskInputSchema,
      response: s.taskSchema,
      status: 201,
      handler: async ({ user, body }) => {
        const task = await service.create(user, body);
        return presenter.one(user, task.id);
      },
    }),
    route({
      method: "post",
      path: "/tasks/:id/close",
      summary: "Close a task with its outcome",
      body: s.taskCloseSchema,
      response: s.taskSchema,
      handler: async ({ user, params, body }) => {
        await service.close(user, params.id ?? "", body.outcome);
        return presenter.one(user, params.id ?? "");
      },
    }),
  ];
}
