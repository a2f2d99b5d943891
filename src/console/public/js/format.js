// Dates and durations as the console shows them: Japan time, as people say them.

const TZ = "Asia/Tokyo";
const dateTime = new Intl.DateTimeFormat("ja-JP", {
  timeZone: TZ,
  month: "numeric",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const fullDate = new Intl.DateTimeFormat("ja-JP", {
  timeZone: TZ,
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const clock = new Intl.DateTimeFormat("ja-JP", {
  timeZone: TZ,
  hour: "2-digit",
  minute: "2-digit",
});

/** "11/23 14:05" in Japan time; "" for null. */
export const formatDateTime = (iso) => (iso ? dateTime.format(new Date(iso)) : "");
export const formatFullDate = (iso) => (iso ? fullDate.format(new Date(iso)) : "");
export const formatClock = (iso) => (iso ? clock.format(new Date(iso)) : "");

/** A wait as people say it: "45秒", "12分", "1時間5分". */
export function formatElapsed(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}秒`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}分`;
  return `${Math.floor(m / 60)}時間${m % 60}分`;
}

/** A `datetime-local` value (Japan time, as typed) as an ISO string. */
export function localInputToIso(value) {
  if (!value) return undefined;
  const date = new Date(`${value}:00+09:00`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
