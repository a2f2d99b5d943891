import { recordAudit } from "../audit/audit-log";
import type { PrismaClient, Tx } from "../db/prisma-client";
import { AppError } from "../errors";
import type { Preset } from "../flows/flow-types";
import {
  inReach,
  programmeRegionOf,
  type AttendeeConsent,
  type ProgrammeActor,
} from "./programme-types";

export interface NewGathering {
  /** A user of one region: her or his own (by default); all-region users name it. */
  regionId?: string | undefined;
  startsAt: string;
  place: string;
  theme: string;
}

export interface GatheringChange {
  startsAt?: string | undefined;
  place?: string | undefined;
  theme?: string | undefined;
  /** How many came, 0 or more (the schema refuses a negative count before this runs). */
  headCount?: number | undefined;
  /** Called off: she is not shown it any more, the report does not count it as held. */
  cancelled?: true | undefined;
}

/**
 * 居場所 gatherings: made, changed (head count, called off) and women linked to them, each with
 * its audit row. A gathering outside the user's region does not exist for her or him (404).
 */
export function createGatheringService(deps: {
  prisma: PrismaClient;
  preset: Preset;
  now?: (() => Date) | undefined;
}) {
  const { prisma, preset } = deps;
  const now = deps.now ?? (() => new Date());

  function regionFor(user: ProgrammeActor, asked: string | undefined): string {
    const own = programmeRegionOf(user);
    const regionId = asked ?? own ?? undefined;
    if (regionId === undefined) throw new AppError("REGION_REQUIRED", "Name the region", 400);
    // Reach first: another region and a region that does not exist answer alike.
    if (!inReach(user, regionId)) {
      throw new AppError("OUT_OF_REGION", "That region is not yours", 403);
    }
    if (!preset.regions.some((r) => r.id === regionId)) {
      throw new AppError("UNKNOWN_REGION", "No such region", 400);
    }
    return regionId;
  }

  /** The gathering, locked, when the user reaches it; else 404 as for an unknown id. */
  async function lockGathering(tx: Tx, user: ProgrammeActor, id: string) {
    await tx.$executeRaw`SELECT 1 FROM gathering WHERE id = ${id}::uuid FOR UPDATE`;
    const g = await tx.gathering.findUnique({ where: { id } });
    if (!g || !inReach(user, g.regionId)) throw new AppError("NOT_FOUND", "No such gathering", 404);
    return g;
  }

  /**
   * A woman the user may link: her pseudonym, and a consultation of hers (LINE or an entry) in
   * the gathering's region. Anyone else is unknown (404): a pseudonym of another region says
   * nothing about her.
   */
  async function personOf(tx: Tx, pseudonym: string, regionId: string): Promise<string> {
    const person = await tx.person.findFirst({
      where: {
        pseudonym,
        OR: [
          { conversations: { some: { regionId } } },
          { entries: { some: { regionId, deletedAt: null } } },
        ],
      },
      select: { id: true },
    });
    if (!person) throw new AppError("PERSON_NOT_FOUND", "No such person in this region", 404);
    return person.id;
  }

  return {
    create(user: ProgrammeActor, input: NewGathering): Promise<{ id: string }> {
      const regionId = regionFor(user, input.regionId);
      return prisma.$transaction(async (tx) => {
        const g = await tx.gathering.create({
          data: {
            regionId,
            startsAt: new Date(input.startsAt),
            place: input.place,
            theme: input.theme,
            createdById: user.id,
            createdAt: now(),
          },
          select: { id: true },
        });
        await recordAudit(tx, {
          by: user.id,
          action: "gathering-create",
          detail: { gatheringId: g.id, regionId },
        });
        return g;
      });
    },

    change(user: ProgrammeActor, id: string, change: GatheringChange): Promise<void> {
      return prisma.$transaction(async (tx) => {
        const g = await lockGathering(tx, user, id);
        if (g.cancelledAt)
          throw new AppError("GATHERING_CANCELLED", "The gathering was called off", 409);
        await tx.gathering.update({
          where: { id },
          data: {
            ...(change.startsAt !== undefined ? { startsAt: new Date(change.startsAt) } : {}),
            ...(change.place !== undefined ? { place: change.place } : {}),
            ...(change.theme !== undefined ? { theme: change.theme } : {}),
            ...(change.headCount !== undefined ? { headCount: change.headCount } : {}),
            ...(change.cancelled ? { cancelledAt: now() } : {}),
          },
        });
        const changed = Object.keys(change).filter(
          (k) => change[k as keyof GatheringChange] !== undefined,
        );
        await recordAudit(tx, {
          by: user.id,
          action: change.cancelled ? "gathering-cancel" : "gathering-change",
          detail: {
            gatheringId: id,
            changed,
            ...(change.headCount !== undefined ? { headCount: change.headCount } : {}),
          },
        });
      });
    },

    /** Links a woman who came, with her consent (refused without it by the schema). */
    link(
      user: ProgrammeActor,
      id: string,
      pseudonym: string,
      consent: AttendeeConsent,
    ): Promise<void> {
      return prisma.$transaction(async (tx) => {
        const g = await lockGathering(tx, user, id);
        const personId = await personOf(tx, pseudonym, g.regionId);
        const existing = await tx.gatheringAttendee.findUnique({
          where: { gatheringId_personId: { gatheringId: id, personId } },
        });
        if (existing)
          throw new AppError("ALREADY_LINKED", "She is linked to this gathering already", 409);
        await tx.gatheringAttendee.create({
          data: { gatheringId: id, personId, consent, recordedById: user.id, recordedAt: now() },
        });
        await recordAudit(tx, {
          by: user.id,
          action: "gathering-link",
          detail: { gatheringId: id, personId, consent },
        });
      });
    },

    unlink(user: ProgrammeActor, id: string, personId: string): Promise<void> {
      return prisma.$transaction(async (tx) => {
        await lockGathering(tx, user, id);
        const removed = await tx.gatheringAttendee.deleteMany({
          where: { gatheringId: id, personId },
        });
        if (removed.count === 0) throw new AppError("NOT_FOUND", "She is not linked to it", 404);
        await recordAudit(tx, {
          by: user.id,
          action: "gathering-unlink",
          detail: { gatheringId: id, personId },
        });
      });
    },
  };
}

export type GatheringService = ReturnType<typeof createGatheringService>;
