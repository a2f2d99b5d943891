import type { Page, Route } from "playwright-core";
import { createSealer } from "../../src/privacy/sealer";
import type { SimulatedPerson } from "../../src/simulator/simulated-person";
import { serviceBrowserFixture } from "../support/browser-fixture";
import { handOverFrom, itemSaying, openConsole } from "../support/console-page";
import { eventually } from "../support/eventually";
import { gunmaOpenAroundTheClock } from "../support/presets";
import { testConfig } from "../support/test-env";
import { messagesWithText } from "../support/sealed";

const sealer = createSealer(testConfig({ databaseUrl: "" }).appSecretKey);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The network loses the server's answer to a counsellor's reply (the reply itself got through).
 * The page asks again with the same Idempotency-Key: she gets the reply once, and the counsellor
 * is never left unsure whether it went.
 */
describe("a counsellor's reply whose answer the network lost", () => {
  const suite = serviceBrowserFixture({
    preset: gunmaOpenAroundTheClock(),
    accounts: [
      { loginName: "nishi", displayName: "にしだ", role: "counsellor", regionId: "seimo" },
    ],
  });

  /** A conversation taken by nishi in her console; returns the page and the woman. */
  async function takenConversation(name: string, place: string, says: string) {
    const { s, browser } = suite;
    const { page } = await openConsole(browser, s.url, "nishi");
    const her = s.sim.person(name);
    await handOverFrom(her, place);
    await her.say(says);
    await itemSaying(page, "waiting", says)
      .getByRole("button", { name: /対応する/ })
      .click();
    await page.locator("#conv-title", { hasText: "さん" }).waitFor();
    return { page, her };
  }

  /**
   * Every reply the page sends reaches the server, and the Idempotency-Key it carried is kept;
   * while `dropping()` says so, the server's answer is then thrown away as a cut connection.
   */
  async function loseAnswers(page: Page, dropping: () => boolean): Promise<string[]> {
    const keys: string[] = [];
    await page.route("**/api/v1/conversations/*/messages", async (route: Route) => {
      keys.push(route.request().headers()["idempotency-key"] ?? "(none)");
      if (!dropping()) return route.continue();
      await route.fetch();
      await route.abort("connectionreset");
    });
    return keys;
  }

  /** The page has had its answer: the reply box is emptied (a live notice may show it sooner). */
  const sent = (page: Page) =>
    eventually(
      () => page.getByTestId("reply-text").inputValue(),
      (value) => value === "",
    );

  const outgoing = (page: Page, text: string) =>
    page.locator('[data-testid="message"][data-direction="out"]', { hasText: text });

  /** Messages with this text in the database, and what of it reached her phone. */
  async function sentOnce(her: SimulatedPerson, text: string) {
    const { s } = suite;
    const conversation = await s.db.prisma.conversation.findFirstOrThrow({
      where: { person: { lineUserHash: sealer.hash(her.userId) } },
      orderBy: { startedAt: "desc" },
    });
    await eventually(
      () => Promise.resolve(her.received().filter((m) => m.text === text).length),
      (n) => n >= 1,
    );
    await eventually(
      () =>
        s.db.prisma.outboundDelivery.count({
          where: { personId: conversation.personId, status: "pending" },
        }),
      (pending) => pending === 0,
    );
    return {
      stored: (await messagesWithText(s.db.prisma, { conversationId: conversation.id }, text))
        .length,
      received: her.received().filter((m) => m.text === text).length,
    };
  }

  it("asks again with the same key, and she gets the reply once", async () => {
    const { page, her } = await takenConversation("はな", "高崎", "眠れない日が続いています");
    let answers = 0;
    const keys = await loseAnswers(page, () => ++answers === 1);
    const reply = "話してくれてありがとうございます。";
    await page.getByTestId("reply-text").fill(reply);
    await page.getByTestId("reply-send").click();

    await sent(page);
    await outgoing(page, reply).waitFor();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(UUID);
    expect(keys[1]).toBe(keys[0]);
    expect(await outgoing(page, reply).count()).toBe(1);
    expect(await page.locator("#toast.error").isVisible()).toBe(false);
    expect(await sentOnce(her, reply)).toEqual({ stored: 1, received: 1 });
  }, 90_000);

  it("keeps the words and their key while the network stays down; pressing 送信 again sends them once", async () => {
    const { page, her } = await takenConversation("ゆき", "藤岡", "家に帰るのがこわいです");
    let down = true;
    const keys = await loseAnswers(page, () => down);
    const reply = "いまいる場所は安心できるところですか。";
    await page.getByTestId("reply-text").fill(reply);
    await page.getByTestId("reply-send").click();

    // The page tried a few times, then says it could not reach the server; the words stay.
    await page.locator("#toast.error", { hasText: "サーバーにつながりません" }).waitFor();
    expect(keys.length).toBeGreaterThan(1);
    await expect(page.getByTestId("reply-text").inputValue()).resolves.toBe(reply);

    down = false;
    await page.getByTestId("reply-send").click();
    await sent(page);
    await outgoing(page, reply).waitFor();
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(UUID);
    expect(await outgoing(page, reply).count()).toBe(1);
    expect(await sentOnce(her, reply)).toEqual({ stored: 1, received: 1 });
  }, 90_000);

  it("shows the reply 送信中 while LINE holds it, then 送信済み where it is, from the live event and not a fetch", async () => {
    const { s } = suite;
    const { page, her } = await takenConversation("みお", "富岡", "話を聞いてほしいです");
    // Every transcript the page fetches (the whole view, or the messages after those shown), as
    // the page got it.
    const fetched: Promise<{ messages: { text: string | null; delivery: string | null }[] }>[] = [];
    page.on("response", (r) => {
      const path = new URL(r.url()).pathname;
      const transcript = /^\/api\/v1\/conversations\/[^/]+(\/messages)?$/;
      if (r.request().method() === "GET" && transcript.test(path)) {
        fetched.push(r.json() as Promise<never>);
      }
    });
    // A slow network: the send's answer reaches the page 3 s after the server gave it, so the
    // reply's own live event comes while the page still waits for it.
    await page.route("**/api/v1/conversations/*/messages", async (route: Route) => {
      const response = await route.fetch();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await route.fulfill({ response });
    });
    // LINE holds her reply (or the push) 8 s before taking it.
    s.sim.injectFault({ status: "slow", delayMs: 8000, count: 1, path: "/v2/bot/message/" });
    const reply = "もちろんです。ゆっくりで大丈夫です。";
    await page.getByTestId("reply-text").fill(reply);
    await page.getByTestId("reply-send").click();
    const state = outgoing(page, reply).getByTestId("delivery");
    await state.filter({ hasText: "送信中" }).waitFor();
    await state.filter({ hasText: "送信済み" }).waitFor({ timeout: 30_000 });
    expect(her.received().filter((m) => m.text === reply)).toHaveLength(1);
    const views = await Promise.all(fetched);
    // One fetch, once the send was answered: the reply's own event, held meanwhile, cost none.
    expect(views).toHaveLength(1);
    // No transcript the page fetched said it was sent: the delivery's event patched it in place.
    const states = views.flatMap((v) =>
      v.messages.filter((m) => m.text === reply).map((m) => m.delivery),
    );
    expect(states).toEqual(["pending"]);
    // Her next words are not on the page yet: their event makes it fetch, and they show.
    await her.say("ありがとうございます");
    await page
      .locator('[data-testid="message"][data-direction="in"]', { hasText: "ありがとうございます" })
      .waitFor();
    expect(fetched).toHaveLength(2);
  }, 90_000);
});
