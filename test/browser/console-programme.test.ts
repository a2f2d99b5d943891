import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { screenshot } from "../support/browser";
import { serviceBrowserFixture } from "../support/browser-fixture";
import { apiAs, openConsole } from "../support/console-page";
import { gunmaOpenAroundTheClock } from "../support/presets";

/** The brief's screen: a laptop at 1366×768. */
const SCREEN = { width: 1366, height: 768 };

interface Gathering {
  id: string;
  place: string;
  headCount: number | null;
  attendees: { pseudonym: string; consent: string }[];
  productsHandedOut: number;
}
interface Handout {
  quantity: number;
  place: { label: string };
}

/** A moment in Japan, `days` from now at `hour`:00, as a datetime-local value. */
function tokyoLocalIn(days: number, hour: number): string {
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(
    new Date(Date.now() + days * 86_400_000),
  );
  return `${day}T${String(hour).padStart(2, "0")}:00`;
}

const rowOf = (page: Page, place: string) =>
  page.locator('[data-testid="gathering"]', { hasText: place });

describe("居場所 and sanitary products in the console", () => {
  const pseudonym = `ひだまり-${randomBytes(3).toString("hex")}`;
  const suite = serviceBrowserFixture({
    preset: gunmaOpenAroundTheClock(),
    accounts: [{ loginName: "west", displayName: "にしだ", role: "counsellor", regionId: "seimo" }],
    // A woman of 西毛 (she wrote on LINE), whom a counsellor may link once she agrees.
    seed: async (s) => {
      const person = await s.db.prisma.person.create({
        data: { lineUserHash: randomBytes(16).toString("hex"), pseudonym },
      });
      await s.db.prisma.conversation.create({
        data: { personId: person.id, status: "closed", regionId: "seimo", topics: ["other"] },
      });
    },
  });

  it("a counsellor plans a gathering, records its head count and a woman who agreed, and products handed out", async () => {
    const { s, browser } = suite;
    const { context, page } = await openConsole(browser, s.url, "west", { viewport: SCREEN });
    await page.locator("#nav-programme").click();
    await page.getByRole("heading", { name: "居場所・生理用品" }).waitFor();
    await expect(page.locator('[data-testid="gathering-list"]').innerText()).resolves.toContain(
      "居場所の予定はありません",
    );

    // Planned: shown as the API holds it.
    const form = page.locator('[data-testid="gathering-form"]');
    await form.locator("#gathering-starts").fill(tokyoLocalIn(7, 14));
    await form.locator("#gathering-place").fill("安中市文化センター 和室");
    await form.locator("#gathering-theme").fill("手芸とお茶");
    await form.getByRole("button", { name: "追加する" }).click();
    const planned = rowOf(page, "安中市文化センター 和室");
    await planned.waitFor();
    const upcoming = (await apiAs(page, "GET", "/api/v1/gatherings?when=upcoming"))
      .body as Gathering[];
    expect(upcoming.map((g) => g.place)).toEqual(["安中市文化センター 和室"]);
    await expect(planned.locator('[data-testid="gathering-head-count"]').innerText()).resolves.toBe(
      "未記録",
    );

    // Nothing to record before it takes place: only calling it off.
    await expect(planned.locator('[data-testid="head-count-input"]').count()).resolves.toBe(0);
    await expect(planned.locator('[data-testid="gathering-cancel"]').count()).resolves.toBe(1);
    await screenshot(page, "programme-00-gathering-planned");

    // Yesterday's gathering, entered afterwards, is recorded under 終わった回.
    await form.locator("#gathering-starts").fill(tokyoLocalIn(-1, 14));
    await form.locator("#gathering-place").fill("富岡市民センター");
    await form.locator("#gathering-theme").fill("ハンドマッサージ");
    await form.getByRole("button", { name: "追加する" }).click();
    // Added: the page is drawn again, with an empty form.
    await page.waitForFunction(
      () => (document.getElementById("gathering-place") as HTMLInputElement | null)?.value === "",
    );
    await page.locator('[data-testid="gatherings-past"]').click();
    const row = rowOf(page, "富岡市民センター");
    await row.waitFor();
    const api = async () =>
      (await apiAs(page, "GET", "/api/v1/gatherings?when=past")).body as Gathering[];
    expect((await api()).map((g) => g.place)).toEqual(["富岡市民センター"]);

    // A negative head count is refused, and nothing changes.
    await row.locator('[data-testid="head-count-input"]').fill("-2");
    await row.locator('[data-testid="head-count-save"]').click();
    await page.locator("#toast.error").waitFor();
    expect((await api())[0]?.headCount).toBeNull();
    await row.locator('[data-testid="head-count-input"]').fill("8");
    await row.locator('[data-testid="head-count-save"]').click();
    await row.locator('[data-testid="gathering-head-count"]', { hasText: "8人" }).waitFor();
    expect((await api())[0]?.headCount).toBe(8);

    // A woman is linked only once her consent is chosen.
    await row.locator('[data-testid="attendee-pseudonym"]').fill(pseudonym);
    await row.locator('[data-testid="attendee-add"]').click();
    await page.locator("#toast", { hasText: "本人の同意を得た人だけ" }).waitFor();
    expect((await api())[0]?.attendees).toEqual([]);
    await row.locator('[data-testid="attendee-consent"]').selectOption("verbal");
    await row.locator('[data-testid="attendee-add"]').click();
    await row.locator('[data-testid="attendee"]').waitFor();
    await expect(row.locator('[data-testid="attendee"]').innerText()).resolves.toContain(
      `${pseudonym}（口頭で同意）`,
    );
    expect((await api())[0]?.attendees).toEqual([
      expect.objectContaining({ pseudonym, consent: "verbal" }),
    ]);

    // Products handed out at the gathering and at a pickup point of 西毛.
    await row.locator('[data-testid="gathering-handout-quantity"]').fill("5");
    await row.locator('[data-testid="gathering-handout-save"]').click();
    await row.locator('[data-testid="gathering-products"]', { hasText: "5個" }).waitFor();
    expect((await api())[0]?.productsHandedOut).toBe(5);
    await screenshot(page, "programme-01-gathering-recorded");

    const handout = page.locator('[data-testid="handout-form"]');
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date());
    await handout.locator("#handout-day").fill(today);
    await expect(handout.locator("#handout-point option").allInnerTexts()).resolves.toEqual([
      "西毛・高崎市役所 女性相談の窓口（例）（例・要確認）",
    ]);
    await handout.locator("#handout-quantity").fill("20");
    await handout.getByRole("button", { name: "記録する" }).click();
    await page.locator('[data-testid="handout"]', { hasText: "高崎市役所" }).waitFor();
    const month = today.slice(0, 7);
    const handouts = (await apiAs(page, "GET", `/api/v1/product-handouts?month=${month}`))
      .body as Handout[];
    const total = handouts.reduce((sum, h) => sum + h.quantity, 0);
    await expect(page.locator('[data-testid="handout-total"]').innerText()).resolves.toBe(
      `この月の配布 ${total}個（${handouts.length}件）`,
    );
    const shown = await page.locator('[data-testid="handout-quantity"]').allInnerTexts();
    expect(shown.map(Number)).toEqual(handouts.map((h) => h.quantity));
    // The gathering's packs count in its own month (yesterday may be last month).
    expect(handouts.map((h) => [h.place.label, h.quantity])).toContainEqual([
      "高崎市役所 女性相談の窓口（例）",
      20,
    ]);
    await screenshot(page, "programme-02-products-handed-out");
    await context.close();
  }, 90_000);
});
