import { screenshot } from "../support/browser";
import { serviceBrowserFixture } from "../support/browser-fixture";
import { handOverFrom, openConsole } from "../support/console-page";
import { jst } from "../support/stats-history";

/** A `datetime-local` value in Japan time, `hours` from now. */
const localInput = (hours: number) =>
  new Date(Date.now() + 9 * 3600_000 + hours * 3600_000).toISOString().slice(0, 16);

/**
 * The on-call page: a supervisor sets her address, puts herself on the roster and takes a shift
 * off it, and acknowledges a call about a high-risk conversation on a holiday night (the
 * service's on-call clock and her messages at 2036-11-03 23:00, 文化の日).
 */
describe("the console's on-call page", () => {
  const night = jst("2036-11-03 23:00");
  const suite = serviceBrowserFixture({
    simulator: { now: () => night.getTime() },
    now: () => night,
    accounts: [
      { loginName: "sv", displayName: "みなみ", role: "supervisor", regionId: null },
      { loginName: "nishi", displayName: "にし", role: "supervisor", regionId: "seimo" },
    ],
  });

  it("edits the roster and acknowledges a call, which then shows who took it", async () => {
    const { s, browser } = suite;
    const sv = (await openConsole(browser, s.url, "sv")).page;
    await sv.getByRole("link", { name: /当番/ }).click();
    await sv.getByRole("heading", { name: "当番（夜間・休日の通知）" }).waitFor();

    // Without an address she cannot be on call: the form says why.
    await sv
      .getByLabel(/当番の人/)
      .selectOption({ label: "みなみ（スーパーバイザー・メール未登録）" });
    await sv.getByLabel("開始（日本時間）").fill(localInput(1));
    await sv.getByLabel("終了（日本時間）").fill(localInput(13));
    await sv.getByRole("button", { name: "当番表に追加" }).click();
    await sv.getByRole("alert").filter({ hasText: "メールアドレスが未登録" }).waitFor();

    await sv.getByLabel("メールアドレス").fill("minami@example.org");
    await sv.getByRole("button", { name: "保存" }).click();
    await sv.getByText("通知先のメールアドレスを保存しました。").waitFor();
    await sv.getByRole("button", { name: "当番表に追加" }).click();
    const row = sv.locator('[data-testid="oncall-shift"]', { hasText: "みなみ" });
    await row.waitFor();
    await expect(row.innerText()).resolves.toContain("すべての地域");
    // A second shift for 西毛, second in order.
    await sv.locator("#main").getByLabel("地域", { exact: true }).selectOption({ label: "西毛" });
    await sv.getByLabel("順番（1が最初）").fill("2");
    await sv.getByRole("button", { name: "当番表に追加" }).click();
    await sv.locator('[data-testid="oncall-shift"]', { hasText: "西毛" }).waitFor();
    expect(await sv.locator('[data-testid="oncall-shift"]').count()).toBe(2);
    await screenshot(sv, "console-30-oncall-roster");

    // 西毛's supervisor sees both, and may take off only 西毛's.
    const nishi = (await openConsole(browser, s.url, "nishi")).page;
    await nishi.getByRole("link", { name: /当番/ }).click();
    const nishiRows = nishi.locator('[data-testid="oncall-shift"]');
    await nishiRows.nth(1).waitFor();
    await expect(nishiRows.filter({ hasText: "すべての地域" }).innerText()).resolves.toContain(
      "変更できません",
    );
    await expect(
      nishi.locator("#main").getByLabel("地域", { exact: true }).innerText(),
    ).resolves.toBe("西毛");
    await nishiRows.filter({ hasText: "西毛" }).getByRole("button", { name: /削除/ }).click();
    await nishi.getByText("当番表から削除しました。").waitFor();
    await sv.reload();
    await sv.locator('[data-testid="oncall-shift"]', { hasText: "みなみ" }).waitFor();
    expect(await sv.locator('[data-testid="oncall-shift"]').count()).toBe(1);

    // A woman in 高崎 writes at night that she wants to die: the call appears live.
    await handOverFrom(s.sim.person(), "高崎", { risky: true });
    const call = sv.locator('[data-testid="oncall-notification"]', {
      hasText: "受付時間外の高リスク相談",
    });
    await call.waitFor();
    await expect(call.innerText()).resolves.toContain("西毛");
    await sv.locator("#oncall-count", { hasText: "1" }).waitFor();
    await screenshot(sv, "console-31-oncall-call");
    await call.getByRole("button", { name: /確認しました/ }).click();
    await call.filter({ hasText: "確認済み（みなみ" }).waitFor();
    expect(await sv.locator("#oncall-count").isHidden()).toBe(true);
    const n = await s.db.prisma.onCallNotification.findFirstOrThrow();
    expect(n.acknowledgedAt).not.toBeNull();
    const audit = await s.db.prisma.auditEntry.findFirstOrThrow({
      where: { action: "oncall-ack" },
    });
    expect(audit.conversationId).toBe(n.conversationId);
  }, 120_000);
});
