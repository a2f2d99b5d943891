import { randomUUID } from "node:crypto";
import { HTTPFetchError } from "@line/bot-sdk";
import { eventually } from "../../support/eventually";
import { lastReplyToken, startHarness, type Harness } from "./simulator-harness";

async function statusOf(promise: Promise<unknown>): Promise<number | string> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof HTTPFetchError) return error.status;
    return (error as { name?: string }).name ?? "unknown";
  }
}

describe("fault injection", () => {
  let h: Harness;
  let to: string;
  const message = { type: "text" as const, text: "テスト" };
  beforeEach(async () => {
    h = await startHarness({ faultTimeoutMs: 2000 });
    const hana = h.sim.person();
    await hana.follow();
    to = hana.userId;
  });
  afterEach(() => h.close());

  it("makes the next N calls fail with 500, then lets calls through", async () => {
    h.sim.injectFault({ status: 500, count: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push(await statusOf(h.client.pushMessage({ to, messages: [message] })));
    }
    expect(statuses).toEqual([500, 500, 200]);
    expect(h.sim.personById(to)?.received()).toHaveLength(1);
  });

  it("answers 429 with LINE's error body", async () => {
    h.sim.injectFault({ status: 429, count: 1 });
    const error: unknown = await h.client
      .pushMessage({ to, messages: [message] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPFetchError);
    const fetchError = error as HTTPFetchError;
    expect(fetchError.status).toBe(429);
    expect(JSON.parse(fetchError.body)).toEqual({ message: "Too many requests" });
    expect(fetchError.headers.get("x-line-request-id")).toBeTruthy();
  });

  it("holds a call without an answer so the caller times out, and delivers nothing", async () => {
    h.sim.injectFault({ status: "timeout", count: 1 });
    const result = await fetch(`${h.baseUrl}/v2/bot/message/push`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: "Bearer sim-test-access-token",
      },
      body: JSON.stringify({ to, messages: [message] }),
      signal: AbortSignal.timeout(300),
    }).then(
      (r) => r.status,
      // Duck-typed: fetch's errors come from another realm than jest's globals.
      (e: unknown) => (e as { name?: string }).name,
    );
    // The caller's own timeout ended it: the simulator neither answered nor cut the connection.
    expect(result).toBe("TimeoutError");
    expect(h.sim.requests().at(-1)?.status).toBe("timeout");
    expect(h.sim.personById(to)?.received()).toEqual([]);
    expect(await statusOf(h.client.pushMessage({ to, messages: [message] }))).toBe(200);
  });

  it("loses the answer of a push it accepted: delivered once, and the same retry key meets 409", async () => {
    h.sim.injectFault({ status: "lost-response", count: 1, path: "/v2/bot/message/push" });
    const retryKey = randomUUID();
    const first = await statusOf(h.client.pushMessage({ to, messages: [message] }, retryKey));
    // The caller sees a cut connection, not an HTTP status.
    expect(first).toBe("TypeError");
    expect(h.sim.requests().at(-1)?.status).toBe("lost-response");
    expect(h.sim.personById(to)?.received()).toHaveLength(1);
    expect(await statusOf(h.client.pushMessage({ to, messages: [message] }, retryKey))).toBe(409);
    expect(h.sim.personById(to)?.received()).toHaveLength(1);
  });

  it("loses the answer of a reply it accepted: delivered, and the token is spent", async () => {
    const hana = h.sim.personById(to)!;
    await hana.say("こんにちは");
    const replyToken = lastReplyToken(h.bot);
    h.sim.injectFault({ status: "lost-response", count: 1, path: "/v2/bot/message/reply" });
    expect(await statusOf(h.client.replyMessage({ replyToken, messages: [message] }))).toBe(
      "TypeError",
    );
    expect(hana.received().map((m) => m.via)).toEqual(["reply"]);
    expect(await statusOf(h.client.replyMessage({ replyToken, messages: [message] }))).toBe(400);
    expect(hana.received()).toHaveLength(1);
  });

  it("limits a fault to one path when asked", async () => {
    h.sim.injectFault({ status: 500, count: 1, path: "/v2/bot/chat/loading/start" });
    expect(await statusOf(h.client.pushMessage({ to, messages: [message] }))).toBe(200);
    expect(await statusOf(h.client.showLoadingAnimation({ chatId: to }))).toBe(500);
    expect(await statusOf(h.client.showLoadingAnimation({ chatId: to }))).toBe(200);
  });

  it("closes while a call is being held, cutting the call rather than waiting for the hold", async () => {
    // Held far longer than the test may run: only close() can end this call.
    const held = await startHarness({ faultTimeoutMs: 3_600_000 });
    try {
      held.sim.injectFault({ status: "timeout", count: 1 });
      const pending = fetch(`${held.baseUrl}/v2/bot/info`, {
        headers: { authorization: "Bearer sim-test-access-token" },
      }).catch((e: unknown) => e);
      await eventually(
        () => Promise.resolve(held.sim.requests().at(-1)?.status),
        (status) => status === "timeout",
      );
      await held.sim.close();
      expect(await pending).toMatchObject({ name: "TypeError", message: "fetch failed" });
    } finally {
      await held.close();
    }
  });
});
