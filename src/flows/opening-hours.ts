/**
 * Opening hours per region in Japan time, with Japanese public holidays closed.
 * Japan has no daylight saving time, so local time is UTC+9 all year; the preset schema only
 * accepts Asia/Tokyo for that reason.
 */
import holidayJp from "@holiday-jp/holiday_jp";
import type { OpeningHours, TimeSlot, Weekday } from "./flow-types";

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;
/** Long enough to cross 年末年始 plus a holiday week (ゴールデンウィーク). */
const SEARCH_DAYS = 21;

const WEEKDAYS: Weekday[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const WEEKDAY_JA = ["日", "月", "火", "水", "木", "金", "土"];

interface LocalDay {
  /** UTC instant of local midnight. */
  midnight: number;
  ymd: string;
  monthDay: string;
  weekday: number;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function localDay(instant: number): LocalDay {
  const local = new Date(instant + JST_OFFSET_MS);
  const monthDay = `${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const midnightLocal = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  return {
    midnight: midnightLocal - JST_OFFSET_MS,
    ymd: `${local.getUTCFullYear()}-${monthDay}`,
    monthDay,
    weekday: local.getUTCDay(),
  };
}

export function isPublicHoliday(ymd: string): boolean {
  return holidayJp.isHoliday(ymd);
}

function slotsFor(day: LocalDay, hours: OpeningHours): TimeSlot[] {
  if (hours.closedDates.includes(day.monthDay)) return [];
  if (hours.holidays === "closed" && isPublicHoliday(day.ymd)) return [];
  const weekday = WEEKDAYS[day.weekday];
  return weekday ? hours.weekly[weekday] : [];
}

export function isOpen(hours: OpeningHours, now: Date): boolean {
  return openSince(hours, now) !== null;
}

/**
 * Since when the service has been open without a break; null while it is closed. Slots that
 * follow each other (9:00–12:00 and 12:00–17:00, or 22:00–24:00 and the next day's 0:00–6:00)
 * count as one opening, so a region open around the clock does not "open" again at midnight.
 */
export function openSince(hours: OpeningHours, now: Date): Date | null {
  let since: number | null = null;
  // Walk back slot by slot while the instant just before a slot's start is open too; bounded
  // (a month of back-to-back slots), as any longer opening is the same for the queue's clocks.
  for (let at = now.getTime(), i = 0; i < 31 * 4; i++) {
    const start = slotStart(hours, at);
    if (start === null) break;
    since = start;
    at = start - 1;
  }
  return since === null ? null : new Date(since);
}

/** The start of the slot the instant falls in, or null if the service is closed then. */
function slotStart(hours: OpeningHours, instant: number): number | null {
  const day = localDay(instant);
  const minute = (instant - day.midnight) / MINUTE_MS;
  const slot = slotsFor(day, hours).find((s) => s.start <= minute && minute < s.end);
  return slot ? day.midnight + slot.start * MINUTE_MS : null;
}

/** The next moment the service opens, strictly after now; null if closed for SEARCH_DAYS. */
export function nextOpening(hours: OpeningHours, now: Date): Date | null {
  const today = localDay(now.getTime());
  for (let i = 0; i < SEARCH_DAYS; i++) {
    const day = localDay(today.midnight + i * DAY_MS + DAY_MS / 2);
    const starts = slotsFor(day, hours)
      .map((slot) => day.midnight + slot.start * MINUTE_MS)
      .filter((start) => start > now.getTime())
      .sort((a, b) => a - b);
    const first = starts[0];
    if (first !== undefined) return new Date(first);
  }
  return null;
}

/** 「今日 17:00」「明日 11月24日(火) 10:00」「11月25日(水) 10:00」, in Japan time. */
export function formatOpening(at: Date, now: Date): string {
  const day = localDay(at.getTime());
  const today = localDay(now.getTime());
  const local = new Date(at.getTime() + JST_OFFSET_MS);
  const time = `${local.getUTCHours()}:${pad(local.getUTCMinutes())}`;
  // Stryker disable next-line StringLiteral: equivalent, because a weekday is 0–6, always within the list; ?? only satisfies noUncheckedIndexedAccess
  const date = `${local.getUTCMonth() + 1}月${local.getUTCDate()}日(${WEEKDAY_JA[day.weekday] ?? ""})`;
  const daysAhead = Math.round((day.midnight - today.midnight) / DAY_MS);
  if (daysAhead === 0) return `今日 ${time}`;
  if (daysAhead === 1) return `明日 ${date} ${time}`;
  return `${date} ${time}`;
}

/** "HH:MM-HH:MM" → minutes; null when malformed (the schema reports it). */
export function parseSlot(text: string): TimeSlot | null {
  const m = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  if (Number(m[2]) > 59 || Number(m[4]) > 59 || end > 24 * 60 || start >= end) return null;
  return { start, end };
}
