import { randomUUID } from "node:crypto";
import { HTTPFetchError } from "@line/bot-sdk";
import { call, lastReplyToken, startHarness, type Harness } from "./simulator-harness";

/** Awaits a rejected SDK call and returns LINE's status, headers and parsed JSON error body. */
async function lineError(promise: Promise<unknown>) {
  const error: unknown = await promise.then(
    () => new Error("expected the call to fail"),
    (e: unknown) => e,
  );
  if (!(error instanceof HTTPFetchError)) throw error;
  return { status: error.status, headers: error.headers, body: JSON.parse(error.body) as unknown };
}

const text = (t: string) => ({ type: "text" as const, text: t });

describe("reply tokens", () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.close());

  it("delivers a reply to her once, then refuses the same token", async () => {
    const hana = h.sim.person("はな");
    await hana.follow();
    await hana.say("こんにちは、相談したいです");
    const replyToken = lastReplyToken(h.bot);

    const ok = await h.client.replyMessage({
      replyToken,
      messages: [text("お話を聞かせてください🌷")],
    });
    expect(ok.sentMessages).toHaveLength(1);
    expect(ok.sentMessages[0]?.id).toMatch(/^\d+$/);
    expect(ok.sentMessages[0]?.quoteToken).toBeTruthy();
    const message = await hana.nextMessage({ timeoutMs: 1000 });
    expect(message).toMatchObject({ via: "reply", text: "お話を聞かせてください🌷" });

    const again = await lineError(h.client.replyMessage({ replyToken, messages: [text("2回目")] }));
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ message: "Invalid reply token" });
    expect(hana.received()).toHaveLength(1);
  });

  it("refuses a reply token after about a minute", async () => {
    const hana = h.sim.person();
    await hana.follow();
    const replyToken = lastReplyToken(h.bot);
    h.clock.now += 61_000;

    const late = await lineError(h.client.replyMessage({ replyToken, messages: [text("遅い")] }));
    expect(late.status).toBe(400);
    expect(late.body).toEqual({ message: "Invalid reply token" });
    expect(hana.received()).toEqual([]);
  });

  it("keeps a token usable when the first reply was rejected for its content", async () => {
    const hana = h.sim.person();
    await hana.follow();
    const replyToken = lastReplyToken(h.bot);
    const bad = await lineError(h.client.replyMessage({ replyToken, messages: [text("")] }));
    expect(bad.status).toBe(400);
    await h.client.replyMessage({ replyToken, messages: [text("ようこそ")] });
    expect((await hana.nextMessage()).text).toBe("ようこそ");
  });

  it("refuses a token nobody issued", async () => {
    const result = await lineError(
      h.client.replyMessage({ replyToken: "0".repeat(32), messages: [text("x")] }),
    );
    expect(result.status).toBe(400);
    expect(result.body).toEqual({ message: "Invalid reply token" });
  });
});

describe("push and X-Line-Retry-Key", () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.close());

  it("answers a repeated retry key with 409 and the accepted request id, delivering once", async () => {
    const hana = h.sim.person();
    await hana.follow();
    const retryKey = randomUUID();
    const request = { to: hana.userId, messages: [text("相談員の田中です。")] };

    const first = await h.client.pushMessageWithHttpInfo(request, retryKey);
    const requestId = first.httpResponse.headers.get("x-line-request-id");
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    const repeat = await lineError(h.client.pushMessage(request, retryKey));
    expect(repeat.status).toBe(409);
    expect(repeat.headers.get("x-line-accepted-request-id")).toBe(requestId);
    expect(repeat.body).toEqual({
      message: "The retry key is already accepted",
      sentMessages: first.body.sentMessages,
    });
    expect(hana.received().map((m) => m.text)).toEqual(["相談員の田中です。"]);
    expect(h.sim.requests().map((r) => [r.retryKey, r.status])).toEqual([
      [retryKey, 200],
      [retryKey, 409],
    ]);
  });

  it("accepts a new key after a failed attempt with the same content", async () => {
    const hana = h.sim.person();
    await hana.follow();
    h.sim.injectFault({ status: 500, count: 1 });
    const retryKey = randomUUID();
    const request = { to: hana.userId, messages: [text("再送テスト")] };
    expect((await lineError(h.client.pushMessage(request, retryKey))).status).toBe(500);
    // A 5xx was never accepted, so retrying with the same key delivers.
    await h.client.pushMessage(request, retryKey);
    expect(hana.received()).toHaveLength(1);
  });

  it("rejects a retry key that is not a UUID", async () => {
    const hana = h.sim.person();
    await hana.follow();
    const result = await lineError(
      h.client.pushMessage({ to: hana.userId, messages: [text("x")] }, "not-a-uuid"),
    );
    expect(result.status).toBe(400);
  });

  it("answers 200 but delivers nothing to a person who blocked the account, as LINE does", async () => {
    const hana = h.sim.person();
    await hana.follow();
    await hana.unfollow();
    expect(hana.state).toBe("blocked");
    const result = await h.client.pushMessage({ to: hana.userId, messages: [text("届かない")] });
    expect(result.sentMessages).toHaveLength(1);
    expect(hana.received()).toEqual([]);
    await expect(hana.nextMessage({ timeoutMs: 100 })).rejects.toThrow(/No message/);
  });

  it("fails for a user id that does not exist, and for a malformed `to`", async () => {
    const unknown = await lineError(
      h.client.pushMessage({ to: "U" + "a".repeat(32), messages: [text("x")] }),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ message: "Failed to send messages" });
    const malformed = await lineError(
      h.client.pushMessage({ to: "someone", messages: [text("x")] }),
    );
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({
      message: "The property, 'to', in the request body is invalid (line: -, column: -)",
    });
  });

  it("delivers pushes to several people chatting at once, each to the right one", async () => {
    const people = [h.sim.person("あや"), h.sim.person("みく"), h.sim.person("えり")];
    await Promise.all(people.map((p) => p.follow()));
    await Promise.all(
      people.map((p) =>
        h.client.pushMessage({ to: p.userId, messages: [text(`${p.displayName}さんへ`)] }),
      ),
    );
    for (const p of people) expect((await p.nextMessage()).text).toBe(`${p.displayName}さんへ`);
  });
});

describe("authentication", () => {
  let h: Harness;
  beforeAll(async () => (h = await startHarness()));
  afterAll(() => h.close());

  it("answers 401 to a missing or wrong bearer token, with a request id", async () => {
    const missing = await call(h.baseUrl, "/v2/bot/message/push", { token: null, body: {} });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({
      message:
        "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'",
    });
    expect(missing.headers.get("x-line-request-id")).toBeTruthy();

    const { messagingApi } = await import("@line/bot-sdk");
    const wrong = new messagingApi.MessagingApiClient({
      channelAccessToken: "wrong",
      baseURL: h.baseUrl,
    });
    const result = await lineError(wrong.getBotInfo());
    expect(result.status).toBe(401);
    expect(JSON.stringify(result.body)).toContain("invalid token");
  });

  it("never records the token itself in the request log", async () => {
    await h.client.getBotInfo();
    const logged = JSON.stringify(h.sim.requests());
    expect(logged).not.toContain("sim-test-access-token");
    expect(logged).not.toContain("wrong");
  });
});
