import ExcelJS from "exceljs";
import { account, PASSWORD } from "../support/console-client";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { statsHistory } from "../support/stats-history";
import type { Report } from "../../src/stats/stats-schemas";
import { monthLabel } from "../../src/stats/stats-labels";
import { CONSENT_LABELS, REFERRAL_OUTCOME_LABELS } from "../../src/partners/partner-types";

/** A console user on the real API: session cookie, raw responses (the workbook's bytes too). */
async function signIn(base: string, loginName: string) {
  const res = await fetch(`${base}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ loginName, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  return { get: (path: string) => fetch(`${base}/api/v1${path}`, { headers: { cookie } }) };
}

type Value = string | number | null;

/**
 * A sheet read back, with a check that every number in it was compared: `at(row, column)` reads
 * a cell by its row's first cell and its column's heading, and marks it compared.
 */
class SheetReader {
  readonly rows: Value[][] = [];
  private readonly compared = new Set<string>();
  constructor(readonly sheet: ExcelJS.Worksheet) {
    sheet.eachRow({ includeEmpty: true }, (row, n) => {
      const values: Value[] = [];
      row.eachCell({ includeEmpty: true }, (cell, c) => {
        const v = cell.value;
        values[c - 1] = typeof v === "number" || typeof v === "string" ? v : null;
      });
      this.rows[n - 1] = values;
    });
  }
  /** The heading row: the fourth (title, period, empty line, heading). */
  get header(): Value[] {
    return this.rows[3] ?? [];
  }
  /** The first cells of the table's rows (a note under the table has nothing beside it). */
  rowLabels(): string[] {
    return this.rows
      .slice(4)
      .filter((r) => r && r.slice(1).some((v) => v !== null && v !== undefined))
      .map((r) => r[0])
      .filter((v): v is string => typeof v === "string");
  }
  at(rowLabel: string, column: string): Value {
    const r = this.rows.findIndex((row, i) => i > 3 && row?.[0] === rowLabel);
    const c = this.header.indexOf(column);
    if (r < 0 || c < 0) throw new Error(`${this.sheet.name}: no cell ${rowLabel} × ${column}`);
    this.compared.add(`${r}:${c}`);
    return this.rows[r]?.[c] ?? null;
  }
  /** A cell compared by position (rows whose first cell repeats). */
  mark(row: number, column: number): void {
    this.compared.add(`${row}:${column}`);
  }
  /** Numbers the test did not compare with the JSON report (must be none). */
  uncompared(): string[] {
    const left: string[] = [];
    this.rows.forEach((row, r) =>
      row?.forEach((v, c) => {
        if (typeof v === "number" && !this.compared.has(`${r}:${c}`)) {
          left.push(`${this.sheet.name}!${String(row[0])}×${String(this.header[c])}=${v}`);
        }
      }),
    );
    return left;
  }
}

const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
const CHANNEL_KEY: Record<string, string> = {
  LINE: "line",
  電話: "phone",
  メール: "email",
  "来所・面接": "visit",
  訪問: "outreach",
  同行: "accompany",
};
const WEEKDAYS = ["月", "火", "水", "木", "金", "土", "日"];

/** Every figure of the workbook against the JSON report of the same query. */
function compare(book: ExcelJS.Workbook, r: Report): void {
  const readers = book.worksheets.map((s) => new SheetReader(s));
  const sheet = (name: string) => {
    const found = readers.find((x) => x.sheet.name === name);
    if (!found) throw new Error(`no sheet ${name}`);
    return found;
  };

  const summary = sheet("概要");
  expect(summary.at("期間", "値")).toBe(r.period.title);
  expect(summary.at("地域", "値")).toBe(r.filters.regionName);
  expect(summary.at("延べ数（相談件数）", "値")).toBe(r.consultations);
  expect(summary.at("実数（相談者数）", "値")).toBe(r.people);
  expect(summary.at("うち新規（実数）", "値")).toBe(r.newReturning.new);
  expect(summary.at("うち継続（実数）", "値")).toBe(r.newReturning.returning);
  expect(summary.at("うち不明（実数）", "値")).toBe(r.newReturning.unknown);

  const monthly = sheet("月別・経路別");
  // A channel filter leaves the other channels out; else all six, zeros included.
  const CHANNEL = Object.keys(CHANNEL_KEY).filter((ch) => monthly.header.includes(`${ch} 延べ数`));
  expect(CHANNEL.length).toBe(r.filters.channel === null ? 6 : 1);
  const months = r.trend.map(
    (t) => `${Number(t.month.slice(0, 4))}年${Number(t.month.slice(5))}月`,
  );
  expect(monthly.rowLabels().slice(0, months.length + 1)).toEqual([...months, "期間計"]);
  r.trend.forEach((t, i) => {
    const label = months[i] ?? "";
    expect(monthly.at(label, "合計 延べ数")).toBe(t.consultations);
    expect(monthly.at(label, "合計 実数")).toBe(t.people);
    for (const ch of CHANNEL) {
      const cell = r.byMonthChannel.find(
        (x) => x.month === t.month && x.channel === CHANNEL_KEY[ch],
      );
      expect(monthly.at(label, `${ch} 延べ数`)).toBe(cell?.consultations ?? 0);
      expect(monthly.at(label, `${ch} 実数`)).toBe(cell?.people ?? 0);
    }
  });
  for (const ch of CHANNEL) {
    const c = r.byChannel.find((x) => x.channel === CHANNEL_KEY[ch]);
    expect(monthly.at("期間計", `${ch} 延べ数`)).toBe(c?.consultations ?? 0);
    expect(monthly.at("期間計", `${ch} 実数`)).toBe(c?.people ?? 0);
  }
  expect(monthly.at("期間計", "合計 延べ数")).toBe(r.consultations);
  expect(monthly.at("期間計", "合計 実数")).toBe(r.people);

  const topics = sheet("相談内容×地域");
  const regions = topics.header.slice(1, -1) as string[];
  const topicLabels = topics.rowLabels().filter((l) => l !== "合計");
  for (const t of r.topicByRegion) {
    expect(topicLabels).toContain(t.topicLabel);
    expect(regions).toContain(t.region);
  }
  for (const topic of topicLabels) {
    let rowSum = 0;
    for (const region of regions) {
      const want =
        r.topicByRegion.find((x) => x.topicLabel === topic && x.region === region)?.consultations ??
        0;
      expect([topic, region, topics.at(topic, region)]).toEqual([topic, region, want]);
      rowSum += want;
    }
    expect(topics.at(topic, "合計")).toBe(rowSum);
  }
  for (const region of [...regions, "合計"]) {
    const want = r.topicByRegion
      .filter((x) => region === "合計" || x.region === region)
      .reduce((a, x) => a + x.consultations, 0);
    expect(topics.at("合計", region)).toBe(want);
  }

  const ages = sheet("年代別");
  for (const label of ages.rowLabels()) {
    if (label === "期間計") continue;
    const band = r.ageBands.find((a) => a.label === label);
    expect(ages.at(label, "延べ数")).toBe(band?.consultations ?? 0);
    expect(ages.at(label, "実数")).toBe(band?.people ?? 0);
  }
  for (const a of r.ageBands) expect(ages.rowLabels()).toContain(a.label);
  expect(ages.at("期間計", "延べ数")).toBe(r.consultations);
  expect(ages.at("期間計", "実数")).toBe(r.people);

  const referrals = sheet("つなぎ先");
  for (const label of referrals.rowLabels()) {
    if (label === "合計") continue;
    const agency = label.replace(/^'/, "");
    const want = r.referrals.find((x) => x.agency === agency)?.consultations ?? 0;
    expect(referrals.at(label, "件数")).toBe(want);
  }
  for (const x of r.referrals) {
    expect(referrals.rowLabels()).toContain(/^[=+\-@]/.test(x.agency) ? `'${x.agency}` : x.agency);
  }
  expect(referrals.at("合計", "件数")).toBe(r.referrals.reduce((a, x) => a + x.consultations, 0));

  const waiting = sheet("待ち時間・離脱");
  const w = r.waiting;
  const n = r.nonConsultations;
  for (const [label, want] of [
    ["相談員につないだ件数", w.handedOff],
    ["相談員が応答", w.answered],
    ["応答前に離脱", w.abandoned],
    ["待機中", w.stillWaiting],
    ["離脱率（%）", round1(w.abandonmentRate === null ? null : w.abandonmentRate * 100)],
    ["待ち時間 中央値（分）", round1(w.waitMedian)],
    ["待ち時間 90%（分）", round1(w.waitP90)],
    ["初回応答まで 中央値（分）", round1(w.responseMedian)],
    ["待ち時間 5分未満", w.under5],
    ["待ち時間 5〜15分", w.under15],
    ["待ち時間 15〜30分", w.under30],
    ["待ち時間 30〜60分", w.under60],
    ["待ち時間 60分以上", w.over60],
    ["あいさつのみ（相談に数えない）", n.greetings],
    ["ボットのみで終了（相談に数えない）", n.botOnly],
    ["うちブロック", n.blocked],
  ] as const) {
    expect([label, waiting.at(label, "値")]).toEqual([label, want]);
  }

  const kpi = sheet("KPI");
  if (r.kpi) {
    const [label] = kpi.rowLabels();
    expect(label).toMatch(/^令和\d+年度$/);
    expect(kpi.at(label ?? "", "目標（人）")).toBe(r.kpi.target);
    expect(kpi.at(label ?? "", "実数（人）")).toBe(r.kpi.people);
    expect(kpi.at(label ?? "", "達成率（%）")).toBe(round1(r.kpi.progress * 100));
  }

  const coding = sheet("フォローアップ・危険度");
  coding.rows.slice(4).forEach((row) => {
    if (row?.[0] !== "フォローアップ" && row?.[0] !== "危険度") return;
    const c = coding.header.indexOf("件数");
    const want =
      row[0] === "フォローアップ"
        ? r.followUps.find((f) => f.label === row[1])?.consultations
        : r.riskLevels.find((x) => x.label === row[1])?.consultations;
    expect([row[1], row[c]]).toEqual([row[1], want ?? 0]);
    coding.mark(coding.rows.indexOf(row), c);
  });
  for (const f of r.followUps) expect(coding.rows.some((x) => x?.[1] === f.label)).toBe(true);
  for (const x of r.riskLevels) expect(coding.rows.some((y) => y?.[1] === x.label)).toBe(true);

  const heat = sheet("曜日×時間帯");
  WEEKDAYS.forEach((day, i) => {
    let daySum = 0;
    for (let h = 0; h < 24; h++) {
      const want = r.heatmap.find((x) => x.weekday === i + 1 && x.hour === h)?.consultations ?? 0;
      expect(heat.at(`${day}曜`, `${h}時台`)).toBe(want);
      daySum += want;
    }
    expect(heat.at(`${day}曜`, "合計")).toBe(daySum);
  });
  for (let h = 0; h < 24; h++) {
    const want = r.heatmap.filter((x) => x.hour === h).reduce((a, x) => a + x.consultations, 0);
    expect(heat.at("合計", `${h}時台`)).toBe(want);
  }
  expect(heat.at("合計", "合計")).toBe(r.consultations);

  const aware = sheet("相談窓口の認知");
  for (const a of r.awareness.answers) expect(aware.at(a.label, "人数")).toBe(a.people);

  // 居場所 and 生理用品: per month, a column (pair) per region of the report, and totals.
  const REGION_ID: Record<string, string> = { 中北毛: "chuhoku", 西毛: "seimo", 東毛: "tomo" };
  const monthKeys = r.trend.map((t) => t.month);
  const places = sheet("居場所");
  const products = sheet("生理用品");
  const inRegion = (name: string) =>
    r.filters.region === null || r.filters.region === REGION_ID[name];
  const names = Object.keys(REGION_ID).filter(inRegion);
  const gathered = (month: string | null, name: string | null, key: "gatherings" | "attendance") =>
    r.programme.gatherings
      .filter(
        (g) =>
          (month === null || g.month === month) &&
          (name === null || g.regionId === REGION_ID[name]),
      )
      .reduce((a, g) => a + g[key], 0);
  const handed = (
    month: string | null,
    name: string | null,
    key: "quantity" | "atPickupPoints" | "atGatherings",
  ) =>
    r.programme.products
      .filter(
        (p) =>
          (month === null || p.month === month) &&
          (name === null || p.regionId === REGION_ID[name]),
      )
      .reduce((a, p) => a + p[key], 0);
  [...monthKeys, null].forEach((month, i) => {
    const label = month === null ? "期間計" : (months[i] ?? "");
    for (const name of names) {
      expect(places.at(label, `${name} 回数`)).toBe(gathered(month, name, "gatherings"));
      expect(places.at(label, `${name} 参加人数`)).toBe(gathered(month, name, "attendance"));
      expect(products.at(label, name)).toBe(handed(month, name, "quantity"));
    }
    expect(places.at(label, "回数 計")).toBe(gathered(month, null, "gatherings"));
    expect(places.at(label, "参加人数 計")).toBe(gathered(month, null, "attendance"));
    expect(products.at(label, "合計")).toBe(handed(month, null, "quantity"));
    expect(products.at(label, "うち受け取り場所")).toBe(handed(month, null, "atPickupPoints"));
    expect(products.at(label, "うち居場所")).toBe(handed(month, null, "atGatherings"));
  });

  const outreach = sheet("訪問・同行");
  const columns = [
    ["予定", "planned"],
    ["実施した", "done"],
    ["連絡がつかなかった", "notReached"],
    ["本人が希望しなかった", "declined"],
    ["不要になった", "notNeeded"],
    ["未完了", "open"],
  ] as const;
  for (const [column, key] of columns) {
    for (const x of r.outreach.rows) expect(outreach.at(x.label, column)).toBe(x[key]);
    const total = r.outreach.rows.reduce((a, x) => a + x[key], 0);
    expect(outreach.at("合計", column)).toBe(total);
  }

  // Referral records by partner (every partner of the directory a row), consent and outcome.
  const records = sheet("つなぎ先の記録");
  const recorded = r.partners.referralRecords;
  const count = (rows: typeof recorded) => rows.reduce((a, x) => a + x.referrals, 0);
  const partnerRows = [...new Set([...r.partners.partnerNames, ...recorded.map((x) => x.partner)])];
  for (const [label, rows] of [
    ...partnerRows.map((p) => [p, recorded.filter((x) => x.partner === p)] as const),
    ["合計", recorded] as const,
  ]) {
    expect(records.at(label, "件数")).toBe(count(rows));
    for (const [code, column] of Object.entries(CONSENT_LABELS))
      expect(records.at(label, column)).toBe(count(rows.filter((x) => x.consent === code)));
    for (const [code, column] of Object.entries(REFERRAL_OUTCOME_LABELS))
      expect(records.at(label, column)).toBe(count(rows.filter((x) => x.outcome === code)));
  }
  const scans = sheet("広報の読み取り");
  const scanned = r.partners.campaignScans;
  const scanMonths = r.trend.map((t) => t.month);
  const inMonth = (rows: typeof scanned, m?: string) =>
    rows.filter((x) => m === undefined || x.month === m).reduce((a, x) => a + x.scans, 0);
  const campaigns = new Map<string, typeof scanned>();
  for (const x of scanned) {
    const label = x.campaignId === null ? "不明なコード" : `${x.name}（${x.code ?? ""}）`;
    campaigns.set(label, [...(campaigns.get(label) ?? []), x]);
  }
  for (const [label, rows] of [...campaigns, ["合計", scanned] as const]) {
    for (const m of scanMonths) expect(scans.at(label, monthLabel(m))).toBe(inMonth(rows, m));
    expect(scans.at(label, "合計")).toBe(inMonth(rows));
  }

  expect(readers.flatMap((x) => x.uncompared())).toEqual([]);
}

