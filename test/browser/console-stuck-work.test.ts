import type { Page } from "playwright-core";
import { createSealer } from "../../src/privacy/sealer";
import { screenshot } from "../support/browser";
import { serviceBrowserFixture } from "../support/browser-fixture";
import { openConsole } from "../support/console-page";
import { eventually } from "../support/eventually";
import { gunmaOpenAroundTheClock } from "../support/presets";

/** The first line of the Gunma preset's greeting (flows/gunma/flow.yaml). */
const GREETING_START = "こんにちは。";
/** What the worker recorded when it could not open her event. */
const UNREADABLE = "AppError: Stored data cannot be opened with APP_SECRET_KEY";
const NOTHING_STUCK = "止まっている処理はありません。";
/** The console's "11/30 16:44", Japan time (src/console/public/js/format.js). */
const consoleTime = new Intl.DateTimeFormat("ja-JP", {
  timeZone: "Asia/Tokyo",
  month: "numeric",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

/**
 * A job the worker gave up on, as an admin meets it in the console (the API's side is
 * test/integration/stuck-work.test.ts). Her first event is made unreadable before any worker
 * runs (sealed under another key: a botched key rotation); with back-offs a ten-thousandth of
 * the real ones the worker gives it up within seconds. The admin sees it on the admin page, a
 * counsellor has no way there, and once the record is readable again the admin's retry from
 * the page gets the woman her greeting, once.
 */
describe("stuck work on the admin page", () => {
  const suite = serviceBrowserFixture({
    preset: gunmaOpenAroundTheClock(),
    worker: false,
    jobBackoffScale: 0.0001,
    accounts: [
      { loginName: "admin", displayName: "かんり", role: "admin", regionId: null },
      { loginName: "nishi", displayName: "にしだ", role: "counsellor", regionId: "seimo" },
    ],
  });

  const stuckTable = (page: Page) => page.getByRole("table", { name: "止まっている処理" });

  /** The table's body as the admin reads it: each row's cells under their column headers. */
  async function stuckRows(page: Page): Promise<Record<string, string>[]> {
    const table = stuckTable(page);
    const headers = await table.locator("thead th").allInnerTexts();
    const rows: Record<string, string>[] = [];
    for (const row of await table.locator("tbody tr").all()) {
      const cells = await row.locator("td").allInnerTexts();
      rows.push(Object.fromEntries(cells.map((text, i) => [headers[i] ?? `#${i}`, text])));
    }
    return rows;
  }

  const says = (page: Page) => stuckTable(page).locator("tbody").innerText();

  it("shows the given-up job to an admin only, and her retry from the page gets the woman her greeting once", async () => {
    const { s, browser } = suite;
    const admin = (await openConsole(browser, s.url, "admin")).page;
    await admin.getByRole("link", { name: "管理", exact: true }).click();
    await eventually(
      () => says(admin),
      (text) => text === NOTHING_STUCK,
    );

    // Her first event is stored while no worker runs, then made unreadable; then the worker
    // starts, fails it at every attempt and re-drive, and gives it up.
    const her = s.sim.person("はな");
    const followed = await her.follow();
    expect(followed.status).toBe(200);
    const event = await s.db.prisma.webhookEvent.findUniqueOrThrow({
      where: { webhookEventId: followed.webhookEventId },
    });
    const readable = event.payloadEnc;
    const otherKey = createSealer("another-app-secret-key-0123456789abcdef-012345");
    await s.db.prisma.webhookEvent.update({
      where: { id: event.id },
      data: { payloadEnc: otherKey.seal("{}") },
    });
    await s.startWorker();
    const key = `evt-${event.id}`;
    const givenUp = await eventually(
      () => s.db.prisma.jobOutbox.findUniqueOrThrow({ where: { key } }),
      (row) => row.state === "dead" && row.dueAt === null,
      30_000,
    );
    expect(her.received()).toEqual([]);

    // The page does not follow the outbox live: the admin reloads the list.
    await admin.getByRole("button", { name: "止まっている処理を更新", exact: true }).click();
    const recorded = consoleTime.format(givenUp.createdAt);
    const rows = await eventually(
      () => stuckRows(admin),
      (list) => list.length === 1 && list[0]?.["処理"] !== NOTHING_STUCK,
    );
    expect(rows).toEqual([
      {
        処理: "受け取ったメッセージの処理",
        状態: "停止中（手動で再試行）",
        再実行の回数: "6",
        記録: recorded,
        次の再試行: "—",
        エラー: UNREADABLE,
        操作: "いま再試行",
      },
    ]);
    await screenshot(admin, "console-24-stuck-work");

    // A counsellor has no link to the admin page, and its address shows her the home page.
    const nishi = (await openConsole(browser, s.url, "nishi")).page;
    await nishi.getByRole("link", { name: /にしだ/ }).click();
    await nishi.getByRole("heading", { name: "相談者に見える名前" }).waitFor();
    expect(await nishi.getByRole("link", { name: "管理", exact: true }).count()).toBe(0);
    expect(await nishi.locator("#nav-admin").isHidden()).toBe(true);
    await nishi.evaluate(() => (location.hash = "#/admin"));
    await nishi.getByRole("heading", { name: "にしださん、おつかれさまです" }).waitFor();
    expect(await nishi.getByRole("heading", { name: "止まっている処理" }).count()).toBe(0);
    expect(await stuckTable(nishi).count()).toBe(0);

    // The cause fixed (her record readable again), the admin presses the row's button, named
    // for the row it is in.
    await s.db.prisma.webhookEvent.update({
      where: { id: event.id },
      data: { payloadEnc: readable },
    });
    await stuckTable(admin)
      .locator("tbody tr", { hasText: "受け取ったメッセージの処理" })
      .getByRole("button", {
        name: `いま再試行（受け取ったメッセージの処理、${recorded}記録）`,
        exact: true,
      })
      .click();
    await admin
      .getByRole("status")
      .filter({ hasText: "受け取ったメッセージの処理を再試行しました。" })
      .waitFor();
    expect(await admin.locator("#toast").getAttribute("class")).not.toContain("error");
    await eventually(
      () => says(admin),
      (text) => text === NOTHING_STUCK,
    );
    // Her row (and the button pressed) is gone: focus stays in the section, on its heading.
    await expect(admin.evaluate(() => document.activeElement?.id)).resolves.toBe("stuck-title");

    // She gets her greeting, once: the retried job is done, her one delivery sent.
    await eventually(
      () => Promise.resolve(her.received().filter((m) => m.text?.startsWith(GREETING_START))),
      (greetings) => greetings.length > 0,
    );
    await eventually(
      () => s.db.prisma.jobOutbox.findUniqueOrThrow({ where: { key } }),
      (row) => row.state === "done",
    );
    await eventually(
      () => s.db.prisma.outboundDelivery.findMany({ select: { status: true } }),
      (deliveries) => deliveries.length > 0 && deliveries.every((d) => d.status !== "pending"),
    );
    expect(await s.db.prisma.outboundDelivery.findMany({ select: { status: true } })).toEqual([
      { status: "sent" },
    ]);
    expect(her.received().filter((m) => m.text?.startsWith(GREETING_START))).toHaveLength(1);

    // Done, it stays off the list.
    await Promise.all([
      admin.waitForResponse((r) => r.url().endsWith("/api/v1/stuck-work") && r.ok()),
      admin.getByRole("button", { name: "止まっている処理を更新", exact: true }).click(),
    ]);
    await expect(says(admin)).resolves.toBe(NOTHING_STUCK);
    await screenshot(admin, "console-25-stuck-work-retried");
  }, 120_000);
});
