import { generate } from "otplib";
import type { Page } from "playwright-core";
import { serviceBrowserFixture } from "../support/browser-fixture";
import { LAPTOP, PASSWORD } from "../support/console-page";

declare global {
  interface Window {
    cspViolations: string[];
  }
}

/**
 * A supervisor where admins and supervisors must use a second factor (REQUIRE_SECOND_FACTOR=on):
 * she sets it up at her first sign-in, then signs in with her app's code, with a recovery code,
 * and is refused a recovery code she already used. The test is her authenticator app: it reads
 * the secret the page shows and computes the codes.
 */
describe("second factor in the console", () => {
  const suite = serviceBrowserFixture({
    requireSecondFactor: true,
    accounts: [
      { loginName: "sv", displayName: "スーパーバイザー", role: "supervisor", regionId: null },
    ],
  });

  async function password(page: Page) {
    await page.getByLabel("ログイン名").fill("sv");
    await page.getByLabel("パスワード").fill(PASSWORD);
    await page.getByRole("button", { name: "サインイン" }).click();
  }

  async function signOut(page: Page) {
    await page.locator("#sign-out").click();
    await page.getByText("サインアウトしました。").waitFor();
  }

  async function code(page: Page, value: string) {
    await page.getByLabel("認証アプリのコード（6桁）").fill(value);
    await page.getByTestId("code-submit").click();
  }

  it("sets it up at first sign-in, then signs in with a code, with a recovery code, and refuses a used one", async () => {
    const { s, browser } = suite;
    const context = await browser.newContext({ viewport: LAPTOP, locale: "ja-JP", baseURL: s.url });
    await context.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener("securitypolicyviolation", (e) => {
        window.cspViolations.push(`${e.effectiveDirective} ${e.blockedURI}`);
      });
    });
    const page = await context.newPage();
    await page.goto(`${s.url}/console/`);
    await password(page);

    // Before anything else: the QR code (shown under the strict CSP) and the secret as text.
    const qr = page.getByAltText("認証アプリ用のQRコード");
    await qr.waitFor();
    await page.waitForFunction(
      () => (document.querySelector<HTMLImageElement>("img.qr")?.naturalWidth ?? 0) > 0,
    );
    expect(await page.locator("#app").isHidden()).toBe(true);
    const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
    await page.getByLabel("アプリに表示された6桁のコード").fill(await generate({ secret }));
    await page.getByTestId("enrol-confirm").click();
    const shown = page.getByTestId("recovery-codes").locator("li");
    await shown.first().waitFor();
    const recoveryCodes = await shown.allTextContents();
    expect(recoveryCodes).toHaveLength(10);
    await page.getByTestId("recovery-codes-done").click();
    await page.locator('#live-status[data-state="up"]').waitFor();
    expect(await page.evaluate(() => window.cspViolations)).toEqual([]);

    // Her app's code: the next 30-second step's, as the enrolment used this one's.
    await signOut(page);
    await password(page);
    await code(page, await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await page.locator('#live-status[data-state="up"]').waitFor();

    // Her phone is not at hand: a recovery code.
    const recovery = recoveryCodes[0] ?? "";
    await signOut(page);
    await password(page);
    await code(page, recovery);
    await page.locator('#live-status[data-state="up"]').waitFor();

    // The same recovery code a second time: refused, and the console stays closed.
    await signOut(page);
    await password(page);
    await code(page, recovery);
    await page.getByText("コードが違います。").waitFor();
    expect(await page.locator("#app").isHidden()).toBe(true);
    await context.close();
  }, 120_000);
});
