import { Readable } from "node:stream";
import { HTTPFetchError, type webhook } from "@line/bot-sdk";
import { DEFAULT_WEBHOOK_SPEC, OpenApiValidator } from "../../../src/simulator/openapi-validator";
import { lastReplyToken, startHarness, type Harness } from "./simulator-harness";

const webhookSpec = new OpenApiValidator({ specPath: DEFAULT_WEBHOOK_SPEC });

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

function messageOf(event: webhook.Event): webhook.MessageContent {
  if (event.type !== "message") throw new Error(`expected a message event, got ${event.type}`);
  return event.message;
}

describe("webhook events as LINE sends them", () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.close());

  it("signs every post and shapes events per webhook.yml", async () => {
    const hana = h.sim.person();
    await hana.follow();
    await hana.say("はじめまして。夫のことで相談があります😢\n長くなります");
    await hana.sendSticker();
    await hana.sendImage();
    await hana.tapPostback("action=consult&topic=dv", "DVについて");
    await hana.unfollow();

    expect(h.bot.received.every((r) => r.signatureValid)).toBe(true);
    for (const { body } of h.bot.received) {
      expect(webhookSpec.validateSchema("CallbackRequest", body)).toEqual([]);
      expect(body.destination).toBe(h.sim.botUserId);
    }
    const events = h.bot.events();
    expect(events.map((e) => e.type)).toEqual([
      "follow",
      "message",
      "message",
      "message",
      "postback",
      "unfollow",
    ]);
    for (const event of events) {
      expect(event.webhookEventId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(event).toMatchObject({
        mode: "active",
        deliveryContext: { isRedelivery: false },
        source: { type: "user", userId: hana.userId },
      });
      expect(typeof event.timestamp).toBe("number");
    }
    expect(new Set(events.map((e) => e.webhookEventId)).size).toBe(events.length);
    expect(events[0]).toMatchObject({ follow: { isUnblocked: false } });
    expect(messageOf(events[1]!)).toMatchObject({
      type: "text",
      text: "はじめまして。夫のことで相談があります😢\n長くなります",
    });
    expect(messageOf(events[3]!)).toMatchObject({
      type: "image",
      contentProvider: { type: "line" },
    });
    expect(events[4]).toMatchObject({ postback: { data: "action=consult&topic=dv" } });
    expect("replyToken" in events[5]!).toBe(false);
    expect(hana.lastWebhookStatus).toBe(200);
  });

  it("verifies the webhook with an empty, signed event list", async () => {
    expect(await h.sim.verifyWebhook()).toBe(200);
    const last = h.bot.received.at(-1);
    expect(last?.body).toEqual({ destination: h.sim.botUserId, events: [] });
    expect(last?.signatureValid).toBe(true);
  });

  it("reports an unblock as follow with isUnblocked", async () => {
    const hana = h.sim.person();
    await hana.follow();
    await hana.unfollow();
    await hana.follow();
    expect(h.bot.lastEvent()).toMatchObject({ type: "follow", follow: { isUnblocked: true } });
  });

  it("redelivers an event with the same id and isRedelivery true, recording each status", async () => {
    const hana = h.sim.person();
    await hana.follow();
    h.bot.status = 500;
    const sent = await hana.say("届いていますか");
    expect(hana.lastWebhookStatus).toBe(500);
    h.bot.status = 200;
    await hana.redeliver(sent.webhookEventId);

    const [original, again] = h.bot.events().slice(-2);
    expect(again?.webhookEventId).toBe(original?.webhookEventId);
    expect(again?.deliveryContext).toEqual({ isRedelivery: true });
    expect(messageOf(again!)).toEqual(messageOf(original!));
    const records = h.sim.events().filter((r) => r.webhookEventId === sent.webhookEventId);
    expect(records.map((r) => [r.isRedelivery, r.status])).toEqual([
      [false, 500],
      [true, 200],
    ]);
  });

  it("sends unsend with the message id", async () => {
    const hana = h.sim.person();
    await hana.follow();
    const { messageId } = await hana.say("やっぱり消します");
    await hana.unsend(messageId!);
    expect(h.bot.lastEvent()).toMatchObject({ type: "unsend", unsend: { messageId } });
  });

  it("turns quick-reply taps into the events their action types send", async () => {
    const hana = h.sim.person();
    await hana.follow();
    await h.client.replyMessage({
      replyToken: lastReplyToken(h.bot),
      messages: [
        {
          type: "text",
          text: "いま安全に話せますか？",
          quickReply: {
            items: [
              {
                type: "action",
                action: { type: "message", label: "はい", text: "はい、話せます" },
              },
              {
                type: "action",
                action: {
                  type: "postback",
                  label: "いいえ",
                  data: "safe=no",
                  displayText: "いいえ",
                },
              },
            ],
          },
        },
      ],
    });
    expect((await hana.nextMessage()).quickReplyLabels).toEqual(["はい", "いいえ"]);
    await hana.tapQuickReply("はい");
    expect(messageOf(h.bot.lastEvent())).toMatchObject({ type: "text", text: "はい、話せます" });
    await hana.tapQuickReply("いいえ");
    expect(h.bot.lastEvent()).toMatchObject({ type: "postback", postback: { data: "safe=no" } });
    await expect(hana.tapQuickReply("たぶん")).rejects.toThrow(/No quick reply "たぶん"/);
  });

  it("lets a blocked person do nothing until she unblocks", async () => {
    const hana = h.sim.person();
    await hana.follow();
    await hana.block();
    await expect(hana.say("x")).rejects.toThrow(/blocked/);
  });
});

