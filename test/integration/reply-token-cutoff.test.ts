/**
 * The README's promise: "a reply token is used while fresh (50 s), else a push with that key".
 * A token's age is counted from LINE's event timestamp, so these tests set the simulated LINE's
 * clock behind the service's: an event she sends then carries a timestamp that many seconds in
 * the past, with a reply token LINE itself still honours (LINE keeps it about a minute).
 */
import { createSealer } from "../../src/privacy/sealer";
import type { SimulatedPerson } from "../../src/simulator/simulated-person";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { turn } from "../support/conversation-driver";
import { eventually } from "../support/eventually";
import { handOff } from "../support/handoff";
import { latestConversationOf } from "../support/her-conversation";
import { gunmaOpenAroundTheClock } from "../support/presets";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { testConfig } from "../support/test-env";
import { messagesWithText } from "../support/sealed";

const sealer = createSealer(testConfig({ databaseUrl: "" }).appSecretKey);
/**
 * Either side of the service's 50 s cutoff (REPLY_TOKEN_FRESH_MS). The service has 10 s to
 * answer an event 40 s old while its token is still fresh: seconds more than it takes even on
 * a busy machine.
 */
const JUST_BEFORE_MS = 40_000;
const JUST_AFTER_MS = 55_000;

interface Send {
  endpoint: "reply" | "push";
  status: unknown;
  retryKey: string | undefined;
}

