import { screenshot } from "../support/browser";
import { serviceBrowserFixture } from "../support/browser-fixture";
import { apiAs, handOverFrom, itemSaying, openConsole } from "../support/console-page";
import { eventually } from "../support/eventually";
import { testClock } from "../support/service-harness";

/**
 * Before a counsellor puts her in a region's queue that is closed now, the console warns and
 * asks: on Monday 2026-11-30 at 11:00 東毛 is closed (it opens on Tuesday at 10:00), 中北毛 is
 * open. And a woman of 東毛 who came that morning is in 中北毛's queue, with the reason shown.
 */
describe("the console warns before a transfer to a closed region", () => {
  const clock = testClock("2026-11-30 11:00");
  const suite = serviceBrowserFixture({
    now: clock.date,
    simulator: { now: clock.ms },
    accounts: [
      { loginName: "nishi", displayName: "にしだ", role: "counsellor", regionId: "seimo" },
      { loginName: "kita", displayName: "きただ", role: "counsellor", regionId: "chuhoku" },
    ],
  });

  it("shows when the closed region opens, refuses without the confirmation, and transfers with it", async () => {
    const { s, browser } = suite;
    const nishi = (await openConsole(browser, s.url, "nishi")).page;
    const hana = s.sim.person("はな");
    await handOverFrom(hana, "高崎");
    await hana.say("家賃のことで相談したいです");
    await itemSaying(nishi, "waiting", "家賃のことで")
      .getByRole("button", { name: /対応する/ })
      .click();
    await nishi.locator('[data-testid="conv-meta"]', { hasText: "にしだ" }).waitFor();
    const id = new URL(nishi.url()).hash.split("/").pop() ?? "";

    await nishi.getByRole("button", { name: "引き継ぐ" }).click();
    await nishi.getByLabel("別の地域の待ち行列へ").check();
    const warning = nishi.getByTestId("transfer-closed-warning");
    await nishi.getByLabel("地域", { exact: true }).selectOption({ label: "中北毛" });
    expect(await warning.isHidden()).toBe(true);
    await nishi.getByLabel("地域", { exact: true }).selectOption({ label: "東毛" });
    await warning.waitFor();
    expect(await warning.innerText()).toContain(
      "東毛はいま受付時間外です。相談員のお返事は 明日 12月1日(火) 10:00 からになります",
    );
    await nishi.getByLabel(/引き継ぎメモ/).fill("東毛の連携先につなぎたい。");
    await screenshot(nishi, "console-transfer-closed-warning");

    // Without the confirmation nothing is sent: she is still mine.
    await nishi.getByRole("button", { name: "引き継ぐ", exact: true }).last().click();
    await nishi.locator("#transfer-form .form-error", { hasText: "受付時間外です" }).waitFor();
    const still = (await apiAs(nishi, "GET", `/api/v1/conversations/${id}`)).body as {
      conversation: { status: string; regionId: string };
    };
    expect(still.conversation).toMatchObject({ status: "active", regionId: "seimo" });

    await nishi.getByLabel("受付時間外と知ったうえで引き継ぐ").check();
    await nishi.getByRole("button", { name: "引き継ぐ", exact: true }).last().click();
    await nishi.locator("#toast", { hasText: "引き継ぎました" }).waitFor();
    await eventually(
      () => s.db.prisma.conversation.findUniqueOrThrow({ where: { id } }),
      (c) => c.regionId === "tomo" && c.status === "waiting",
    );
  }, 120_000);

  it("a woman of 東毛 on a Monday morning is in 中北毛's queue, and the console says why", async () => {
    const { s, browser } = suite;
    const kita = (await openConsole(browser, s.url, "kita")).page;
    const yui = s.sim.person("ゆい");
    await handOverFrom(yui, "太田");
    await yui.say("仕事のことで話を聞いてほしいです");
    const item = itemSaying(kita, "waiting", "仕事のことで");
    await item.getByTestId("served-because").waitFor();
    expect(await item.getByTestId("served-because").innerText()).toBe(
      "東毛が受付時間外のため・中北毛で対応",
    );
    await item.getByRole("button", { name: /対応する/ }).click();
    await kita
      .locator(".banner.info", { hasText: "東毛が受付時間外のため、中北毛の待ち行列で受け付けた" })
      .waitFor();
    await screenshot(kita, "console-served-because");
  }, 120_000);
});
