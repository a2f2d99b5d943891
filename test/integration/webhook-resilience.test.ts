import { startRuntime } from "../../src/main/runtime";
import { eventually } from "../support/eventually";
import { createTestDatabase, createTestRedisUrl, testConfig } from "../support/test-env";
import { body, newUserId, postBytes, postWebhook, textEvent } from "../support/webhook-client";
import { messagesWithText } from "../support/sealed";

// Deadlines, not speed goals: each test starts one or two runtimes (the worker loads the
// Japanese dictionary), which takes a few seconds alone and several times that under CI's load.
describe("webhook when parts are down", () => {
  it("still stores and acknowledges events while the queue is down, and processes them once it is back", async () => {
    const db = await createTestDatabase();
    const deadRedis = "redis://127.0.0.1:1";
    const web = await startRuntime(testConfig({ databaseUrl: db.url, redisUrl: deadRedis }), {
      web: true,
      worker: false,
    });
    try {
      const url = web.url ?? "";
      const events = [
        textEvent(newUserId(), "キューが止まっている間1"),
        textEvent(newUserId(), "キューが止まっている間2"),
      ];
      expect((await postWebhook(url, body(events))).status).toBe(200);
      expect(await db.prisma.webhookEvent.count({ where: { status: "received" } })).toBe(2);
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ failed: ["queue"] });

      // The queue comes back: a worker on it finds the stored events by itself.
      const worker = await startRuntime(
        testConfig({ databaseUrl: db.url, redisUrl: await createTestRedisUrl() }),
        {
          web: false,
          worker: true,
          sweepIntervalMs: 100,
          sweepGraceMs: 0,
        },
      );
      try {
        await eventually(
          () =>
            messagesWithText(db.prisma, { direction: "in" }, (t) =>
              t.startsWith("キューが止まっている間"),
            ).then((m) => m.length),
          (n) => n === 2,
        );
        expect(await db.prisma.webhookEvent.count({ where: { status: "processed" } })).toBe(2);
      } finally {
        await worker.stop();
      }
    } finally {
      await web.stop();
      await db.drop();
    }
  }, 90_000);

  it("answers 503, never 200, when the database cannot store the events, and still 400 to a body it cannot read", async () => {
    const db = await createTestDatabase();
    const web = await startRuntime(
      testConfig({ databaseUrl: db.url, redisUrl: await createTestRedisUrl() }),
      {
        web: true,
        worker: false,
      },
    );
    try {
      const url = web.url ?? "";
      await db.drop(); // the database disappears under the running service
      const res = await postWebhook(url, body([textEvent(newUserId(), "保存できない")]));
      expect(res).toMatchObject({ status: 503, json: { code: "STORE_UNAVAILABLE" } });
      // A body that can never be read is refused for good, storage or not.
      const garbage = await postBytes(url, Buffer.from("not gzip"), { "content-encoding": "gzip" });
      expect(garbage).toMatchObject({ status: 400, json: { code: "BODY_UNREADABLE" } });
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ failed: ["database"] });
    } finally {
      await web.stop().catch(() => undefined);
    }
  });
});
