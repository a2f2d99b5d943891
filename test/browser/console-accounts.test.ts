import type { Browser, Page } from "playwright-core";
import { screenshot } from "../support/browser";
import { browserFixture } from "../support/browser-fixture";
import { createAccounts, openConsole, PASSWORD, signIn } from "../support/console-page";
import { startConsoleOnClock } from "../support/console-on-clock";

/**
 * The account pages in Chromium (the API's side is test/integration/account-lifecycle.test.ts):
 * an admin deactivates, reactivates and resets a counsellor while her console is open; she
 * chooses her own password before anything else; on her profile she sees her browsers and ends
 * one, and changes her password. The console alone runs (no LINE, no worker).
 */
describe("the account pages", () => {
  const suite = browserFixture(
    () => startConsoleOnClock(Date.now),
    (c) =>
      createAccounts(c.db.prisma, [
        { loginName: "admin", displayName: "かんり", role: "admin", regionId: null },
        { loginName: "seimo-admin", displayName: "せいもかんり", role: "admin", regionId: "seimo" },
        { loginName: "nishi", displayName: "にしだ", role: "counsellor", regionId: "seimo" },
        { loginName: "kita", displayName: "きただ", role: "counsellor", regionId: "chuhoku" },
      ]),
  );

  /** Confirms every confirm() of the page, as the admin clicking OK would. */
  const accepting = (page: Page) => {
    page.on("dialog", (d) => void d.accept());
    return page;
  };
  const rowOf = (page: Page, login: string) =>
    page.locator(`[data-testid="accounts"] tr[data-login="${login}"]`);
  const open = async (browser: Browser, login: string) =>
    accepting((await openConsole(browser, suite.target.url, login)).page);

  it("deactivating ends her open console at once; reset gives a one-time password she must change before anything else", async () => {
    const { browser } = suite;
    const admin = await open(browser, "admin");
    const nishi = await open(browser, "nishi");

    await admin.getByRole("link", { name: "アカウント", exact: true }).click();
    const row = rowOf(admin, "nishi");
    await row.waitFor();
    await row.getByRole("button", { name: /^停止/ }).click();
    await row.getByTestId("account-status").filter({ hasText: "停止中" }).waitFor();
    // Her console, open all along, goes back to the sign-in form by itself.
    await nishi.locator("#signin").waitFor({ state: "visible" });
    // Told at once why (not by the next periodic refresh, which only finds her signed out).
    await nishi
      .locator("#signin-error", { hasText: "このブラウザのサインインは終了しました" })
      .waitFor();
    await nishi.getByLabel("ログイン名").fill("nishi");
    await nishi.getByLabel("パスワード").fill(PASSWORD);
    await nishi.getByRole("button", { name: "サインイン" }).click();
    await nishi
      .locator("#signin-error", { hasText: "ログイン名またはパスワードが違います" })
      .waitFor();

    await row.getByRole("button", { name: /^再開/ }).click();
    await row
      .getByTestId("account-status")
      .filter({ hasText: /^有効$/ })
      .waitFor();
    await row.getByRole("button", { name: /^パスワードをリセット/ }).click();
    const shown = admin.getByTestId("one-time-password-value");
    await shown.waitFor();
    const oneTime = await shown.innerText();
    expect(oneTime.length).toBeGreaterThanOrEqual(12);
    await row.getByTestId("account-status").filter({ hasText: "パスワード変更待ち" }).waitFor();
    await screenshot(admin, "console-30-accounts-reset");

    // She signs in with it: only the password form, no queue, no menu.
    await signIn(nishi, "nishi", oneTime);
    await nishi.getByRole("heading", { name: "パスワードを変更してください" }).waitFor();
    expect(await nishi.locator("#queue").isVisible()).toBe(false);
    expect(await nishi.locator(".nav").isVisible()).toBe(false);
    await screenshot(nishi, "console-31-must-change");
    await nishi.getByLabel("一時パスワード").fill(oneTime);
    await nishi.getByLabel(/^新しいパスワード（12/).fill("my-own-new-password");
    await nishi.getByLabel("新しいパスワード（確認）").fill("my-own-new-password");
    await nishi.getByRole("button", { name: "変更する" }).click();
    await nishi.getByRole("heading", { name: /にしださん、おつかれさまです/ }).waitFor();
    expect(await nishi.locator("#queue").isVisible()).toBe(true);
    await admin.reload();
    await rowOf(admin, "nishi")
      .getByTestId("account-status")
      .filter({ hasText: /^有効$/ })
      .waitFor();
  }, 120_000);

  it("on her profile she sees her browsers, this one marked, ends another, and changes her password", async () => {
    const { browser } = suite;
    const here = await open(browser, "kita");
    const there = await open(browser, "kita");
    await here.getByRole("link", { name: /きただ/ }).click();
    const sessions = here.locator('#my-sessions [data-testid="sessions"] tbody tr');
    await sessions.nth(1).waitFor();
    expect(await sessions.count()).toBe(2);
    const mine = here.locator('#my-sessions tr[data-current="true"]');
    await expect(mine.innerText()).resolves.toContain("このブラウザ");
    await expect(mine.innerText()).resolves.toContain("Chrome / Linux");
    await screenshot(here, "console-32-my-sessions");

    await here.locator('#my-sessions tr[data-current="false"]').getByRole("button").click();
    await there
      .locator("#signin-error", { hasText: "このブラウザのサインインは終了しました" })
      .waitFor();
    await here.locator('#my-sessions tr[data-current="false"]').waitFor({ state: "detached" });

    await here.getByLabel("いまのパスワード").fill("not-my-password");
    await here.getByLabel(/^新しいパスワード（12/).fill("kita-new-password");
    await here.getByLabel("新しいパスワード（確認）").fill("kita-new-password");
    await here.getByRole("button", { name: "変更する" }).click();
    await here.getByRole("alert").filter({ hasText: "いまのパスワードが違います" }).waitFor();
    await here.getByLabel("いまのパスワード").fill(PASSWORD);
    await here.getByRole("button", { name: "変更する" }).click();
    await here.locator("#toast", { hasText: "パスワードを変更しました" }).waitFor();
    await signIn(there, "kita", "kita-new-password");
    await there.locator('#live-status[data-state="up"]').waitFor();
  }, 120_000);

  it("a region's admin lists only its region's accounts and cannot choose admin or another region", async () => {
    const page = await open(suite.browser, "seimo-admin");
    await page.getByRole("link", { name: "アカウント", exact: true }).click();
    await rowOf(page, "nishi").waitFor();
    expect(await rowOf(page, "kita").count()).toBe(0);
    expect(await rowOf(page, "admin").count()).toBe(0);
    const roles = await page.locator("#acc-role option").allInnerTexts();
    expect(roles).not.toContain("管理者");
    expect(await page.locator("#acc-region option").allInnerTexts()).toEqual(["西毛"]);
  }, 120_000);
});
