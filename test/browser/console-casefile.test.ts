import type { Page } from "playwright-core";
import { screenshot } from "../support/browser";
import { serviceBrowserFixture } from "../support/browser-fixture";
import { apiAs, openConsole, PASSWORD } from "../support/console-page";
import { statsHistory } from "../support/stats-history";

const SMALL = { width: 1366, height: 768 };

interface CaseFile {
  items: { id: string; type: string }[];
  partners: { id: string; name: string }[];
}

/** The timeline as the page shows it: [type, id] of each line, top to bottom. */
const timeline = (page: Page) =>
  page
    .locator('[data-testid="case-item"]')
    .evaluateAll((lis) =>
      lis.map((li) => [li.getAttribute("data-type"), li.getAttribute("data-id")]),
    );

const go = (page: Page, hash: string) =>
  page.evaluate((h) => {
    location.hash = h;
  }, hash);

jest.setTimeout(120_000);
describe("the console's case file: her timeline, a linked phone entry, a 同行 done", () => {
  const seeded = { pseudonym: "", conversation: "", entry: "" };
  const suite = serviceBrowserFixture({
    accounts: [
      { loginName: "nishi", displayName: "にしだ", role: "counsellor", regionId: "seimo" },
      { loginName: "sv", displayName: "すーぱー", role: "supervisor", regionId: null },
    ],
    seed: async (s) => {
      const h = statsHistory(s.db.prisma);
      const nishi = await s.db.prisma.counsellor.findUniqueOrThrow({
        where: { loginName: "nishi" },
      });
      const her = await h.person();
      seeded.pseudonym = her.pseudonym;
      seeded.conversation = await h.line({
        person: her.id,
        start: "2098-05-01 10:00",
        waiting: "2098-05-01 10:01",
        answered: "2098-05-01 10:05",
        region: "seimo",
        topics: ["poverty"],
        counsellor: nishi.id,
      });
      seeded.entry = await h.entry({
        channel: "phone",
        start: "2098-05-10 14:00",
        region: "seimo",
        counsellor: nishi.id,
        topics: ["work"],
      });
    },
  });

  it("links the phone entry to her, plans a 同行 with a partner, closes it as done, and the report counts it", async () => {
    const { s, browser } = suite;
    const { page } = await openConsole(browser, s.url, "nishi", { viewport: SMALL });
    const who = page.locator('[data-testid="case-file-who"]');

    // The phone entry's own file: nobody linked yet.
    await go(page, `#/file/entry/${seeded.entry}`);
    await who.filter({ hasText: "紐付いていない" }).waitFor();
    await expect(timeline(page)).resolves.toEqual([["entry", seeded.entry]]);

    // Linked to her by pseudonym, with a reason from the list: her LINE conversation joins.
    const entryLine = page.locator(`[data-testid="case-item"][data-id="${seeded.entry}"]`);
    await entryLine.locator('[data-testid="link-by"]').selectOption("pseudonym");
    await entryLine.locator('[data-testid="link-target"]').fill(seeded.pseudonym);
    await entryLine.locator('[data-testid="link-reason"]').selectOption("she-said");
    await entryLine.locator('[data-testid="link-entry"]').click();
    await who.filter({ hasText: seeded.pseudonym }).waitFor();
    const linked = (await apiAs(page, "GET", `/api/v1/casefiles/entry/${seeded.entry}`))
      .body as CaseFile;
    expect(linked.items.map((i) => [i.type, i.id])).toEqual([
      ["entry", seeded.entry],
      ["conversation", seeded.conversation],
    ]);
    await expect(timeline(page)).resolves.toEqual(linked.items.map((i) => [i.type, i.id]));
    await screenshot(page, "casefile-01-linked-1366x768");

    // A 同行 on 10 June 2098 at 10:30 to a partner of the directory.
    const partner = linked.partners[0];
    if (!partner) throw new Error("the directory has no partner");
    await page.locator("#case-task-kind").selectOption("accompany");
    await page.locator("#case-task-due").fill("2098-06-10");
    await page.locator("#case-task-time").fill("10:30");
    await page.locator("#case-task-partner").selectOption(partner.id);
    await page.getByRole("button", { name: "追加する" }).click();
    const task = page.locator('[data-testid="case-task"]', { hasText: partner.name });
    await task.waitFor();
    await expect(task.innerText()).resolves.toContain("同行 2098-06-10 10:30");
    await screenshot(page, "casefile-02-accompany-planned-1366x768");

    // Closed as done in the task list: her 同行 is recorded as a consultation in her file.
    await go(page, "#/tasks");
    const row = page.locator('[data-testid="task"][data-kind="accompany"]');
    await expect(row.locator('[data-testid="task-kind"]').innerText()).resolves.toBe(
      `同行 10:30（${partner.name}）`,
    );
    await row.locator('[data-testid="task-outcome-select"]').selectOption("done");
    await row.locator('[data-testid="task-close"]').click();
    await page.locator('[data-testid="task-count"]', { hasText: "0件" }).waitFor();

    // Her file from the LINE conversation's view.
    await go(page, `#/c/${seeded.conversation}`);
    await page.locator('[data-testid="open-case-file"]').click();
    await who.filter({ hasText: seeded.pseudonym }).waitFor();
    await page.locator('[data-testid="case-entry-channel"]', { hasText: "同行" }).waitFor();
    const done = (await apiAs(page, "GET", `/api/v1/casefiles/conversation/${seeded.conversation}`))
      .body as CaseFile;
    expect(done.items.map((i) => i.type)).toEqual(["task", "entry", "entry", "conversation"]);
    await expect(timeline(page)).resolves.toEqual(done.items.map((i) => [i.type, i.id]));
    await screenshot(page, "casefile-03-accompany-done-1366x768");

    // A referral from the phone call, with her consent: it joins her file as a line of its own.
    const offered = (await apiAs(page, "GET", "/api/v1/partners")).body as {
      id: string;
      name: string;
    }[];
    const to = offered[0];
    if (!to) throw new Error("no partner serves the region");
    const made = await apiAs(page, "POST", `/api/v1/stats/entries/${seeded.entry}/referrals`, {
      partnerId: to.id,
      consent: "yes",
    });
    expect(made.status).toBe(201);
    await go(page, `#/file/entry/${seeded.entry}`);
    const referral = page.locator('[data-testid="case-referral"]', { hasText: to.name });
    await referral.waitFor();
    await expect(referral.innerText()).resolves.toContain("同意あり ／ 結果: まだわからない");
    const withReferral = (await apiAs(page, "GET", `/api/v1/casefiles/entry/${seeded.entry}`))
      .body as CaseFile;
    // Made today, before the file's (far future) days: the oldest line.
    expect(withReferral.items.map((i) => i.type)).toEqual([
      "task",
      "entry",
      "entry",
      "conversation",
      "referral",
    ]);
    await expect(timeline(page)).resolves.toEqual(withReferral.items.map((i) => [i.type, i.id]));

    // The supervisor's report: 訪問・同行 as the API gives it (1 planned, 1 done).
    const sv = await browser.newContext({
      viewport: SMALL,
      locale: "ja-JP",
      timezoneId: "Asia/Tokyo",
      baseURL: s.url,
    });
    const stats = await sv.newPage();
    await stats.goto(`${s.url}/console/stats.html?fiscalYear=2098`);
    await stats.locator("#signin input[name=loginName]").fill("sv");
    await stats.locator("#signin input[name=password]").fill(PASSWORD);
    await stats.locator("#signin button[type=submit]").click();
    await stats.locator("body[data-ready=true]").waitFor();
    const card = stats.locator('[data-chart="訪問・同行（予定と結果）"]');
    const shown = await card
      .locator("table tr")
      .evaluateAll((trs) =>
        trs.map((tr) => Array.from(tr.children, (td) => (td.textContent ?? "").trim())),
      );
    const report = (await apiAs(stats, "GET", "/api/v1/stats/report?fiscalYear=2098")).body as {
      tables: { sheet: string; header: string[]; rows: unknown[][]; total: unknown[] }[];
    };
    const table = report.tables.find((t) => t.sheet === "訪問・同行");
    if (!table) throw new Error("no 訪問・同行 table");
    expect(shown).toEqual(
      [table.header, ...table.rows, table.total].map((r) => r.map((v) => String(v))),
    );
    expect(table.rows).toEqual([
      ["訪問", 0, 0, 0, 0, 0, 0],
      ["同行", 1, 1, 0, 0, 0, 0],
    ]);
    await card.scrollIntoViewIfNeeded();
    await screenshot(stats, "casefile-04-report-outreach-1366x768");
    await sv.close();
  });
});
