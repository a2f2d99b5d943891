import type { Page } from "playwright-core";
import { screenshot } from "../support/browser";
import { serviceBrowserFixture } from "../support/browser-fixture";
import { handOverFrom, itemSaying, LAPTOP, openConsole, signIn } from "../support/console-page";
import { eventually } from "../support/eventually";

type Pwned = { __pwned?: number };
const pwned = (page: Page) => page.evaluate(() => (window as unknown as Pwned).__pwned);

/** Everything from the API reaches the page as text: markup she (or anyone) types stays text. */
describe("the console shows what people type as text", () => {
  const suite = serviceBrowserFixture({
    accounts: [
      { loginName: "nishi", displayName: "にしだ", role: "counsellor", regionId: "seimo" },
    ],
    mediaMaxBytes: 64 * 1024,
  });

  it("refuses a wrong password with a clear message", async () => {
    const { s, browser } = suite;
    const context = await browser.newContext({ viewport: LAPTOP });
    const page = await context.newPage();
    await page.goto(`${s.url}/console/`);
    await page.getByLabel("ログイン名").fill("nishi");
    await page.getByLabel("パスワード").fill("wrong-password-123");
    await page.getByRole("button", { name: "サインイン" }).click();
    await page
      .locator("#signin-error", { hasText: "ログイン名またはパスワードが違います" })
      .waitFor();
    await screenshot(page, "console-10-sign-in-failed");
    await signIn(page, "nishi");
    await page.getByRole("heading", { name: /にしださん/ }).waitFor();
    await context.close();
  });

  it("never turns her message, a note or a name into markup", async () => {
    const { s, browser } = suite;
    const { page, context } = await openConsole(browser, s.url, "nishi");
    const her = s.sim.person();
    await handOverFrom(her, "高崎");
    const markup =
      '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>太字</b>';
    await her.say(markup);

    // In the queue's preview (at most 60 characters of it)…
    const item = itemSaying(page, "waiting", "<img src=x onerror=");
    await item.waitFor();
    await item.getByRole("button", { name: /対応する/ }).click();

    // …and in the chat, whole, as text.
    const fromHer = page.locator('[data-testid="message"][data-direction="in"]', {
      hasText: "<script>window.__pwned=2</script>",
    });
    await fromHer.waitFor();
    await expect(fromHer.locator(".bubble").innerText()).resolves.toBe(markup);

    const noteMarkup =
      '<a href="javascript:window.__pwned=3">メモ</a><img src=x onerror="window.__pwned=4">';
    await page.getByLabel("新しいメモ").fill(noteMarkup);
    await page.getByRole("button", { name: "メモを追加" }).click();
    await page.locator('[data-testid="note"]', { hasText: '<a href="javascript:' }).waitFor();

    // The name she sees, with markup in it, is shown as typed in the console too.
    await page.getByRole("link", { name: /にしだ/ }).click();
    await page.getByLabel("表示名").fill("<i>にしだ</i>");
    await page.getByRole("button", { name: "保存" }).click();
    await page.locator("#me-name", { hasText: "<i>にしだ</i>" }).waitFor();
    await page.goBack();
    await page.locator('[data-testid="conv-meta"]', { hasText: "担当: <i>にしだ</i>" }).waitFor();
    await page.getByLabel("返信", { exact: true }).fill("<b>こんにちは</b>");
    await page.getByRole("button", { name: "送信", exact: true }).click();
    await page
      .locator('[data-testid="message"][data-direction="out"]', {
        hasText: "<b>こんにちは</b>",
      })
      .waitFor();
    await eventually(
      () => Promise.resolve(her.received().map((m) => m.text)),
      (texts) => texts.includes("<b>こんにちは</b>"),
    );

    expect(await page.locator("#main b, #main i, #main script, #queue b, #me-name i").count()).toBe(
      0,
    );
    expect(await page.locator('#main img:not([src^="/api/v1/messages/"])').count()).toBe(0);
    expect(await page.locator('#main a[href^="javascript:"]').count()).toBe(0);
    expect(await pwned(page)).toBeUndefined();
    await screenshot(page, "console-11-markup-as-text");
    await context.close();
  });

  it("shows stickers as a label, images from our store, and unsent messages", async () => {
    const { s, browser } = suite;
    const { page, context } = await openConsole(browser, s.url, "nishi");
    const her = s.sim.person();
    await handOverFrom(her, "高崎");
    await her.say("写真を送ります");
    const item = itemSaying(page, "waiting", "写真を送ります");
    await item.waitFor();
    await item.getByRole("button", { name: /対応する/ }).click();
    await page.locator('[data-testid="message"]', { hasText: "写真を送ります" }).waitFor();

    await her.sendSticker();
    await her.sendImage();
    const oops = await her.say("いまのは間違いです");
    await page.locator('[data-testid="message"]', { hasText: "いまのは間違いです" }).waitFor();
    await her.unsend(oops.messageId!);

    await page
      .locator('[data-testid="message"][data-kind="sticker"]', { hasText: "スタンプ" })
      .waitFor();
    const image = page.locator('[data-testid="message"][data-kind="image"] img');
    await image.waitFor();
    await eventually(
      () => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
      (width) => width === 1,
    );
    await page.locator('[data-testid="unsent"]', { hasText: "取り消されました" }).waitFor();
    expect(await page.locator("#main").getByText("いまのは間違いです").count()).toBe(0);

    // A page posing as an image is only offered as a download; a file over the cap is not kept.
    await her.sendImage(Buffer.from("<html><script>window.__pwned=9</script></html>"), "image/png");
    await her.sendImage(Buffer.alloc(100 * 1024, 0xff), "image/jpeg");
    const download = page.locator('[data-testid="content-download"]');
    await download.waitFor();
    expect(await download.getAttribute("download")).toBe("");
    await page
      .locator('[data-testid="content-too-large"]', {
        hasText: "大きすぎるため保存できませんでした",
      })
      .waitFor();
    // A file LINE refuses to give is said so, rather than shown as being saved for ever.
    s.sim.injectFault({ path: "/v2/bot/message/*/content", status: 400, count: 1 });
    await her.sendImage();
    await page
      .locator('[data-testid="content-unavailable"]', { hasText: "LINEから受け取れず" })
      .waitFor();
    expect(await page.locator('[data-testid="message"][data-kind="image"] img').count()).toBe(1);
    expect(await pwned(page)).toBeUndefined();
    await screenshot(page, "console-12-sticker-image-unsent");
    await context.close();
  });
});
