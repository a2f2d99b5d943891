/**
 * Risk detection: the lexicon on many phrasings (and harmless phrases that must stay quiet), and
 * what she sees and the queue gets when it fires, in the triage and with a counsellor.
 */
import { detectRisk } from "../../../src/flows/risk-detector";
import { normalizeText } from "../../../src/flows/text-normalize";
import { Chat, gunma, jst, OPEN, useJapaneseAnalyser, yamaguchi } from "./chat-harness";

const analyse = useJapaneseAnalyser();

const MUST_TRIGGER: [string, string][] = [
  ["死にたい", "suicide"],
  ["しにたい", "suicide"],
  ["シニタイ", "suicide"],
  ["ｼﾆﾀｲ", "suicide"],
  ["死 に た い", "suicide"],
  ["もう、しにたぁい…", "suicide"],
  ["消えてしまいたいです", "suicide"],
  ["生きていたくない", "suicide"],
  ["自殺を考えています", "suicide"],
  ["ジサツしようかな", "suicide"],
  ["駅のホームから飛び降りようと思う", "suicide"],
  ["死んだほうがましだと思う", "suicide"],
  ["子どもと一緒に死のうかと考えてしまう", "suicide"],
  ["もう楽になりたい", "suicide"],
  ["リスカしちゃった", "self-harm"],
  ["手首を切ってしまいました", "self-harm"],
  ["薬をたくさん飲みました", "self-harm"],
  ["ＯＤしちゃった", "self-harm"],
  ["夫に殴られた", "violence-now"],
  ["ナグラレタ", "violence-now"],
  ["首を絞められた", "violence-now"],
  ["このままだと殺される", "violence-now"],
  ["殺すぞって言われた", "violence-now"],
  ["包丁を向けられた", "violence-now"],
  ["髪をつかまれて引きずられた", "violence-now"],
  ["いま夫が隣の部屋にいる", "abuser-nearby"],
  ["彼が家の前にいる", "abuser-nearby"],
  ["外に出してもらえない", "abuser-nearby"],
  ["旦那がもうすぐ帰ってくるので急ぎます", "abuser-nearby"],
  ["見張られていて電話できない", "abuser-nearby"],
  ["子どもが夫に殴られている", "child-danger"],
  ["娘が叩かれた", "child-danger"],
  ["つい子どもを叩いてしまう", "child-danger"],
  ["虐待されているかもしれない", "child-danger"],
  ["無理やりされた", "sexual-violence"],
  ["レイプされた", "sexual-violence"],
  ["血が止まらない", "injury"],
  ["顔が腫れている", "injury"],
];

const MUST_NOT_TRIGGER = [
  "死ぬほど美味しいケーキを食べました",
  "殺虫剤を買ってきた",
  "今日は仕事で疲れました",
  "おかしにたいしてめがないんです",
  "子どもが熱を出して病院に行きました",
  "夫は今日から出張でいません",
  "ナイフとフォークを買いました",
  "家計が苦しくて節約しています",
  "必殺技みたいに部屋を片付けた",
  "睡魔に襲われて寝てしまった",
  "友だちに助けられた",
  "職場で声をかけられた",
  "無理やり仕事を押し付けられた",
  "子どもが言うことを聞かなくて困っています",
];

describe("normalisation", () => {
  it("folds width, katakana, spaces, punctuation and stretched vowels", () => {
    expect(normalizeText("ｼﾆﾀｲ")).toBe("しにたい");
    expect(normalizeText("シ ニ タ イ…！")).toBe("しにたい");
    expect(normalizeText("しにたぁーい")).toBe("しにたい");
    expect(normalizeText("ＯＤ")).toBe("od");
  });
});

describe("risk lexicon", () => {
  it("has at least 30 phrasings that trigger and 10 that must not", () => {
    expect(MUST_TRIGGER.length).toBeGreaterThanOrEqual(30);
    expect(MUST_NOT_TRIGGER.length).toBeGreaterThanOrEqual(10);
  });

  it.each(MUST_TRIGGER)("%s → %s", (text, category) => {
    const result = detectRisk(text, gunma.lexicon, analyse);
    expect(result.hit).toBe(true);
    expect(result.categories).toContain(category);
  });

  it.each(MUST_NOT_TRIGGER)("harmless: %s", (text) => {
    expect(detectRisk(text, gunma.lexicon, analyse)).toEqual({ hit: false, categories: [] });
  });

  it("works the same with the Yamaguchi preset's lexicon", () => {
    expect(detectRisk("しにたい", yamaguchi.lexicon, analyse).categories).toEqual(["suicide"]);
  });
});

