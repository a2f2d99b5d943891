import {
  fiscalYearOf,
  monthsOf,
  periodOf,
  tokyoDate,
  tokyoMidnight,
  type Period,
} from "../../../src/stats/stats-period";
import { refusal } from "../../support/refusal";

/**
 * The grant report counts a consultation in the period it started in, Tokyo time (COUNTING.md,
 * "Periods"). The moments below are 31 March in UTC whichever side of Tokyo's midnight they
 * fall, so a period computed in UTC, or a fiscal year that starts in another month, is caught.
 */
const MARCH_31_23_59 = new Date("2026-03-31T14:59:59.999Z"); // 31 March 23:59:59.999 in Tokyo
const APRIL_1_00_00 = new Date("2026-03-31T15:00:00.000Z"); // 1 April 00:00 in Tokyo

const contains = (period: Period, at: Date) => period.from <= at && at < period.to;

describe("the fiscal year (年度) of a moment", () => {
  it("changes at 1 April 00:00 in Tokyo, while it is still 31 March in UTC", () => {
    expect(fiscalYearOf(MARCH_31_23_59)).toBe(2025);
    expect(fiscalYearOf(APRIL_1_00_00)).toBe(2026);
  });

  it("puts January to March in the fiscal year that began the April before", () => {
    expect(fiscalYearOf(new Date("2025-12-31T14:59:59Z"))).toBe(2025); // 31 Dec 23:59 Tokyo
    expect(fiscalYearOf(new Date("2025-12-31T15:00:00Z"))).toBe(2025); // 1 Jan 00:00 Tokyo
    expect(fiscalYearOf(new Date("2026-02-28T15:00:00Z"))).toBe(2025); // 1 March 00:00 Tokyo
    expect(fiscalYearOf(new Date("2026-04-30T15:00:00Z"))).toBe(2026); // 1 May 00:00 Tokyo
  });
});

describe("a fiscal-year period", () => {
  // Built inside each test, so that mutation testing sees which tests run periodOf.
  const fy2025 = () => periodOf({ fiscalYear: 2025 });

  it("runs from 1 April 00:00 to 31 March 24:00 in Tokyo, labelled for the report", () => {
    expect(fy2025()).toEqual({
      from: new Date("2025-03-31T15:00:00.000Z"),
      to: new Date("2026-03-31T15:00:00.000Z"),
      fiscalYear: 2025,
      label: "2025年度",
    });
  });

  it("holds a chat started at 31 March 23:59 Tokyo, and not one started at 1 April 00:00", () => {
    expect(contains(fy2025(), MARCH_31_23_59)).toBe(true);
    expect(contains(fy2025(), APRIL_1_00_00)).toBe(false);
    expect(contains(periodOf({ fiscalYear: 2026 }), APRIL_1_00_00)).toBe(true);
    expect(contains(periodOf({ fiscalYear: 2026 }), MARCH_31_23_59)).toBe(false);
  });

  it("agrees with fiscalYearOf on its first and last moment", () => {
    expect(fiscalYearOf(fy2025().from)).toBe(2025);
    expect(fiscalYearOf(new Date(fy2025().to.getTime() - 1))).toBe(2025);
    expect(fiscalYearOf(fy2025().to)).toBe(2026);
  });

  it("has the twelve months April to March in the trend, in order", () => {
    expect(monthsOf(fy2025())).toEqual([
      "2025-04",
      "2025-05",
      "2025-06",
      "2025-07",
      "2025-08",
      "2025-09",
      "2025-10",
      "2025-11",
      "2025-12",
      "2026-01",
      "2026-02",
      "2026-03",
    ]);
  });
});

describe("a month period", () => {
  it("is the Tokyo calendar month: March ends at 1 April 00:00 Tokyo", () => {
    const march = periodOf({ month: "2026-03" });
    expect(march).toEqual({
      from: new Date("2026-02-28T15:00:00.000Z"),
      to: new Date("2026-03-31T15:00:00.000Z"),
      fiscalYear: null,
      label: "2026-03",
    });
    expect(contains(march, MARCH_31_23_59)).toBe(true);
    expect(contains(march, APRIL_1_00_00)).toBe(false);
    expect(monthsOf(march)).toEqual(["2026-03"]);
  });

  it("April starts at 1 April 00:00 Tokyo, which is still 31 March in UTC", () => {
    const april = periodOf({ month: "2026-04" });
    expect(contains(april, APRIL_1_00_00)).toBe(true);
    expect(contains(april, MARCH_31_23_59)).toBe(false);
    expect(monthsOf(april)).toEqual(["2026-04"]);
  });

  it("December ends at 1 January of the next year", () => {
    const december = periodOf({ month: "2025-12" });
    expect(december.from).toEqual(new Date("2025-11-30T15:00:00.000Z"));
    expect(december.to).toEqual(new Date("2025-12-31T15:00:00.000Z"));
    expect(monthsOf(december)).toEqual(["2025-12"]);
  });

  it("refuses a month that does not exist", () => {
    for (const month of ["2026-13", "2026-00", "2026-3", "26-03", "2026-03-01"]) {
      const error = refusal(() => periodOf({ month }));
      expect(error.code).toBe("INVALID_INPUT");
      expect(error.status).toBe(400);
    }
  });
});

