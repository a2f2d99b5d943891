import type { PrismaClient, Tx } from "../db/prisma-client";

type Db = Pick<PrismaClient | Tx, "onCallShift">;

/** One person on the roster at a moment, in the order they are called. */
export interface OnCallPerson {
  counsellorId: string;
  email: string;
}

/**
 * Who is on call for a region at a moment, in the order they are called: the shifts covering
 * it (the region's own or all regions'), by priority, the region's own first on a tie, then the
 * earlier made. Only active supervisors and admins with an e-mail address who may see the
 * region; each person once.
 */
export async function rosterAt(db: Db, regionId: string, at: Date): Promise<OnCallPerson[]> {
  const shifts = await db.onCallShift.findMany({
    where: {
      startsAt: { lte: at },
      endsAt: { gt: at },
      OR: [{ regionId }, { regionId: null }],
      counsellor: {
        active: true,
        role: { in: ["supervisor", "admin"] },
        email: { not: null },
        OR: [{ regionId: null }, { regionId }],
      },
    },
    include: { counsellor: { select: { email: true } } },
    orderBy: [{ priority: "asc" }, { createdAt: "asc" }],
  });
  const ordered = [...shifts].sort(
    (a, b) => a.priority - b.priority || Number(a.regionId === null) - Number(b.regionId === null),
  );
  const seen = new Set<string>();
  const people: OnCallPerson[] = [];
  for (const s of ordered) {
    if (seen.has(s.counsellorId) || !s.counsellor.email) continue;
    seen.add(s.counsellorId);
    people.push({ counsellorId: s.counsellorId, email: s.counsellor.email });
  }
  return people;
}

/**
 * The person after `previous` on the roster (the one a reminder goes to): the first when
 * `previous` is not on it, and the first again after the last, so a roster of one still gets
 * the reminder.
 */
export function nextAfter(
  roster: readonly OnCallPerson[],
  previous: string | null,
): OnCallPerson | undefined {
  const at = roster.findIndex((p) => p.counsellorId === previous);
  return roster[(at + 1) % Math.max(roster.length, 1)];
}
