/**
 * What the bot tells her about the programme beyond the consultation: the pickup points of
 * sanitary products (the preset's) and the next 居場所 gatherings (what the console holds,
 * handed in by the runtime). Pure: she is shown them only when she asks, never pushed.
 */
import type { PickupPoint, Preset, Triage, UpcomingGathering } from "./flow-types";

/** How many gatherings she is shown at most (the next ones). */
export const GATHERINGS_SHOWN = 3;

const JST_OFFSET_MS = 9 * 3600_000;
const WEEKDAY_JA = ["日", "月", "火", "水", "木", "金", "土"];

/** Her region when she named where she lives; undefined: she did not (every region is shown). */
function namedRegion(triage: Triage): string | undefined {
  return triage.regionSource === "answer" ? triage.regionId : undefined;
}

function regionName(preset: Preset, id: string): string {
  return preset.regions.find((r) => r.id === id)?.name ?? id;
}

/** A full-width space: the indent of a list item's further lines, as Japanese text has it. */
const INDENT = "\u3000";

function pointLines(p: PickupPoint): string {
  return [`・${p.name}`, ...[p.address, p.hours, p.howToAsk].map((l) => INDENT + l)].join("\n");
}

/**
 * The pickup points she can use: her region's, or every region's (each under its name) when she
 * did not say where she lives. Empty when there are none for her.
 */
export function pickupPointList(preset: Preset, triage: Triage): string {
  const region = namedRegion(triage);
  if (region !== undefined) {
    return preset.pickupPoints.filter((p) => p.region === region).map(pointLines).join("\n");
  }
  return preset.regions
    .map((r) => {
      const points = preset.pickupPoints.filter((p) => p.region === r.id);
      return points.length === 0 ? "" : [`【${r.name}】`, ...points.map(pointLines)].join("\n");
    })
    .filter((block) => block !== "")
    .join("\n");
}

/** 12月12日(土) 14:00, in Japan time. */
export function gatheringTime(startsAt: Date): string {
  const local = new Date(startsAt.getTime() + JST_OFFSET_MS);
  const hh = String(local.getUTCHours()).padStart(2, "0");
  const mm = String(local.getUTCMinutes()).padStart(2, "0");
  // Stryker disable next-line StringLiteral: equivalent, because a valid date's getUTCDay() is 0–6, always within the list (gatheringList drops a startsAt that does not parse); the fallback only satisfies noUncheckedIndexedAccess
  const day = `${local.getUTCMonth() + 1}月${local.getUTCDate()}日(${WEEKDAY_JA[local.getUTCDay()] ?? ""})`;
  return `${day} ${hh}:${mm}`;
}

/**
 * The next gatherings (at most GATHERINGS_SHOWN, soonest first, not begun yet) of her region, or
 * of every region, each with its region's name, when she did not say where she lives.
 */
export function gatheringList(
  preset: Preset,
  triage: Triage,
  gatherings: UpcomingGathering[],
  now: Date,
): string {
  const region = namedRegion(triage);
  return gatherings
    .filter((g) => Date.parse(g.startsAt) >= now.getTime())
    .filter((g) => region === undefined || g.regionId === region)
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))
    .slice(0, GATHERINGS_SHOWN)
    .map((g) => {
      const where = region === undefined ? `【${regionName(preset, g.regionId)}】` : "";
      return `・${where}${gatheringTime(new Date(g.startsAt))}〜 ${g.place}\n${INDENT}${g.theme}`;
    })
    .join("\n");
}
