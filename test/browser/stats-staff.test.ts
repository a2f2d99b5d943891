import ExcelJS from "exceljs";
import type { Page } from "playwright-core";
import { screenshot } from "../support/browser";
import { serviceBrowserFixture } from "../support/browser-fixture";
import { PASSWORD, signIn } from "../support/console-page";
import type { ServiceUnderTest } from "../support/service-harness";
import { statsHistory } from "../support/stats-history";

/** The brief's screen: a laptop at 1366×768. */
const SCREEN = { width: 1366, height: 768 };

interface Table {
  sheet: string;
  header: string[];
  rows: (string | number | null)[][];
  total: (string | number | null)[] | null;
}
interface ReportView {
  consultations: number;
  people: number;
  newReturning: { new: number; returning: number; unknown: number };
  period: { title: string };
  filters: { regionName: string };
  kpi: { target: number } | null;
  tables: Table[];
}

/** What the API answers the page's own query (its URL): the one source of the figures. */
async function apiReport(page: Page): Promise<ReportView> {
  return page.evaluate(async () => {
    const res = await fetch(`/api/v1/stats/report${location.search}`);
    return (await res.json()) as ReportView;
  });
}

/** A chart card's table as text, row by row. */
const cardTable = (page: Page, title: string) =>
  page
    .locator(`[data-chart="${title}"] table tr`)
    .evaluateAll((trs) =>
      trs.map((tr) => Array.from(tr.children, (td) => (td.textContent ?? "").trim())),
    );

const asText = (t: Table) =>
  [t.header, ...t.rows, ...(t.total ? [t.total] : [])].map((row) =>
    row.map((v) => (v === null ? "–" : String(v))),
  );

/** Waits for the page to finish its next load (figures and entries). */
async function reloaded(page: Page, action: () => Promise<unknown>): Promise<void> {
  await page.evaluate(() => document.body.removeAttribute("data-ready"));
  await action();
  await page.locator("body[data-ready=true]").waitFor();
}

