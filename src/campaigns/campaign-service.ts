import { recordAudit } from "../audit/audit-log";
import type { CounsellorRole, PrismaClient } from "../db/prisma-client";
import { AppError } from "../errors";

/** A campaign's code as it stands in its link /s/:code. */
export const CAMPAIGN_CODE = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
/** The scans of a code no campaign has: counted, never kept as typed. */
export const UNKNOWN_CAMPAIGN = "unknown";

export interface CampaignActor {
  id: string;
  role: CounsellorRole;
  regionId: string | null;
}

const JST_OFFSET_MS = 9 * 3600_000;
/** The Tokyo month of `at`, YYYY-MM. */
export const tokyoMonth = (at: Date) =>
  new Date(at.getTime() + JST_OFFSET_MS).toISOString().slice(0, 7);

/**
 * Publicity campaigns: registered by staff (a short code, a name, the region that runs it or
 * the whole programme), and the scans of their links, counted per campaign and Tokyo month with
 * nothing about who scanned: not her address, her browser, a cookie, nor the time of day.
 * A region's staff see and register their region's campaigns and the programme's.
 */
export function createCampaignService(deps: {
  prisma: PrismaClient;
  regionIds: readonly string[];
  now?: () => Date;
}) {
  const { prisma } = deps;
  const now = deps.now ?? (() => new Date());

  return {
    async list(user: CampaignActor) {
      const rows = await prisma.campaign.findMany({
        where:
          user.regionId === null ? {} : { OR: [{ regionId: null }, { regionId: user.regionId }] },
        orderBy: [{ createdAt: "desc" }, { id: "asc" }],
      });
      const scans = await prisma.campaignScan.groupBy({
        by: ["campaignKey"],
        where: { campaignKey: { in: rows.map((r) => r.id) } },
        _sum: { scans: true },
      });
      const total = new Map(scans.map((s) => [s.campaignKey, s._sum.scans ?? 0]));
      return rows.map((r) => ({
        id: r.id,
        code: r.code,
        name: r.name,
        regionId: r.regionId,
        link: `/s/${r.code}`,
        scans: total.get(r.id) ?? 0,
        createdAt: r.createdAt.toISOString(),
      }));
    },

    /** 409 CAMPAIGN_CODE_TAKEN, 400 UNKNOWN_REGION, 403 for another region's (or the programme's) campaign. */
    async create(
      user: CampaignActor,
      input: { code: string; name: string; regionId: string | null },
    ): Promise<{ id: string }> {
      if (input.regionId !== null && !deps.regionIds.includes(input.regionId)) {
        throw new AppError("UNKNOWN_REGION", "No such region", 400);
      }
      if (user.regionId !== null && input.regionId !== user.regionId) {
        throw new AppError("CAMPAIGN_OUT_OF_REGION", "Register campaigns of your own region", 403);
      }
      return prisma.$transaction(async (tx) => {
        const taken = await tx.campaign.findUnique({ where: { code: input.code } });
        if (taken) throw new AppError("CAMPAIGN_CODE_TAKEN", "That code is in use", 409);
        const row = await tx.campaign.create({
          data: {
            code: input.code,
            name: input.name.trim(),
            regionId: input.regionId,
            createdById: user.id,
            createdAt: now(),
          },
          select: { id: true },
        });
        await recordAudit(tx, {
          by: user.id,
          action: "campaign-create",
          detail: { campaignId: row.id, regionId: input.regionId },
        });
        return row;
      });
    },

    /**
     * One scan of /s/:code, counted for its campaign (or as unknown) in this Tokyo month: one
     * statement, so scans at the same moment all count.
     */
    async countScan(code: string): Promise<void> {
      const campaign = CAMPAIGN_CODE.test(code)
        ? await prisma.campaign.findUnique({ where: { code }, select: { id: true } })
        : null;
      const key = campaign?.id ?? UNKNOWN_CAMPAIGN;
      await prisma.$executeRaw`
        INSERT INTO campaign_scan (campaign_key, month, scans) VALUES (${key}, ${tokyoMonth(now())}, 1)
        ON CONFLICT (campaign_key, month) DO UPDATE SET scans = campaign_scan.scans + 1`;
    },
  };
}

export type CampaignService = ReturnType<typeof createCampaignService>;
