/**
 * Japanese labels of periods for the report and its files: 令和7年度 (the Japanese calendar,
 * from Intl, so a new era needs no code), 2025年4月, 2025年4月1日. Tokyo dates throughout.
 */
const ERA_YEAR = new Intl.DateTimeFormat("ja-JP-u-ca-japanese", {
  era: "long",
  year: "numeric",
  timeZone: "Asia/Tokyo",
});

/** 令和7年度 for fiscal year 2025 (named by the era of its summer: 令和元年度 = 2019). */
export function fiscalYearLabel(fiscalYear: number): string {
  return `${ERA_YEAR.format(new Date(Date.UTC(fiscalYear, 6, 1, 3)))}度`;
}

/** 2025年4月 for "2025-04". */
export function monthLabel(month: string): string {
  return `${Number(month.slice(0, 4))}年${Number(month.slice(5, 7))}月`;
}

/** 2025年4月1日 for "2025-04-01". */
export function dayLabel(day: string): string {
  return `${monthLabel(day)}${Number(day.slice(8, 10))}日`;
}

/** The period's title: 令和7年度, 2025年4月, or 2025年4月1日〜2025年6月30日. */
export function periodTitle(
  input: { fiscalYear: number } | { month: string } | { from: string; to: string },
): string {
  if ("fiscalYear" in input) return fiscalYearLabel(input.fiscalYear);
  if ("month" in input) return monthLabel(input.month);
  return `${dayLabel(input.from)}〜${dayLabel(input.to)}`;
}