describe("GET /api/v1/stats/report.xlsx: the report to hand in, read back figure by figure", () => {
  let s: ServiceUnderTest;

  beforeAll(async () => {
    s = await startServiceWithSimulator();
    await account(s.db.prisma, "sv-all", "supervisor", null);
    await account(s.db.prisma, "sv-seimo", "supervisor", "seimo");
    const h = statsHistory(s.db.prisma);
    const cn = await h.counsellor("seimo");
    const [a, b, c] = [await h.person(), await h.person(), await h.person()];
    // Before the year: b is returning in FY2025.
    await h.line({
      person: b.id,
      start: "2024-11-02 10:00",
      waiting: "2024-11-02 10:01",
      answered: "2024-11-02 10:05",
      region: "tomo",
      counsellor: cn,
    });
    await h.line({
      person: a.id,
      start: "2025-04-01 00:10",
      waiting: "2025-04-01 00:12",
      answered: "2025-04-01 00:20",
      region: "chuhoku",
      topics: ["dv", "poverty"],
      ageBand: "20s",
      referrals: ["群馬県女性相談支援センター", "=社会福祉協議会"],
      followUps: ["visit"],
      risk: "high",
      counsellor: cn,
    });
    await h.line({
      person: b.id,
      start: "2025-06-15 21:30",
      waiting: "2025-06-15 21:31",
      answered: "2025-06-15 22:40",
      region: "tomo",
      topics: ["work"],
      ageBand: "40s",
      counsellor: cn,
    });
    await h.line({ person: c.id, start: "2025-06-20 09:00", waiting: "2025-06-20 09:01" });
    await h.line({ person: c.id, start: "2025-07-01 12:00", herMessages: 0 });
    await h.entry({
      channel: "phone",
      start: "2025-06-03 14:00",
      region: "seimo",
      counsellor: cn,
      person: a.id,
      topics: ["mental"],
      ageBand: "20s",
    });
    await h.entry({
      channel: "accompany",
      start: "2026-03-31 23:30",
      region: "seimo",
      counsellor: cn,
      caseRef: "K-1",
      followUps: ["accompany"],
    });
    await h.entry({ channel: "email", start: "2025-09-09 09:09", region: "tomo", counsellor: cn });
    // Scans of a campaign link with a code no campaign has (its month's count).
    await s.db.prisma.campaignScan.create({
      data: { campaignKey: "unknown", month: "2025-06", scans: 4 },
    });
  }, 60_000);
  afterAll(async () => s.stop());

  it.each([
    ["sv-all", "fiscalYear=2025"],
    ["sv-all", "fiscalYear=2025&region=seimo"],
    ["sv-all", "month=2025-06"],
    ["sv-all", "from=2024-10-01&to=2025-07-31&channel=line"],
    ["sv-seimo", "fiscalYear=2025"],
  ])("as %s for %s: every figure is the JSON report's, with A4 fit-to-width", async (who, q) => {
    const user = await signIn(s.url, who);
    const json = (await (await user.get(`/stats/report?${q}`)).json()) as Report;
    const res = await user.get(`/stats/report.xlsx?${q}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    );
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="report-.+\.xlsx"$/,
    );
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    expect(book.worksheets.map((w) => w.name)).toEqual([
      "概要",
      "月別・経路別",
      "相談内容×地域",
      "年代別",
      "つなぎ先",
      "待ち時間・離脱",
      "KPI",
      "フォローアップ・危険度",
      "曜日×時間帯",
      "相談窓口の認知",
      "訪問・同行",
      "居場所",
      "生理用品",
      "つなぎ先の記録",
      "広報の読み取り",
    ]);
    for (const w of book.worksheets) {
      expect([
        w.name,
        w.pageSetup.paperSize,
        w.pageSetup.fitToPage,
        w.pageSetup.fitToWidth,
      ]).toEqual([w.name, 9, true, 1]);
    }
    expect(json.consultations).toBeGreaterThan(0);
    compare(book, json);
  });

  it("keeps every region of the preset as a column, zeros included (西毛 has no LINE topic)", async () => {
    const user = await signIn(s.url, "sv-all");
    const res = await user.get("/stats/report.xlsx?fiscalYear=2025&channel=line");
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    const topics = new SheetReader(book.getWorksheet("相談内容×地域") as ExcelJS.Worksheet);
    expect(topics.header).toEqual(["相談内容", "中北毛", "西毛", "東毛", "合計"]);
    expect(topics.at("合計", "西毛")).toBe(0);
    const kpi = new SheetReader(book.getWorksheet("KPI") as ExcelJS.Worksheet);
    expect(kpi.rowLabels()[0]).toBe("令和7年度");
  });

  it("is refused to counsellors, and to a region-bound supervisor for another region", async () => {
    await account(s.db.prisma, "cn", "counsellor", "seimo");
    expect(
      (await (await signIn(s.url, "cn")).get("/stats/report.xlsx?fiscalYear=2025")).status,
    ).toBe(403);
    const sv = await signIn(s.url, "sv-seimo");
    const other = await sv.get("/stats/report.xlsx?fiscalYear=2025&region=tomo");
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ code: "FORBIDDEN" });
    const exports = await s.db.prisma.auditEntry.findMany({ where: { action: "export-xlsx" } });
    expect(exports.length).toBeGreaterThan(0);
    expect(exports[0]?.detail).toMatchObject({ file: "report-xlsx" });
  });
});
