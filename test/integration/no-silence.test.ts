import { lockScreenProblem } from "../../src/flows/shared-phone";
import type { DeliveredMessage } from "../../src/simulator/simulator-types";
import type { SimulatedPerson } from "../../src/simulator/simulated-person";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { texts, turn, silentTurn } from "../support/conversation-driver";
import { eventually } from "../support/eventually";
import { handOff } from "../support/handoff";
import {
  startServiceWithSimulator,
  testClock,
  type ServiceUnderTest,
} from "../support/service-harness";
import { latestConversationOf } from "../support/her-conversation";

/** The 24-hour line every out-of-hours answer lists (よりそいホットライン). */
const LINE_24H = "0120-279-338";

interface QueueItem {
  id: string;
  regionName: string;
  servingRegionName: string | null;
  servedBecause: string | null;
}

/**
 * Nobody chatting with her is never silence, and a closed region's women are answered by an
 * open neighbour: the real Gunma preset and hours, through the LINE simulator, on a clock the
 * test sets (LINE's timestamps and the service's opening hours alike). 中北毛 is open Mon–Fri
 * 10–17, 西毛 Mon–Fri 9:30–16:30, 東毛 Tue–Sat 10–17 (closed on Mondays); 2026-11-23 is
 * 勤労感謝の日, 2026-11-30 a Monday, 2026-12-01 a Tuesday. The tests run in the order of their
 * clocks.
 */
