/**
 * Transcripts through the engine: every topic from the greeting to the hand-off, for several
 * municipalities, with the region each one is routed to.
 */
import type { messagingApi } from "@line/bot-sdk";
import path from "node:path";
import { loadPreset } from "../../../src/config/preset-loader";
import { initialState, pickFlow, step } from "../../../src/flows/flow-engine";
import { Chat, gunma, OPEN, ROOT, yamaguchi, useJapaneseAnalyser } from "./chat-harness";

const analyse = useJapaneseAnalyser();

function throughSafety(chat: Chat): Chat {
  return chat.follow().tap("はい、大丈夫");
}

describe("first contact", () => {
  it("greets, explains the service, asks whether it is safe to talk and names the exit word", () => {
    const chat = new Chat().follow();
    const text = chat.text();
    expect(text).toContain("ぐんま・ほほえみネット LINE相談");
    expect(text).toContain("名前を言わなくても大丈夫");
    expect(text).toContain("無料");
    expect(text).toContain("平日の日中");
    expect(text).toContain("統計のために記録します");
    expect(text).toContain("いま安心してやりとりできる状況ですか");
    expect(text).toContain("「おわり」とだけ送ってください");
    expect(chat.labels()).toEqual(["はい、大丈夫", "いまは難しい", "相談員と話したい"]);
    expect(chat.messages().length).toBeLessThanOrEqual(5);
  });

  it("builds plain LINE message objects the SDK accepts", () => {
    // Compile-time check: our message type is assignable to the SDK's.
    const sdkMessages: messagingApi.Message[] = new Chat().follow().messages();
    const question = sdkMessages[sdkMessages.length - 1];
    expect(question).toMatchObject({
      type: "text",
      quickReply: {
        items: expect.arrayContaining([
          {
            type: "action",
            action: { type: "postback", label: "はい、大丈夫", data: "a=c&n=safety&c=yes", displayText: "はい、大丈夫" },
          },
        ]) as unknown,
      },
    });
  });

  it("gives the chat-deletion tip once she says it is safe", () => {
    const chat = throughSafety(new Chat());
    expect(chat.text()).toContain("「削除」");
    expect(chat.text()).toContain("どんなことで困っていますか");
    expect(chat.triage().safeNow).toBe("yes");
  });

  it("a first message instead of a follow also starts with the greeting", () => {
    const chat = new Chat().say("こんにちは");
    expect(chat.text()).toContain("ぐんま・ほほえみネット");
    expect(chat.labels()).toContain("はい、大丈夫");
  });
});

