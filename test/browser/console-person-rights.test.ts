import type { BrowserContext, Page } from "playwright-core";
import { screenshot } from "../support/browser";
import { browserFixture } from "../support/browser-fixture";
import { createAccounts, openConsole } from "../support/console-page";
import { startConsoleOnClock } from "../support/console-on-clock";
import { statsHistory } from "../support/stats-history";
import { testSealer } from "../support/sealed";

/**
 * Her rights on 管理 in Chromium (the API's side is test/integration/retention-rights.test.ts):
 * an admin finds a woman by her pseudonym, opens her disclosure as a page (her words escaped,
 * no CSP violation), then erases her content; her conversation then shows it as erased, not as
 * an error. The console alone runs (no LINE, no worker).
 */
describe("erasure and disclosure on 管理", () => {
  const suite = browserFixture(
    () => startConsoleOnClock(Date.now),
    (c) =>
      createAccounts(c.db.prisma, [
        { loginName: "admin", displayName: "かんり", role: "admin", regionId: null },
      ]),
  );

  /** Every CSP violation reported in the context's pages, popups included. */
  async function watchViolations(context: BrowserContext) {
    await context.addInitScript(() => {
      const w = window as unknown as { violations: string[] };
      w.violations = [];
      document.addEventListener("securitypolicyviolation", (e) => {
        w.violations.push(`${e.effectiveDirective} ${e.blockedURI}`);
      });
    });
  }
  const violations = (page: Page) =>
    page.evaluate(() => (window as unknown as { violations: string[] }).violations);

  it("opens her disclosure as a printable page, erases her content, and shows it as erased", async () => {
    const { browser, target } = suite;
    const prisma = target.db.prisma;
    const h = statsHistory(prisma);
    const cn = await h.counsellor("seimo");
    const her = await h.person();
    const id = await h.line({
      person: her.id,
      start: "2025-06-01 10:00",
      waiting: "2025-06-01 10:01",
      answered: "2025-06-01 10:05",
      counsellor: cn,
      region: "seimo",
      topics: ["dv"],
      herMessages: 0,
    });
    const words = `<img src=x onerror="document.title='x'">家に帰れません`;
    await prisma.message.create({
      data: {
        conversationId: id,
        personId: her.id,
        direction: "in",
        author: "person",
        kind: "text",
        textEnc: testSealer.seal(words),
        sentAt: new Date("2025-06-01T01:02:00Z"),
      },
    });
    await prisma.conversationNote.create({
      data: {
        conversationId: id,
        counsellorId: cn,
        textEnc: testSealer.seal("住まいの相談。次回は来所。"),
      },
    });

    const { context, page } = await openConsole(browser, target.url, "admin");
    await watchViolations(context);
    await page.reload();
    await page.getByRole("link", { name: "管理", exact: true }).click();
    await page.getByLabel("相談者の仮名").fill(her.pseudonym);
    await page.getByTestId("rights-find").click();
    await page.getByTestId("rights-person").getByText("1件（終了していないもの 0件）").waitFor();

    const [disclosure] = await Promise.all([
      context.waitForEvent("page"),
      page.getByTestId("rights-disclosure-page").click(),
    ]);
    await disclosure.getByRole("heading", { name: "保有個人データの開示" }).waitFor();
    // Her words are shown as she wrote them, as text: the markup in them does nothing.
    await disclosure.getByRole("cell", { name: words }).waitFor();
    expect(await disclosure.locator("img").count()).toBe(0);
    expect(await disclosure.title()).toContain(her.pseudonym);
    expect(await violations(disclosure)).toEqual([]);
    await screenshot(disclosure, "console-60-disclosure");
    await disclosure.close();

    await page.getByLabel("確認のため仮名を入力").fill(her.pseudonym);
    await page.getByTestId("rights-erase").click();
    await page.getByText(/^削除しました（相談 1件、メッセージ 1件/).waitFor();
    await screenshot(page, "console-61-erased");

    await page.goto(`${target.url}/console/#/c/${id}`);
    await page.getByTestId("erased").getByText("本人の請求により削除されました").waitFor();
    await page.getByTestId("note-erased").waitFor();
    expect(await page.getByText("家に帰れません").count()).toBe(0);
    expect(await violations(page)).toEqual([]);
  }, 90_000);
});
