/**
 * While she waits: which open neighbour answers when her region is closed, when someone will
 * answer, and the one message she gets, on the real presets' hours (2026-11-30 is a Monday:
 * 東毛 closed; 中北毛 10–17; 西毛 9:30–16:30).
 */
import { emptyTriage } from "../../../src/flows/flow-turn";
import {
  acknowledgementDue,
  openNeighbour,
  waitingNotice,
  whenAnswered,
} from "../../../src/flows/waiting-notice";
import { lockScreenProblem } from "../../../src/flows/shared-phone";
import { gunma, jst, yamaguchi } from "./chat-harness";

describe("open neighbours", () => {
  it("東毛 closed on a Monday: the first open region of its overflowTo, in order", () => {
    expect(openNeighbour(gunma, "tomo", jst("2026-11-30T11:00:00"))?.id).toBe("chuhoku");
    // 9:45: 中北毛 is not open yet, 西毛 is.
    expect(openNeighbour(gunma, "tomo", jst("2026-11-30T09:45:00"))?.id).toBe("seimo");
    expect(openNeighbour(gunma, "tomo", jst("2026-11-30T03:00:00"))).toBeUndefined();
  });

  it("her own region open: no neighbour", () => {
    expect(openNeighbour(gunma, "tomo", jst("2026-12-01T11:00:00"))).toBeUndefined();
  });

  it("a region that keeps its women (overflowWhenClosed: false) sends nobody", () => {
    const own = {
      ...gunma,
      regions: gunma.regions.map((r) => ({ ...r, queue: { ...r.queue, overflowWhenClosed: false } })),
    };
    expect(openNeighbour(own, "tomo", jst("2026-11-30T11:00:00"))).toBeUndefined();
    expect(whenAnswered(own, "tomo", jst("2026-11-30T11:00:00"))).toEqual(jst("2026-12-01T10:00:00"));
  });

  it("Yamaguchi has one region: nothing changes there", () => {
    expect(yamaguchi.regions.map((r) => r.queue.overflowTo)).toEqual([[]]);
    expect(openNeighbour(yamaguchi, "yamaguchi", jst("2026-11-29T11:00:00"))).toBeUndefined();
    expect(whenAnswered(yamaguchi, "yamaguchi", jst("2026-11-29T11:00:00"))).toEqual(jst("2026-11-30T09:00:00"));
  });

  it("someone answers at the first opening of her region or a neighbour; a chosen region only at its own", () => {
    const night = jst("2026-11-30T03:00:00");
    expect(whenAnswered(gunma, "tomo", night)).toEqual(jst("2026-11-30T09:30:00"));
    expect(whenAnswered(gunma, "tomo", night, true)).toEqual(jst("2026-12-01T10:00:00"));
  });
});

describe("the message she gets while she waits", () => {
  const now = jst("2026-11-30T03:00:00");
  const base = { triage: emptyTriage(), open: false, answeredAt: jst("2026-11-30T09:30:00"), place: "", now };

  it("at most once per 10 minutes", () => {
    expect(acknowledgementDue(null, now, 10)).toBe(true);
    expect(acknowledgementDue(jst("2026-11-30T02:50:01"), now, 10)).toBe(false);
    expect(acknowledgementDue(jst("2026-11-30T02:50:00"), now, 10)).toBe(true);
  });

  it("out of hours: when someone answers and the 24-hour lines, first line safe on a lock screen", () => {
    const text = waitingNotice(gunma, gunma.flow, "acknowledge", base);
    expect(text.split("\n")[0]).toBe("メッセージを受け取りました。");
    expect(text).toContain("今日 9:30");
    expect(text).toContain("0120-279-338");
    expect(text).not.toContain("#8008");
    expect(lockScreenProblem(text)).toBeUndefined();
  });

  it("in hours: her place", () => {
    const text = waitingNotice(gunma, gunma.flow, "acknowledge", { ...base, open: true, place: "次に、相談員がお返事します。" });
    expect(text).toBe("メッセージを受け取りました。\n次に、相談員がお返事します。");
  });

  it("out of hours with no opening ahead (no hours known): she is told it is after reception reopens, not a blank", () => {
    const text = waitingNotice(gunma, gunma.flow, "acknowledge", { ...base, answeredAt: null });
    expect(text).toContain("相談員からのお返事は、受付再開のあとからになります。");
    expect(text).toContain("0120-279-338");
  });

  it("in hours with no place to tell: the message ends on its last words, with no empty line after them", () => {
    const text = waitingNotice(gunma, gunma.flow, "acknowledge", { ...base, open: true, place: "" });
    expect(text).toBe("メッセージを受け取りました。");
  });

  it("the person is near: one short line, for a message and for a transfer", () => {
    const near = { ...base, triage: { ...emptyTriage(), risk: { level: "high" as const, categories: ["abuser-nearby"] } } };
    expect(waitingNotice(gunma, gunma.flow, "acknowledge", near)).toBe("受け取りました。");
    expect(waitingNotice(gunma, gunma.flow, "transferred", near)).toBe("担当が替わります。");
  });
});
