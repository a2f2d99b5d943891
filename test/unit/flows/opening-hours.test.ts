/**
 * Opening hours as an NPO writes them in preset.yaml, and the times she is told.
 */
import {
  formatOpening,
  isOpen,
  isPublicHoliday,
  nextOpening,
  openSince,
  parseSlot,
} from "../../../src/flows/opening-hours";
import type { OpeningHours, TimeSlot } from "../../../src/flows/flow-types";
import { jst } from "./chat-harness";

const h = (hh: number, mm = 0) => hh * 60 + mm;

function weekdays(slots: TimeSlot[], extra: Partial<OpeningHours> = {}): OpeningHours {
  return {
    weekly: { mon: slots, tue: slots, wed: slots, thu: slots, fri: slots, sat: [], sun: [] },
    holidays: "closed",
    closedDates: [],
    ...extra,
  };
}

describe("parseSlot (HH:MM-HH:MM in preset.yaml)", () => {
  it.each([
    ["10:00-17:00", { start: h(10), end: h(17) }],
    ["9:30-12:05", { start: h(9, 30), end: h(12, 5) }],
    [" 22:00-24:00 ", { start: h(22), end: h(24) }],
    ["0:00-0:59", { start: 0, end: 59 }],
    ["21:59-22:30", { start: h(21, 59), end: h(22, 30) }],
  ])("%s is accepted", (text, slot) => {
    expect(parseSlot(text)).toEqual(slot);
  });

  it.each([
    "10:60-11:00",
    "10:60-12:00",
    "10:00-11:60",
    "10:00-24:01",
    "17:00-10:00",
    "10:00-10:00",
    "10-17",
    "10:00〜17:00",
    "x10:00-17:00",
    "10:00-17:00x",
    "100:00-117:00",
  ])("%s is rejected", (text) => {
    expect(parseSlot(text)).toBeNull();
  });
});

describe("open and closed days", () => {
  const hours = weekdays([{ start: h(10), end: h(17) }], { closedDates: ["12-29"] });

  it("a date listed in closedDates is closed every year", () => {
    // 2026-12-29 and 2027-12-29 are a Tuesday and a Wednesday.
    expect(isOpen(hours, jst("2026-12-29T11:00:00"))).toBe(false);
    expect(isOpen(hours, jst("2027-12-29T11:00:00"))).toBe(false);
    expect(isOpen(hours, jst("2026-12-28T11:00:00"))).toBe(true);
  });

  it("a public holiday is open when the region says so", () => {
    // 2026-11-23 (勤労感謝の日) is a Monday.
    expect(isPublicHoliday("2026-11-23")).toBe(true);
    expect(isOpen(hours, jst("2026-11-23T11:00:00"))).toBe(false);
    expect(isOpen({ ...hours, holidays: "open" }, jst("2026-11-23T11:00:00"))).toBe(true);
  });

  it("the day is the Japan day, not the UTC one", () => {
    // Monday 8:30 in Japan is still Sunday in UTC.
    const early = weekdays([{ start: h(8), end: h(9) }]);
    expect(isOpen(early, jst("2026-11-30T08:30:00"))).toBe(true);
    expect(isOpen(early, jst("2026-11-29T08:30:00"))).toBe(false);
  });
});

describe("nextOpening", () => {
  const hours = weekdays([
    { start: h(13), end: h(17) },
    { start: h(9, 30), end: h(12) },
  ]);

  it("is the earliest slot still to come, whatever the order in the file", () => {
    expect(nextOpening(hours, jst("2026-11-24T07:00:00"))?.toISOString()).toBe(
      jst("2026-11-24T09:30:00").toISOString(),
    );
    expect(nextOpening(hours, jst("2026-11-24T12:30:00"))?.toISOString()).toBe(
      jst("2026-11-24T13:00:00").toISOString(),
    );
  });

  it("is strictly after now: at 9:30 sharp the next one is 13:00", () => {
    expect(nextOpening(hours, jst("2026-11-24T09:30:00"))?.toISOString()).toBe(
      jst("2026-11-24T13:00:00").toISOString(),
    );
  });

  it("crosses the year-end break and the weekend", () => {
    const yearEnd = weekdays([{ start: h(10), end: h(17) }], {
      closedDates: ["12-29", "12-30", "12-31", "01-01", "01-02", "01-03"],
    });
    expect(nextOpening(yearEnd, jst("2026-12-28T18:00:00"))?.toISOString()).toBe(
      jst("2027-01-04T10:00:00").toISOString(),
    );
  });

  it("is null when the service does not open within three weeks", () => {
    const never: OpeningHours = { ...weekdays([]), closedDates: [] };
    expect(nextOpening(never, jst("2026-11-24T07:00:00"))).toBeNull();
    const monthly = weekdays([{ start: h(10), end: h(17) }], {
      closedDates: Array.from({ length: 21 }, (_, i) => `12-${String(i + 1).padStart(2, "0")}`),
    });
    expect(nextOpening(monthly, jst("2026-11-30T18:00:00"))).toBeNull();
    expect(nextOpening(monthly, jst("2026-12-01T00:00:00"))).toBeNull();
    // Three weeks ahead of 2 December is the first open day, 22 December.
    expect(nextOpening(monthly, jst("2026-12-02T00:00:00"))?.toISOString()).toBe(
      jst("2026-12-22T10:00:00").toISOString(),
    );
  });
});

describe("formatOpening", () => {
  const now = jst("2026-11-24T22:00:00");

  it.each([
    ["2026-11-24T23:05:00", "今日 23:05"],
    ["2026-11-25T09:30:00", "明日 11月25日(水) 9:30"],
    ["2026-11-26T10:00:00", "11月26日(木) 10:00"],
    ["2026-11-29T10:00:00", "11月29日(日) 10:00"],
    ["2026-12-05T10:00:00", "12月5日(土) 10:00"],
  ])("%s → %s", (at, text) => {
    expect(formatOpening(jst(at), now)).toBe(text);
  });

  it("counts days in Japan time: just after midnight there is already tomorrow", () => {
    expect(formatOpening(jst("2026-11-25T00:30:00"), jst("2026-11-24T23:50:00"))).toBe("明日 11月25日(水) 0:30");
  });
});

describe("openSince", () => {
  it("a region that never closes is open since a bounded walk back (31 × 4 day-long slots)", () => {
    const always: OpeningHours = {
      weekly: {
        mon: [{ start: 0, end: h(24) }],
        tue: [{ start: 0, end: h(24) }],
        wed: [{ start: 0, end: h(24) }],
        thu: [{ start: 0, end: h(24) }],
        fri: [{ start: 0, end: h(24) }],
        sat: [{ start: 0, end: h(24) }],
        sun: [{ start: 0, end: h(24) }],
      },
      holidays: "open",
      closedDates: [],
    };
    const since = openSince(always, jst("2026-11-24T11:00:00"));
    expect(since?.toISOString()).toBe(jst("2026-07-24T00:00:00").toISOString());
  });

  it("a gap of a minute between slots starts a new opening", () => {
    const split = weekdays([
      { start: h(9), end: h(12) },
      { start: h(12, 1), end: h(17) },
    ]);
    expect(openSince(split, jst("2026-11-24T13:00:00"))?.toISOString()).toBe(
      jst("2026-11-24T12:01:00").toISOString(),
    );
    expect(isOpen(split, jst("2026-11-24T12:00:30"))).toBe(false);
  });
});
