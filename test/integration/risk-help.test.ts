import { lockScreenProblem } from "../../src/flows/shared-phone";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { silentTurn, texts, turn } from "../support/conversation-driver";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { latestConversationOf } from "../support/her-conversation";

const jst = (local: string) => new Date(`${local}+09:00`).getTime();
/**
 * An ordinary Tuesday years ahead, so that the service's own timers, which run on the real
 * clock (silence, waiting limits), never fall due while a test runs: 23:30, every Gunma region
 * closed; 11:00, every region open.
 */
const NIGHT = jst("2036-11-25T23:30:00");
const DAY = jst("2036-11-25T11:00:00");

/**
 * Help that fits the risk, end to end on the real Gunma preset: women in the LINE simulator
 * write risk messages at an hour the test chooses (the simulator's clock stamps her events, and
 * the service reads the hour from them); what reaches her phone is read back from the simulator.
 */
describe("help that fits the risk (Gunma preset, through the LINE simulator)", () => {
  let s: ServiceUnderTest;
  /** LINE's clock: set per test, then running on with real time so her events stay in order. */
  let clockStart = DAY;
  let realStart = Date.now();
  const setClock = (at: number) => {
    clockStart = at;
    realStart = Date.now();
  };

  beforeAll(async () => {
    s = await startServiceWithSimulator({
      simulator: { now: () => clockStart + (Date.now() - realStart) },
    });
    await account(s.db.prisma, "naka", "counsellor", "chuhoku");
  }, 60_000);
  afterAll(async () => s.stop());

  const conversationOf = (userId: string) => latestConversationOf(s.db.prisma, userId);

  it("「レイプされた」 at night: #8891 as a 24-hour line, with the exit word, in one first message", async () => {
    setClock(NIGHT);
    const her = s.sim.person();
    const answer = await turn(her, (p) => p.say("レイプされた"));
    const first = answer[0]?.text ?? "";
    expect(first).toMatch(/^・性暴力被害ワンストップ支援センター #8891.* 24時間$/m);
    expect(first).toContain("「おわり」とだけ送ってください");
    // A line she can write to tonight, should she be unable to speak aloud.
    expect(first).toMatch(/^・.*（文字で） \S+ 24時間$/m);
    expect(lockScreenProblem(first)).toBeUndefined();
    expect(texts(answer)).not.toContain("110");
    expect(await conversationOf(her.userId)).toMatchObject({
      status: "waiting",
      outOfHours: true,
      riskLevel: "high",
      riskCategories: ["sexual-violence"],
    });
  });

  it("wanting to die: いのちの電話 and a line to write to, and not 警察 first", async () => {
    setClock(DAY);
    const her = s.sim.person();
    await turn(her, (p) => p.follow());
    await turn(her, (p) => p.tapQuickReply("はい、大丈夫"));
    const answer = texts(await turn(her, (p) => p.say("もう死にたい")));
    const lines = answer.split("\n").filter((l) => l.startsWith("・"));
    expect(lines[0]).toMatch(/^・いのちの電話 0570-783-556 /);
    expect(lines).toContainEqual(
      expect.stringMatching(/（文字で） https:\/\/talkme\.jp\/ 24時間$/),
    );
    expect(answer).not.toMatch(/警察|110/);
  });

  it("the person is near: one short line, no list, nothing naming DV or 110", async () => {
    setClock(DAY);
    const her = s.sim.person();
    await turn(her, (p) => p.follow());
    await turn(her, (p) => p.tapQuickReply("はい、大丈夫"));
    await turn(her, (p) => p.tapQuickReply("パートナー・家族のこと"));
    await turn(her, (p) => p.tapQuickReply("これで全部"));
    const answer = await turn(her, (p) => p.tapQuickReply("いる"));
    expect(answer).toHaveLength(1);
    const line = answer[0]?.text ?? "";
    expect(line).not.toContain("\n");
    expect(line).not.toMatch(/DV|110|警察|相談＋/);
    expect(await conversationOf(her.userId)).toMatchObject({
      status: "waiting",
      riskCategories: ["abuser-nearby"],
    });
  });

  it("a risk word in a counsellor's chat: the risk is marked, and she receives nothing", async () => {
    setClock(DAY);
    const her = s.sim.person();
    await turn(her, (p) => p.say("相談員と話したい"));
    const { id } = await conversationOf(her.userId);
    const naka = await ConsoleClient.signedIn(s.url, "naka", PASSWORD);
    expect((await naka.post(`/api/v1/conversations/${id}/claim`)).status).toBe(200);
    const answer = await silentTurn(her, (p) => p.say("実は、もう死にたい"));
    expect(answer).toEqual([]);
    expect(await conversationOf(her.userId)).toMatchObject({
      status: "active",
      riskLevel: "high",
      riskCategories: ["suicide"],
    });
  });
});