describe("a range of days", () => {
  it("includes both days, from 00:00 of the first to 24:00 of the last, in Tokyo", () => {
    expect(periodOf({ from: "2026-03-01", to: "2026-03-31" })).toEqual({
      from: new Date("2026-02-28T15:00:00.000Z"),
      to: new Date("2026-03-31T15:00:00.000Z"),
      fiscalYear: null,
      label: "2026-03-01〜2026-03-31",
    });
    const lastDay = periodOf({ from: "2026-03-31", to: "2026-03-31" });
    expect(contains(lastDay, MARCH_31_23_59)).toBe(true);
    expect(contains(lastDay, APRIL_1_00_00)).toBe(false);
    const firstDay = periodOf({ from: "2026-04-01", to: "2026-04-01" });
    expect(contains(firstDay, APRIL_1_00_00)).toBe(true);
    expect(contains(firstDay, MARCH_31_23_59)).toBe(false);
  });

  it("is a fiscal year for the KPI only when it is exactly 1 April to 31 March", () => {
    expect(periodOf({ from: "2025-04-01", to: "2026-03-31" }).fiscalYear).toBe(2025);
    expect(periodOf({ from: "2025-04-02", to: "2026-03-31" }).fiscalYear).toBeNull();
    expect(periodOf({ from: "2025-04-01", to: "2026-03-30" }).fiscalYear).toBeNull();
    expect(periodOf({ from: "2025-04-01", to: "2026-04-01" }).fiscalYear).toBeNull();
    // Starts on the 1st and ends 31 March, but is not the whole fiscal year.
    expect(periodOf({ from: "2026-03-01", to: "2026-03-31" }).fiscalYear).toBeNull();
  });

  it("lists every month it touches, across the new year, with no gaps", () => {
    const period = periodOf({ from: "2025-11-15", to: "2026-02-03" });
    expect(monthsOf(period)).toEqual(["2025-11", "2025-12", "2026-01", "2026-02"]);
    expect(monthsOf(periodOf({ from: "2026-03-31", to: "2026-04-01" }))).toEqual([
      "2026-03",
      "2026-04",
    ]);
  });

  it("refuses days that do not exist, with the day in the message", () => {
    for (const day of ["2026-02-29", "2026-04-31", "2026-00-10", "2026-1-05", "x2026-01-05"]) {
      const error = refusal(() => periodOf({ from: day, to: "2026-12-31" }));
      expect(error.code).toBe("INVALID_INPUT");
      expect(error.status).toBe(400);
      expect(error.message).toBe(`Not a date: ${day}`);
    }
    expect(() => periodOf({ from: "2026-01-01", to: "2026-01-051" })).toThrow(
      "Not a date: 2026-01-051",
    );
    expect(periodOf({ from: "2024-02-29", to: "2024-02-29" }).label).toBe("2024-02-29〜2024-02-29");
  });

  it("refuses a range that ends before it starts", () => {
    const error = refusal(() => periodOf({ from: "2026-04-02", to: "2026-04-01" }));
    expect(error).toMatchObject({ code: "INVALID_INPUT", status: 400 });
    expect(error.message).toBe("The period ends before it starts");
  });

  it("accepts at most ten years of 366 days", () => {
    // 2020-01-01 + 3660 days = 2030-01-08 (exclusive end).
    const longest = periodOf({ from: "2020-01-01", to: "2030-01-07" });
    expect(longest.to.getTime() - longest.from.getTime()).toBe(3660 * 86_400_000);
    const error = refusal(() => periodOf({ from: "2020-01-01", to: "2030-01-08" }));
    expect(error).toMatchObject({ code: "INVALID_INPUT", status: 400 });
    expect(error.message).toBe("A period is at most ten years");
  });
});

describe("Tokyo calendar helpers", () => {
  it("tokyoMidnight is 15:00 UTC of the day before", () => {
    expect(tokyoMidnight(2026, 4, 1)).toEqual(APRIL_1_00_00);
    expect(tokyoMidnight(2026, 1, 1)).toEqual(new Date("2025-12-31T15:00:00.000Z"));
  });

  it("tokyoDate is the date on a clock in Tokyo", () => {
    expect(tokyoDate(MARCH_31_23_59)).toBe("2026-03-31");
    expect(tokyoDate(APRIL_1_00_00)).toBe("2026-04-01");
  });
});
