import type { PickupPoint, Preset, Triage, UpcomingGathering } from "../../../src/flows/flow-types";
import { gatheringList, gatheringTime, pickupPointList } from "../../../src/flows/programme-texts";
import { gunma } from "../../support/presets";

/** Japan time, as she reads it. */
const jst = (local: string) => new Date(`${local}+09:00`);

/** Her triage: `named` when she said where she lives, else the region she was given. */
function triage(regionId: string, named: boolean): Triage {
  return {
    topics: [],
    supportWish: [],
    answers: {},
    risk: { level: "none", categories: [] },
    regionId,
    regionSource: named ? "answer" : "default",
  };
}

const point = (id: string, region: string): PickupPoint => ({
  id,
  region,
  name: `${id}の窓口`,
  address: `${id}町1-1`,
  hours: "平日 9:00〜17:00",
  howToAsk: "「袋をください」と伝えてください。",
  toConfirm: false,
});

/** Each point: its name, then its address, hours and how to ask, each on a line of its own. */
const lines = (id: string) => [
  `・${id}の窓口`,
  `\u3000${id}町1-1`,
  "\u3000平日 9:00〜17:00",
  "\u3000「袋をください」と伝えてください。",
];

describe("the pickup points of sanitary products she is shown", () => {
  // Gunma's regions: chuhoku 中北毛, seimo 西毛, tomo 東毛 (no points here).
  const preset: Preset = {
    ...gunma(),
    pickupPoints: [point("高崎", "seimo"), point("前橋", "chuhoku"), point("富岡", "seimo")],
  };

  it("lists her region's points only, each detail on its own indented line", () => {
    expect(pickupPointList(preset, triage("seimo", true)).split("\n")).toEqual([
      ...lines("高崎"),
      ...lines("富岡"),
    ]);
  });

  it("lists every region's points under its name, in the preset's order, when she did not say", () => {
    expect(pickupPointList(preset, triage("seimo", false)).split("\n")).toEqual([
      "【中北毛】",
      ...lines("前橋"),
      "【西毛】",
      ...lines("高崎"),
      ...lines("富岡"),
    ]);
  });

  it("is empty when her region has none, so the flow can say there is nowhere yet", () => {
    expect(pickupPointList(preset, triage("tomo", true))).toBe("");
    expect(pickupPointList({ ...preset, pickupPoints: [] }, triage("tomo", false))).toBe("");
  });
});

describe("when a gathering starts, as she reads it", () => {
  it("gives month, day, weekday and time in Japan time, hours and minutes in two digits", () => {
    expect(gatheringTime(jst("2026-12-12T14:00:00"))).toBe("12月12日(土) 14:00");
    expect(gatheringTime(jst("2026-12-03T09:05:00"))).toBe("12月3日(木) 09:05");
    // Still Saturday in UTC, already Sunday morning in Japan.
    expect(gatheringTime(new Date("2027-01-09T23:30:00Z"))).toBe("1月10日(日) 08:30");
  });
});

describe("the next gatherings she is shown", () => {
  const now = jst("2026-12-01T11:00:00");
  const at = (local: string) => jst(local).toISOString();
  const gathering = (regionId: string, local: string, place: string): UpcomingGathering => ({
    regionId,
    startsAt: at(local),
    place,
    theme: "お茶の会",
  });
  const preset = gunma();

  it("lists her region's next three, soonest first, the theme on an indented line", () => {
    const all = [
      gathering("seimo", "2026-12-20T13:00:00", "高崎市女性会館"),
      gathering("seimo", "2026-12-05T14:00:00", "富岡市民センター"),
      gathering("chuhoku", "2026-12-03T10:00:00", "前橋市総合福祉会館"),
      gathering("seimo", "2026-12-12T14:00:00", "安中市文化センター"),
      gathering("seimo", "2027-01-09T14:00:00", "藤岡市民ホール"),
    ];
    expect(gatheringList(preset, triage("seimo", true), all, now).split("\n")).toEqual([
      "・12月5日(土) 14:00〜 富岡市民センター",
      "\u3000お茶の会",
      "・12月12日(土) 14:00〜 安中市文化センター",
      "\u3000お茶の会",
      "・12月20日(日) 13:00〜 高崎市女性会館",
      "\u3000お茶の会",
    ]);
  });

  it("leaves out one that has begun, and keeps one that begins right now", () => {
    const all = [
      gathering("seimo", "2026-12-01T10:59:00", "始まった会場"),
      gathering("seimo", "2026-12-01T11:00:00", "いまからの会場"),
    ];
    expect(gatheringList(preset, triage("seimo", true), all, now)).toBe(
      "・12月1日(火) 11:00〜 いまからの会場\n\u3000お茶の会",
    );
  });

  it("names each one's region when she did not say where she lives, the region's id if unknown", () => {
    const all = [
      gathering("chuhoku", "2026-12-03T10:00:00", "前橋市総合福祉会館"),
      gathering("nowhere", "2026-12-04T10:00:00", "どこかの会場"),
    ];
    expect(gatheringList(preset, triage("seimo", false), all, now).split("\n")).toEqual([
      "・【中北毛】12月3日(木) 10:00〜 前橋市総合福祉会館",
      "\u3000お茶の会",
      "・【nowhere】12月4日(金) 10:00〜 どこかの会場",
      "\u3000お茶の会",
    ]);
  });

  it("is empty when nothing is planned for her region", () => {
    const all = [gathering("chuhoku", "2026-12-03T10:00:00", "前橋市総合福祉会館")];
    expect(gatheringList(preset, triage("tomo", true), all, now)).toBe("");
  });
});
