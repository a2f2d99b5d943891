/**
 * How risk detection reads her text: word patterns on dictionary forms (conjugation, tense,
 * politeness), negation still flagged, a harmless phrase hiding only the words inside it and
 * never a real risk word elsewhere in the same message, the misses named in issue #13, and what
 * a counsellor editing risk-lexicon.yaml gets from unusual entries.
 */
import { RISK_CATEGORIES } from "../../../src/flows/risk-categories";
import { detectRisk } from "../../../src/flows/risk-detector";
import { parsePattern } from "../../../src/flows/risk-pattern";
import type { RiskCategory, RiskLexicon, RiskPattern } from "../../../src/flows/flow-types";
import { gunma, useJapaneseAnalyser, yamaguchi } from "./chat-harness";

const analyse = useJapaneseAnalyser();

function pattern(source: string): RiskPattern {
  const parsed = parsePattern(source);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.pattern;
}

function lexiconOf(category: Partial<RiskCategory>, exclude: string[] = []): RiskLexicon {
  return {
    exclude,
    categories: [{ id: "suicide", label: "希死念慮", terms: [], combos: [], patterns: [], ...category }],
  };
}

const flags = (text: string, lexicon: RiskLexicon = gunma.lexicon) =>
  detectRisk(text, lexicon, analyse).categories;

describe("the misses named in issue #13", () => {
  it.each([
    ["ODした", "self-harm"],
    ["ODしそう", "self-harm"],
    ["薬を全部飲んだ", "self-harm"],
    ["薬全部飲んじゃいました", "self-harm"],
    ["また切っちゃった", "self-harm"],
    ["腕を切っちゃった", "self-harm"],
    ["練炭を用意した", "suicide"],
    ["首を吊ろうと思う", "suicide"],
    ["首を吊りました、でも失敗した", "suicide"],
    ["橋から飛び降りる", "suicide"],
    ["ホームから飛び込みたい", "suicide"],
    ["薬をためている", "suicide"],
    ["生きるのがつらい", "suicide"],
    ["生きてる意味がない", "suicide"],
    ["生きるのに疲れた", "suicide"],
    ["写真をばらまくと言われた", "image-threat"],
    ["GPSをつけられてた", "stalking"],
    ["位置情報を勝手に見られてる", "stalking"],
    ["誰かにつけられている", "stalking"],
    ["待ち伏せされた", "stalking"],
    ["夫が子どもを殴る", "child-danger"],
    ["今夜寝る場所がない", "urgent-needs"],
    ["家を追い出されました", "urgent-needs"],
    ["もう3日食べていない", "urgent-needs"],
    ["子どもに食べさせられない", "urgent-needs"],
    ["今夜のお金もない", "urgent-needs"],
  ])("%s → %s", (text, category) => {
    expect(flags(text)).toContain(category);
  });

  it("urgent needs are their own category, never called suicide", () => {
    for (const text of ["今夜寝る場所がない", "家を追い出された", "何日も食べていない", "子どもに食べさせるものがない"]) {
      expect(flags(text)).toEqual(["urgent-needs"]);
    }
  });

  it("both presets' lexicons find them", () => {
    expect(flags("ODしそう", yamaguchi.lexicon)).toEqual(["self-harm"]);
    expect(flags("写真をばらまくと言われた", yamaguchi.lexicon)).toEqual(["image-threat"]);
  });
});