describe("no silence while she waits; open neighbours answer", () => {
  const clock = testClock("2026-11-23 21:00");
  let s: ServiceUnderTest;

  beforeAll(async () => {
    s = await startServiceWithSimulator({ now: clock.date, simulator: { now: clock.ms } });
    await account(s.db.prisma, "north", "counsellor", "chuhoku");
    await account(s.db.prisma, "west", "counsellor", "seimo");
  }, 60_000);
  afterAll(async () => s.stop());

  const signIn = (name: string) => ConsoleClient.signedIn(s.url, name, PASSWORD);
  const conversationOf = (userId: string) => latestConversationOf(s.db.prisma, userId);
  /** What she received since `from` (an index into her received messages). */
  const since = (her: SimulatedPerson, from: number) => her.received().slice(from);
  const expectLockScreenSafe = (messages: DeliveredMessage[]) => {
    for (const m of messages) expect(lockScreenProblem(m.text ?? "")).toBeUndefined();
  };

  it("a holiday night: no region is open, so no neighbour takes her; she is told when someone answers, with the 24-hour lines", async () => {
    clock.set("2026-11-23 21:00");
    const her = s.sim.person();
    const from = her.received().length;
    await handOff(her, "太田");
    const handoff = texts(since(her, from).slice(-3));
    expect(handoff).toContain("相談員からのお返事は、明日 11月24日(火) 9:30からになります");
    expect(handoff).toContain(LINE_24H);
    expect(await conversationOf(her.userId)).toMatchObject({
      status: "waiting",
      regionId: "tomo",
      servingRegionId: null,
      outOfHours: true,
    });

    const answer = await turn(her, (p) => p.say("あの、まだ起きていますか"));
    expect(answer).toHaveLength(1);
    expect(answer[0]?.via).toBe("reply");
    expect(answer[0]?.text).toMatch(/^メッセージを受け取りました。\n/);
    expect(answer[0]?.text).toContain("明日 11月24日(火) 9:30");
    expect(answer[0]?.text).toContain(LINE_24H);
    expectLockScreenSafe(answer);
  });

  it("out of hours: her next message is acknowledged at once, not again within 10 minutes, and again after 10", async () => {
    clock.set("2026-11-30 03:00");
    const her = s.sim.person();
    await handOff(her, "前橋");

    const first = await turn(her, (p) => p.say("聞いてもらえますか"));
    expect(first.map((m) => m.via)).toEqual(["reply"]);
    expect(first[0]?.text).toMatch(/^メッセージを受け取りました。\n/);
    // 西毛, 中北毛's first neighbour, opens at 9:30 and takes her while 中北毛 is still closed.
    expect(first[0]?.text).toContain("今日 9:30");
    expect(first[0]?.text).toContain(LINE_24H);
    expectLockScreenSafe(first);

    clock.advance(9);
    expect(await silentTurn(her, (p) => p.say("ごめんなさい、何度も"))).toEqual([]);
    expect(await silentTurn(her, (p) => p.say("待っています"))).toEqual([]);

    clock.advance(2);
    const again = await turn(her, (p) => p.say("やっぱり話したいです"));
    expect(again.map((m) => m.via)).toEqual(["reply"]);
    expect(again[0]?.text).toMatch(/^メッセージを受け取りました。\n/);
    // Every one of her messages is kept for the counsellor.
    const conversation = await conversationOf(her.userId);
    expect(
      await s.db.prisma.message.count({
        where: { conversationId: conversation.id, direction: "in", kind: "text" },
      }),
    ).toBeGreaterThanOrEqual(4);
  });

  it("once she said the person is near, the sign is one short line", async () => {
    clock.set("2026-11-30 03:30");
    const her = s.sim.person();
    await turn(her, (p) => p.follow());
    await turn(her, (p) => p.tapQuickReply("はい、大丈夫"));
    await turn(her, (p) => p.tapQuickReply("パートナー・家族のこと"));
    await turn(her, (p) => p.tapQuickReply("これで全部"));
    await turn(her, (p) => p.tapQuickReply("いる"));
    expect(await conversationOf(her.userId)).toMatchObject({ status: "waiting" });

    const answer = await turn(her, (p) => p.say("はやく"));
    expect(answer.map((m) => [m.via, m.text])).toEqual([["reply", "受け取りました。"]]);
  });

  it("太田市 on a Monday at 11:00 (東毛 closed, 中北毛 open): 中北毛's queue at once, told her place, claimed by 中北毛, and the console says why", async () => {
    clock.set("2026-11-30 11:00");
    const her = s.sim.person();
    const from = her.received().length;
    await handOff(her, "太田");
    const told = texts(since(her, from).slice(-3));
    expect(told).toContain("順番にお返事します");
    expect(told).toMatch(/次に、相談員がお返事します|あなたの前に\d+人が順番を待っています/);
    expect(told).not.toContain("受付時間外");
    expect(told).not.toContain("12月1日");
    const c = await conversationOf(her.userId);
    // Her home region stays 東毛: the statistics count her there.
    expect(c).toMatchObject({
      status: "waiting",
      regionId: "tomo",
      servingRegionId: "chuhoku",
      outOfHours: false,
    });

    const north = await signIn("north");
    const queue = (await north.get("/api/v1/queue")).json as unknown as { waiting: QueueItem[] };
    expect(queue.waiting.find((q) => q.id === c.id)).toMatchObject({
      regionName: "東毛",
      servingRegionName: "中北毛",
      servedBecause: "東毛が受付時間外のため",
    });
    expect((await north.post(`/api/v1/conversations/${c.id}/claim`)).status).toBe(200);
    const view = (await north.get(`/api/v1/conversations/${c.id}`)).json as unknown as {
      conversation: { status: string; servedBecause: string | null };
    };
    expect(view.conversation).toMatchObject({
      status: "active",
      servedBecause: "東毛が受付時間外のため",
    });
    const before = her.received().length;
    await north.post(`/api/v1/conversations/${c.id}/messages`, { text: "中北毛の相談員です" });
    await eventually(
      () => Promise.resolve(since(her, before)),
      (m) => m.length > 0,
    );
    expect(since(her, before).map((m) => m.text)).toEqual(["中北毛の相談員です"]);
  });

  it("a transfer to a region closed now is refused without confirmation; confirmed, she is told when someone answers", async () => {
    clock.set("2026-11-30 11:30");
    const her = s.sim.person();
    await handOff(her, "高崎"); // 西毛, open
    const c = await conversationOf(her.userId);
    const west = await signIn("west");
    await west.post(`/api/v1/conversations/${c.id}/claim`);

    const regions = (await west.get("/api/v1/regions")).json as unknown as {
      id: string;
      open: boolean;
      nextOpening: string | null;
      nextOpeningText: string | null;
    }[];
    expect(regions.find((r) => r.id === "tomo")).toEqual({
      id: "tomo",
      name: "東毛",
      open: false,
      nextOpening: "2026-12-01T01:00:00.000Z",
      nextOpeningText: "明日 12月1日(火) 10:00",
    });
    expect(regions.find((r) => r.id === "chuhoku")).toMatchObject({
      open: true,
      nextOpening: null,
    });

    const before = her.received().length;
    const refused = await west.post(`/api/v1/conversations/${c.id}/transfer`, {
      toRegionId: "tomo",
      note: "東毛の連携先につなぎたい",
    });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ code: "REGION_CLOSED" });
    expect(await conversationOf(her.userId)).toMatchObject({ status: "active", regionId: "seimo" });

    const moved = await west.post(`/api/v1/conversations/${c.id}/transfer`, {
      toRegionId: "tomo",
      note: "東毛の連携先につなぎたい",
      confirmClosedRegion: true,
    });
    expect(moved.status).toBe(204);
    // She waits for 東毛, as the counsellor chose: no neighbour takes her back meanwhile.
    expect(await conversationOf(her.userId)).toMatchObject({
      status: "waiting",
      regionId: "tomo",
      servingRegionId: "tomo",
    });
    await eventually(
      () => Promise.resolve(since(her, before)),
      (m) => m.length > 0,
    );
    const notice = since(her, before);
    expect(notice.map((m) => m.via)).toEqual(["push"]);
    expect(notice[0]?.text).toMatch(/^お待たせしています。\n担当する相談員が替わります。/);
    expect(notice[0]?.text).toContain("お返事は、明日 12月1日(火) 10:00からになります");
    expect(notice[0]?.text).toContain(LINE_24H);
    expect(notice[0]?.text).not.toMatch(/東毛|西毛|中北毛/);
    expectLockScreenSafe(notice);
  });

  it("after a counsellor closed, her next message reopens the chat and is acknowledged with her place", async () => {
    clock.set("2026-12-01 11:00");
    const her = s.sim.person();
    await handOff(her, "高崎");
    // While she waited she was told once already (11:00).
    const waitingAck = await turn(her, (p) => p.say("よろしくお願いします"));
    expect(waitingAck[0]?.text).toMatch(/^メッセージを受け取りました。\n/);
    const c = await conversationOf(her.userId);
    const west = await signIn("west");
    await west.post(`/api/v1/conversations/${c.id}/claim`);
    await west.post(`/api/v1/conversations/${c.id}/messages`, { text: "お話を聞かせてください" });
    const closed = await west.post(`/api/v1/conversations/${c.id}/close`, {
      topics: ["poverty"],
      referrals: [],
      followUps: [],
      riskLevel: "none",
    });
    expect(closed.status).toBe(200);
    await eventually(
      () => Promise.resolve(her.received().at(-1)?.text),
      (t) => t === "お話を聞かせてください",
    );

    // Five minutes later (less than the 10 since she was last told): the reopened wait is a new
    // one, and her message is answered.
    clock.advance(5);
    const answer = await turn(her, (p) => p.say("言い忘れたことがありました"));
    expect(answer.map((m) => m.via)).toEqual(["reply"]);
    expect(answer[0]?.text).toMatch(/^メッセージを受け取りました。\n/);
    expect(answer[0]?.text).toMatch(/次に、相談員がお返事します|あなたの前に\d+人/);
    expectLockScreenSafe(answer);
    const reopened = await conversationOf(her.userId);
    expect(reopened.id).toBe(c.id);
    expect(reopened).toMatchObject({ status: "waiting" });
    expect(reopened.reopenedAt).not.toBeNull();
  });

  it("a transfer to an open region tells her, in words that name no region, with her place", async () => {
    clock.set("2026-12-01 11:30");
    const her = s.sim.person();
    await handOff(her, "高崎");
    const c = await conversationOf(her.userId);
    const west = await signIn("west");
    await west.post(`/api/v1/conversations/${c.id}/claim`);
    const before = her.received().length;
    const moved = await west.post(`/api/v1/conversations/${c.id}/transfer`, {
      toRegionId: "chuhoku",
      note: "前橋の窓口が近いとのこと",
    });
    expect(moved.status).toBe(204);
    await eventually(
      () => Promise.resolve(since(her, before)),
      (m) => m.length > 0,
    );
    const notice = since(her, before);
    expect(notice.map((m) => m.via)).toEqual(["push"]);
    expect(notice[0]?.text).toMatch(/^お待たせしています。\n担当する相談員が替わります。/);
    expect(notice[0]?.text).toMatch(/次に、相談員がお返事します|あなたの前に\d+人/);
    expect(notice[0]?.text).not.toMatch(/中北毛|西毛|受付時間外/);
    expectLockScreenSafe(notice);
    // She was just told: a message right after it is not answered with the same again.
    expect(await silentTurn(her, (p) => p.say("わかりました"))).toEqual([]);
  });
});
