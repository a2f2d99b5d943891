import type { Tx } from "../db/prisma-client";
import type { UpcomingGathering } from "../flows/flow-types";

/** More than the bot ever shows (3 per region), so each region has its next ones. */
const LOADED = 60;

/**
 * The gatherings not begun yet and not called off, soonest first, for the flow engine (a
 * `gatherings` node picks her region's). Read when she asks: nothing is ever pushed to her.
 */
export async function upcomingGatherings(tx: Tx, at: Date): Promise<UpcomingGathering[]> {
  const rows = await tx.gathering.findMany({
    where: { startsAt: { gte: at }, cancelledAt: null },
    orderBy: { startsAt: "asc" },
    take: LOADED,
    select: { regionId: true, startsAt: true, place: true, theme: true },
  });
  return rows.map((g) => ({ ...g, startsAt: g.startsAt.toISOString() }));
}