describe("one pattern follows conjugation, tense and politeness", () => {
  const lexicon = lexiconOf({ patterns: [pattern("薬 … 全部 … 飲む")] });

  it.each(["薬を全部飲んだ", "薬を全部飲みました", "薬、全部飲んじゃった", "薬を全部飲もうと思う", "薬はもう全部飲みます"])(
    "%s",
    (text) => expect(flags(text, lexicon)).toEqual(["suicide"]),
  );

  it("but not the words in another order or in another sentence", () => {
    expect(flags("全部飲んだ。薬はまだある", lexicon)).toEqual([]);
    expect(flags("薬を買った。全部飲んだのはジュース", lexicon)).toEqual([]);
  });

  it("a line break ends a sentence, as 。 does", () => {
    expect(flags("薬を買った\n全部飲んだのはジュース", lexicon)).toEqual([]);
    expect(flags("薬を買った\r\n\r\n全部飲んだのはジュース", lexicon)).toEqual([]);
  });

  it("spaced-out, quoted and stretched spellings are read as the words they spell", () => {
    const wish = lexiconOf({ patterns: [pattern("死ぬ ~ たい")] });
    expect(flags("死 に た い", wish)).toEqual(["suicide"]);
    expect(flags("「死に」たい", wish)).toEqual(["suicide"]);
    expect(flags("死にたぁい", wish)).toEqual(["suicide"]);
    expect(flags("死にたーい", wish)).toEqual(["suicide"]);
    expect(flags("死にたぁぁーい", wish)).toEqual(["suicide"]);
  });

  it("`~` lets auxiliaries stand between two words, nothing else", () => {
    const aux = lexiconOf({ patterns: [pattern("死ぬ ~ たい")] });
    expect(flags("死にたかったです", aux)).toEqual(["suicide"]);
    expect(flags("死んでしまいたい", aux)).toEqual(["suicide"]);
    expect(flags("死ぬ人を見たい", aux)).toEqual([]);
    // 逃げ is a verb of its own, not an auxiliary: he hit and ran off is not 殴られた.
    const hit = lexiconOf({ patterns: [pattern("殴る ~ れる|られる")] });
    expect(flags("殴って逃げられた", hit)).toEqual([]);
  });

  it("`~` stands for a long chain of auxiliaries: seven in 殴ら・せ・られ・て・しまっ・て・い・まし・た", () => {
    const hit = lexiconOf({ patterns: [pattern("殴る ~ た")] });
    expect(flags("殴らせられてしまっていました", hit)).toEqual(["suicide"]);
  });

  it("`…` stands for up to ten words of the sentence", () => {
    // を 今日 の 夜 に こっそり 家 で 少し ずつ: ten words between 薬 and 全部.
    expect(flags("薬を今日の夜にこっそり家で少しずつ全部飲んだ", lexicon)).toEqual(["suicide"]);
  });

  it("a long sentence without the last word is no hit, whatever comes after its end", () => {
    const drank = lexiconOf({ patterns: [pattern("薬 … 飲む")] });
    expect(flags("薬を買いに行ったけど高くて結局何も買わずに家に帰った。お茶を飲んだ", drank)).toEqual([]);
  });

  it("`~` stands for ます and た, and for passive and causative endings", () => {
    expect(flags("シートごと飲みました", lexiconOf({ patterns: [pattern("シート|箱 … 飲む ~ た")] }))).toEqual(["suicide"]);
    const hit = lexiconOf({ patterns: [pattern("殴る ~ た")] });
    expect(flags("殴られた", hit)).toEqual(["suicide"]);
    expect(flags("殴らせた", hit)).toEqual(["suicide"]);
  });

  it("`~` does not stand for particles: 死ぬほどの覚悟 is not 死ぬ覚悟", () => {
    const resolve = lexiconOf({ patterns: [pattern("死ぬ ~ 覚悟")] });
    expect(flags("死ぬ覚悟をした", resolve)).toEqual(["suicide"]);
    expect(flags("死ぬほどの覚悟で働いた", resolve)).toEqual([]);
  });

  it("a word the analyser cuts into four pieces is still one word of a pattern", () => {
    // 性 + 暴力 + 被害 + 者
    const victim = lexiconOf({ patterns: [pattern("性暴力被害者 … なる")] });
    expect(flags("性暴力被害者になってしまった", victim)).toEqual(["suicide"]);
  });

  it("a passive pattern does not match the active verb", () => {
    const passive = lexiconOf({ patterns: [pattern("殴る ~ れる|られる")] });
    expect(flags("殴られました", passive)).toEqual(["suicide"]);
    expect(flags("殴り書きした", passive)).toEqual([]);
  });
});

describe("negation still flags, for a counsellor's look", () => {
  it.each(["死にたいわけじゃない", "死にたいとは思ってないけど", "死にたくない", "ODしたいわけじゃないです"])(
    "%s",
    (text) => expect(flags(text).length).toBeGreaterThan(0),
  );
});

