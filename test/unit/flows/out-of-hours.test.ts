/**
 * Outside opening hours (per region, Japanese public holidays and the year-end break closed):
 * she is told when a counsellor will answer, gets the 24-hour lines, and keeps her place.
 */
import { formatOpening, isOpen, nextOpening, openSince } from "../../../src/flows/opening-hours";
import type { OpeningHours } from "../../../src/flows/flow-types";
import { Chat, gunma, jst, yamaguchi, useJapaneseAnalyser } from "./chat-harness";

useJapaneseAnalyser();

function regionHours(id: string) {
  const region = gunma.regions.find((r) => r.id === id);
  if (!region) throw new Error(`no region ${id}`);
  return region.hours;
}

/** Greeting → topic → municipality, then support wish: returns the chat at the hand-off. */
function triageTo(municipality: string, now: Date): Chat {
  const chat = new Chat(gunma, now).follow().tap("はい、大丈夫").tap("その他").tap("これで全部");
  return chat.say(municipality).tap("答えずに進む").tap("このままLINEで").tap("答えずに進む");
}

describe("first contact out of hours", () => {
  it("weekday night: says when counsellors answer and lists only the 24-hour lines", () => {
    const chat = new Chat(gunma, jst("2026-11-24T22:00:00")).follow();
    const text = chat.text();
    expect(text).toContain("いまは受付時間外です");
    expect(text).toContain("明日 11月25日(水) 9:30");
    expect(text).toContain("0120-279-889");
    expect(text).not.toContain("#8008");
    expect(chat.labels()).toContain("はい、大丈夫");
  });

  it("in hours there is no such notice", () => {
    expect(new Chat(gunma, jst("2026-11-24T11:00:00")).follow().text()).not.toContain("受付時間外");
  });

  it("while one region is open (西毛 from 9:30, the others from 10:00) there is no such notice", () => {
    expect(isOpen(regionHours("seimo"), jst("2026-11-24T09:45:00"))).toBe(true);
    expect(isOpen(regionHours("chuhoku"), jst("2026-11-24T09:45:00"))).toBe(false);
    expect(new Chat(gunma, jst("2026-11-24T09:45:00")).follow().text()).not.toContain("受付時間外");
  });
});

describe("hand-off out of hours keeps her place", () => {
  // She is answered by her region or, while it is closed, by the first neighbour to open: so the
  // earliest opening of the two counts (西毛 opens at 9:30 on weekdays).
  it.each([
    ["weekday night", "2026-11-24T22:00:00", "前橋", "chuhoku", "明日 11月25日(水) 9:30", "2026-11-25T00:30:00.000Z"],
    ["Sunday (Monday is a holiday)", "2026-11-22T14:00:00", "太田市", "tomo", "11月24日(火) 9:30", "2026-11-24T00:30:00.000Z"],
    ["勤労感謝の日 2026-11-23", "2026-11-23T11:00:00", "高崎", "seimo", "明日 11月24日(火) 9:30", "2026-11-24T00:30:00.000Z"],
    ["year-end break (東毛 closed on Monday 1月4日, its neighbours open)", "2026-12-30T11:00:00", "桐生", "tomo", "1月4日(月) 9:30", "2027-01-04T00:30:00.000Z"],
  ])("%s", (_label, local, typed, regionId, opening, nextOpenAt) => {
    const chat = triageTo(typed, jst(local));
    expect(chat.text()).toContain(`相談員からのお返事は、${opening}からになります`);
    expect(chat.text()).toContain("24時間つながる窓口");
    expect(chat.text()).toContain("0120-279-338");
    expect(chat.effect("handoff")).toEqual({ type: "handoff", reason: "completed", regionId, outOfHours: true, nextOpenAt });
    expect(chat.state?.status).toBe("handed-off");
  });

  it("Saturday in 中北毛 is open: the same moment is in hours there", () => {
    const chat = triageTo("前橋", jst("2026-11-28T12:00:00"));
    expect(chat.effect("handoff")).toMatchObject({ regionId: "chuhoku", outOfHours: false });
    expect(chat.text()).not.toContain("受付時間外");
  });

  it("Saturday in 西毛 (closed there): 中北毛 is open and takes her at once", () => {
    const chat = triageTo("富岡", jst("2026-11-28T12:00:00"));
    expect(chat.effect("handoff")).toEqual({
      type: "handoff",
      reason: "completed",
      regionId: "seimo",
      outOfHours: false,
      servingRegionId: "chuhoku",
    });
    expect(chat.text()).toContain("順番にお返事します");
    expect(chat.text()).not.toContain("受付時間外");
  });

  it("a region that keeps its women to itself while closed (overflowWhenClosed: false) waits for its opening", () => {
    const own = {
      ...gunma,
      regions: gunma.regions.map((r) => ({ ...r, queue: { ...r.queue, overflowWhenClosed: false } })),
    };
    const chat = new Chat(own, jst("2026-11-28T12:00:00")).follow().tap("はい、大丈夫").tap("その他").tap("これで全部");
    chat.say("富岡").tap("答えずに進む").tap("このままLINEで").tap("答えずに進む");
    expect(chat.effect("handoff")).toMatchObject({ regionId: "seimo", outOfHours: true });
    expect(chat.text()).toContain("相談員からのお返事は、11月30日(月) 9:30からになります");
  });

  it("asking for a counsellor out of hours gets the same answer", () => {
    const chat = new Chat(gunma, jst("2026-11-23T11:00:00")).follow().say("相談員と話したい");
    expect(chat.text()).toContain("相談員におつなぎしますね");
    expect(chat.text()).toContain("明日 11月24日(火) 9:30");
    expect(chat.effect("handoff")?.outOfHours).toBe(true);
  });

  it("Yamaguchi: Saturday evening → Monday 9:00", () => {
    const chat = new Chat(yamaguchi, jst("2026-11-28T18:00:00")).follow().say("相談員と話したい");
    expect(chat.text()).toContain("11月30日(月) 9:00");
  });
});

