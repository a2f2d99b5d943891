import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import type { Page } from "playwright-core";
import { LineSimulator } from "../../src/simulator/line-simulator";
import { screenshot } from "../support/browser";
import { browserFixture } from "../support/browser-fixture";

const SECRET = "browser-test-channel-secret";
const TOKEN = "browser-test-access-token";

type Event = {
  type: string;
  deliveryContext: { isRedelivery: boolean };
  replyToken?: string;
  source: { userId: string };
  message?: { type: string; text?: string; markAsReadToken?: string };
  postback?: { data: string };
};

/**
 * A tiny echo bot: verifies the signature, then answers through the simulator's Messaging API
 * with plain fetch (the mount prefix would be dropped by @line/bot-sdk's URL joining).
 */
class EchoBot {
  readonly seen: Event[] = [];
  badSignatures = 0;
  failedCalls = 0;
  private server: Server | undefined;
  /** 「待って」 is answered only once the test has seen the loading animation and lets it go. */
  private letWaitingAnswer: () => void = () => undefined;
  private readonly waitingMayAnswer = new Promise<void>((resolve) => {
    this.letWaitingAnswer = resolve;
  });

  constructor(private readonly apiBase: string) {}

  /** Lets the bot answer 「待って」, which it holds with the loading animation on. */
  release(): void {
    this.letWaitingAnswer();
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks);
        res.writeHead(this.verify(raw, String(req.headers["x-line-signature"])) ? 200 : 401).end();
        const body = JSON.parse(raw.toString("utf8")) as { events: Event[] };
        for (const event of body.events) {
          this.handle(event).catch(() => (this.failedCalls += 1));
        }
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/callback`;
  }

  private verify(raw: Buffer, signature: string): boolean {
    const expected = createHmac("sha256", SECRET).update(raw).digest();
    const given = Buffer.from(signature, "base64");
    const ok = given.length === expected.length && timingSafeEqual(given, expected);
    if (!ok) this.badSignatures += 1;
    return ok;
  }

  private async handle(event: Event): Promise<void> {
    this.seen.push(event);
    // A real bot de-duplicates by webhookEventId; this one simply does not answer redeliveries.
    if (!event.replyToken || event.deliveryContext.isRedelivery) return;
    if (event.type === "follow")
      return this.reply(event, [
        { type: "text", text: "友だち追加ありがとうございます。ここは相談窓口です。" },
      ]);
    if (event.type === "postback") {
      return this.reply(event, [
        { type: "text", text: `受け取りました（${event.postback?.data ?? ""}）` },
      ]);
    }
    const message = event.message;
    if (message?.markAsReadToken)
      await this.api("/v2/bot/chat/markAsRead", { markAsReadToken: message.markAsReadToken });
    if (message?.text === "待って") {
      await this.api("/v2/bot/chat/loading/start", {
        chatId: event.source.userId,
        loadingSeconds: 5,
      });
      await this.waitingMayAnswer;
    }
    const echo =
      message?.type === "text" ? `「${message.text ?? ""}」ですね。` : "受け取りました。";
    await this.reply(event, [
      {
        type: "text",
        text: `${echo}いま安全に話せますか？`,
        quickReply: {
          items: [
            { type: "action", action: { type: "message", label: "はい", text: "はい、話せます" } },
            {
              type: "action",
              action: { type: "postback", label: "いいえ", data: "safe=no", displayText: "いいえ" },
            },
          ],
        },
      },
    ]);
  }

  private reply(event: Event, messages: unknown[]) {
    return this.api("/v2/bot/message/reply", { replyToken: event.replyToken, messages });
  }

  private async api(path: string, body: unknown): Promise<void> {
    const res = await fetch(this.apiBase + path, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path} answered ${res.status}`);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

