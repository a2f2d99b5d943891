import { z } from "zod";
import type { PrismaClient } from "../db/prisma-client";
import type { Preset } from "../flows/flow-types";
import { route, type ApiRoute } from "../http/api-router";
import { createOnCallPresenter } from "./oncall-presenter";
import * as s from "./oncall-schemas";
import { createOnCallService } from "./oncall-service";

const ON_CALL_ROLES: ("supervisor" | "admin")[] = ["supervisor", "admin"];

/**
 * The on-call API, for supervisors and admins (a region's supervisor sees and plans her or his
 * region; every-region shifts are read-only to them): the roster, the people who may be on it,
 * their e-mail addresses, and the notifications with their acknowledgement.
 */
export function onCallRoutes(deps: { prisma: PrismaClient; preset: Preset }): ApiRoute[] {
  const presenter = createOnCallPresenter(deps);
  const service = createOnCallService(deps);
  return [
    route({
      method: "get",
      path: "/oncall/shifts",
      summary: "On-call shifts in my regions that overlap a period (default: the next 31 days)",
      roles: ON_CALL_ROLES,
      query: s.shiftQuerySchema,
      response: z.array(s.shiftSchema),
      handler: ({ user, query }) =>
        presenter.shifts(user, query as z.infer<typeof s.shiftQuerySchema>),
    }),
    route({
      method: "post",
      path: "/oncall/shifts",
      summary: "Put a supervisor or admin on call for a region (or all regions) and a period",
      roles: ON_CALL_ROLES,
      body: s.shiftInputSchema,
      response: s.shiftSchema,
      status: 201,
      handler: async ({ user, body }) =>
        presenter.shiftView(user, await service.addShift(user, body)),
    }),
    route({
      method: "delete",
      path: "/oncall/shifts/:id",
      summary: "Remove an on-call shift",
      roles: ON_CALL_ROLES,
      handler: async ({ user, params }) => {
        await service.removeShift(user, params.id ?? "");
        return undefined;
      },
    }),
    route({
      method: "get",
      path: "/oncall/people",
      summary: "Supervisors and admins who may be on call for my regions, with their addresses",
      roles: ON_CALL_ROLES,
      response: z.array(s.onCallPersonSchema),
      handler: ({ user }) => presenter.people(user),
    }),
    route({
      method: "patch",
      path: "/oncall/people/:id",
      summary: "Set where on-call e-mail reaches a person (one's own; admins: anyone's)",
      roles: ON_CALL_ROLES,
      body: s.emailInputSchema,
      handler: async ({ user, params, body }) => {
        await service.setEmail(user, params.id ?? "", body.email);
        return undefined;
      },
    }),
    route({
      method: "get",
      path: "/oncall/notifications",
      summary: "The week's on-call notifications in my regions, unacknowledged first",
      roles: ON_CALL_ROLES,
      response: z.array(s.notificationSchema),
      handler: ({ user }) => presenter.notifications(user),
    }),
    route({
      method: "post",
      path: "/oncall/notifications/:id/ack",
      summary: "Acknowledge a notification: someone has it, no reminder follows",
      roles: ON_CALL_ROLES,
      response: s.notificationSchema,
      handler: async ({ user, params }) =>
        presenter.notificationView(await service.acknowledge(user, params.id ?? "")),
    }),
  ];
}