describe("each topic from greeting to hand-off", () => {
  it("DV, 前橋市 by button → 中北毛", () => {
    const chat = throughSafety(new Chat());
    expect(chat.labels()).toEqual([
      "パートナー・家族のこと",
      "お金・住まい・食べもの",
      "仕事のこと",
      "こころ・さみしさ",
      "その他",
      "いくつもある",
      "生理用品を受け取りたい",
      "居場所・集まりを知りたい",
      "答えずに進む",
      "相談員と話したい",
    ]);
    chat.tap("パートナー・家族のこと");
    expect(chat.text()).toContain("ほかにもあれば");
    expect(chat.labels()).not.toContain("パートナー・家族のこと");
    chat.tap("これで全部");
    expect(chat.text()).toContain("その相手は、いまあなたのそばにいますか");
    chat.tap("いない").tap("いる（一緒にいる）").tap("ない");
    expect(chat.text()).toContain("お住まいの市町村");
    chat.tap("前橋市").tap("30代").tap("このままLINEで");
    expect(chat.text()).toContain("この相談窓口を、何で知りましたか");
    chat.tap("SNS・インターネット");

    expect(chat.text()).toContain("同じことをもう一度書かなくて大丈夫");
    expect(chat.text()).toContain("順番にお返事します");
    expect(chat.effect("handoff")).toEqual({ type: "handoff", reason: "completed", regionId: "chuhoku", outOfHours: false });
    expect(chat.triage()).toEqual({
      safeNow: "yes",
      topics: ["dv"],
      municipality: "前橋市",
      regionId: "chuhoku",
      regionSource: "answer",
      ageBand: "30s",
      supportWish: ["chat"],
      answers: { partnerNearby: "no", children: "with-her", injury: "no", awareness: "web" },
      risk: { level: "none", categories: [] },
    });
    expect(chat.effect("setTriage")?.triage).toEqual(chat.triage());
    expect(chat.state?.status).toBe("handed-off");
  });

  it("poverty in her own words, 高崎 typed → 西毛, skipping the age", () => {
    const chat = throughSafety(new Chat()).say("お金のことで困っています");
    expect(chat.text()).toContain("今日、食べるものはありますか");
    chat.say("ないです");
    // 「追い出されそう」 in her words would be an urgent need, handed over at once (risk.test.ts).
    chat.say("家賃のことで困ってます");
    chat.say("高崎");
    chat.tap("答えずに進む");
    chat.say("電話がいいです");
    chat.say("ネットで見ました");
    expect(chat.effect("handoff")?.regionId).toBe("seimo");
    expect(chat.triage()).toMatchObject({
      topics: ["poverty"],
      municipality: "高崎市",
      regionId: "seimo",
      supportWish: ["phone"],
      answers: { foodToday: "no", housingAtRisk: "yes", awareness: "web" },
    });
    expect(chat.triage().ageBand).toBeUndefined();
  });

  it("work, 大泉町 written in hiragana → 東毛", () => {
    const chat = throughSafety(new Chat()).tap("仕事のこと").tap("これで全部");
    expect(chat.text()).toContain("お仕事のことで、近いものはありますか");
    chat.tap("職場でいやなことがある").tap("パート・アルバイト");
    chat.say("おおいずみ").tap("20代").tap("会って話したい").tap("答えずに進む");
    expect(chat.effect("handoff")?.regionId).toBe("tomo");
    expect(chat.triage()).toMatchObject({
      topics: ["work"],
      municipality: "大泉町",
      answers: { workIssue: "harassment", employment: "part-time" },
      supportWish: ["meeting"],
    });
  });

  it("mental health, preferring not to say where she lives → the default region", () => {
    const chat = throughSafety(new Chat()).tap("こころ・さみしさ").tap("これで全部");
    chat.tap("眠れない").tap("いない").tap("言いたくない").tap("40代").tap("まだわからない").tap("答えずに進む");
    expect(chat.effect("handoff")?.regionId).toBe("chuhoku");
    expect(chat.triage()).toMatchObject({
      topics: ["mental"],
      regionId: "chuhoku",
      regionSource: "default",
      answers: { mood: "sleep", someoneToTalk: "no" },
    });
    expect(chat.triage().municipality).toBeUndefined();
  });

  it("several topics at once: each topic's questions in turn, then where she lives (桐生 → 東毛)", () => {
    const chat = throughSafety(new Chat()).tap("いくつもある");
    expect(chat.text()).toContain("ほかにもあれば");
    chat.tap("お金・住まい・食べもの").tap("仕事のこと").tap("これで全部");
    const asked: string[] = [chat.text()];
    chat.tap("ある");
    asked.push(chat.text());
    chat.tap("いまは大丈夫");
    asked.push(chat.text());
    chat.tap("仕事を失った・失いそう");
    asked.push(chat.text());
    chat.tap("していない");
    asked.push(chat.text());
    expect(asked.map((t) => t.split("\n")[0])).toEqual([
      "今日、食べるものはありますか？",
      "住むところを失いそう、または今夜泊まるところに困っていますか？",
      "お仕事のことで、近いものはありますか？",
      "いま、お仕事はしていますか？",
      "お住まいの市町村を教えてください。近くの相談先をご案内するために使います。",
    ]);
    chat.say("桐生です").tap("50代").tap("窓口に一緒に行ってほしい").tap("答えずに進む");
    expect(chat.triage()).toMatchObject({
      topics: ["poverty", "work"],
      municipality: "桐生市",
      regionId: "tomo",
      supportWish: ["accompany"],
    });
    expect(chat.effect("handoff")?.reason).toBe("completed");
  });

  it("その他 goes straight to where she lives (みなかみ → 中北毛)", () => {
    const chat = throughSafety(new Chat()).tap("その他").tap("これで全部");
    expect(chat.text()).toContain("お住まいの市町村");
    chat.say("みなかみ").tap("60代以上").tap("このままLINEで");
    expect(chat.triage()).toMatchObject({ topics: ["other"], municipality: "みなかみ町", regionId: "chuhoku" });
  });

  it("free text that names no topic is kept as その他 and the triage moves on", () => {
    const chat = throughSafety(new Chat()).say("うまく言えないけど、毎日しんどい");
    expect(chat.triage().topics).toEqual(["other"]);
    expect(chat.text()).toContain("お住まいの市町村");
  });

  it("every question can be skipped", () => {
    const chat = throughSafety(new Chat()).tap("パートナー・家族のこと").tap("これで全部");
    chat.tap("答えずに進む").tap("答えずに進む").tap("答えずに進む");
    expect(chat.text()).toContain("お住まいの市町村");
    expect(chat.triage().answers).toEqual({});
  });

  it("asks once more for an unknown municipality, then uses the default region", () => {
    const chat = throughSafety(new Chat()).tap("その他").tap("これで全部").say("東京");
    expect(chat.text()).toContain("うまく読み取れませんでした");
    expect(chat.labels()).toContain("言いたくない");
    chat.say("よくわからない");
    expect(chat.text()).toContain("年代");
    expect(chat.triage()).toMatchObject({ regionId: "chuhoku", regionSource: "default" });
  });
});

