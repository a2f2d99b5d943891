import { recordAudit } from "../audit/audit-log";
import type { PrismaClient } from "../db/prisma-client";
import { AppError } from "../errors";
import type { Preset } from "../flows/flow-types";
import { inReach, programmeRegionOf, tokyoDay, type ProgrammeActor } from "./programme-types";

export interface NewHandout {
  /** A user of one region: her or his own (by default); all-region users name it. */
  regionId?: string | undefined;
  /** YYYY-MM-DD, the Tokyo day: not after today. */
  handedOn: string;
  /** Where: a pickup point of the region (the preset's), or else the gathering (its region). */
  pickupPointId?: string | undefined;
  gatheringId?: string | undefined;
  /** Packs handed out, 1 or more. */
  quantity: number;
}

/**
 * Sanitary products handed out, per region and day, at a pickup point or a gathering; deleted
 * (soft) when recorded by mistake. Audited. An activity: nothing here is a consultation.
 */
export function createHandoutService(deps: {
  prisma: PrismaClient;
  preset: Preset;
  now?: (() => Date) | undefined;
}) {
  const { prisma, preset } = deps;
  const now = deps.now ?? (() => new Date());

  /**
   * The region of a handing-out at a pickup point: the user's own or the one named, which must
   * be in reach (another region and no region answer alike, 403), with a point of that region.
   */
  function pickupRegion(user: ProgrammeActor, input: NewHandout): string {
    const regionId = input.regionId ?? programmeRegionOf(user) ?? undefined;
    if (regionId === undefined) throw new AppError("REGION_REQUIRED", "Name the region", 400);
    if (!inReach(user, regionId))
      throw new AppError("OUT_OF_REGION", "That region is not yours", 403);
    const point = preset.pickupPoints.find((p) => p.id === input.pickupPointId);
    if (point?.region !== regionId) {
      throw new AppError("UNKNOWN_PICKUP_POINT", "No such pickup point in this region", 400);
    }
    return regionId;
  }

  return {
    /** At a pickup point of the region (the preset's), or at a gathering the user reaches. */
    record(user: ProgrammeActor, input: NewHandout): Promise<{ id: string }> {
      if (input.handedOn > tokyoDay(now())) {
        throw new AppError("HANDED_ON_FUTURE", "The day is after today", 400);
      }
      return prisma.$transaction(async (tx) => {
        let regionId: string;
        if (input.gatheringId !== undefined) {
          const g = await tx.gathering.findUnique({ where: { id: input.gatheringId } });
          if (!g || !inReach(user, g.regionId)) {
            throw new AppError("NOT_FOUND", "No such gathering", 404);
          }
          if (g.cancelledAt) {
            throw new AppError("GATHERING_CANCELLED", "The gathering was called off", 409);
          }
          regionId = g.regionId;
        } else {
          regionId = pickupRegion(user, input);
        }
        const row = await tx.productHandout.create({
          data: {
            regionId,
            handedOn: new Date(`${input.handedOn}T00:00:00Z`),
            month: input.handedOn.slice(0, 7),
            pickupPointId: input.pickupPointId ?? null,
            gatheringId: input.gatheringId ?? null,
            quantity: input.quantity,
            recordedById: user.id,
            createdAt: now(),
          },
          select: { id: true },
        });
        await recordAudit(tx, {
          by: user.id,
          action: "handout-record",
          detail: {
            handoutId: row.id,
            regionId,
            quantity: input.quantity,
            month: input.handedOn.slice(0, 7),
            ...(input.pickupPointId ? { pickupPointId: input.pickupPointId } : {}),
            ...(input.gatheringId ? { gatheringId: input.gatheringId } : {}),
          },
        });
        return row;
      });
    },

    /** Recorded by mistake: out of the list and the report; the row stays for the audit. */
    remove(user: ProgrammeActor, id: string): Promise<void> {
      return prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT 1 FROM product_handout WHERE id = ${id}::uuid FOR UPDATE`;
        const row = await tx.productHandout.findUnique({ where: { id } });
        if (!row || row.deletedAt || !inReach(user, row.regionId)) {
          throw new AppError("NOT_FOUND", "No such record", 404);
        }
        await tx.productHandout.update({ where: { id }, data: { deletedAt: now() } });
        await recordAudit(tx, { by: user.id, action: "handout-delete", detail: { handoutId: id } });
      });
    },
  };
}
