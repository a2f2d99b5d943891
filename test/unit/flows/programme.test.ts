import { lockScreenProblem } from "../../../src/flows/shared-phone";
import type { UpcomingGathering } from "../../../src/flows/flow-types";
import { Chat, gunma, jst, useJapaneseAnalyser, yamaguchi } from "./chat-harness";

useJapaneseAnalyser();

/** Greeting and 「はい、大丈夫」: the topics question is on her screen. */
const atTopics = (chat: Chat) => chat.follow().tap("はい、大丈夫");

/** Every first line she was sent in the last step is safe on a lock screen. */
function safeFirstLines(chat: Chat): void {
  for (const m of chat.messages()) expect(lockScreenProblem(m.text)).toBeUndefined();
}

describe("sanitary products: 「生理用品を受け取りたい」", () => {
  it("shows the pickup points of her region only, then offers a counsellor without pressure", () => {
    const chat = atTopics(new Chat()).tap("生理用品を受け取りたい");
    expect(chat.text()).toContain("受け取りやすい場所をご案内します");
    chat.tap("前橋市");
    expect(chat.text()).toContain("無料で受け取れる場所です");
    expect(chat.text()).toContain("前橋市役所 子育て・女性相談の窓口（例）");
    expect(chat.text()).toContain("前橋市大手町二丁目12-1");
    expect(chat.text()).toContain("ほほえみネットの袋をください");
    expect(chat.text()).not.toContain("高崎市役所");
    expect(chat.text()).not.toContain("太田市役所");
    expect(chat.text()).toContain("受け取るだけでも、もちろん大丈夫です");
    expect(chat.labels()).toEqual(["相談員と話してみる", "今日はこれで大丈夫", "答えずに進む", "相談員と話したい"]);
    safeFirstLines(chat);
    // Choosing it is no consultation topic: nothing goes into her topics.
    expect(chat.triage().topics).toEqual([]);
  });

  it("ends kindly when she does not want to talk, without a hand-off", () => {
    const chat = atTopics(new Chat()).tap("生理用品を受け取りたい").say("高崎").tap("今日はこれで大丈夫");
    expect(chat.text()).toContain("また話したくなったら、いつでもメッセージを送ってくださいね");
    expect(chat.effect("end")).toEqual({ type: "end", reason: "completed" });
    expect(chat.history.some((e) => e.type === "handoff")).toBe(false);
    safeFirstLines(chat);
  });

  it("skipping the offer ends kindly too", () => {
    const chat = atTopics(new Chat()).tap("生理用品を受け取りたい").say("高崎").tap("答えずに進む");
    expect(chat.effect("end")?.reason).toBe("completed");
  });

  it("to talk, she goes on to a counsellor without being asked where she lives again", () => {
    const chat = atTopics(new Chat()).tap("生理用品を受け取りたい").say("太田").tap("相談員と話してみる");
    expect(chat.text()).toContain("年代を教えてください");
    chat.tap("20代").tap("このままLINEで").tap("答えずに進む");
    expect(chat.effect("handoff")).toMatchObject({ reason: "completed", regionId: "tomo" });
    expect(chat.triage()).toMatchObject({ municipality: "太田市", regionId: "tomo", answers: { afterProducts: "talk" } });
  });

  it("not saying where she lives shows every region's points, each under its name", () => {
    const chat = atTopics(new Chat()).tap("生理用品を受け取りたい").tap("言いたくない");
    const text = chat.text();
    expect(text).toContain("【中北毛】");
    expect(text).toContain("【西毛】");
    expect(text).toContain("【東毛】");
    expect(text.indexOf("前橋市役所")).toBeLessThan(text.indexOf("高崎市役所"));
  });

  it("a region without pickup points says so and still offers a counsellor", () => {
    const none = { ...gunma, pickupPoints: gunma.pickupPoints.filter((p) => p.region !== "seimo") };
    const chat = atTopics(new Chat(none)).tap("生理用品を受け取りたい").say("高崎");
    expect(chat.text()).toContain("いまご案内できる場所がありません");
    expect(chat.labels()).toContain("相談員と話してみる");
  });

  it("typing 「生理用品がほしい」 takes her there too; Yamaguchi has its own points", () => {
    const chat = atTopics(new Chat(yamaguchi)).say("生理用品がほしいです").say("下関");
    expect(chat.text()).toContain("下関市役所 女性相談の窓口（例）");
    expect(chat.text()).toContain("山口市役所 女性相談の窓口（例）");
  });
});

