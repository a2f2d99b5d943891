import { createSealer } from "../../src/privacy/sealer";
import { account, ConsoleClient, PASSWORD, type LiveEvent } from "../support/console-client";
import { eventually } from "../support/eventually";
import { handOff } from "../support/handoff";
import { gunmaOpenAroundTheClock } from "../support/presets";
import { startServiceWithSimulator } from "../support/service-harness";
import { testConfig } from "../support/test-env";
import { messagesWithText } from "../support/sealed";

const sealer = createSealer(testConfig({ databaseUrl: "" }).appSecretKey);

describe("when the database goes away and comes back", () => {
  it("answers LINE 503 meanwhile, stores the redelivery once, and the console catches up and goes on live", async () => {
    const s = await startServiceWithSimulator({
      preset: gunmaOpenAroundTheClock(),
      databaseProxy: true,
    });
    try {
      const proxy = s.databaseProxy;
      if (!proxy) throw new Error("no proxy");
      await account(s.db.prisma, "west", "counsellor", "seimo");
      const west = await ConsoleClient.signedIn(s.url, "west", PASSWORD);
      const her = s.sim.person();
      await handOff(her, "富岡");
      const conversation = await s.db.prisma.conversation.findFirstOrThrow({
        where: { person: { lineUserHash: sealer.hash(her.userId) } },
      });
      const live = await west.events();
      const sinceOutage = (mark: number, event: string) =>
        live.received
          .slice(mark)
          .filter(
            (e: LiveEvent) =>
              e.event === event &&
              (event === "resync" ||
                (e.data as { conversationId?: string }).conversationId === conversation.id),
          ).length;

      try {
        proxy.cut();
        const mark = live.received.length;
        const during = await her.say("聞こえていますか");
        expect(during.status).toBe(503); // never 200 for what is not stored
        const ready = await fetch(`${s.url}/readyz`);
        expect(ready.status).toBe(503);
        expect(await ready.json()).toMatchObject({ failed: ["database"] });
        // Down until the service, unasked, has tried the database again and been refused (the
        // outbox sweep, the live events listener reconnecting): the outage outlasts a retry of
        // its own, not only the requests of this test.
        const refusedSoFar = proxy.refused;
        await eventually(
          () => Promise.resolve(proxy.refused),
          (n) => n > refusedSoFar,
        );
        proxy.restore();

        // LINE redelivers the event it could not hand over; it is stored and shown once.
        await eventually(
          () => her.redeliver(during.webhookEventId),
          (r) => r.status === 200,
        );
        // Notices of that time are lost: the console is told to fetch all it shows again, and
        // then finds her message there, once.
        await eventually(
          () => Promise.resolve(sinceOutage(mark, "resync")),
          (n) => n >= 1,
        );
        const texts = async () => {
          const view = await west.get(`/api/v1/conversations/${conversation.id}`);
          return (view.json.messages as unknown as { text: string | null }[]).map((m) => m.text);
        };
        await eventually(texts, (t) => t.includes("聞こえていますか"));
        // From then on, her messages come live again.
        const afterwards = live.received.length;
        await her.say("また書きます");
        await eventually(
          () => Promise.resolve(sinceOutage(afterwards, "message")),
          (n) => n >= 1,
        );
        const shown = await texts();
        expect(shown.filter((t) => t === "聞こえていますか")).toHaveLength(1);
        expect(shown).toContain("また書きます");
        expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
      } finally {
        live.close();
      }
    } finally {
      await s.stop();
    }
  }, 60_000);

  it("records a reply LINE took while the database was down, and never sends it again", async () => {
    // The service's clock, moved on below so that her reply token is stale by the time the
    // database is back: a send tried again then could only be a second copy, as a push.
    let aheadMs = 0;
    const s = await startServiceWithSimulator({
      preset: gunmaOpenAroundTheClock(),
      databaseProxy: true,
      now: () => new Date(Date.now() + aheadMs),
    });
    try {
      const proxy = s.databaseProxy;
      if (!proxy) throw new Error("no proxy");
      await account(s.db.prisma, "west", "counsellor", "seimo");
      const west = await ConsoleClient.signedIn(s.url, "west", PASSWORD);
      const her = s.sim.person();
      await handOff(her, "富岡");
      const conversation = await s.db.prisma.conversation.findFirstOrThrow({
        where: { person: { lineUserHash: sealer.hash(her.userId) } },
      });
      expect((await west.post(`/api/v1/conversations/${conversation.id}/claim`)).status).toBe(200);
      await her.say("いますか");
      await eventually(
        () =>
          messagesWithText(
            s.db.prisma,
            { conversationId: conversation.id, replyToken: { not: null } },
            "いますか",
          ).then((m) => m[0] ?? null),
        (m) => m !== null,
      );

      // LINE holds the reply a moment; the database goes while it does.
      s.sim.injectFault({ status: "slow", delayMs: 1000, count: 1, path: "/message/reply" });
      const text = "はい、ここにいます";
      expect(
        (await west.post(`/api/v1/conversations/${conversation.id}/messages`, { text })).status,
      ).toBe(201);
      const replies = () =>
        s.sim.requests().filter((r) => r.path === "/v2/bot/message/reply" && hasText(r.body, text));
      await eventually(
        () => Promise.resolve(replies()),
        (r) => r.length === 1,
      );
      proxy.cut();
      try {
        await eventually(
          () => Promise.resolve(her.received().filter((m) => m.text === text).length),
          (n) => n === 1,
        );
        // The worker has tried to write LINE's answer and found the database gone.
        const refusedSoFar = proxy.refused;
        await eventually(
          () => Promise.resolve(proxy.refused),
          (n) => n > refusedSoFar,
        );
        aheadMs = 60_000;
      } finally {
        proxy.restore();
      }

      const delivery = await eventually(
        () =>
          messagesWithText(s.db.prisma, { conversationId: conversation.id }, text).then(
            (m) => m[0]?.delivery ?? null,
          ),
        (d) => d !== null && d.status !== "pending",
      );
      expect(delivery).toMatchObject({ method: "reply", status: "sent", replyToken: null });
      // Once on her phone, by the reply alone: no push of it followed.
      const pushes = s.sim
        .requests()
        .filter((r) => r.path === "/v2/bot/message/push" && hasText(r.body, text));
      expect(pushes).toEqual([]);
      expect(her.received().filter((m) => m.text === text)).toHaveLength(1);
    } finally {
      await s.stop();
    }
  }, 60_000);

  it.each([
    ["refuses connections", "cut"],
    ["accepts connections and never answers", "hold"],
  ] as const)(
    "answers a counsellor 503 SERVICE_UNAVAILABLE within seconds when it %s, and serves her again after",
    async (_how, fault) => {
      const s = await startServiceWithSimulator({ databaseProxy: true });
      try {
        const proxy = s.databaseProxy;
        if (!proxy) throw new Error("no proxy");
        await account(s.db.prisma, "west", "counsellor", "seimo");
        const west = await ConsoleClient.signedIn(s.url, "west", PASSWORD);
        proxy[fault]();
        let during: { status: number; json: unknown };
        try {
          // Bounded by the test, not by the service: a hang fails here rather than time out.
          during = await Promise.race([
            west.get("/api/v1/queue"),
            new Promise<{ status: number; json: unknown }>((resolve) =>
              setTimeout(() => resolve({ status: 0, json: "no answer in 20 s" }), 20_000),
            ),
          ]);
        } finally {
          proxy.restore();
        }
        expect(during).toMatchObject({ status: 503, json: { code: "SERVICE_UNAVAILABLE" } });
        await eventually(
          () => west.get("/api/v1/queue").then((r) => r.status),
          (status) => status === 200,
        );
      } finally {
        await s.stop();
      }
    },
    60_000,
  );
});

function hasText(body: unknown, text: string): boolean {
  const messages = (body as { messages?: { text?: string }[] } | undefined)?.messages ?? [];
  return messages.some((m) => m.text === text);
}