describe("a harmless phrase next to a real risk word", () => {
  it.each([
    ["死ぬほどつらい。もう死にたい", ["suicide"]],
    ["もう死にたい。死ぬほどつらい", ["suicide"]],
    ["殺虫剤を買いに行ったら夫に殴られた", ["violence-now"]],
    ["眠くて睡魔に襲われていたら、夫に殴られた", ["violence-now"]],
    ["結婚式の写真をばらまいた。元彼には写真をばらまくと言われてる", ["image-threat"]],
    ["家を追い出されたゲームの話じゃなくて、本当に家を追い出された", ["urgent-needs"]],
  ])("%s is flagged", (text, categories) => {
    expect(detectRisk(text, gunma.lexicon, analyse)).toEqual({ hit: true, categories });
  });

  it.each(["死ぬほど笑った", "殺虫剤を買った", "結婚式の写真をばらまいた", "首になった", "家を追い出されたゲームにハマってる", "死ぬほど美味しい"])(
    "%s alone stays quiet",
    (text) => expect(flags(text)).toEqual([]),
  );

  it("the same word once inside a harmless phrase and once on its own is flagged", () => {
    // 「おかしにたいして」 hides its しにたい, the second しにたい is hers.
    expect(flags("おかしにたいしてがまんできない。もうしにたい")).toEqual(["suicide"]);
  });

  it("a lexicon term (not a pattern) once inside a harmless phrase and once on its own is flagged", () => {
    const lexicon = lexiconOf({ terms: ["しにたい"] }, ["おかしにたいして"]);
    expect(flags("おかしにたいしてがまんできない。もうしにたい", lexicon)).toEqual(["suicide"]);
    expect(flags("おかしにたいしてがまんできない", lexicon)).toEqual([]);
  });

  it("a word inside one of two harmless phrases stays quiet", () => {
    expect(flags("死ぬほど眠いのに、おかしにたいしてはがまんできない")).toEqual([]);
  });

  it("a pattern hit is ignored only when one of its words lies inside the harmless phrase", () => {
    const lexicon = lexiconOf({ patterns: [pattern("薬 … 飲む")] }, ["飲み終わ"]);
    expect(flags("薬を飲み終わった", lexicon)).toEqual([]);
    expect(flags("薬を飲み終わったあと、残りの薬も飲んだ", lexicon)).toEqual(["suicide"]);
  });
});

describe("combos", () => {
  it("need a word from every group: 子ども alone, or 道連れ alone, is not a combo hit", () => {
    const lexicon = lexiconOf({ combos: [[["子ども", "娘"], ["道連れ", "心中"]]] });
    expect(flags("子どもと公園に行った", lexicon)).toEqual([]);
    expect(flags("ドラマで心中の話を見た", lexicon)).toEqual([]);
    expect(flags("娘を道連れにしてしまいそう", lexicon)).toEqual(["suicide"]);
  });
});

describe("lexicon entries that normalise to nothing (only punctuation or spaces)", () => {
  const lexicon = lexiconOf({ terms: ["！！", "しにたい"] }, ["……"]);

  it("an exclude entry of only punctuation hides nothing", () => {
    expect(flags("……しにたい……", lexicon)).toEqual(["suicide"]);
  });

  it("a term of only punctuation matches nothing, not every message", () => {
    expect(detectRisk("今日はいい天気！！", lexicon, analyse)).toEqual({ hit: false, categories: [] });
  });
});

describe("pattern syntax", () => {
  it.each([
    ["", "empty pattern"],
    ["… 死ぬ", "starts and ends with a word"],
    ["死ぬ ~", "starts and ends with a word"],
    ["死ぬ … ~ たい", "between two"],
    ["死ぬ||しぬ ~ たい", "needs letters"],
    ["！！ たい", "needs letters"],
  ])("「%s」 is refused: %s", (source, message) => {
    const parsed = parsePattern(source);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });

  it("full-width spaces, ｜ and 〜 are read like their ASCII forms", () => {
    const parsed = parsePattern("死ぬ｜しぬ　〜　たい");
    expect(parsed).toEqual({
      ok: true,
      pattern: { source: "死ぬ｜しぬ　〜　たい", steps: [{ kind: "word", forms: ["死ぬ", "しぬ"] }, { kind: "aux" }, { kind: "word", forms: ["たい"] }] },
    });
  });
});

describe("categories", () => {
  it("lists each category hit once, in lexicon order, whatever the order in her text", () => {
    expect(flags("死にたい。夫に殴られた。また殴られた")).toEqual(["suicide", "violence-now"]);
    expect(flags("夫に殴られた。死にたい")).toEqual(["suicide", "violence-now"]);
  });

  it("the presets use exactly the category ids the hotlines are mapped to", () => {
    const ids = [...RISK_CATEGORIES];
    expect(gunma.lexicon.categories.map((c) => c.id)).toEqual(ids);
    expect(yamaguchi.lexicon.categories.map((c) => c.id)).toEqual(ids);
  });
});
