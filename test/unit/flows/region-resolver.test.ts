/**
 * Where she says she lives, in the words she types, and the region that serves her.
 */
import { findRegion, municipalityKeys, resolveMunicipality } from "../../../src/flows/region-resolver";
import type { Preset } from "../../../src/flows/flow-types";
import { gunma, yamaguchi } from "./chat-harness";

const where = (text: string, preset: Preset = gunma) => resolveMunicipality(text, preset)?.municipality ?? null;

describe("readings with 市, 町 and 村", () => {
  it.each([
    ["まえばしし", "前橋市"],
    ["おおいずみまち", "大泉町"],
    ["おおいずみちょう", "大泉町"],
    ["うえのむら", "上野村"],
    ["しょうわそん", "昭和村"],
    ["しょうわ", "昭和村"],
    ["昭和", "昭和村"],
  ])("%s → %s", (typed, municipality) => {
    expect(where(typed)).toBe(municipality);
  });

  it("lists every spelling of a municipality once", () => {
    expect(municipalityKeys({ name: "大泉町", kana: "おおいずみ", aliases: ["オオイズミ"] })).toEqual([
      "大泉町",
      "大泉",
      "おおいずみ",
      "おおいずみまち",
      "おおいずみちょう",
    ]);
    expect(municipalityKeys({ name: "みどり", kana: "みどり", aliases: [] })).toEqual(["みどり"]);
  });

  it("a village is found by both readings of 村", () => {
    expect(municipalityKeys({ name: "上野村", kana: "うえの", aliases: [] })).toEqual([
      "上野村",
      "上野",
      "うえの",
      "うえのむら",
      "うえのそん",
    ]);
  });

  it("an alias of only punctuation is no spelling at all", () => {
    expect(municipalityKeys({ name: "萩市", kana: "はぎ", aliases: ["……"] })).toEqual(["萩市", "萩", "はぎ", "はぎし"]);
  });
});

describe("in a sentence", () => {
  it.each([
    ["萩です", "萩市"],
    ["光に住んでます", "光市"],
    ["萩の方", "萩市"],
    ["山口県の萩", "萩市"],
    ["山口県萩の方", "萩市"],
    ["山口県下関市に住んでいます", "下関市"],
    ["周南市の徳山あたり", "周南市"],
  ])("%s → %s", (typed, municipality) => {
    expect(where(typed, yamaguchi)).toBe(municipality);
  });

  it("a one-character name inside a longer sentence is not taken for the place", () => {
    expect(where("光が差してきれいです", yamaguchi)).toBeNull();
    expect(where("萩の花が好き", yamaguchi)).toBeNull();
  });

  it("a two-character name inside a longer sentence is found", () => {
    expect(where("前橋駅の近くに住んでいます")).toBe("前橋市");
    expect(where("いまは桐生のほう")).toBe("桐生市");
  });

  it("the longest name she wrote wins, whichever the preset lists first", () => {
    const region = (municipalities: { name: string; kana: string }[]) => ({
      ...gunma.regions[0]!,
      municipalities: municipalities.map((m) => ({ ...m, aliases: [] })),
    });
    const aga = { name: "吾妻町", kana: "あがつま" };
    const higashi = { name: "東吾妻町", kana: "ひがしあがつま" };
    for (const order of [[aga, higashi], [higashi, aga]]) {
      const preset: Preset = { ...gunma, regions: [region(order)] };
      expect(where("東吾妻のほうに住んでいます", preset)).toBe("東吾妻町");
      expect(where("ひがしあがつまのあたり", preset)).toBe("東吾妻町");
    }
  });

  it("the longest name she wrote wins", () => {
    expect(where("山陽小野田に住んでいます", yamaguchi)).toBe("山陽小野田市");
    expect(where("東吾妻のあたり")).toBe("東吾妻町");
  });

  it("a preset whose name is only punctuation drops nothing from her answer", () => {
    const noda = { name: "野田市", kana: "のだ", aliases: [] };
    const preset: Preset = {
      ...gunma,
      name: "・",
      regions: [{ ...gunma.regions[0]!, municipalities: [noda] }],
    };
    expect(where("のだし", preset)).toBe("野田市");
    expect(where("千代田です")).toBe("千代田町");
    expect(where("ちよだ")).toBe("千代田町");
  });

  it("the prefecture alone is not a municipality; nothing typed is nothing found", () => {
    expect(where("山口県", yamaguchi)).toBeNull();
    expect(where("……")).toBeNull();
  });
});

describe("findRegion", () => {
  it("finds a region by id, or nothing", () => {
    expect(findRegion(gunma, "seimo")?.id).toBe("seimo");
    expect(findRegion(gunma, "kanto")).toBeUndefined();
  });
});