describe("the 50 s reply-token cutoff", () => {
  let s: ServiceUnderTest;
  let west: ConsoleClient;
  /** How far LINE's clock (the simulator's) runs behind the service's. */
  let lineLagMs = 0;

  beforeAll(async () => {
    s = await startServiceWithSimulator({
      preset: gunmaOpenAroundTheClock(),
      simulator: { now: () => Date.now() - lineLagMs },
    });
    await account(s.db.prisma, "west", "counsellor", "seimo");
    west = await ConsoleClient.signedIn(s.url, "west", PASSWORD);
  }, 60_000);
  afterAll(async () => s.stop());
  beforeEach(() => {
    lineLagMs = 0;
  });

  /** The message requests LINE received for her: replies with her tokens, pushes to her id. */
  function sendsTo(her: SimulatedPerson, text?: string): Send[] {
    const herTokens = new Set(
      s.sim
        .events()
        .filter((e) => e.userId === her.userId)
        .map((e) => e.event.replyToken),
    );
    return s.sim
      .requests()
      .filter((r) => {
        const body = r.body as { to?: string; replyToken?: string; messages?: { text?: string }[] };
        const forHer =
          (r.path === "/v2/bot/message/reply" && herTokens.has(body.replyToken)) ||
          (r.path === "/v2/bot/message/push" && body.to === her.userId);
        return forHer && (text === undefined || body.messages?.some((m) => m.text === text));
      })
      .map((r) => ({
        endpoint: r.path.endsWith("/reply") ? "reply" : "push",
        status: r.status,
        retryKey: r.retryKey,
      }));
  }

  const deliveriesTo = (her: SimulatedPerson) =>
    s.db.prisma.outboundDelivery.findMany({
      where: { person: { lineUserHash: sealer.hash(her.userId) } },
    });

  const conversationOf = (her: SimulatedPerson) => latestConversationOf(s.db.prisma, her.userId);

  /** She waits in 西毛's queue; west takes her. */
  async function takenByWest(her: SimulatedPerson): Promise<string> {
    await handOff(her, "高崎");
    const c = await conversationOf(her);
    expect((await west.post(`/api/v1/conversations/${c.id}/claim`)).status).toBe(200);
    return c.id;
  }

  /** She writes, her event stamped `lagMs` ago; resolves once it is stored with its token. */
  async function sheWrites(her: SimulatedPerson, conversationId: string, text: string, lagMs = 0) {
    lineLagMs = lagMs;
    await her.say(text);
    lineLagMs = 0;
    await eventually(
      () =>
        messagesWithText(s.db.prisma, { conversationId, replyToken: { not: null } }, text).then(
          (m) => m[0] ?? null,
        ),
      (m) => m !== null,
    );
  }

  /** West answers her and waits until the message is on her phone. */
  async function westAnswers(her: SimulatedPerson, conversationId: string, text: string) {
    const sent = await west.post(`/api/v1/conversations/${conversationId}/messages`, { text });
    expect(sent.status).toBe(201);
    await eventually(
      () => Promise.resolve(her.received().map((m) => m.text)),
      (texts) => texts.includes(text),
    );
  }

  /** The message went to LINE once, as a push under the retry key of its stored delivery. */
  async function expectOnePushUnderItsDeliveryKey(her: SimulatedPerson, text: string) {
    const sends = sendsTo(her, text);
    expect(sends.map((r) => [r.endpoint, r.status])).toEqual([["push", 200]]);
    // Her phone has it a moment before the service has recorded LINE's answer.
    const delivery = await eventually(
      async () => (await deliveriesTo(her)).find((d) => d.retryKey === sends[0]?.retryKey),
      (d) => d?.status !== "pending",
    );
    expect(delivery).toMatchObject({ method: "push", status: "sent" });
  }

  it("the bot answers by reply an event stamped 40 s ago", async () => {
    lineLagMs = JUST_BEFORE_MS;
    const her = s.sim.person();
    await turn(her, (p) => p.follow());
    expect(sendsTo(her)).toEqual([{ endpoint: "reply", status: 200, retryKey: undefined }]);
    expect(her.received().every((m) => m.via === "reply")).toBe(true);
  }, 30_000);

  it("the bot answers by push, under the delivery's retry key, an event stamped 55 s ago", async () => {
    lineLagMs = JUST_AFTER_MS;
    const her = s.sim.person();
    await turn(her, (p) => p.follow());
    const [delivery] = await deliveriesTo(her);
    // Never tried as a reply first: the push is the only request LINE saw.
    expect(sendsTo(her)).toEqual([{ endpoint: "push", status: 200, retryKey: delivery?.retryKey }]);
    expect(delivery).toMatchObject({ method: "push", status: "sent" });
    expect(her.received().every((m) => m.via === "push")).toBe(true);
  }, 30_000);

  it("a counsellor answers by reply a message she sent 40 s ago", async () => {
    const her = s.sim.person();
    const id = await takenByWest(her);
    await sheWrites(her, id, "聞いてもらえますか", JUST_BEFORE_MS);
    await westAnswers(her, id, "はい、聞かせてください");
    expect(sendsTo(her, "はい、聞かせてください")).toEqual([
      { endpoint: "reply", status: 200, retryKey: undefined },
    ]);
  }, 60_000);

  it("a counsellor answers by push a message she sent 55 s ago", async () => {
    const her = s.sim.person();
    const id = await takenByWest(her);
    await sheWrites(her, id, "まだいますか", JUST_AFTER_MS);
    await westAnswers(her, id, "お待たせしました");
    await expectOnePushUnderItsDeliveryKey(her, "お待たせしました");
  }, 60_000);

  it("a counsellor's first answer spends her fresh token; the second is a push", async () => {
    const her = s.sim.person();
    const id = await takenByWest(her);
    await sheWrites(her, id, "こんばんは");
    await westAnswers(her, id, "こんばんは、西毛の相談員です");
    await westAnswers(her, id, "ゆっくりで大丈夫です");
    expect(sendsTo(her, "こんばんは、西毛の相談員です")).toEqual([
      { endpoint: "reply", status: 200, retryKey: undefined },
    ]);
    // Not a second try with the spent token (LINE would refuse it) before falling back.
    await expectOnePushUnderItsDeliveryKey(her, "ゆっくりで大丈夫です");
  }, 60_000);
});
