import express, { type Router } from "express";
import { z } from "zod";
import type { PrismaClient } from "../db/prisma-client";
import { AppError } from "../errors";
import type { Preset } from "../flows/flow-types";
import { route, type ApiRoute } from "../http/api-router";
import { CAMPAIGN_CODE, createCampaignService } from "./campaign-service";

const STAFF = ["supervisor", "admin"] as const;

const campaignSchema = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.string(),
  regionId: z.string().nullable(),
  /** The path of its link (put the site's address before it for the QR code). */
  link: z.string(),
  /** Scans counted so far (every month). */
  scans: z.number(),
  createdAt: z.iso.datetime(),
});

const campaignInputSchema = z.strictObject({
  code: z.string().regex(CAMPAIGN_CODE, "a-z, 0-9 and -, 2 to 32 characters").min(2).max(32),
  name: z.string().trim().min(1).max(100),
  /** The region that runs it; null: the whole programme (admins and supervisors of every region). */
  regionId: z.string().min(1).max(50).nullable(),
});

/** Campaigns in the console (supervisors and admins; see src/console/API.md, "Campaigns"). */
export function campaignRoutes(deps: {
  prisma: PrismaClient;
  preset: Preset;
  now?: (() => Date) | undefined;
}): ApiRoute[] {
  const campaigns = createCampaignService({
    prisma: deps.prisma,
    regionIds: deps.preset.regions.map((r) => r.id),
    now: deps.now,
  });
  return [
    route({
      method: "get",
      path: "/campaigns",
      summary: "Publicity campaigns of my region and the programme's, with their scans",
      roles: [...STAFF],
      response: z.array(campaignSchema),
      handler: ({ user }) => campaigns.list(user),
    }),
    route({
      method: "post",
      path: "/campaigns",
      summary: "Register a campaign: a short code for its link /s/:code, and a name",
      roles: [...STAFF],
      body: campaignInputSchema,
      response: campaignSchema,
      status: 201,
      handler: async ({ user, body }) => {
        const { id } = await campaigns.create(user, body);
        const made = (await campaigns.list(user)).find((c) => c.id === id);
        if (!made) throw new AppError("NOT_FOUND", "No such campaign", 404);
        return made;
      },
    }),
  ];
}

/**
 * GET /s/:code: counts one scan for the campaign (or as unknown) and answers 302 to the
 * account's add-friend URL. Nothing of the person is read or kept: not her address, her
 * browser, a cookie, nor the time beyond the month. HEAD answers the same without counting (link
 * checkers and previews are not scans). Not cached, so every scan reaches the service.
 */
export function campaignLinks(deps: {
  prisma: PrismaClient;
  preset: Preset;
  now?: (() => Date) | undefined;
}): Router {
  const campaigns = createCampaignService({
    prisma: deps.prisma,
    regionIds: deps.preset.regions.map((r) => r.id),
    now: deps.now,
  });
  const target = deps.preset.addFriendUrl;
  const router = express.Router();
  router.all("/:code", async (req, res, next) => {
    try {
      if (req.method !== "GET" && req.method !== "HEAD") {
        throw new AppError("METHOD_NOT_ALLOWED", "Campaign links are read with GET", 405);
      }
      if (!target) throw new AppError("NOT_FOUND", "No add-friend URL is configured", 404);
      if (req.method === "GET") await campaigns.countScan(req.params.code ?? "");
      res.setHeader("cache-control", "no-store");
      res.setHeader("referrer-policy", "no-referrer");
      res.redirect(302, target);
    } catch (error) {
      next(error);
    }
  });
  return router;
}
