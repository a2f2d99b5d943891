import { screenshot } from "../support/browser";
import { serviceBrowserFixture } from "../support/browser-fixture";
import { apiAs, handOverFrom, itemSaying, openConsole } from "../support/console-page";
import { gunmaOpenAroundTheClock } from "../support/presets";

const SMALL = { width: 1366, height: 768 };

interface ApiPartner {
  id: string;
  name: string;
  phone?: string;
  toConfirm: boolean;
}

interface ApiReferral {
  partner: { name: string };
  consent: string;
  outcome: string;
  followUpOn: string | null;
  followUpTaskId: string | null;
}

/** A day in Japan, `days` from today, as YYYY-MM-DD. */
function tokyoDayIn(days: number): string {
  const at = new Date(Date.now() + days * 24 * 3600_000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(at);
}

/**
 * つなぎ先・広報 in Chromium (issue #18 points 2 and 5): an admin keeps the partner directory,
 * a counsellor records a referral with her consent and its outcome in the conversation view,
 * a supervisor registers a campaign and sees its scans. What the pages show is what the API says.
 */
jest.setTimeout(180_000);
describe("the partner directory, referral records and campaigns in the console", () => {
  const suite = serviceBrowserFixture({
    preset: gunmaOpenAroundTheClock(),
    accounts: [
      { loginName: "kanri", displayName: "かんり", role: "admin", regionId: null },
      { loginName: "nishi", displayName: "にしだ", role: "counsellor", regionId: "seimo" },
      { loginName: "sv", displayName: "すーぱー", role: "supervisor", regionId: null },
    ],
  });

  it("lets an admin add a partner and archive it; the list is the API's", async () => {
    const { s, browser } = suite;
    const { page } = await openConsole(browser, s.url, "kanri", { viewport: SMALL });
    await page.locator("#nav-partners").click();
    await page.locator('[data-testid="partner-count"]').waitFor();
    const form = page.locator('[data-testid="partner-form"]');
    await form.getByLabel("名前").fill("高崎市女性相談窓口");
    await form.getByLabel("種別").selectOption({ label: "公的機関" });
    await form.getByLabel("地域").selectOption({ label: "西毛" });
    await form.getByLabel("DV").check();
    await form.getByLabel("電話").fill("027-000-0000");
    await form.getByLabel("受付時間").fill("平日 8:30〜17:15");
    await form.getByRole("button", { name: "追加する" }).click();
    const row = page.locator('[data-testid="partner"]', { hasText: "高崎市女性相談窓口" });
    await row.waitFor();
    await expect(row.locator('[data-testid="partner-phone"]').innerText()).resolves.toBe(
      "027-000-0000（平日 8:30〜17:15）",
    );

    // A bad phone number: the form says what is wrong and nothing changes.
    await form.getByLabel("名前").fill("別の窓口");
    await form.getByLabel("電話").fill("でんわ");
    await form.getByRole("button", { name: "追加する" }).click();
    await form.locator(".form-error").filter({ hasText: /./ }).waitFor();

    const api = (await apiAs(page, "GET", "/api/v1/partners")).body as ApiPartner[];
    const names = await page.locator('[data-testid="partner-name"]').allInnerTexts();
    expect(names).toEqual(api.map((p) => p.name));
    expect(names).not.toContain("別の窓口");
    await expect(page.locator('[data-testid="partner-count"]').innerText()).resolves.toBe(
      `${api.length}件`,
    );
    // The preset's examples say they are to be confirmed.
    await expect(
      page
        .locator('[data-testid="partner"]', { hasText: "群馬県女性相談支援センター" })
        .innerText(),
    ).resolves.toContain("要確認");
    await page.evaluate(() => document.getElementById("main")?.scrollTo(0, 0));
    await screenshot(page, "partners-01-directory-1366x768");

    const job = page.locator('[data-testid="partner"]', { hasText: "ジョブカフェぐんま" });
    await job.locator('[data-testid="partner-archive"]').click();
    await job.waitFor({ state: "detached" });
    const after = (await apiAs(page, "GET", "/api/v1/partners")).body as ApiPartner[];
    expect(after.map((p) => p.name)).not.toContain("ジョブカフェぐんま");
    await page.close();
  });

  it("lets a counsellor record a referral with her consent, then its outcome with a follow-up", async () => {
    const { s, browser } = suite;
    const { page } = await openConsole(browser, s.url, "nishi", { viewport: SMALL });
    const her = s.sim.person();
    await handOverFrom(her, "高崎");
    await her.say("役所に相談したほうがいいか迷っています");
    await itemSaying(page, "waiting", "迷っています")
      .getByRole("button", { name: /対応する/ })
      .click();
    await page.locator('[data-testid="message"]', { hasText: "迷っています" }).waitFor();
    const id = decodeURIComponent(/#\/c\/([^/]+)$/.exec(page.url())?.[1] ?? "");

    const form = page.locator('[data-testid="referral-form"]');
    await form.getByLabel("つないだ先").selectOption({ label: "高崎市女性相談窓口" });
    await form.getByLabel("本人の同意").selectOption({ label: "口頭で同意" });
    await form.getByRole("button", { name: "つなぎ先を記録" }).click();
    const record = page.locator('[data-testid="referral-record"]', {
      hasText: "高崎市女性相談窓口",
    });
    await record.waitFor();
    await expect(
      record.locator('[data-testid="referral-record-status"]').innerText(),
    ).resolves.toBe("口頭で同意・まだわからない");

    const day = tokyoDayIn(7);
    await record.getByLabel("結果").selectOption({ label: "連絡がつかなかった" });
    await record.getByLabel("次に確認する日").fill(day);
    await record.getByRole("button", { name: "結果を記録" }).click();
    await page
      .locator('[data-testid="referral-record-status"]', { hasText: "連絡がつかなかった" })
      .waitFor();
    const view = (await apiAs(page, "GET", `/api/v1/conversations/${id}`)).body as {
      referralRecords: ApiReferral[];
    };
    expect(view.referralRecords).toEqual([
      expect.objectContaining({ consent: "verbal", outcome: "not-reached", followUpOn: day }),
    ]);
    await expect(
      page.locator('[data-testid="referral-record-status"]').allInnerTexts(),
    ).resolves.toEqual([`口頭で同意・連絡がつかなかった・確認日 ${day}`]);
    await screenshot(page, "partners-02-referral-record-1366x768");

    // The follow-up is in the one task list.
    await page.locator("#nav-tasks").click();
    const task = page.locator('[data-testid="task"]', { hasText: day });
    await task.waitFor();
    await expect(task.locator('[data-testid="task-kind"]').innerText()).resolves.toBe(
      "折り返し連絡",
    );
    await page.close();
  });

  it("lets a supervisor register a campaign and shows its scans", async () => {
    const { s, browser } = suite;
    const { page } = await openConsole(browser, s.url, "sv", { viewport: SMALL });
    await page.locator("#nav-partners").click();
    await page.getByLabel("コード（英小文字・数字・-）").fill("poster-takasaki");
    await page.locator("#campaign-name").fill("高崎駅のポスター");
    await page.locator('[data-testid="campaign-add"]').click();
    const row = page.locator('[data-testid="campaign"][data-code="poster-takasaki"]');
    await row.waitFor();
    await expect(row.locator('[data-testid="campaign-link"]').innerText()).resolves.toBe(
      `${s.url}/s/poster-takasaki`,
    );
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${s.url}/s/poster-takasaki`, { redirect: "manual" });
      expect(res.status).toBe(302);
    }
    await page.reload();
    await page.locator("#app").waitFor();
    await expect(row.locator('[data-testid="campaign-scans"]').innerText()).resolves.toBe("3回");
    await screenshot(page, "partners-03-campaigns-1366x768");
    await page.close();
  });
});
