import type { PrismaClient } from "../db/prisma-client";
import type { Preset } from "../flows/flow-types";
import { route, type ApiRoute } from "../http/api-router";
import { createTaskPresenter } from "../tasks/task-presenter";
import { createCaseFilePresenter } from "./casefile-presenter";
import { caseFileSchema } from "./casefile-schemas";

/**
 * A woman's case file (every role; scoped by region): reached from a conversation, from a
 * manual entry, by her pseudonym or by a case number. Reads only: linking an entry is the
 * entries' (src/stats/entry-service.ts), a task the task list's (src/tasks/).
 */
export function caseFileRoutes(deps: {
  prisma: PrismaClient;
  preset: Preset;
  now?: (() => Date) | undefined;
}): ApiRoute[] {
  const files = createCaseFilePresenter({ ...deps, tasks: createTaskPresenter(deps) });
  return [
    route({
      method: "get",
      path: "/casefiles/conversation/:id",
      summary: "The case file of the woman of a conversation: her timeline across channels",
      response: caseFileSchema,
      handler: ({ user, params }) => files.ofConversation(user, params.id ?? ""),
    }),
    route({
      method: "get",
      path: "/casefiles/entry/:id",
      summary: "The case file a manual entry belongs to (hers, her case number's, or its own)",
      response: caseFileSchema,
      handler: ({ user, params }) => files.ofEntry(user, params.id ?? ""),
    }),
    route({
      method: "get",
      path: "/casefiles/person/:pseudonym",
      summary: "A woman's case file by her LINE pseudonym",
      response: caseFileSchema,
      handler: ({ user, params }) => files.ofPseudonym(user, params.pseudonym ?? ""),
    }),
    route({
      method: "get",
      path: "/casefiles/case/:regionId/:caseRef",
      summary: "The case file of a woman known by a case number of a region (by phone, say)",
      response: caseFileSchema,
      handler: ({ user, params }) =>
        files.ofCase(user, params.regionId ?? "", params.caseRef ?? ""),
    }),
  ];
}
