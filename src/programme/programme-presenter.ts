import type { Prisma, PrismaClient } from "../db/prisma-client";
import { AppError } from "../errors";
import type { Preset } from "../flows/flow-types";
import { gatheringTime } from "../flows/programme-texts";
import {
  inReach,
  programmeRegionOf,
  type AttendeeConsent,
  type ProgrammeActor,
} from "./programme-types";

const include = {
  attendees: {
    select: { personId: true, consent: true, person: { select: { pseudonym: true } } },
    orderBy: { recordedAt: "asc" },
  },
  handouts: { where: { deletedAt: null }, select: { quantity: true } },
} satisfies Prisma.GatheringInclude;

type GatheringRow = Prisma.GatheringGetPayload<{ include: typeof include }>;

/** Gatherings, handing-outs and pickup points as the console shows them (API.md, "Programme"). */
export function createProgrammePresenter(deps: {
  prisma: PrismaClient;
  preset: Preset;
  now?: (() => Date) | undefined;
}) {
  const { prisma, preset } = deps;
  const now = deps.now ?? (() => new Date());
  const regionName = (id: string) => preset.regions.find((r) => r.id === id)?.name ?? id;
  const regionWhere = (user: ProgrammeActor) => {
    const region = programmeRegionOf(user);
    return region === null ? {} : { regionId: region };
  };

  const gathering = (g: GatheringRow) => ({
    id: g.id,
    regionId: g.regionId,
    regionName: regionName(g.regionId),
    startsAt: g.startsAt.toISOString(),
    place: g.place,
    theme: g.theme,
    headCount: g.headCount,
    cancelled: g.cancelledAt !== null,
    attendees: g.attendees.map((a) => ({
      personId: a.personId,
      pseudonym: a.person.pseudonym,
      consent: a.consent as AttendeeConsent,
    })),
    productsHandedOut: g.handouts.reduce((sum, h) => sum + h.quantity, 0),
  });

  return {
    /** Upcoming (soonest first) or past (latest first) gatherings of the user's region(s). */
    async gatherings(user: ProgrammeActor, when: "upcoming" | "past") {
      const at = now();
      const rows = await prisma.gathering.findMany({
        where: {
          ...regionWhere(user),
          startsAt: when === "upcoming" ? { gte: at } : { lt: at },
        },
        orderBy: { startsAt: when === "upcoming" ? "asc" : "desc" },
        take: 200,
        include,
      });
      return rows.map(gathering);
    },

    async gathering(user: ProgrammeActor, id: string) {
      const g = await prisma.gathering.findUnique({ where: { id }, include });
      if (!g || !inReach(user, g.regionId))
        throw new AppError("NOT_FOUND", "No such gathering", 404);
      return gathering(g);
    },

    /** A month's handing-outs of the user's region(s), by day. */
    async handouts(user: ProgrammeActor, month: string) {
      const rows = await prisma.productHandout.findMany({
        where: { ...regionWhere(user), month, deletedAt: null },
        orderBy: [{ handedOn: "asc" }, { createdAt: "asc" }],
        include: { gathering: { select: { startsAt: true, place: true } } },
      });
      const names = new Map(
        (
          await prisma.counsellor.findMany({
            where: { id: { in: [...new Set(rows.map((r) => r.recordedById))] } },
            select: { id: true, displayName: true },
          })
        ).map((c) => [c.id, c.displayName]),
      );
      return rows.map((h) => ({
        id: h.id,
        regionId: h.regionId,
        regionName: regionName(h.regionId),
        handedOn: h.handedOn.toISOString().slice(0, 10),
        place: h.gathering
          ? {
              kind: "gathering" as const,
              id: h.gatheringId ?? "",
              label: `居場所 ${gatheringTime(h.gathering.startsAt)} ${h.gathering.place}`,
            }
          : {
              kind: "pickup-point" as const,
              id: h.pickupPointId ?? "",
              label:
                preset.pickupPoints.find((p) => p.id === h.pickupPointId)?.name ??
                h.pickupPointId ??
                "",
            },
        quantity: h.quantity,
        recordedByName: names.get(h.recordedById) ?? "",
      }));
    },

    /** The preset's pickup points in the user's reach. */
    pickupPoints(user: ProgrammeActor) {
      return preset.pickupPoints
        .filter((p) => inReach(user, p.region))
        .map((p) => ({
          id: p.id,
          regionId: p.region,
          name: p.name,
          address: p.address,
          hours: p.hours,
          howToAsk: p.howToAsk,
          toConfirm: p.toConfirm,
        }));
    },
  };
}