describe("loading, read receipts, profile and content", () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.close());

  it("shows the loading animation until the next message arrives", async () => {
    const hana = h.sim.person();
    await hana.follow();
    expect(h.sim.loadingShown(hana.userId)).toBe(false);
    await h.client.showLoadingAnimation({ chatId: hana.userId, loadingSeconds: 10 });
    expect(h.sim.loadingShown(hana.userId)).toBe(true);
    expect(h.sim.loadingVisible(hana.userId)).toBe(true);
    await h.client.pushMessage({
      to: hana.userId,
      messages: [{ type: "text", text: "お待たせしました" }],
    });
    expect(h.sim.loadingVisible(hana.userId)).toBe(false);
    expect(h.sim.loadingShown(hana.userId)).toBe(true);
  });

  it("refuses loading seconds outside 5–60 or not a multiple of 5", async () => {
    const hana = h.sim.person();
    await hana.follow();
    for (const loadingSeconds of [3, 61, 12]) {
      const error: unknown = await h.client
        .showLoadingAnimation({ chatId: hana.userId, loadingSeconds })
        .catch((e: unknown) => e);
      expect((error as HTTPFetchError).status).toBe(400);
    }
  });

  it("shows 既読 on her message and the ones before it once markAsRead is called", async () => {
    const hana = h.sim.person();
    await hana.follow();
    const first = await hana.say("一通目");
    const second = await hana.say("二通目");
    const third = await hana.say("三通目");
    expect(h.sim.isRead(first.messageId!)).toBe(false);
    const secondEvent = h.bot.events().find((e) => e.webhookEventId === second.webhookEventId);
    const token = (messageOf(secondEvent!) as webhook.TextMessageContent).markAsReadToken!;

    await h.client.markMessagesAsReadByToken({ markAsReadToken: token });
    expect([first, second, third].map((m) => hana.isRead(m.messageId!))).toEqual([
      true,
      true,
      false,
    ]);

    const error: unknown = await h.client
      .markMessagesAsReadByToken({ markAsReadToken: "nope" })
      .catch((e: unknown) => e);
    expect((error as HTTPFetchError).status).toBe(400);
  });

  it("gives the profile of a friend only", async () => {
    const hana = h.sim.person("はな");
    expect(await h.client.getProfile(hana.userId).catch((e: HTTPFetchError) => e.status)).toBe(404);
    await hana.follow();
    expect(await h.client.getProfile(hana.userId)).toEqual({
      userId: hana.userId,
      displayName: "はな",
      language: "ja",
    });
    await hana.block();
    expect(await h.client.getProfile(hana.userId).catch((e: HTTPFetchError) => e.status)).toBe(404);
  });

  it("serves the image she sent on the data API", async () => {
    const hana = h.sim.person();
    await hana.follow();
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5]);
    const { messageId } = await hana.sendImage(bytes, "image/png");
    expect(await readAll(await h.blob.getMessageContent(messageId!))).toEqual(bytes);
    const missing: unknown = await h.blob.getMessageContent("123").catch((e: unknown) => e);
    expect((missing as HTTPFetchError).status).toBe(404);
  });

  it("logs every call with method, path, retry key, body and status", async () => {
    const hana = h.sim.person();
    await hana.follow();
    await h.client.showLoadingAnimation({ chatId: hana.userId });
    expect(h.sim.requests()).toEqual([
      expect.objectContaining({
        method: "POST",
        path: "/v2/bot/chat/loading/start",
        body: { chatId: hana.userId },
        status: 202,
        retryKey: undefined,
        headers: expect.objectContaining({ authorization: "Bearer [redacted]" }) as unknown,
      }),
    ]);
  });
});
