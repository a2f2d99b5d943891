import type { Page } from "playwright-core";
import { screenshot } from "../support/browser";
import { serviceBrowserFixture } from "../support/browser-fixture";
import { apiAs, handOverFrom, itemSaying, signIn } from "../support/console-page";
import { eventually } from "../support/eventually";
import { latestConversationOf } from "../support/her-conversation";
import { gunmaOpenAroundTheClock } from "../support/presets";

/** The screen: a laptop at 1366×768. */
const LAPTOP_768 = { width: 1366, height: 768 };

/**
 * Records what the page asks of the browser's platform (outside the project): each desktop
 * notification shown and each tone played, so a test can see what she would see and hear.
 */
const RECORD_NOTICES = `
  window.__notices = [];
  window.__tones = 0;
  const Real = window.Notification;
  class Recorded extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notices.push({ title, body: options && options.body });
    }
  }
  window.Notification = Recorded;
  const oscillator = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () {
    window.__tones += 1;
    return oscillator.call(this);
  };
`;

function preset() {
  const p = gunmaOpenAroundTheClock();
  return {
    ...p,
    // One chat at a time, so the limit shows with two women.
    maxActiveChats: 1,
    // A poverty partner with contacts (her topic in the hand-off below).
    partners: p.partners.map((partner) =>
      partner.name === "社会福祉協議会"
        ? {
            ...partner,
            phone: "027-255-6033",
            hours: "平日 8:30〜17:15",
            howToRefer: "「LINE相談から聞いた」と伝えてください。",
          }
        : partner,
    ),
  };
}