describe("opening hours", () => {
  const chuhoku = regionHours("chuhoku");

  it("opens at 10:00 and closes at 17:00 (Japan time)", () => {
    expect(isOpen(chuhoku, jst("2026-11-24T09:59:00"))).toBe(false);
    expect(isOpen(chuhoku, jst("2026-11-24T10:00:00"))).toBe(true);
    expect(isOpen(chuhoku, jst("2026-11-24T16:59:00"))).toBe(true);
    expect(isOpen(chuhoku, jst("2026-11-24T17:00:00"))).toBe(false);
  });

  it("is closed on a public holiday and on Sunday", () => {
    expect(isOpen(chuhoku, jst("2026-11-23T11:00:00"))).toBe(false);
    expect(isOpen(chuhoku, jst("2026-11-22T11:00:00"))).toBe(false);
  });

  it("formats the next opening as today, tomorrow or a date", () => {
    const now = jst("2026-11-24T08:00:00");
    const at = nextOpening(chuhoku, now);
    expect(at?.toISOString()).toBe("2026-11-24T01:00:00.000Z");
    expect(at && formatOpening(at, now)).toBe("今日 10:00");
  });

  it("knows since when the service has been open, without restarting at midnight or between back-to-back slots", () => {
    // The queue's waiting clocks start here (src/conversations/queue-timers.ts).
    expect(openSince(chuhoku, jst("2026-11-24T10:20:00"))?.toISOString()).toBe(
      jst("2026-11-24T10:00:00").toISOString(),
    );
    expect(openSince(chuhoku, jst("2026-11-24T18:00:00"))).toBeNull();
    const slot = (start: number, end: number) => [{ start: start * 60, end: end * 60 }];
    const nights: OpeningHours = {
      weekly: {
        mon: [...slot(9, 12), ...slot(12, 17)],
        tue: [...slot(0, 6), ...slot(22, 24)],
        wed: slot(0, 6),
        thu: [],
        fri: [],
        sat: [],
        sun: [],
      },
      holidays: "open",
      closedDates: [],
    };
    // 2026-11-30 is a Monday: lunchtime does not reopen the service.
    expect(openSince(nights, jst("2026-11-30T13:00:00"))?.toISOString()).toBe(
      jst("2026-11-30T09:00:00").toISOString(),
    );
    // Tuesday 22:00 to Wednesday 6:00 is one night's opening.
    expect(openSince(nights, jst("2026-12-02T00:10:00"))?.toISOString()).toBe(
      jst("2026-12-01T22:00:00").toISOString(),
    );
  });
});
