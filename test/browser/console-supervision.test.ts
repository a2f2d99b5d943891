import { screenshot } from "../support/browser";
import { serviceBrowserFixture } from "../support/browser-fixture";
import {
  handOverFrom,
  itemSaying,
  openConsole,
  PASSWORD,
  pickCanned,
  TABLET,
} from "../support/console-page";
import { eventually } from "../support/eventually";

/** Emergencies reach the supervisor live; admins manage accounts and read the audit log. */
describe("the console for supervisors and admins", () => {
  const suite = serviceBrowserFixture({
    accounts: [
      { loginName: "higashi", displayName: "ひがし", role: "counsellor", regionId: "tomo" },
      { loginName: "sv", displayName: "みなみ", role: "supervisor", regionId: null },
      { loginName: "admin", displayName: "かんり", role: "admin", regionId: null },
    ],
  });

  it("records an emergency, alerts the supervisor live, who acknowledges it", async () => {
    const { s, browser } = suite;
    const higashi = (await openConsole(browser, s.url, "higashi", { viewport: TABLET })).page;
    const sv = (await openConsole(browser, s.url, "sv")).page;
    await sv.getByRole("link", { name: /アラート/ }).click();
    await sv
      .locator('[data-testid="alerts"]', { hasText: "未確認のアラートはありません" })
      .waitFor();

    const her = s.sim.person();
    await handOverFrom(her, "太田");
    await her.say("薬をたくさん持っています");
    const item = itemSaying(higashi, "waiting", "薬をたくさん");
    await item.waitFor();
    await item.getByRole("button", { name: /対応する/ }).click();
    await higashi.getByRole("button", { name: "緊急対応" }).click();
    const form = higashi.locator("#emergency-dialog");
    await form.getByLabel("死にたい気持ち・危険の訴えがある").check();
    await form.getByLabel("具体的な計画がある").check();
    await form.getByLabel("手段が手元にある").check();
    await form.getByLabel("119番に通報した").check();
    await form.getByLabel("通報した人").fill("ひがし");
    await form.getByLabel("通報した時刻").fill("2026-11-23T14:05");
    await form.getByLabel("メモ").fill("本人の了解を得て119番。住所は本人から聞き取り済み。");
    await screenshot(higashi, "console-20-emergency-form");
    await form.getByRole("button", { name: "記録して通知する" }).click();
    await higashi.locator('[data-testid="emergencies"]', { hasText: "119番に通報" }).waitFor();
    await expect(higashi.locator('[data-testid="emergencies"]').innerText()).resolves.toContain(
      "気持ち・計画・手段",
    );

    // The supervisor's alert list fills without a reload, with a count in the menu.
    const alert = sv.locator('[data-testid="alert"][data-kind="emergency"]');
    await alert.waitFor();
    await expect(sv.locator("#alert-count").innerText()).resolves.toBe("1");
    await expect(alert.innerText()).resolves.toContain("東毛");
    await screenshot(sv, "console-21-alerts");
    await alert.getByRole("button", { name: "確認済みにする" }).click();
    await sv
      .locator('[data-testid="alerts"]', { hasText: "未確認のアラートはありません" })
      .waitFor();
    expect(await sv.locator("#alert-count").isHidden()).toBe(true);
    const record = await s.db.prisma.emergencyRecord.findFirstOrThrow();
    expect(record).toMatchObject({ desire: true, plan: true, means: true, timeframe: false });
    expect(record.decision).toBe("called-119");
    expect(record.calledAt?.toISOString()).toBe("2026-11-23T05:05:00.000Z");
  }, 120_000);

  it("lets an admin create an account that can sign in, and read the audit log", async () => {
    const { s, browser } = suite;
    const admin = (await openConsole(browser, s.url, "admin")).page;
    await admin.getByRole("link", { name: "アカウント", exact: true }).click();
    await admin.locator("#main").getByLabel("ログイン名").fill("yamada");
    await admin.getByLabel(/表示名/).fill("やまだ");
    await admin.getByLabel(/初期パスワード/).fill("short");
    await admin.getByLabel("役割").selectOption({ label: "相談員" });
    await admin.getByLabel("担当地域").selectOption({ label: "西毛" });
    await admin.getByRole("button", { name: "アカウントを作る" }).click();
    await admin.getByRole("alert").filter({ hasText: "12文字以上" }).waitFor();
    await admin.getByLabel(/初期パスワード/).fill(PASSWORD);
    await admin.getByRole("button", { name: "アカウントを作る" }).click();
    await admin.locator('[data-testid="accounts"] tr', { hasText: "やまだ" }).waitFor();
    await expect(
      admin.locator('[data-testid="accounts"] tr', { hasText: "やまだ" }).innerText(),
    ).resolves.toContain("西毛");

    await admin.getByRole("link", { name: "管理", exact: true }).click();
    await admin.getByRole("button", { name: "操作の記録を更新" }).click();
    await eventually(
      () => admin.locator('[data-testid="audit"] tbody').innerText(),
      // Sign-ins are kept too, labelled in Japanese.
      (text) =>
        text.includes("緊急対応") &&
        text.includes("対応開始") &&
        text.includes("サインイン") &&
        // A detail in words, not codes.
        text.includes("判断: 119番に通報") &&
        text.includes("前: 待機中、後: 対応中"),
    );
    await screenshot(admin, "console-22-admin");

    const yamada = (await openConsole(browser, s.url, "yamada")).page;
    await yamada.getByRole("heading", { name: /やまださん/ }).waitFor();
    await expect(yamada.locator("#me-role").innerText()).resolves.toContain("西毛");
    expect(await yamada.locator("#nav-admin").isHidden()).toBe(true);
    expect(await yamada.locator("#nav-alerts").isHidden()).toBe(true);
    expect(await yamada.locator("#others-section").isHidden()).toBe(true);
  });

  it("changes the name she sees, and her next reply carries it", async () => {
    const { s, browser } = suite;
    const higashi = (await openConsole(browser, s.url, "higashi")).page;
    await higashi.getByRole("link", { name: /ひがし/ }).click();
    await higashi.getByLabel("表示名").fill("あおい");
    await higashi.getByRole("button", { name: "保存" }).click();
    await higashi.locator("#me-name", { hasText: "あおい" }).waitFor();
    await screenshot(higashi, "console-23-profile");

    const her = s.sim.person();
    await handOverFrom(her, "桐生");
    await her.say("仕事のことで相談です");
    await itemSaying(higashi, "waiting", "仕事のことで")
      .getByRole("button", { name: /対応する/ })
      .click();
    await pickCanned(higashi, "メッセージを読みました");
    await expect(higashi.getByLabel("返信", { exact: true }).inputValue()).resolves.toContain(
      "相談員のあおいです",
    );
    await higashi.getByRole("button", { name: "送信", exact: true }).click();
    const reply = await eventually(
      () => Promise.resolve(her.received().find((m) => m.text?.includes("相談員のあおいです"))),
      (m) => m !== undefined,
    );
    expect((reply!.message as { sender?: { name?: string } }).sender?.name).toBe("あおい");
  });
});
