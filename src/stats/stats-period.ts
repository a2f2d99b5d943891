import { AppError } from "../errors";

/**
 * Reporting periods in Asia/Tokyo. Japan has no daylight saving time, so a Tokyo calendar day
 * is always [00:00+09:00, 24:00+09:00) and plain arithmetic on UTC instants is exact.
 */
const TOKYO_OFFSET_MS = 9 * 3600_000;

export type PeriodInput =
  | { fiscalYear: number }
  | { month: string } // YYYY-MM
  | { from: string; to: string }; // YYYY-MM-DD, both days included

export interface Period {
  /** First instant of the period (inclusive). */
  from: Date;
  /** First instant after the period (exclusive). */
  to: Date;
  /** The Japanese fiscal year when the period is exactly one (for the KPI), else null. */
  fiscalYear: number | null;
  label: string;
}

/** 00:00 in Tokyo of the given calendar day, as a UTC instant. */
export function tokyoMidnight(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month - 1, day) - TOKYO_OFFSET_MS);
}

/** The Tokyo calendar date of an instant, YYYY-MM-DD. */
export function tokyoDate(at: Date): string {
  return new Date(at.getTime() + TOKYO_OFFSET_MS).toISOString().slice(0, 10);
}

/** 令和7年度 = fiscal year 2025 = 2025-04-01 .. 2026-03-31 (Tokyo). */
export function fiscalYearOf(at: Date): number {
  const local = new Date(at.getTime() + TOKYO_OFFSET_MS);
  const year = local.getUTCFullYear();
  return local.getUTCMonth() >= 3 ? year : year - 1;
}

function parseDay(text: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const [y, mo, d] = [Number(m?.[1]), Number(m?.[2]), Number(m?.[3])];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (
    !m ||
    check.getUTCMonth() !== mo - 1 ||
    // Stryker disable next-line ConditionalExpression: equivalent, because a day that does not exist (0, 31 April, 30 February, up to 99) always rolls into another month, which the month check refuses.
    check.getUTCDate() !== d
  ) {
    throw new AppError("INVALID_INPUT", `Not a date: ${text}`, 400);
  }
  return [y, mo, d];
}

export function periodOf(input: PeriodInput): Period {
  if ("fiscalYear" in input) {
    const y = input.fiscalYear;
    return {
      from: tokyoMidnight(y, 4, 1),
      to: tokyoMidnight(y + 1, 4, 1),
      fiscalYear: y,
      label: `${y}年度`,
    };
  }
  if ("month" in input) {
    const [y, m] = parseDay(`${input.month}-01`);
    return {
      from: tokyoMidnight(y, m, 1),
      to: tokyoMidnight(y, m + 1, 1),
      fiscalYear: null,
      label: input.month,
    };
  }
  const [fy, fm, fd] = parseDay(input.from);
  const [ty, tm, td] = parseDay(input.to);
  const from = tokyoMidnight(fy, fm, fd);
  const to = tokyoMidnight(ty, tm, td + 1);
  if (to <= from) throw new AppError("INVALID_INPUT", "The period ends before it starts", 400);
  if (to.getTime() - from.getTime() > 10 * 366 * 86_400_000) {
    throw new AppError("INVALID_INPUT", "A period is at most ten years", 400);
  }
  const fiscalYear = fiscalYearOf(from);
  const isFiscalYear =
    fm === 4 && fd === 1 && to.getTime() === tokyoMidnight(fiscalYear + 1, 4, 1).getTime();
  return {
    from,
    to,
    fiscalYear: isFiscalYear ? fiscalYear : null,
    label: `${input.from}〜${input.to}`,
  };
}

/** Every month (YYYY-MM, Tokyo) the period touches, in order: the trend has no gaps. */
export function monthsOf(period: Period): string[] {
  const months: string[] = [];
  const last = tokyoDate(new Date(period.to.getTime() - 1)).slice(0, 7);
  let [y, m] = tokyoDate(period.from).split("-").map(Number) as [number, number];
  for (;;) {
    const key = `${y}-${String(m).padStart(2, "0")}`;
    months.push(key);
    if (key >= last) return months;
    m += 1;
    if (m > 12) [y, m] = [y + 1, 1];
  }
}
