/**
 * While she waits and nobody is chatting with her, whatever she writes gets a sign that it
 * arrived and what happens next; and when her own region is closed while a neighbour is open,
 * the neighbour answers her. Pure: the conversation layer gives the time, her place in the
 * queue and when she was last told, and records what is sent.
 */
import { formatOpening, isOpen, nextOpening } from "./opening-hours";
import { renderTemplate, staticVars } from "./flow-text";
import type { Flow, Preset, Region, Triage } from "./flow-types";
import { personNear } from "./shared-phone";

/** The waiting texts' own placeholder: her place in the queue, in words. */
export const PLACE_PLACEHOLDER = "place";

const regionById = (preset: Preset, id: string | null | undefined) =>
  preset.regions.find((r) => r.id === id);

/**
 * The open region whose queue she joins because her own region is closed now: the first open
 * one of her region's `overflowTo`, when the region allows it (`overflowWhenClosed`). Undefined
 * while her region is open, or when no neighbour is.
 */
export function openNeighbour(preset: Preset, homeRegionId: string, now: Date): Region | undefined {
  const home = regionById(preset, homeRegionId);
  if (!home?.queue.overflowWhenClosed || isOpen(home.hours, now)) return undefined;
  return home.queue.overflowTo
    .map((id) => regionById(preset, id))
    .find((r): r is Region => r !== undefined && isOpen(r.hours, now));
}

/**
 * When a counsellor will answer her: the next opening of her region, or of a neighbour that
 * will take her while hers is closed, whichever comes first. `pinned`: she waits for that one
 * region's counsellors only (a counsellor chose it).
 */
export function whenAnswered(
  preset: Preset,
  homeRegionId: string,
  now: Date,
  pinned = false,
): Date | null {
  const home = regionById(preset, homeRegionId);
  if (!home) return null;
  const candidates = [home];
  if (!pinned && home.queue.overflowWhenClosed) {
    candidates.push(...home.queue.overflowTo.flatMap((id) => regionById(preset, id) ?? []));
  }
  const times = candidates
    .map((r) => nextOpening(r.hours, now))
    .filter((d): d is Date => d !== null)
    .sort((a, b) => a.getTime() - b.getTime());
  return times[0] ?? null;
}

/** Whether she may be told again: never told yet, or told at least `everyMinutes` ago. */
export function acknowledgementDue(lastTold: Date | null, now: Date, everyMinutes: number) {
  return lastTold === null || now.getTime() - lastTold.getTime() >= everyMinutes * 60_000;
}

export interface WaitingSituation {
  /** Her triage record: once the person is near, one short line. */
  triage: Triage;
  /** Whether the region whose queue she is in is open now. */
  open: boolean;
  /** When a counsellor will answer, while nobody is on duty for her. */
  answeredAt: Date | null;
  /** Her place in the queue, in words (src/conversations/queue-position.ts). */
  place: string;
  now: Date;
}

/**
 * The one message she gets: "acknowledge" when a message of hers arrived, "transferred" when a
 * counsellor put her in another region's queue. Its first line is safe on a lock screen
 * (flows:check checks the preset's texts).
 */
export function waitingNotice(
  preset: Preset,
  flow: Flow,
  kind: "acknowledge" | "transferred",
  s: WaitingSituation,
): string {
  const t = preset.waiting;
  const near = personNear(s.triage);
  const text =
    kind === "acknowledge"
      ? near
        ? t.personNear
        : s.open
          ? t.inHours
          : t.outOfHours
      : near
        ? t.transferredPersonNear
        : s.open
          ? t.transferredInHours
          : t.transferredOutOfHours;
  const vars = {
    ...staticVars(flow, preset),
    nextOpening: s.answeredAt ? formatOpening(s.answeredAt, s.now) : "受付再開のあと",
  };
  return renderTemplate(text.replaceAll(`{{${PLACE_PLACEHOLDER}}}`, s.place), vars).trim();
}