describe("Yamaguchi: one prefecture-wide region", () => {
  it.each([
    ["萩です", "萩市"],
    ["周防大島", "周防大島町"],
    ["山口県下関市に住んでます", "下関市"],
    ["やまぐち", "山口市"],
    ["さんようおのだ", "山陽小野田市"],
  ])("%s → %s", (typed, municipality) => {
    const chat = new Chat(yamaguchi).follow();
    expect(chat.text()).toContain("やまぐち女性つながりサポート");
    chat.tap("はい、大丈夫").tap("パートナー・家族のこと").tap("これで全部");
    chat.tap("いない").tap("いない").tap("ない").say(typed).tap("答えずに進む").tap("このままLINEで").tap("答えずに進む");
    expect(chat.triage()).toMatchObject({ municipality, regionId: "yamaguchi", topics: ["dv"] });
    expect(chat.effect("handoff")?.regionId).toBe("yamaguchi");
  });
});

describe("non-text messages", () => {
  it("a sticker gets a kind word and the same question again", () => {
    const chat = throughSafety(new Chat()).send({ type: "sticker" });
    expect(chat.text()).toContain("スタンプありがとうございます");
    expect(chat.labels()).toContain("パートナー・家族のこと");
  });

  it("a photo is kept for the counsellor and the question is asked again", () => {
    const chat = throughSafety(new Chat()).send({ type: "media", mediaType: "image" });
    expect(chat.text()).toContain("相談員につながったあとに見てもらえます");
    expect(chat.labels()).toContain("その他");
  });

  it("a button from an earlier question shows the current question again", () => {
    const chat = new Chat().follow();
    const oldButton = chat.buttons()[0];
    chat.tap("はい、大丈夫");
    if (oldButton?.type !== "postback") throw new Error("expected a postback button");
    chat.send({ type: "postback", data: oldButton.data });
    expect(chat.text()).toContain("いくつ選んでも大丈夫です");
    expect(chat.triage().topics).toEqual([]);
  });
});

describe("flow versions", () => {
  const minimal = loadPreset(path.join(ROOT, "test/fixtures/flows/presets/minimal"));

  it("loads the kept older version next to the current one", () => {
    expect(minimal.flow.version).toBe("1");
    expect(Object.keys(minimal.flowVersions).sort()).toEqual(["0", "1"]);
  });

  it("a conversation keeps running on the version it started with", () => {
    const old = minimal.flowVersions["0"];
    if (!old) throw new Error("version 0 not loaded");
    const started = step(old, minimal, null, { type: "follow" }, { now: OPEN, analyse });
    expect(started.state.flowVersion).toBe("0");
    const flow = pickFlow(minimal, started.state);
    expect(flow.version).toBe("0");
    const next = step(flow, minimal, started.state, { type: "sticker" }, { now: OPEN, analyse });
    expect(JSON.stringify(next.effects)).toContain("どうしましたか（旧版）？");
  });

  it("a conversation whose version is no longer loaded is handed to a counsellor", () => {
    const state = { ...initialState(minimal.flow, minimal), status: "active" as const, nodeId: "ask", flowVersion: "gone" };
    const flow = pickFlow(minimal, state);
    const result = step(flow, minimal, state, { type: "text", text: "お金" }, { now: OPEN, analyse });
    expect(result.effects).toContainEqual(expect.objectContaining({ type: "handoff", reason: "flow-changed" }));
  });

  it("new conversations start on the current version", () => {
    expect(pickFlow(gunma, null)).toBe(gunma.flow);
  });
});
