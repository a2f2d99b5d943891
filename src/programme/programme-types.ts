/**
 * The programme beyond consultations (居場所 gatherings, sanitary products): who reaches what,
 * and the vocabulary. Pure.
 */
import type { CounsellorRole } from "../db/prisma-client";

/** Who acts (the console's signed-in user). */
export interface ProgrammeActor {
  id: string;
  role: CounsellorRole;
  /** null: every region (supervisors and admins only). */
  regionId: string | null;
}

/** How she agreed to be linked to a gathering she came to. */
export const ATTENDEE_CONSENTS = ["verbal", "written"] as const;
export type AttendeeConsent = (typeof ATTENDEE_CONSENTS)[number];

/**
 * The region a user reaches; null = all. The rule of conversations and tasks: a counsellor her
 * or his region only, never all; a supervisor or admin her or his region, or every region.
 */
export function programmeRegionOf(user: ProgrammeActor): string | null {
  if (user.role === "counsellor") return user.regionId ?? "";
  return user.regionId;
}

export function inReach(user: ProgrammeActor, regionId: string): boolean {
  const region = programmeRegionOf(user);
  return region === null || region === regionId;
}

const JST_OFFSET_MS = 9 * 3600_000;

/** The calendar day in Tokyo at `at`, as YYYY-MM-DD. */
export function tokyoDay(at: Date): string {
  return new Date(at.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
}