describe("the simulator's chat page", () => {
  const suite = browserFixture(async () => {
    const sim = new LineSimulator({
      channelSecret: SECRET,
      channelAccessToken: TOKEN,
      botName: "ぐんま女性相談",
    });
    // Mounted under a prefix, as the demo does, to prove the page only uses relative URLs.
    const app = express();
    app.use("/simulator", sim.router());
    const host = await new Promise<Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    const origin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    const bot = new EchoBot(`${origin}/simulator`);
    sim.setWebhookUrl(await bot.start());
    return {
      origin,
      bot,
      async stop() {
        await sim.close();
        host.closeAllConnections();
        await new Promise<void>((resolve) => host.close(() => resolve()));
        await bot.stop();
      },
    };
  });

  async function newPerson(page: Page, name: string): Promise<void> {
    await page.goto(`${suite.target.origin}/simulator`);
    await page.fill("#new-person-name", name);
    await page.click('[data-testid="new-person"]');
    await page.locator("#me", { hasText: name }).waitFor();
  }

  const theirs = (page: Page) => page.locator('[data-testid="theirs"]');
  const mine = (page: Page) => page.locator('[data-testid="mine"]');

  async function say(page: Page, text: string): Promise<void> {
    await page.fill('[data-testid="text"]', text);
    await page.press('[data-testid="text"]', "Enter");
  }

  it("lets a person follow, chat in Japanese, tap a quick reply and block", async () => {
    const { browser } = suite;
    const { bot } = suite.target;
    const page = await browser.newPage({ viewport: { width: 1000, height: 860 } });
    await newPerson(page, "さくら");
    await screenshot(page, "01-new-person");

    await page.click('[data-testid="follow"]');
    await theirs(page).first().getByText("友だち追加ありがとうございます").waitFor();

    await say(page, "こんにちは。夫のことで相談したいです🙏");
    await theirs(page)
      .nth(1)
      .getByText("「こんにちは。夫のことで相談したいです🙏」ですね")
      .waitFor();
    await mine(page).first().locator('[data-testid="read"]', { hasText: "既読" }).waitFor();
    await page.locator('[data-testid="quick-reply"]', { hasText: "はい" }).waitFor();
    await screenshot(page, "02-reply-with-quick-reply");

    await page.click('[data-testid="quick-reply"] >> text=いいえ');
    await mine(page).nth(1).getByText("いいえ").waitFor();
    await theirs(page).nth(2).getByText("受け取りました（safe=no）").waitFor();
    expect(bot.seen.at(-1)).toMatchObject({ type: "postback", postback: { data: "safe=no" } });

    await say(page, "待って");
    await page.locator('[data-testid="loading"]').waitFor();
    await screenshot(page, "03-loading");
    // The animation shows while the bot holds its answer, and the answer ends it.
    bot.release();
    await theirs(page).nth(3).getByText("「待って」ですね").waitFor();
    await expect(page.locator('[data-testid="loading"]').count()).resolves.toBe(0);

    await page.click('[data-testid="quick-reply"] >> text=はい');
    await mine(page).getByText("はい、話せます").waitFor();

    await page.click('[data-testid="sticker-button"]');
    await page.locator('[data-testid="sticker"]').first().click();
    await theirs(page).nth(5).waitFor();
    expect(bot.seen.at(-1)).toMatchObject({ type: "message", message: { type: "sticker" } });

    await page.setInputFiles('[data-testid="image-input"]', {
      name: "photo.png",
      mimeType: "image/png",
      buffer: Buffer.from(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
        "base64",
      ),
    });
    await mine(page).locator("img.photo").waitFor();
    await theirs(page).nth(6).waitFor();

    await screenshot(page, "04-conversation");

    await page.click('[data-testid="menu"]');
    await page.click('[data-testid="block"]');
    await page.locator(".system", { hasText: "ブロックしました" }).waitFor();
    await page.locator('[data-testid="follow"]', { hasText: "ブロック解除" }).waitFor();
    await screenshot(page, "05-blocked");
    expect(bot.seen.at(-1)).toMatchObject({ type: "unfollow" });
    expect(bot.badSignatures).toBe(0);
    await page.close();
  });

  it("shows text literally, including markup, long text and emoji", async () => {
    const { browser } = suite;
    const { bot } = suite.target;
    const page = await browser.newPage({ viewport: { width: 1000, height: 860 } });
    await newPerson(page, "ゆい");
    await page.click('[data-testid="follow"]');
    await theirs(page).first().waitFor();

    const markup = '<img src=x onerror="window.__pwned=1"><b>太字</b>';
    await say(page, markup);
    await mine(page).getByText(markup).waitFor();
    expect(await page.locator('[data-testid="messages"] b').count()).toBe(0);
    expect(
      await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
    ).toBeUndefined();

    const unsendable = mine(page).first();
    await unsendable.hover();
    await unsendable.locator('[data-testid="unsend"]').click();
    await page.locator(".system", { hasText: "メッセージの送信を取り消しました" }).waitFor();
    expect(bot.seen.at(-1)).toMatchObject({ type: "unsend" });

    const long = "長い相談です。".repeat(120) + "👩‍👧";
    await say(page, long);
    await theirs(page).nth(2).waitFor();
    expect(await mine(page).last().innerText()).toContain("👩‍👧");
    await screenshot(page, "06-long-and-markup");
    await page.close();
  });

  it("keeps several people's chats apart and redelivers an event on request", async () => {
    const { browser } = suite;
    const { bot } = suite.target;
    const first = await browser.newPage({ viewport: { width: 1000, height: 860 } });
    const second = await browser.newPage({ viewport: { width: 1000, height: 860 } });
    await newPerson(first, "あや");
    await newPerson(second, "みく");
    await Promise.all([
      first.click('[data-testid="follow"]'),
      second.click('[data-testid="follow"]'),
    ]);
    await say(first, "あやです");
    await say(second, "みくです");
    await theirs(first).getByText("「あやです」ですね").waitFor();
    await theirs(second).getByText("「みくです」ですね").waitFor();
    expect(await first.getByText("みくです").count()).toBe(0);

    const before = bot.seen.length;
    await first
      .locator('[data-testid="event-row"]')
      .first()
      .locator('[data-testid="redeliver"]')
      .click();
    await first.locator('[data-testid="event-row"]', { hasText: "（再送）" }).waitFor();
    expect(bot.seen.length).toBe(before + 1);
    expect(bot.seen.at(-1)?.deliveryContext).toEqual({ isRedelivery: true });
    expect(bot.failedCalls).toBe(0);
    await screenshot(first, "07-redelivered");
    await first.close();
    await second.close();
  });
});