/** Working an evening shift (issue #17, point 2). */
describe("the console on a counsellor's shift", () => {
  const suite = serviceBrowserFixture({
    preset: preset(),
    accounts: [{ loginName: "nishi", displayName: "にし", role: "counsellor", regionId: "seimo" }],
  });

  async function counsellorPage(): Promise<Page> {
    const { s, browser } = suite;
    const context = await browser.newContext({
      viewport: LAPTOP_768,
      locale: "ja-JP",
      timezoneId: "Asia/Tokyo",
      baseURL: s.url,
    });
    await context.grantPermissions(["notifications"], { origin: s.url });
    await context.addInitScript(RECORD_NOTICES);
    const page = await context.newPage();
    await page.goto(`${s.url}/console/`);
    await signIn(page, "nishi");
    await page.locator('#live-status[data-state="up"]').waitFor();
    return page;
  }
  const notices = (page: Page) =>
    page.evaluate(
      () => (window as unknown as { __notices: { title: string; body: string }[] }).__notices,
    );
  const tones = (page: Page) =>
    page.evaluate(() => (window as unknown as { __tones: number }).__tones);

  it("tells of a new woman, shows her before claiming, and answers with canned words and a contact", async () => {
    const { s } = suite;
    const page = await counsellorPage();
    await page.getByLabel("新しい相談を音と通知で知らせる").check();
    await page
      .locator('[data-testid="arrival-status"]', {
        hasText: "音とデスクトップ通知でお知らせします",
      })
      .waitFor();

    const her = s.sim.person();
    await handOverFrom(her, "高崎");
    await her.say("家賃が払えなくて困っています");
    const item = itemSaying(page, "waiting", "家賃が払えなくて");
    await item.waitFor();
    const { id, personId } = await latestConversationOf(s.db.prisma, her.userId);
    const pseudonym = (await s.db.prisma.person.findUniqueOrThrow({ where: { id: personId } }))
      .pseudonym;
    // A desktop notification names her pseudonym and region, never her words; a tone sounds.
    const shown = await eventually(
      () => notices(page),
      (n) => n.length === 1,
    );
    expect(shown[0]).toEqual({ title: "新しい相談が待っています", body: `${pseudonym}さん・西毛` });
    expect(await tones(page)).toBeGreaterThan(0);

    // Read before taking her: her words, no reply box, and nothing read on her phone.
    await item.getByRole("button", { name: /相談を読む/ }).click();
    const previewed = page.locator('[data-testid="preview-messages"]', {
      hasText: "家賃が払えなくて困っています",
    });
    await previewed.waitFor();
    await page.locator('[data-testid="preview-note"]', { hasText: "既読がつきません" }).waitFor();
    expect(await page.locator('[data-testid="reply-text"]').count()).toBe(0);
    await screenshot(page, "console-30-preview-before-claiming");
    const unread = await s.db.prisma.message.count({
      where: { conversationId: id, direction: "in", readAt: null },
    });
    expect(unread).toBeGreaterThan(0);
    expect(
      await s.db.prisma.auditEntry.count({ where: { conversationId: id, action: "preview" } }),
    ).toBe(1);

    await page.getByTestId("preview-claim").click();
    await page.waitForURL(`**/console/#/c/${id}`);
    const reply = page.getByTestId("reply-text");
    await expect(reply.isEnabled()).resolves.toBe(true);

    // Canned replies: the preset's, searchable; one of her own, with her name filled in.
    await page.locator('[data-testid="canned"] summary').click();
    await page.getByLabel("定型文を探す").fill("ペース");
    await expect(page.locator('[data-testid="canned-item"]').allInnerTexts()).resolves.toEqual([
      expect.stringContaining("あなたのペースで大丈夫です"),
    ]);
    await page
      .getByLabel(/自分の定型文/)
      .fill("{{counsellorName}}です。今夜は22時まで対応しています。");
    await page.getByRole("button", { name: "自分の定型文として保存" }).click();
    await page.getByLabel("定型文を探す").fill("22時");
    const own = page.locator('[data-testid="canned-item"][data-source="own"]');
    await own.waitFor();
    await expect(own.innerText()).resolves.toContain("にしです。今夜は22時まで対応しています。");
    await screenshot(page, "console-31-canned-replies");
    await own.getByRole("button", { name: /^にしです/ }).click();
    await expect(reply.inputValue()).resolves.toBe("にしです。今夜は22時まで対応しています。");

    // A referral card's contact goes into the reply, below what she wrote.
    const card = page.locator(".referral-card", { hasText: "社会福祉協議会" });
    await expect(card.getByTestId("referral-phone").innerText()).resolves.toBe(
      "電話 027-255-6033（平日 8:30〜17:15）",
    );
    await reply.press("End");
    await reply.press("Enter");
    await card.getByRole("button", { name: "連絡先を返信に入れる" }).click();
    const written = await reply.inputValue();
    expect(written).toBe(
      [
        "にしです。今夜は22時まで対応しています。",
        "こちらも相談できるところです。",
        "・社会福祉協議会",
        "電話 027-255-6033（平日 8:30〜17:15）",
        "「LINE相談から聞いた」と伝えてください。",
      ].join("\n"),
    );
    await screenshot(page, "console-32-referral-contact");
    await page.getByRole("button", { name: "送信", exact: true }).click();
    const sent = await eventually(
      () => Promise.resolve(her.received().find((m) => m.text?.includes("027-255-6033"))),
      (m) => m !== undefined,
    );
    expect(sent?.text).toBe(written);
  }, 180_000);

  it("holds her to the chat limit: 対応する waits, and the API refuses", async () => {
    const { s } = suite;
    const page = await counsellorPage();
    // The first test's chat is still hers: one of one.
    await page.locator("#mine-count", { hasText: "1 / 1" }).waitFor();
    const other = s.sim.person();
    await handOverFrom(other, "富岡");
    await other.say("仕事を探しています");
    const item = itemSaying(page, "waiting", "仕事を探しています");
    await item.waitFor();
    await expect(item.getByTestId("claim").isDisabled()).resolves.toBe(true);
    await item.getByRole("button", { name: /相談を読む/ }).click();
    await page
      .locator('[data-testid="preview-note"]', { hasText: "同時に対応できる数に達している" })
      .waitFor();
    await screenshot(page, "console-33-chat-limit");
    const { id } = await latestConversationOf(s.db.prisma, other.userId);
    const refused = await apiAs(page, "POST", `/api/v1/conversations/${id}/claim`);
    expect(refused.status).toBe(409);
    expect((refused.body as { code: string }).code).toBe("CHAT_LIMIT_REACHED");
    const still = await s.db.prisma.conversation.findUniqueOrThrow({ where: { id } });
    expect(still.status).toBe("waiting");
  }, 120_000);
});