describe("a risk hit during the triage", () => {
  function atTopics(now = OPEN): Chat {
    return new Chat(gunma, now).follow().tap("はい、大丈夫");
  }

  it("sends the lines that fit at once, marks high risk and hands over", () => {
    const chat = atTopics().say("夫に殴られて、もう死にたい");
    const text = chat.text();
    expect(text.split("\n")[0]).toBe("教えてくれてありがとうございます。あなたの安全がいちばん大切です。");
    // Danger now: 110 and the DV lines; wanting to die: いのちの電話 and a chat she can write to.
    for (const number of ["110", "0120-279-889", "0570-783-556", "https://talkme.jp/"]) expect(text).toContain(number);
    expect(text).not.toContain("119");
    expect(text).toContain("相談員ができるだけ早くお返事します");
    expect(chat.last.effects[0]).toEqual({
      type: "markRisk",
      level: "high",
      categories: ["suicide", "violence-now"],
      source: "text",
    });
    expect(chat.effect("handoff")).toMatchObject({ reason: "risk", outOfHours: false });
    expect(chat.triage().risk).toEqual({ level: "high", categories: ["suicide", "violence-now"] });
  });

  it("an urgent need in her own words hands her over at once, as urgent needs, not suicide", () => {
    const chat = new Chat().follow().tap("はい、大丈夫").say("お金のことで困っています").say("ないです");
    chat.say("家賃が払えなくて追い出されそう");
    expect(chat.effect("markRisk")).toEqual({ type: "markRisk", level: "high", categories: ["urgent-needs"], source: "text" });
    expect(chat.effect("handoff")?.reason).toBe("risk");
  });

  it("never puts her words into the effects", () => {
    const chat = atTopics().say("夫に殴られて、もう死にたい");
    expect(JSON.stringify(chat.last.effects)).not.toMatch(/殴られて|死にたい/);
  });

  it("a first message in crisis gets the numbers and a counsellor, not the greeting", () => {
    const chat = new Chat().say("たすけて、ころされる");
    expect(chat.text()).toContain("110");
    expect(chat.text()).not.toContain("ぐんま・ほほえみネット");
    expect(chat.effect("handoff")?.reason).toBe("risk");
  });

  it("answering that the partner is with her now counts as risk", () => {
    const chat = atTopics().tap("パートナー・家族のこと").tap("これで全部").tap("いる");
    expect(chat.effect("markRisk")).toEqual({ type: "markRisk", level: "high", categories: ["abuser-nearby"], source: "answer" });
    expect(chat.effect("handoff")?.reason).toBe("risk");
    expect(chat.triage().answers.partnerNearby).toBe("yes");
  });

  it("out of hours it says when a counsellor answers, without listing the lines twice", () => {
    const chat = atTopics(jst("2026-11-24T23:00:00")).say("死にたい");
    const text = chat.text();
    // Her region is not known yet (中北毛 by default); 西毛, its first neighbour, opens at 9:30.
    expect(text).toContain("明日 11月25日(水) 9:30");
    expect(text.split("https://talkme.jp/").length - 1).toBe(1);
    expect(chat.effect("handoff")).toMatchObject({ reason: "risk", outOfHours: true });
  });
});

describe("with a counsellor (human phase)", () => {
  function withCounsellor(): Chat {
    return new Chat(gunma, OPEN, "human");
  }

  it("the bot sends nothing for ordinary messages, stickers, silence or a follow", () => {
    const chat = withCounsellor();
    for (const input of [
      { type: "text", text: "ありがとうございます、少し楽になりました" },
      { type: "sticker" },
      { type: "silence" },
      { type: "follow" },
      { type: "text", text: "最初から" },
    ] as const) {
      expect(chat.send(input).last.effects).toEqual([]);
    }
  });

  it("a risk word marks the chat and sends her nothing: the console alerts the counsellor", () => {
    const chat = withCounsellor().say("やっぱり消えたい");
    expect(chat.last.effects).toEqual([
      { type: "markRisk", level: "high", categories: ["suicide"], source: "text" },
      { type: "setTriage", triage: expect.objectContaining({ risk: { level: "high", categories: ["suicide"] } }) as unknown },
    ]);
  });

  it("nor later, when she writes of another danger", () => {
    const chat = withCounsellor().say("しにたい").say("さっきレイプされた");
    expect(chat.effect("markRisk")?.categories).toEqual(["sexual-violence"]);
    expect(chat.effect("send")).toBeUndefined();
  });

  it("after the engine's own hand-off the bot stays quiet too", () => {
    const chat = new Chat().follow().say("相談員と話したい").say("よろしくお願いします");
    expect(chat.last.effects).toEqual([]);
  });

  it("the exit word ends the chat without a message", () => {
    const chat = withCounsellor().say("おわり");
    expect(chat.last.effects).toEqual([{ type: "end", reason: "exit-word" }]);
  });
});
