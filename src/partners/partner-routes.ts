import { z } from "zod";
import type { PrismaClient } from "../db/prisma-client";
import type { Preset } from "../flows/flow-types";
import { route, type ApiRoute } from "../http/api-router";
import * as s from "./partner-schemas";
import { createPartnerService } from "./partner-service";
import { createReferralService } from "./referral-service";

/**
 * The partner directory (everyone reads her or his region's; admins change it) and referral
 * records (everyone, within her or his region). See src/console/API.md, "Partners and referrals".
 */
export function partnerRoutes(deps: {
  prisma: PrismaClient;
  preset: Preset;
  /** The coding's topic codes (src/conversations/coding.ts), passed in by the console. */
  topics: readonly string[];
  now?: (() => Date) | undefined;
}): ApiRoute[] {
  const partners = createPartnerService({
    prisma: deps.prisma,
    regionIds: deps.preset.regions.map((r) => r.id),
    topics: deps.topics,
    now: deps.now,
  });
  const referrals = createReferralService({ prisma: deps.prisma, now: deps.now });
  return [
    route({
      method: "get",
      path: "/partners",
      summary: "The partner directory of my region (archived ones with archived=true)",
      query: s.partnerQuerySchema,
      response: z.array(s.partnerSchema),
      handler: ({ user, query }) =>
        partners.list(user, (query as z.infer<typeof s.partnerQuerySchema>).archived === "true"),
    }),
    route({
      method: "post",
      path: "/partners",
      summary: "Add a partner to the directory (admins)",
      roles: ["admin"],
      body: s.partnerInputSchema,
      response: s.partnerSchema,
      status: 201,
      handler: async ({ user, body }) => partners.one(user, (await partners.create(user, body)).id),
    }),
    route({
      method: "patch",
      path: "/partners/:id",
      summary: "Change a partner's fields (admins)",
      roles: ["admin"],
      body: s.partnerPatchSchema,
      response: s.partnerSchema,
      handler: async ({ user, params, body }) => {
        await partners.update(user, params.id ?? "", body);
        return partners.one(user, params.id ?? "");
      },
    }),
    route({
      method: "post",
      path: "/partners/:id/archive",
      summary: "Archive a partner: no longer offered, kept for past referrals (admins)",
      roles: ["admin"],
      response: s.partnerSchema,
      handler: async ({ user, params }) => {
        await partners.setArchived(user, params.id ?? "", true);
        return partners.one(user, params.id ?? "");
      },
    }),
    route({
      method: "post",
      path: "/partners/:id/restore",
      summary: "Offer an archived partner again (admins)",
      roles: ["admin"],
      response: s.partnerSchema,
      handler: async ({ user, params }) => {
        await partners.setArchived(user, params.id ?? "", false);
        return partners.one(user, params.id ?? "");
      },
    }),
    route({
      method: "get",
      path: "/conversations/:id/referrals",
      summary: "The referral records of a LINE consultation, oldest first",
      response: z.array(s.referralSchema),
      handler: ({ user, params }) =>
        referrals.ofConsultation(user, { conversationId: params.id ?? "" }),
    }),
    route({
      method: "post",
      path: "/conversations/:id/referrals",
      summary:
        "Refer her to a partner from a LINE consultation, with her consent (a follow-up day: a task)",
      body: s.referralInputSchema,
      response: s.referralSchema,
      status: 201,
      handler: async ({ user, params, body }) => {
        const made = await referrals.create(user, { conversationId: params.id ?? "" }, body);
        return referrals.one(user, made.id);
      },
    }),
    route({
      method: "get",
      path: "/stats/entries/:id/referrals",
      summary:
        "The referral records of a manual entry (phone, e-mail, visit, 訪問, 同行), oldest first",
      response: z.array(s.referralSchema),
      handler: ({ user, params }) => referrals.ofConsultation(user, { entryId: params.id ?? "" }),
    }),
    route({
      method: "post",
      path: "/stats/entries/:id/referrals",
      summary:
        "Refer her to a partner from a manual entry (phone, e-mail, visit, 訪問, 同行), with her consent (a follow-up day: a task)",
      body: s.referralInputSchema,
      response: s.referralSchema,
      status: 201,
      handler: async ({ user, params, body }) => {
        const made = await referrals.create(user, { entryId: params.id ?? "" }, body);
        return referrals.one(user, made.id);
      },
    }),
    route({
      method: "patch",
      path: "/referrals/:id",
      summary: "Record how a referral turned out (and a follow-up day: a task)",
      body: s.referralOutcomeSchema,
      response: s.referralSchema,
      handler: async ({ user, params, body }) => {
        await referrals.setOutcome(user, params.id ?? "", body);
        return referrals.one(user, params.id ?? "");
      },
    }),
  ];
}
