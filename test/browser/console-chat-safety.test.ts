import type { Page } from "playwright-core";
import { screenshot } from "../support/browser";
import { serviceBrowserFixture } from "../support/browser-fixture";
import { handOverFrom, itemSaying, openConsole } from "../support/console-page";
import { eventually } from "../support/eventually";
import { gunmaOpenAroundTheClock } from "../support/presets";

type Tones = { __tones?: number };

/** Counts the tones the page plays (the console makes its alert sound with Web Audio). */
async function listenForTones(page: Page): Promise<void> {
  await page.evaluate(() => {
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...args: Parameters<typeof start>) {
      const w = window as unknown as Tones;
      w.__tones = (w.__tones ?? 0) + 1;
      start.apply(this, args);
    };
  });
}
const tones = (page: Page) => page.evaluate(() => (window as unknown as Tones).__tones ?? 0);

/** What the console shows while a counsellor has her and she is in danger or must stop. */
// Each test takes her through the whole triage first: on a busy machine that alone can take
// most of the default 30 s.
jest.setTimeout(90_000);
describe("the console during a chat that turns unsafe", () => {
  const suite = serviceBrowserFixture({
    preset: gunmaOpenAroundTheClock(),
    accounts: [
      { loginName: "nishi", displayName: "にしだ", role: "counsellor", regionId: "seimo" },
      { loginName: "sv", displayName: "みなみ", role: "supervisor", regionId: null },
    ],
  });

  /** She is handed to 西毛 and にしだ takes her in the console. */
  async function chatWithNishi(first: string) {
    const { s, browser } = suite;
    const { page } = await openConsole(browser, s.url, "nishi");
    const her = s.sim.person();
    await handOverFrom(her, "高崎");
    await her.say(first);
    await itemSaying(page, "waiting", first)
      .getByRole("button", { name: /対応する/ })
      .click();
    await page.locator('[data-testid="message"]', { hasText: first }).waitFor();
    return { page, her };
  }

  it("shows a risk word in the chat to her counsellor with a banner and a sound, and to the supervisor", async () => {
    const { s, browser } = suite;
    const sv = (await openConsole(browser, s.url, "sv")).page;
    const { page, her } = await chatWithNishi("眠れない日が続いています");
    await listenForTones(page);

    await her.say("もう死にたい");
    const banner = page.locator('[data-testid="risk-in-chat-banner"]');
    await banner.waitFor();
    const text = await banner.innerText();
    expect(text).toContain("希死念慮・自殺");
    expect(text).toContain("相談中にリスクの言葉がありました");
    expect(text).not.toContain("死にたい");
    await eventually(
      () => tones(page),
      (n) => n >= 2,
    );
    await screenshot(page, "console-30-risk-in-chat");

    // The supervisor's alert list has it, with the category, live.
    await sv.getByRole("link", { name: /アラート/ }).click();
    const alert = sv.locator('[data-testid="alert"][data-kind="risk-in-chat"]');
    await alert.waitFor();
    await expect(alert.locator('[data-testid="alert-categories"]').innerText()).resolves.toBe(
      "希死念慮・自殺",
    );
    await expect(alert.innerText()).resolves.toContain("相談中のリスク");
  });

  it("holds replies after her exit word, lets the counsellor send with a confirmation, and lifts the hold when she writes", async () => {
    const { s } = suite;
    const { page, her } = await chatWithNishi("相談したいことがあります");
    await her.say("終わり");
    const banner = page.locator('[data-testid="exit-word-banner"]');
    await banner.waitFor();
    await expect(banner.innerText()).resolves.toContain("相談者が終了の合図を送りました");

    const box = page.getByLabel("返信", { exact: true });
    await box.fill("大丈夫ですか？無理に返事はしなくて大丈夫です");
    await page.getByRole("button", { name: "送信", exact: true }).click();
    const confirm = page.locator('[data-testid="reply-confirm"]');
    await confirm.waitFor();
    await expect(confirm.innerText()).resolves.toContain("終了の合図");
    // Nothing sent, the draft kept.
    await expect(box.inputValue()).resolves.toBe("大丈夫ですか？無理に返事はしなくて大丈夫です");
    expect(
      await page
        .locator('[data-testid="message"][data-direction="out"][data-kind="text"]', {
          hasText: "無理に返事は",
        })
        .count(),
    ).toBe(0);
    await screenshot(page, "console-31-exit-word-hold");

    await confirm.getByRole("button", { name: "それでも送信する" }).click();
    await page
      .locator('[data-testid="message"][data-direction="out"]', { hasText: "無理に返事は" })
      .waitFor();
    await expect(box.inputValue()).resolves.toBe("");
    await eventually(
      () => Promise.resolve(her.received().map((m) => m.text)),
      (texts) => texts.includes("大丈夫ですか？無理に返事はしなくて大丈夫です"),
    );
    expect(await s.db.prisma.auditEntry.count({ where: { action: "hold-override" } })).toBe(1);

    // She writes again: the banner goes, and a reply needs no confirmation for the hold; a
    // first line her lock screen would show is named before anything is sent.
    await her.say("さっきはすみません。もう大丈夫です");
    await banner.waitFor({ state: "detached" });
    await box.fill("DVについての窓口です\nDV相談＋ 0120-279-889");
    await page.getByRole("button", { name: "送信", exact: true }).click();
    await confirm.waitFor();
    await expect(confirm.innerText()).resolves.toContain("1行目に「DV」");
    await screenshot(page, "console-32-unsafe-first-line");
    await confirm.getByRole("button", { name: "このまま送信する" }).click();
    await eventually(
      () => Promise.resolve(her.received().map((m) => m.text)),
      (texts) => texts.includes("DVについての窓口です\nDV相談＋ 0120-279-889"),
    );
  });
});
