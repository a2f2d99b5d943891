import { z } from "zod";
import type { PrismaClient } from "../db/prisma-client";
import type { Preset } from "../flows/flow-types";
import { route, type ApiRoute } from "../http/api-router";
import { createGatheringService } from "./gathering-service";
import { createHandoutService } from "./handout-service";
import { createProgrammePresenter } from "./programme-presenter";
import * as s from "./programme-schemas";

/**
 * 居場所 gatherings (made, head count, called off, women linked with consent) and sanitary
 * products handed out, for every role, scoped by region like conversations. Audited.
 */
export function programmeRoutes(deps: {
  prisma: PrismaClient;
  preset: Preset;
  now?: (() => Date) | undefined;
}): ApiRoute[] {
  const presenter = createProgrammePresenter(deps);
  const gatherings = createGatheringService(deps);
  const handouts = createHandoutService(deps);
  return [
    route({
      method: "get",
      path: "/gatherings",
      summary: "居場所 gatherings of my region(s), upcoming or past",
      query: s.gatheringQuerySchema,
      response: z.array(s.gatheringSchema),
      handler: ({ user, query }) =>
        presenter.gatherings(user, (query as z.infer<typeof s.gatheringQuerySchema>).when),
    }),
    route({
      method: "post",
      path: "/gatherings",
      summary: "Plan a gathering: date and time, region, place, theme",
      body: s.gatheringInputSchema,
      response: s.gatheringSchema,
      status: 201,
      handler: async ({ user, body }) => {
        const g = await gatherings.create(user, body);
        return presenter.gathering(user, g.id);
      },
    }),
    route({
      method: "patch",
      path: "/gatherings/:id",
      summary: "Change a gathering, record its head count (0 or more) or call it off",
      body: s.gatheringChangeSchema,
      response: s.gatheringSchema,
      handler: async ({ user, params, body }) => {
        await gatherings.change(user, params.id ?? "", body);
        return presenter.gathering(user, params.id ?? "");
      },
    }),
    route({
      method: "post",
      path: "/gatherings/:id/attendees",
      summary: "Link a woman who came (her pseudonym), with her recorded consent",
      body: s.attendeeInputSchema,
      response: s.gatheringSchema,
      handler: async ({ user, params, body }) => {
        await gatherings.link(user, params.id ?? "", body.pseudonym, body.consent);
        return presenter.gathering(user, params.id ?? "");
      },
    }),
    route({
      method: "delete",
      path: "/gatherings/:id/attendees/:personId",
      summary: "Unlink a woman from a gathering",
      response: s.gatheringSchema,
      handler: async ({ user, params }) => {
        await gatherings.unlink(user, params.id ?? "", params.personId ?? "");
        return presenter.gathering(user, params.id ?? "");
      },
    }),
    route({
      method: "get",
      path: "/pickup-points",
      summary: "The preset's pickup points of sanitary products in my region(s)",
      response: z.array(s.pickupPointSchema),
      handler: async ({ user }) => Promise.resolve(presenter.pickupPoints(user)),
    }),
    route({
      method: "get",
      path: "/product-handouts",
      summary: "Sanitary products handed out in a month, in my region(s)",
      query: s.handoutQuerySchema,
      response: z.array(s.handoutSchema),
      handler: ({ user, query }) =>
        presenter.handouts(user, (query as z.infer<typeof s.handoutQuerySchema>).month),
    }),
    route({
      method: "post",
      path: "/product-handouts",
      summary: "Record sanitary products handed out at a pickup point of my region",
      body: s.handoutInputSchema,
      response: z.object({ id: z.uuid() }),
      status: 201,
      handler: ({ user, body }) => handouts.record(user, body),
    }),
    route({
      method: "post",
      path: "/gatherings/:id/product-handouts",
      summary: "Record sanitary products handed out at a gathering",
      body: s.gatheringHandoutInputSchema,
      response: z.object({ id: z.uuid() }),
      status: 201,
      handler: ({ user, params, body }) =>
        handouts.record(user, { ...body, gatheringId: params.id ?? "" }),
    }),
    route({
      method: "delete",
      path: "/product-handouts/:id",
      summary: "Delete a handing-out recorded by mistake",
      response: z.object({ id: z.uuid() }),
      handler: async ({ user, params }) => {
        await handouts.remove(user, params.id ?? "");
        return { id: params.id ?? "" };
      },
    }),
  ];
}
