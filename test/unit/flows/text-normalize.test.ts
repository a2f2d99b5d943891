/**
 * The one normalisation behind the risk lexicon, keywords, choices and municipalities: the ways
 * she may spell a word on a phone all compare equal, and what carries meaning is kept.
 */
import { normalizeText } from "../../../src/flows/text-normalize";

describe("normalizeText", () => {
  it.each([
    ["しにたぁい", "しにたい"],
    ["しにたぃい", "しにたい"],
    ["ころされるぅ", "ころされる"],
    ["たすけてぇ", "たすけて"],
    ["こわぉい", "こわい"],
    ["しにたーい", "しにたい"],
    ["しにた〜い", "しにたい"],
    ["しにた～い", "しにたい"],
  ])("a stretched spelling %s reads as %s", (typed, word) => {
    expect(normalizeText(typed)).toBe(word);
  });

  it("keeps the small kana that change a word (っゃゅょ)", () => {
    expect(normalizeText("きゅうきゅうしゃ、いっしょに")).toBe("きゅうきゅうしゃいっしょに");
  });

  it("folds every katakana to hiragana, from the small ァ to ヶ", () => {
    expect(normalizeText("シニタァイ")).toBe("しにたい");
    expect(normalizeText("ヴァイオリン")).toBe("ゔいおりん");
    expect(normalizeText("ヵヶ")).toBe("ゕゖ");
  });

  it("keeps digits and letters, drops spaces, punctuation and emoji", () => {
    expect(normalizeText("１１０ばん に 電話して！😢")).toBe("110ばんに電話して");
    expect(normalizeText("DV")).toBe("dv");
  });
});
