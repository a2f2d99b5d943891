import { readFile } from "node:fs/promises";
import { screenshot } from "../support/browser";
import { serviceBrowserFixture } from "../support/browser-fixture";
import { LAPTOP, PASSWORD, signIn } from "../support/console-page";
import type { ServiceUnderTest } from "../support/service-harness";
import { statsHistory } from "../support/stats-history";

/** A supervisor reads fiscal year 2025's statistics: charts, their tables, the CSV download. */
describe("the statistics page", () => {
  const suite = serviceBrowserFixture({
    accounts: [{ loginName: "sv", displayName: "相談員sv", role: "supervisor", regionId: null }],
    seed: fiscalYear2025,
  });

  async function fiscalYear2025(s: ServiceUnderTest): Promise<void> {
    const h = statsHistory(s.db.prisma);
    const cn = await h.counsellor("chuhoku");
    const [a, b] = [await h.person(), await h.person()];
    // A: two LINE consultations (May and June); B: one in June; one phone call by case number.
    const answered = (person: string, day: string, region: string, topics: string[]) =>
      h.line({
        person,
        start: `${day} 21:00`,
        waiting: `${day} 21:02`,
        answered: `${day} 21:07`,
        region,
        topics,
        counsellor: cn,
      });
    await answered(a.id, "2025-05-12", "chuhoku", ["dv"]);
    await answered(a.id, "2025-06-03", "chuhoku", ["dv", "mental"]);
    await answered(b.id, "2025-06-20", "seimo", ["work"]);
    await h.entry({
      channel: "phone",
      start: "2025-06-21 10:00",
      region: "tomo",
      counsellor: cn,
      caseRef: "K-1",
      topics: ["poverty"],
    });
    // Activities beside them: 12 packs handed out at a pickup point of 西毛 in June.
    await s.db.prisma.productHandout.create({
      data: {
        regionId: "seimo",
        handedOn: new Date("2025-06-10T00:00:00Z"),
        month: "2025-06",
        pickupPointId: "takasaki_city",
        quantity: 12,
        recordedById: cn,
      },
    });
    // Not consultations: a greeting and a hand-off she left before the answer.
    await h.line({ person: b.id, start: "2025-07-01 08:00", herMessages: 0 });
    await h.line({ person: b.id, start: "2025-07-02 08:00", waiting: "2025-07-02 08:01" });
  }

  it("shows the figures, draws the charts with their tables, and downloads the CSV", async () => {
    const { s, browser } = suite;
    const context = await browser.newContext({ acceptDownloads: true, locale: "ja-JP" });
    const page = await context.newPage();
    await page.goto(`${s.url}/console/stats.html`);
    await page.locator("#signin input[name=loginName]").fill("sv");
    await page.locator("#signin input[name=password]").fill(PASSWORD);
    await page.locator("#signin button[type=submit]").click();
    await page.locator("body[data-ready=true]").waitFor();

    await page.locator("#filters select[name=fiscalYear]").selectOption("2025");
    await page.evaluate(() => document.body.removeAttribute("data-ready"));
    await page.locator("#filters button[type=submit]").click();
    await page.locator("body[data-ready=true]").waitFor();
    await expect(page.locator("#status").innerText()).resolves.toBe("令和7年度（全地域）");

    // 延べ数 4 (three LINE, one phone), 実数 3 (A, B, the case number).
    await expect(page.locator("#total").innerText()).resolves.toBe("4");
    await expect(page.locator("#people").innerText()).resolves.toBe("3");
    await expect(page.locator("#new-returning").innerText()).resolves.toBe("3 / 0 / 0");

    // chart.js is loaded and every canvas has been drawn on (some pixel is not transparent).
    expect(await page.evaluate(() => typeof (window as { Chart?: unknown }).Chart)).toBe(
      "function",
    );
    const drawn = await page.locator("#charts canvas").evaluateAll((canvases) =>
      canvases.map((c) => {
        const canvas = c as HTMLCanvasElement;
        const ctx = canvas.getContext("2d");
        if (!ctx || canvas.width === 0) return false;
        const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
        return data.some((v, i) => i % 4 === 3 && v > 0);
      }),
    );
    expect(drawn.length).toBeGreaterThanOrEqual(4);
    expect(drawn.every(Boolean)).toBe(true);

    // The numbers behind the charts.
    const rows = async (title: string) => {
      const card = page.locator(`[data-chart="${title}"]`);
      return card
        .locator("table tr")
        .evaluateAll((trs) =>
          trs.map((tr) => Array.from(tr.children, (td) => (td.textContent ?? "").trim())),
        );
    };
    const trend = await rows("月別の推移");
    const zeros = (n: number) => Array<string>(n).fill("0");
    // 月, LINE 延べ/実, 電話 延べ/実, four more channels, 合計 延べ/実.
    expect(trend).toContainEqual(["2025年5月", "1", "1", ...zeros(10), "1", "1"]);
    expect(trend).toContainEqual(["2025年6月", "2", "2", "1", "1", ...zeros(8), "3", "3"]);
    expect(await rows("経路別")).toEqual([
      ["経路", "延べ数", "実数"],
      ["LINE", "3", "2"],
      ["電話", "1", "1"],
      ["メール", "0", "0"],
      ["来所・面接", "0", "0"],
      ["訪問", "0", "0"],
      ["同行", "0", "0"],
      ["合計", "4", "3"],
    ]);
    await screenshot(page, "stats-10-fiscal-year-2025");

    // The programme's tables beside the consultations (居場所, 生理用品, referral records,
    // campaign scans), each as the report's API gives it, zero rows included.
    const report = (await page.evaluate(async () => {
      const res = await fetch("/api/v1/stats/report?fiscalYear=2025");
      return (await res.json()) as unknown;
    })) as {
      tables: {
        sheet: string;
        title: string;
        header: string[];
        rows: (string | number | null)[][];
        total: (string | number | null)[] | null;
      }[];
    };
    for (const sheet of ["居場所", "生理用品", "つなぎ先の記録", "広報の読み取り"]) {
      const t = report.tables.find((x) => x.sheet === sheet);
      if (!t) throw new Error(`no table ${sheet}`);
      expect(await rows(t.title)).toEqual(
        [t.header, ...t.rows, ...(t.total ? [t.total] : [])].map((r) =>
          r.map((v) => (v === null ? "–" : String(v))),
        ),
      );
    }
    const products = report.tables.find((x) => x.sheet === "生理用品");
    expect(products?.total).toContain(12);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator("#csv-report").click(),
    ]);
    expect(download.suggestedFilename()).toBe("report-fy2025.csv");
    const file = await download.path();
    const bytes = await readFile(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.subarray(3).toString("utf8");
    // Tables, as report.xlsx has them: the summary, then month × channel with the totals.
    expect(csv.startsWith("期間 令和7年度,地域 全地域\r\n")).toBe(true);
    expect(csv).toContain("\r\n延べ数（相談件数）,4\r\n");
    expect(csv).toContain("\r\n実数（相談者数）,3\r\n");
    expect(csv).toContain(`\r\n期間計,3,2,1,1,${zeros(8).join(",")},4,3\r\n`);
    await context.close();
  }, 60_000);

  it("shares the console's sign-in and asks again when the session ends", async () => {
    const { s, browser } = suite;
    const context = await browser.newContext({ locale: "ja-JP", viewport: LAPTOP });
    const consolePage = await context.newPage();
    await consolePage.goto(`${s.url}/console/`);
    await signIn(consolePage, "sv");
    const stats = await context.newPage();
    await stats.goto(`${s.url}/console/stats.html`);
    await stats.locator("body[data-ready=true]").waitFor();
    expect(await stats.locator("#signin").isHidden()).toBe(true);
    const regions = stats.locator("#filters select[name=region] option");
    const regionCount = await regions.count();

    await consolePage.getByRole("button", { name: "サインアウト" }).click();
    await consolePage.locator("#signin-error", { hasText: "サインアウトしました" }).waitFor();
    await stats.locator("#filters button[type=submit]").click();
    await stats.locator("#signin-error", { hasText: "もう一度サインインしてください" }).waitFor();
    expect(await stats.locator("#report-area").isHidden()).toBe(true);
    await screenshot(stats, "stats-11-session-ended");

    await stats.evaluate(() => document.body.removeAttribute("data-ready"));
    await stats.locator("#signin input[name=loginName]").fill("sv");
    await stats.locator("#signin input[name=password]").fill(PASSWORD);
    await stats.locator("#signin button[type=submit]").click();
    await stats.locator("body[data-ready=true]").waitFor();
    expect(await stats.locator("#report-area").isVisible()).toBe(true);
    expect(await regions.count()).toBe(regionCount);
    await context.close();
  });
});
