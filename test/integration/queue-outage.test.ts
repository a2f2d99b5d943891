import { createSealer } from "../../src/privacy/sealer";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { eventually } from "../support/eventually";
import { handOff } from "../support/handoff";
import { gunmaOpenAroundTheClock } from "../support/presets";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { testConfig } from "../support/test-env";
import { messagesWithText } from "../support/sealed";

const sealer = createSealer(testConfig({ databaseUrl: "" }).appSecretKey);

/**
 * The queue (Redis) goes away while counsellors work: what they do is committed and answered at
 * once, and what it asks for (her reply, her message's processing) happens once the queue is
 * back, once. Whether Redis refuses connections (it stopped) or takes them and never answers
 * (a partition, a hung server).
 */
describe("while the queue is down", () => {
  let s: ServiceUnderTest;
  afterEach(() => s.stop());

  it.each([
    ["refuses connections", "cut"],
    ["accepts connections and never answers", "hold"],
  ] as const)(
    "a counsellor's claim and reply are answered, and reach her once it is back, when Redis %s",
    async (_how, fault) => {
      s = await startServiceWithSimulator({
        preset: gunmaOpenAroundTheClock(),
        redisProxy: true,
      });
      const redis = s.redisProxy;
      if (!redis) throw new Error("no proxy");
      await account(s.db.prisma, "west", "counsellor", "seimo");
      const west = await ConsoleClient.signedIn(s.url, "west", PASSWORD);
      const her = s.sim.person();
      await handOff(her, "富岡");
      const { id } = await s.db.prisma.conversation.findFirstOrThrow({
        where: { person: { lineUserHash: sealer.hash(her.userId) } },
      });

      redis[fault]();
      // Answered from what was committed, not after the queue: never a 500, never a hang.
      expect((await west.call("POST", `/api/v1/conversations/${id}/claim`)).status).toBe(200);
      const sent = await west.call("POST", `/api/v1/conversations/${id}/messages`, {
        text: "キューが止まっていても届きます",
      });
      expect(sent.status).toBe(201);
      expect((await her.say("返事を待っています")).status).toBe(200);
      const ready = await fetch(`${s.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ failed: ["queue"] });
      expect(await s.db.prisma.conversation.findUniqueOrThrow({ where: { id } })).toMatchObject({
        status: "active",
      });
      expect(her.received().map((m) => m.text)).not.toContain("キューが止まっていても届きます");

      redis.restore();
      const reply = () =>
        Promise.resolve(
          her.received().filter((m) => m.text === "キューが止まっていても届きます").length,
        );
      await eventually(reply, (n) => n === 1, 45_000);
      await eventually(
        () =>
          messagesWithText(s.db.prisma, { conversationId: id }, "返事を待っています").then(
            (m) => m.length,
          ),
        (n) => n === 1,
        45_000,
      );
      // Nothing in the outbox is left behind, and nothing went twice.
      await eventually(
        () => s.db.prisma.jobOutbox.count({ where: { state: { not: "done" } } }),
        (n) => n === 0,
      );
      expect(await reply()).toBe(1);
    },
    120_000,
  );
});
