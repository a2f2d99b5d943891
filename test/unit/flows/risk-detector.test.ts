/**
 * How the risk lexicon's exclude list and combos behave on her text: a harmless phrase hides
 * only the words inside it, never a real risk word elsewhere in the same message; and what a
 * counsellor editing risk-lexicon.yaml gets from unusual entries.
 */
import { detectRisk } from "../../../src/flows/risk-detector";
import type { RiskLexicon } from "../../../src/flows/flow-types";
import { gunma } from "./chat-harness";

describe("a harmless phrase next to a real risk word", () => {
  it.each([
    ["死ぬほどつらい。もう死にたい", ["suicide"]],
    ["もう死にたい。死ぬほどつらい", ["suicide"]],
    ["殺虫剤を買いに行ったら夫に殴られた", ["violence-now"]],
    ["眠くて睡魔に襲われていたら、夫に殴られた", ["violence-now"]],
  ])("%s is flagged", (text, categories) => {
    expect(detectRisk(text, gunma.lexicon)).toEqual({ hit: true, categories });
  });

  it("the same word once inside a harmless phrase and once on its own is flagged", () => {
    // 「おかしにたいして」 hides its しにたい, the second しにたい is hers.
    expect(detectRisk("おかしにたいしてがまんできない。もうしにたい", gunma.lexicon)).toEqual({
      hit: true,
      categories: ["suicide"],
    });
  });

  it("a word inside one of two harmless phrases stays quiet", () => {
    expect(detectRisk("死ぬほど眠いのに、おかしにたいしてはがまんできない", gunma.lexicon)).toEqual({
      hit: false,
      categories: [],
    });
  });
});

describe("combos", () => {
  it("need a word from every group: 子ども alone, or 道連れ alone, is not a combo hit", () => {
    const lexicon: RiskLexicon = {
      exclude: [],
      categories: [
        { id: "suicide", label: "心中", terms: [], combos: [[["子ども", "娘"], ["道連れ", "心中"]]] },
      ],
    };
    expect(detectRisk("子どもと公園に行った", lexicon).hit).toBe(false);
    expect(detectRisk("ドラマで心中の話を見た", lexicon).hit).toBe(false);
    expect(detectRisk("娘を道連れにしてしまいそう", lexicon)).toEqual({ hit: true, categories: ["suicide"] });
  });
});

describe("lexicon entries that normalise to nothing (only punctuation or spaces)", () => {
  const lexicon: RiskLexicon = {
    exclude: ["……"],
    categories: [{ id: "suicide", label: "希死念慮", terms: ["！！", "しにたい"], combos: [] }],
  };

  it("an exclude entry of only punctuation hides nothing", () => {
    expect(detectRisk("……しにたい……", lexicon)).toEqual({ hit: true, categories: ["suicide"] });
  });

  it("a term of only punctuation matches nothing, not every message", () => {
    expect(detectRisk("今日はいい天気！！", lexicon)).toEqual({ hit: false, categories: [] });
  });
});

describe("categories", () => {
  it("lists each category hit once, in lexicon order, whatever the order in her text", () => {
    expect(detectRisk("死にたい。夫に殴られた。また殴られた", gunma.lexicon).categories).toEqual([
      "suicide",
      "violence-now",
    ]);
    expect(detectRisk("夫に殴られた。死にたい", gunma.lexicon).categories).toEqual([
      "suicide",
      "violence-now",
    ]);
  });
});