describe("居場所: the next gatherings of her region, when she asks", () => {
  const now = jst("2026-12-01T11:00:00");
  const at = (local: string) => jst(local).toISOString();
  const gatherings: UpcomingGathering[] = [
    { regionId: "seimo", startsAt: at("2026-12-20T13:00:00"), place: "高崎市女性会館 和室", theme: "おしゃべりとお茶" },
    { regionId: "seimo", startsAt: at("2026-12-05T14:00:00"), place: "富岡市民センター", theme: "ハンドマッサージ" },
    { regionId: "chuhoku", startsAt: at("2026-12-03T10:00:00"), place: "前橋市総合福祉会館", theme: "料理の会" },
    { regionId: "seimo", startsAt: at("2026-12-12T14:00:00"), place: "安中市文化センター", theme: "手芸の会" },
    { regionId: "seimo", startsAt: at("2027-01-09T14:00:00"), place: "藤岡市民ホール", theme: "新年会" },
    { regionId: "seimo", startsAt: at("2026-11-30T14:00:00"), place: "終わった会場", theme: "過ぎた会" },
  ];

  it("lists her region's next three, soonest first, with day, time and place", () => {
    const chat = new Chat(gunma, now);
    chat.gatherings = gatherings;
    atTopics(chat).tap("居場所・集まりを知りたい").say("高崎です");
    const text = chat.text();
    expect(text).toContain("これから開かれる「居場所」の集まりです");
    expect(text).toContain("・12月5日(土) 14:00〜 富岡市民センター\n　ハンドマッサージ");
    expect(text.indexOf("12月5日")).toBeLessThan(text.indexOf("12月12日"));
    expect(text.indexOf("12月12日")).toBeLessThan(text.indexOf("12月20日"));
    expect(text).not.toContain("藤岡市民ホール");
    expect(text).not.toContain("前橋市総合福祉会館");
    expect(text).not.toContain("過ぎた会");
    safeFirstLines(chat);
    chat.tap("今日はこれで大丈夫");
    expect(chat.effect("end")?.reason).toBe("completed");
  });

  it("says there is nothing planned when the console holds nothing for her region", () => {
    const chat = new Chat(gunma, now);
    chat.gatherings = gatherings.filter((g) => g.regionId !== "tomo");
    atTopics(chat).tap("居場所・集まりを知りたい").say("太田");
    expect(chat.text()).toContain("いまご案内できる予定がありません");
    expect(chat.labels()).toContain("相談員と話してみる");
  });

  it("sends nothing about gatherings unless she asks", () => {
    const chat = new Chat(gunma, now);
    chat.gatherings = gatherings;
    atTopics(chat).tap("その他").tap("これで全部").say("高崎").tap("30代").tap("このままLINEで");
    expect(chat.history.flatMap((e) => (e.type === "send" ? e.messages : []))).not.toContainEqual(
      expect.objectContaining({ text: expect.stringContaining("富岡市民センター") as string }),
    );
  });
});

describe("awareness: how she came to know the service, once per woman", () => {
  it("is asked at the end of her first triage, optional, and kept as answers.awareness", () => {
    const chat = atTopics(new Chat()).tap("その他").tap("これで全部").say("前橋").tap("30代").tap("このままLINEで");
    expect(chat.text()).toContain("この相談窓口を、何で知りましたか？答えなくても大丈夫です");
    expect(chat.labels()).toContain("答えずに進む");
    expect(chat.effect("askedOnce")).toEqual({ type: "askedOnce", field: "answers.awareness" });
    safeFirstLines(chat);
    chat.tap("カード・ポスター");
    expect(chat.triage().answers.awareness).toBe("card-poster");
    expect(chat.effect("handoff")?.reason).toBe("completed");
  });

  it("is never asked again in a later conversation of hers, even when she skipped it", () => {
    const first = atTopics(new Chat()).tap("その他").tap("これで全部").say("前橋").tap("30代").tap("このままLINEで");
    first.tap("答えずに進む");
    expect(first.triage().answers.awareness).toBeUndefined();
    const later = new Chat();
    later.askedOnce = [...(first.askedOnce ?? [])];
    atTopics(later).tap("その他").tap("これで全部").say("前橋").tap("30代").tap("このままLINEで");
    expect(later.text()).not.toContain("何で知りましたか");
    expect(later.effect("handoff")?.reason).toBe("completed");
    expect(later.history.some((e) => e.type === "askedOnce")).toBe(false);
  });
});