describe("statistics for staff: from the console, in the URL, in Japanese, with the entries", () => {
  const suite = serviceBrowserFixture({
    accounts: [
      { loginName: "staff", displayName: "事務局", role: "admin", regionId: null },
      { loginName: "west", displayName: "西毛相談員", role: "counsellor", regionId: "seimo" },
    ],
    seed: history,
  });

  async function history(s: ServiceUnderTest): Promise<void> {
    const h = statsHistory(s.db.prisma);
    const cn = await h.counsellor("chuhoku");
    const [a, b] = [await h.person(), await h.person()];
    const answered = (person: string, day: string, region: string, topics: string[]) =>
      h.line({
        person,
        start: `${day} 21:00`,
        waiting: `${day} 21:02`,
        answered: `${day} 21:07`,
        region,
        topics,
        referrals: ["群馬県女性相談支援センター（配偶者暴力相談支援センター）"],
        counsellor: cn,
      });
    await answered(a.id, "2025-05-12", "chuhoku", ["dv"]);
    await answered(a.id, "2025-06-03", "chuhoku", ["dv", "mental"]);
    await answered(b.id, "2025-06-20", "tomo", ["work"]);
  }

  it("a staff member goes from the console to the report: era labels, totals, zero rows, URL", async () => {
    const { s, browser } = suite;
    const context = await browser.newContext({
      viewport: SCREEN,
      locale: "ja-JP",
      timezoneId: "Asia/Tokyo",
      acceptDownloads: true,
    });
    const page = await context.newPage();
    await page.goto(`${s.url}/console/`);
    await signIn(page, "staff");
    const link = page.locator("#nav-stats");
    await expect(link.innerText()).resolves.toBe("統計・報告");
    await link.click();
    await page.locator("body[data-ready=true]").waitFor();

    // Fiscal year 2025 as 令和7年度, all regions, in the URL.
    await page.locator("#filters select[name=fiscalYear]").selectOption("2025");
    await reloaded(page, () => page.locator("#filters button[type=submit]").click());
    expect(new URL(page.url()).search).toBe("?fiscalYear=2025");
    await expect(page.locator("#status").innerText()).resolves.toBe("令和7年度（全地域）");
    const options = await page
      .locator("#filters select[name=fiscalYear] option:checked")
      .innerText();
    expect(options).toBe("令和7年度（2025年度）");

    let api = await apiReport(page);
    await expect(page.locator("#total").innerText()).resolves.toBe(String(api.consultations));
    await expect(page.locator("#people").innerText()).resolves.toBe(String(api.people));
    expect([api.consultations, api.people]).toEqual([3, 2]);
    await expect(page.locator("#kpi-label").innerText()).resolves.toBe("令和7年度 実数目標 220人");

    // The tables under the charts are the API's tables: months in Japanese, zero rows, totals.
    const table = (name: string) => {
      const t = api.tables.find((x) => x.sheet === name);
      if (!t) throw new Error(name);
      return asText(t);
    };
    const monthly = await cardTable(page, "月別の推移");
    expect(monthly).toEqual(table("月別・経路別"));
    expect(monthly.map((r) => r[0])).toEqual([
      "月",
      ...[4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => `2025年${m}月`),
      ...[1, 2, 3].map((m) => `2026年${m}月`),
      "期間計",
    ]);
    const topics = await cardTable(page, "相談内容 × 地域（1件に複数の内容あり）");
    expect(topics).toEqual(table("相談内容×地域"));
    expect(topics[0]).toEqual(["相談内容", "中北毛", "西毛", "東毛", "合計"]);
    expect(topics.at(-1)).toEqual(["合計", "3", "0", "1", "4"]);
    expect(await cardTable(page, "年代別")).toEqual(table("年代別"));
    expect(await cardTable(page, "つなぎ先（機関別）")).toEqual(table("つなぎ先"));
    expect(await cardTable(page, "経路別")).toContainEqual(["電話", "0", "0"]);

    // Count axes step by whole numbers; the long partner name is not cut off (drawn in lines).
    const ticks = await page.evaluate(() => {
      const Chart = (window as unknown as { Chart: { getChart(c: Element): unknown } }).Chart;
      return Array.from(document.querySelectorAll("#charts canvas"), (canvas) => {
        const chart = Chart.getChart(canvas) as {
          options: { indexAxis?: string };
          scales: Record<string, { ticks: { value: number }[] }>;
        };
        const axis = chart.options.indexAxis === "y" ? "x" : "y";
        return chart.scales[axis]?.ticks.map((t) => t.value) ?? [];
      });
    });
    expect(ticks.length).toBeGreaterThanOrEqual(5);
    expect(ticks.flat().every((v) => Number.isInteger(v))).toBe(true);
    await screenshot(page, "stats-20-fiscal-year-reiwa-7");

    // 西毛 (no consultation): named in the heading, its rows of zeros, kept across a reload.
    await page.locator("#filters select[name=region]").selectOption("seimo");
    await reloaded(page, () => page.locator("#filters button[type=submit]").click());
    expect(new URL(page.url()).search).toBe("?fiscalYear=2025&region=seimo");
    await expect(page.locator("#status").innerText()).resolves.toBe("令和7年度（西毛）");
    await reloaded(page, () => page.reload());
    await expect(page.locator("#status").innerText()).resolves.toBe("令和7年度（西毛）");
    await expect(page.locator("#filters select[name=region]").inputValue()).resolves.toBe("seimo");
    api = await apiReport(page);
    expect(api.consultations).toBe(0);
    await expect(page.locator("#total").innerText()).resolves.toBe("0");
    const west = await cardTable(page, "相談内容 × 地域（1件に複数の内容あり）");
    expect(west[0]).toEqual(["相談内容", "西毛", "合計"]);
    expect(west.at(-1)).toEqual(["合計", "0", "0"]);
    await screenshot(page, "stats-21-seimo-zero-rows");

    // The next fiscal year's KPI comes from the preset's kpiByYear (令和8年度).
    await page.locator("#filters select[name=region]").selectOption("");
    await page.locator("#filters select[name=fiscalYear]").selectOption("2026");
    await reloaded(page, () => page.locator("#filters button[type=submit]").click());
    await expect(page.locator("#kpi-label").innerText()).resolves.toBe("令和8年度 実数目標 220人");
    await page.locator("#filters select[name=fiscalYear]").selectOption("2024");
    await reloaded(page, () => page.locator("#filters button[type=submit]").click());
    expect(await page.locator("#kpi-card").isHidden()).toBe(true);

    // The workbook of the same query: its summary is the page's.
    await page.locator("#filters select[name=fiscalYear]").selectOption("2025");
    await reloaded(page, () => page.locator("#filters button[type=submit]").click());
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator("#xlsx-report").click(),
    ]);
    expect(download.suggestedFilename()).toBe("report-fy2025.xlsx");
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(await download.path());
    const summary = book.getWorksheet("概要");
    const values = new Map<string, unknown>();
    summary?.eachRow((row) => values.set(row.getCell(1).text, row.getCell(2).value));
    expect(values.get("期間")).toBe("令和7年度");
    expect(values.get("延べ数（相談件数）")).toBe(Number(await page.locator("#total").innerText()));
    await context.close();
  }, 90_000);

  it("an entry refreshes the figures at once; it is listed, corrected and deleted (新規/継続/不明)", async () => {
    const { s, browser } = suite;
    const context = await browser.newContext({
      viewport: SCREEN,
      locale: "ja-JP",
      timezoneId: "Asia/Tokyo",
    });
    const page = await context.newPage();
    await page.goto(`${s.url}/console/stats.html?fiscalYear=2025`);
    await page.locator("#signin input[name=loginName]").fill("staff");
    await page.locator("#signin input[name=password]").fill(PASSWORD);
    await page.locator("#signin button[type=submit]").click();
    await page.locator("body[data-ready=true]").waitFor();
    const total = async () => Number(await page.locator("#total").innerText());
    const before = await total();
    const newReturning = () => page.locator("#new-returning").innerText();
    const [n0, r0, u0] = (await newReturning()).split(" / ").map(Number);

    // A phone call with no reference and no answer to 「はじめての相談か」: 不明, not 継続.
    const form = page.locator("#entry");
    await form.locator("select[name=channel]").selectOption("phone");
    await form.locator("select[name=regionId]").selectOption("seimo");
    await form.locator("input[name=startedAt]").fill("2025-07-10T14:00");
    await form.locator("input[name=topics][value=poverty]").check();
    await form.locator("select[name=riskLevel]").selectOption("low");
    await reloaded(page, () => form.locator("button[type=submit]").click());
    await expect(page.locator("#entry-result").innerText()).resolves.toBe(
      "記録しました。集計に反映しました。",
    );
    expect(await total()).toBe(before + 1);
    await expect(newReturning()).resolves.toBe(`${n0} / ${r0} / ${(u0 ?? 0) + 1}`);
    expect((await apiReport(page)).consultations).toBe(before + 1);

    const rows = page.locator("#entries tbody tr");
    await expect(rows.count()).resolves.toBe(1);
    const cells = await rows
      .first()
      .locator("td")
      .evaluateAll((tds) => tds.map((td) => (td.textContent ?? "").trim()));
    expect(cells.slice(0, 7)).toEqual([
      "2025/7/10 14:00",
      "電話",
      "西毛",
      "お金・住まい・食べもの",
      "–",
      "不明",
      "事務局",
    ]);
    await screenshot(page, "stats-22-entry-listed");

    // Corrected: 訪問, first contact 新規; the list and the figures follow.
    await rows.first().getByRole("button", { name: "修正" }).click();
    await expect(page.locator("#entry-heading").innerText()).resolves.toContain("記録を修正");
    await expect(form.locator("input[name=startedAt]").inputValue()).resolves.toBe(
      "2025-07-10T14:00",
    );
    await form.locator("select[name=channel]").selectOption("outreach");
    await form.locator("select[name=firstContact]").selectOption("yes");
    await screenshot(page, "stats-23-entry-correcting");
    await reloaded(page, () => page.locator("#entry-submit").click());
    await expect(page.locator("#entry-result").innerText()).resolves.toBe(
      "修正しました。集計に反映しました。",
    );
    await expect(rows.first().locator("td").nth(1).innerText()).resolves.toBe("訪問");
    await expect(rows.first().locator("td").nth(5).innerText()).resolves.toBe("新規");
    await expect(newReturning()).resolves.toBe(`${(n0 ?? 0) + 1} / ${r0} / ${u0}`);
    expect(await total()).toBe(before + 1);
    expect(await cardTable(page, "経路別")).toContainEqual(["訪問", "1", "1"]);

    // Deleted after a second click: out of the list and the figures.
    const remove = rows.first().getByRole("button", { name: "削除" });
    await remove.click();
    await expect(rows.first().getByRole("button", { name: "削除を確定" }).count()).resolves.toBe(1);
    await reloaded(page, () => rows.first().getByRole("button", { name: "削除を確定" }).click());
    await expect(page.locator("#entries-note").innerText()).resolves.toBe(
      "この期間の記録はありません。",
    );
    expect(await total()).toBe(before);
    const audit = await s.db.prisma.auditEntry.findMany({
      where: { action: { in: ["record-entry", "correct-entry", "delete-entry"] } },
      orderBy: { id: "asc" },
    });
    expect(audit.map((a) => a.action)).toEqual(["record-entry", "correct-entry", "delete-entry"]);
    await screenshot(page, "stats-24-entry-deleted");
    await context.close();
  }, 90_000);

  it("a counsellor reaches her entries from the console, without the statistics", async () => {
    const { s, browser } = suite;
    const context = await browser.newContext({
      viewport: SCREEN,
      locale: "ja-JP",
      timezoneId: "Asia/Tokyo",
    });
    const page = await context.newPage();
    await page.goto(`${s.url}/console/`);
    await signIn(page, "west");
    const link = page.locator("#nav-stats");
    await expect(link.innerText()).resolves.toBe("相談の記録");
    await link.click();
    await page.locator("body[data-ready=true]").waitFor();
    expect(await page.locator("#report-area").isHidden()).toBe(true);
    expect(await page.locator("#xlsx-report").isHidden()).toBe(true);
    expect(await page.locator("#entry-area").isVisible()).toBe(true);
    expect(await page.locator("#entries-area").isVisible()).toBe(true);
    await screenshot(page, "stats-25-counsellor-entries");
    await context.close();
  });
});
