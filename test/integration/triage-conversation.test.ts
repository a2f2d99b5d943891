import { buttons, texts, turn } from "../support/conversation-driver";
import { eventually } from "../support/eventually";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { latestConversationOf } from "../support/her-conversation";

/**
 * The Gunma preset's triage, end to end: a woman in the simulator taps and types; the service
 * runs the flow, stores the answers on the conversation and hands her over.
 */
describe("triage through the LINE simulator (Gunma preset)", () => {
  let s: ServiceUnderTest;
  beforeAll(async () => {
    s = await startServiceWithSimulator();
  });
  afterAll(async () => s.stop());

  /** Her latest conversation, found as the service finds her: by the keyed hash of her id. */
  const conversationOf = (userId: string) => latestConversationOf(s.db.prisma, userId);

  it("walks the DV topic from greeting to hand-off, with the region from a typed municipality", async () => {
    const her = s.sim.person("DVの相談");
    const greeting = await turn(her, (p) => p.follow());
    expect(texts(greeting)).toContain("名前を言わなくても大丈夫です");
    expect(buttons(greeting)).toEqual(
      expect.arrayContaining(["はい、大丈夫", "いまは難しい", "相談員と話したい"]),
    );

    const topics = await turn(her, (p) => p.tapQuickReply("はい、大丈夫"));
    expect(texts(topics)).toContain("削除");
    expect(buttons(topics)).toContain("パートナー・家族のこと");
    const more = await turn(her, (p) => p.tapQuickReply("パートナー・家族のこと"));
    expect(buttons(more)).toContain("これで全部");
    const nearby = await turn(her, (p) => p.tapQuickReply("これで全部"));
    expect(texts(nearby)).toContain("そばにいますか");
    await turn(her, (p) => p.tapQuickReply("いない"));
    await turn(her, (p) => p.tapQuickReply("いない"));
    const region = await turn(her, (p) => p.tapQuickReply("ない"));
    expect(texts(region)).toContain("お住まいの市町村");
    const age = await turn(her, (p) => p.say("前橋です"));
    expect(texts(age)).toContain("年代");
    await turn(her, (p) => p.tapQuickReply("30代"));
    const awareness = await turn(her, (p) => p.tapQuickReply("このままLINEで"));
    expect(texts(awareness)).toContain("何で知りましたか");
    const done = await turn(her, (p) => p.tapQuickReply("SNS・インターネット"));
    expect(texts(done)).toContain("相談員に伝わっている");

    const conversation = await conversationOf(her.userId);
    expect(conversation).toMatchObject({
      status: "waiting",
      handoffReason: "completed",
      topics: ["dv"],
      municipality: "前橋市",
      regionId: "chuhoku",
      regionSource: "answer",
      ageBand: "30s",
      supportWish: ["chat"],
      riskLevel: "none",
      silenceDueAt: null,
    });
    expect(conversation.triageAnswers).toMatchObject({
      partnerNearby: "no",
      children: "none",
      injury: "no",
      awareness: "web",
    });
  });

  it.each([
    ["大泉町", "tomo"],
    ["高崎", "seimo"],
    ["みなかみ", "chuhoku"],
  ])("puts a woman from %s in region %s", async (place, regionId) => {
    const her = s.sim.person();
    await turn(her, (p) => p.follow());
    await turn(her, (p) => p.tapQuickReply("はい、大丈夫"));
    await turn(her, (p) => p.tapQuickReply("お金・住まい・食べもの"));
    await turn(her, (p) => p.tapQuickReply("これで全部"));
    await turn(her, (p) => p.tapQuickReply("答えずに進む"));
    await turn(her, (p) => p.tapQuickReply("答えずに進む"));
    await turn(her, (p) => p.say(place));
    const conversation = await conversationOf(her.userId);
    expect(conversation).toMatchObject({ regionId, topics: ["poverty"] });
  });

  it("hands her over at once when she asks for a counsellor, mid-triage", async () => {
    const her = s.sim.person();
    await turn(her, (p) => p.follow());
    await turn(her, (p) => p.tapQuickReply("はい、大丈夫"));
    const answer = await turn(her, (p) => p.say("相談員と話したいです"));
    expect(texts(answer)).toContain("相談員におつなぎします");
    expect(await conversationOf(her.userId)).toMatchObject({
      status: "waiting",
      handoffReason: "requested",
    });
  });

  it("sends the lines that fit and marks the conversation high risk on a risky message", async () => {
    const her = s.sim.person();
    await turn(her, (p) => p.follow());
    const answer = await turn(her, (p) => p.say("もう しにたい"));
    // The suicide lines, and no police line for a woman who wrote of wanting to die.
    expect(texts(answer)).toMatch(/^・いのちの電話 0570-783-556 /m);
    expect(texts(answer)).not.toMatch(/^・警察/m);
    const conversation = await conversationOf(her.userId);
    expect(conversation).toMatchObject({
      status: "waiting",
      riskLevel: "high",
      handoffReason: "risk",
    });
    expect(conversation.riskCategories.length).toBeGreaterThan(0);
    // Her words stay in the transcript only, never in the triage record.
    expect(JSON.stringify(conversation.triageAnswers ?? {})).not.toContain("しにたい");
  });

  it("ends at once on the exit word, and starts afresh when she writes again", async () => {
    const her = s.sim.person();
    await turn(her, (p) => p.follow());
    const bye = await turn(her, (p) => p.say("おわり"));
    expect(texts(bye)).toContain("ご利用ありがとうございました");
    const first = await conversationOf(her.userId);
    expect(first).toMatchObject({ status: "closed", endReason: "exit-word" });
    const again = await turn(her, (p) => p.say("こんにちは"));
    expect(texts(again)).toContain("名前を言わなくても大丈夫です");
    const second = await conversationOf(her.userId);
    expect(second.id).not.toBe(first.id);
  });

  it("ends the bot part politely after a long silence and keeps what she answered", async () => {
    const her = s.sim.person();
    await turn(her, (p) => p.follow());
    await turn(her, (p) => p.tapQuickReply("はい、大丈夫"));
    await turn(her, (p) => p.tapQuickReply("仕事のこと"));
    const waiting = await conversationOf(her.userId);
    expect(waiting.silenceDueAt?.getTime()).toBeGreaterThan(Date.now() + 29 * 60_000);
    // Thirty minutes pass: the timer is a column, so moving it is moving time for this chat.
    const before = her.received().length;
    await s.db.prisma.conversation.update({
      where: { id: waiting.id },
      data: { silenceDueAt: new Date(Date.now() - 1000) },
    });
    const after = await eventually(
      () => conversationOf(her.userId),
      (c) => c.status === "closed",
    );
    expect(after).toMatchObject({ endReason: "silence", topics: ["work"] });
    await eventually(
      () => Promise.resolve(her.received().length),
      (n) => n > before,
    );
    expect(texts(her.received().slice(before))).toContain("いったんここで区切ります");
  });
});
