import { reportTables } from "../../../src/stats/report-tables";
import { recordsCsv, reportCsv, toCsv } from "../../../src/stats/stats-csv";
import type { RecordRow, Report } from "../../../src/stats/stats-schemas";

const BOM = "\uFEFF";

/** Reads the CSV back as a spreadsheet would (RFC 4180 quoting, CRLF rows). */
function parseCsv(csv: string): string[][] {
  expect(csv.startsWith(BOM)).toBe(true);
  expect(csv.endsWith("\r\n")).toBe(true);
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  const text = csv.slice(BOM.length);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') [cell, i] = [cell + '"', i + 1];
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") [row, cell] = [[...row, cell], ""];
    else if (c === "\r" && text[i + 1] === "\n") {
      rows.push([...row, cell]);
      [row, cell, i] = [[], "", i + 1];
    } else cell += c;
  }
  return rows;
}

const regionName = (id: string | null) => (id === null ? "地域なし" : `${id}地域`);

describe("CSV cells a spreadsheet could run as a formula", () => {
  // Excel runs a cell starting with any of these; a counsellor types referral names freely.
  const formulas = [
    ["=", '=HYPERLINK("http://x","相談")'],
    ["+", "+81-90-0000-0000"],
    ["-", "-2+3"],
    ["@", "@SUM(A1)"],
    ["tab", "\t=1+1"],
    ["carriage return", "\r=1+1"],
  ] as const;

  it.each(formulas)("are written as text when they start with %s", (_prefix, value) => {
    const [, row] = parseCsv(toCsv(["つなぎ先"], [[value]]));
    expect(row).toEqual([`'${value}`]);
  });

  it.each(formulas)("are guarded in the records export when a referral starts with %s", (_p, v) => {
    const [, row] = parseCsv(recordsCsv([record({ referrals: [v] })], regionName));
    expect(row?.[12]).toBe(`'${v}`);
  });

  it("leaves other text, text with a sign inside, and numbers as they are", () => {
    const [, row] = parseCsv(
      toCsv(["a", "b", "c", "d", "e"], [["女性相談センター", "a=b", -3, 0, null]]),
    );
    expect(row).toEqual(["女性相談センター", "a=b", "-3", "0", ""]);
  });
});

describe("toCsv", () => {
  it("starts with the byte order mark Excel needs for UTF-8 and ends every row with CRLF", () => {
    expect(toCsv(["区分", "値"], [["合計", 3]])).toBe(`${BOM}区分,値\r\n合計,3\r\n`);
    expect(toCsv(["区分"], [])).toBe(`${BOM}区分\r\n`);
  });

  it("quotes cells with a comma, a quote or a line break, doubling the quotes", () => {
    const csv = toCsv(["x"], [["a,b"], ['say "no"'], ["two\nlines"], ["cr\rinside"]]);
    expect(csv).toBe(`${BOM}x\r\n"a,b"\r\n"say ""no"""\r\n"two\nlines"\r\n"cr\rinside"\r\n`);
    expect(parseCsv(csv).slice(1)).toEqual([["a,b"], ['say "no"'], ["two\nlines"], ["cr\rinside"]]);
  });
});

function report(overrides: Partial<Report> = {}): Report {
  return {
    period: {
      label: "2025年度",
      from: "2025-03-31T15:00:00.000Z",
      to: "2026-03-31T15:00:00.000Z",
      fiscalYear: 2025,
      title: "令和7年度",
    },
    filters: { region: null, regionName: "全地域", channel: null, topic: null, ageBand: null },
    consultations: 40,
    people: 25,
    kpi: { fiscalYear: 2025, target: 220, people: 25, progress: 25 / 220, filtered: false },
    byChannel: [
      { channel: "line", label: "LINE", consultations: 30, people: 20 },
      { channel: "phone", label: "電話", consultations: 10, people: 6 },
    ],
    trend: [{ month: "2025-04", consultations: 40, people: 25 }],
    byMonthChannel: [
      { month: "2025-04", channel: "line", consultations: 30, people: 20 },
      { month: "2025-04", channel: "phone", consultations: 10, people: 6 },
    ],
    topicByRegion: [
      {
        regionId: "r1",
        region: "前橋",
        topic: "dv",
        topicLabel: "パートナー・家族（DV）",
        consultations: 12,
      },
    ],
    heatmap: [
      { weekday: 1, hour: 9, consultations: 4 },
      { weekday: 7, hour: 23, consultations: 2 },
    ],
    ageBands: [{ ageBand: "20s", label: "20代", consultations: 8, people: 5 }],
    newReturning: { new: 15, returning: 9, unknown: 1 },
    waiting: {
      answered: 28,
      measured: 27,
      waitMedian: 4.26,
      waitP90: 31.04,
      waitMean: 9,
      responseMedian: 7.95,
      responseP90: 40,
      under5: 14,
      under15: 8,
      under30: 2,
      under60: 2,
      over60: 1,
      handedOff: 33,
      abandoned: 3,
      stillWaiting: 2,
      abandonmentRate: 3 / 31,
    },
    nonConsultations: { greetings: 6, botOnly: 5, blocked: 2 },
    referrals: [{ agency: "=福祉事務所", consultations: 3 }],
    followUps: [{ followUp: "visit", label: "訪問", consultations: 2 }],
    riskLevels: [{ riskLevel: "high", label: "高", consultations: 4 }],
    awareness: { asked: true, answers: [{ answer: "knew", label: "知っていた", people: 7 }] },
    programme: { gatherings: [], linkedWomen: 0, products: [] },
    partners: { partnerNames: [], referralRecords: [], campaignScans: [] },
    outreach: {
      rows: [
        {
          kind: "visit",
          label: "訪問",
          planned: 3,
          done: 1,
          notReached: 1,
          declined: 0,
          notNeeded: 0,
          open: 1,
        },
      ],
    },
    ...overrides,
  };
}

const CTX = {
  regions: [
    { id: "r1", name: "前橋" },
    { id: "r2", name: "西毛" },
  ],
  partners: ["女性相談支援センター", "ハローワーク"],
};
const HEADING = { period: "令和7年度", region: "全地域" };

/** The blocks of the CSV: each starts with 「■ title」 and ends at an empty line. */
function blocks(csv: string): Map<string, string[][]> {
  const rows = parseCsv(csv);
  const found = new Map<string, string[][]>();
  let current: string[][] | null = null;
  for (const row of rows.slice(2)) {
    if (row[0]?.startsWith("■ ")) {
      current = [];
      found.set(row[0].slice(2), current);
    } else if (row.length === 1 && row[0] === "") current = null;
    else current?.push(row);
  }
  return found;
}

describe("the report CSV staff send with the grant report: the tables of report.xlsx", () => {
  it("starts with the period and region, then one block per table", () => {
    const csv = reportCsv(reportTables(report(), CTX), HEADING);
    expect(parseCsv(csv).slice(0, 3)).toEqual([
      ["期間 令和7年度", "地域 全地域"],
      [""],
      ["■ 事業報告 令和7年度"],
    ]);
    // Every line ends with CRLF; the last block, as every other, ends with an empty line.
    expect(csv.endsWith("\r\n\r\n")).toBe(true);
    expect([...blocks(csv).keys()]).toEqual([
      "事業報告 令和7年度",
      "月別・経路別の延べ数と実数",
      "相談内容 × 地域（延べ数）",
      "年代別の延べ数と実数",
      "つなぎ先（機関別の相談件数）",
      "LINE の待ち時間と離脱",
      "KPI の進捗（相談者の実数）",
      "フォローアップと危険度（延べ数）",
      "曜日 × 時間帯（相談の開始、延べ数）",
      "相談窓口の認知（実数）",
      "訪問・同行（予定日が期間内のもの、件数）",
      "居場所（開催回数・参加人数、地域 × 月）",
      "生理用品の配布（個数、地域 × 月）",
    ]);
  });

  it("has 訪問・同行: planned, done and not done by outcome, with the total", () => {
    const table = blocks(reportCsv(reportTables(report(), CTX), HEADING)).get(
      "訪問・同行（予定日が期間内のもの、件数）",
    );
    expect(table?.slice(0, 3)).toEqual([
      [
        "種類",
        "予定",
        "実施した",
        "連絡がつかなかった",
        "本人が希望しなかった",
        "不要になった",
        "未完了",
      ],
      ["訪問", "3", "1", "1", "0", "0", "1"],
      ["合計", "3", "1", "1", "0", "0", "1"],
    ]);
  });

  it("has a column per channel for each month, zeros included, and the period's totals", () => {
    const table = blocks(reportCsv(reportTables(report(), CTX), HEADING)).get(
      "月別・経路別の延べ数と実数",
    );
    expect(table?.[0]?.slice(0, 5)).toEqual([
      "月",
      "LINE 延べ数",
      "LINE 実数",
      "電話 延べ数",
      "電話 実数",
    ]);
    expect(table?.[0]?.length).toBe(1 + 6 * 2 + 2);
    expect(table?.[1]).toEqual([
      "2025年4月",
      "30",
      "20",
      "10",
      "6",
      ...Array<string>(8).fill("0"),
      "40",
      "25",
    ]);
    expect(table?.[2]).toEqual([
      "期間計",
      "30",
      "20",
      "10",
      "6",
      ...Array<string>(8).fill("0"),
      "40",
      "25",
    ]);
  });

  it("keeps a region and a topic with no consultation as a row of zeros, with totals", () => {
    const table = blocks(reportCsv(reportTables(report(), CTX), HEADING)).get(
      "相談内容 × 地域（延べ数）",
    );
    expect(table?.[0]).toEqual(["相談内容", "前橋", "西毛", "合計"]);
    expect(table).toContainEqual(["パートナー・家族（DV）", "12", "0", "12"]);
    expect(table).toContainEqual(["未分類", "0", "0", "0"]);
    expect(table?.at(-2)).toEqual(["合計", "12", "0", "12"]);
  });

  it("lists every partner of the preset, writes a typed formula as text, and totals", () => {
    const table = blocks(reportCsv(reportTables(report(), CTX), HEADING)).get(
      "つなぎ先（機関別の相談件数）",
    );
    expect(table?.slice(0, 5)).toEqual([
      ["機関", "件数"],
      ["女性相談支援センター", "0"],
      ["ハローワーク", "0"],
      ["'=福祉事務所", "3"],
      ["合計", "3"],
    ]);
  });

  it("gives the KPI with its era label, or says there is none for the period", () => {
    const with_ = blocks(reportCsv(reportTables(report(), CTX), HEADING));
    expect(with_.get("KPI の進捗（相談者の実数）")?.slice(0, 2)).toEqual([
      ["年度", "目標（人）", "実数（人）", "達成率（%）"],
      ["令和7年度", "220", "25", "11.4"],
    ]);
    const without = blocks(reportCsv(reportTables(report({ kpi: null }), CTX), HEADING));
    expect(without.get("KPI の進捗（相談者の実数）")?.slice(1)).toEqual([
      ["この期間の KPI は設定されていません（KPI は年度で見ます）。"],
    ]);
  });

  it("says the awareness question was not asked instead of reporting 0", () => {
    const csv = reportCsv(
      reportTables(report({ awareness: { asked: false, answers: [] } }), CTX),
      HEADING,
    );
    expect(blocks(csv).get("相談窓口の認知（実数）")).toEqual([
      ["回答", "人数"],
      ["未実施（フローで質問していません）。"],
    ]);
  });

  it("居場所 and 生理用品: a row per month of the period, every region, zeros, the period's totals", () => {
    const programme = {
      gatherings: [
        { regionId: "r1", month: "2025-04", gatherings: 2, attendance: 15 },
        { regionId: "r2", month: "2025-06", gatherings: 1, attendance: 4 },
      ],
      linkedWomen: 3,
      products: [
        { regionId: "r2", month: "2025-04", quantity: 30, atPickupPoints: 20, atGatherings: 10 },
      ],
    };
    const b = blocks(reportCsv(reportTables(report({ programme }), CTX), HEADING));
    const places = b.get("居場所（開催回数・参加人数、地域 × 月）") ?? [];
    expect(places[0]).toEqual([
      "月",
      "前橋 回数",
      "前橋 参加人数",
      "西毛 回数",
      "西毛 参加人数",
      "回数 計",
      "参加人数 計",
    ]);
    expect(places[1]).toEqual(["2025年4月", "2", "15", "0", "0", "2", "15"]);
    expect(places[2]).toEqual(["2025年5月", "0", "0", "0", "0", "0", "0"]);
    expect(places).toContainEqual(["期間計", "2", "15", "1", "4", "3", "19"]);
    expect(places.at(-1)?.[0]).toContain("本人の同意を得て記録した参加者は 3 人");
    expect(places).toHaveLength(1 + 12 + 1 + 1);
    const products = b.get("生理用品の配布（個数、地域 × 月）") ?? [];
    expect(products[0]).toEqual(["月", "前橋", "西毛", "合計", "うち受け取り場所", "うち居場所"]);
    expect(products[1]).toEqual(["2025年4月", "0", "30", "30", "20", "10"]);
    expect(products).toContainEqual(["期間計", "0", "30", "30", "20", "10"]);
  });

  it("blanks times that were not measured and names weekdays Monday to Sunday", () => {
    const r = report({ waiting: { ...report().waiting, abandonmentRate: null, waitMedian: null } });
    const b = blocks(reportCsv(reportTables(r, CTX), HEADING));
    expect(b.get("LINE の待ち時間と離脱")).toContainEqual(["離脱率（%）", ""]);
    expect(b.get("LINE の待ち時間と離脱")).toContainEqual(["待ち時間 中央値（分）", ""]);
    const heat = b.get("曜日 × 時間帯（相談の開始、延べ数）") ?? [];
    expect(heat.map((row) => row[0])).toEqual([
      "曜日",
      "月曜",
      "火曜",
      "水曜",
      "木曜",
      "金曜",
      "土曜",
      "日曜",
      "合計",
    ]);
    expect(heat[1]?.[10]).toBe("4");
    expect(heat.at(-1)?.at(-1)).toBe("6");
  });
});

function record(overrides: Partial<RecordRow> = {}): RecordRow {
  return {
    channel: "line",
    personKey: "p:1",
    date: "2026-03-31",
    hour: 23,
    weekday: 2,
    regionId: "r1",
    topics: ["dv", "poverty"],
    ageBand: "30s",
    returning: false,
    waitMinutes: 4.5,
    responseMinutes: 12,
    referrals: ["警察", "福祉事務所"],
    followUps: ["visit", "phone"],
    counsellor: "佐藤",
    riskLevel: "high",
    ...overrides,
  };
}

describe("the de-identified records export", () => {
  it("has one labelled row per consultation, in Japanese", () => {
    const rows = parseCsv(recordsCsv([record()], regionName));
    expect(rows).toEqual([
      [
        "番号",
        "相談者番号",
        "経路",
        "地域",
        "開始日",
        "曜日",
        "開始時間帯",
        "相談内容",
        "年代",
        "新規・継続",
        "待ち時間（分）",
        "初回応答まで（分）",
        "つなぎ先",
        "フォローアップ",
        "相談員",
        "危険度",
      ],
      [
        "1",
        "1",
        "LINE",
        "r1地域",
        "2026-03-31",
        "火",
        "23時台",
        "パートナー・家族（DV）・お金・住まい・食べもの",
        "30代",
        "新規",
        "4.5",
        "12",
        "警察・福祉事務所",
        "訪問・電話",
        "佐藤",
        "高",
      ],
    ]);
  });

  it("numbers people within the file so 実数 can be recounted, and links to nothing else", () => {
    const rows = parseCsv(
      recordsCsv(
        [
          record({ personKey: "line:aaaa" }),
          record({ personKey: "case:r1:17" }),
          record({ personKey: "line:aaaa" }),
          record({ personKey: "entry:x" }),
        ],
        regionName,
      ),
    );
    expect(rows.slice(1).map((r) => [r[0], r[1]])).toEqual([
      ["1", "1"],
      ["2", "2"],
      ["3", "1"],
      ["4", "3"],
    ]);
    expect(rows.flat().join()).not.toContain("aaaa");
  });

  it("writes 不明 for an unknown age or first contact, 継続 for returning, and blanks for none", () => {
    const rows = parseCsv(
      recordsCsv(
        [
          record({ ageBand: null, returning: null, waitMinutes: null, counsellor: null }),
          record({ returning: true, regionId: null, topics: [], referrals: [], followUps: [] }),
        ],
        regionName,
      ),
    );
    const [unknown, returning] = rows.slice(1);
    expect(unknown?.[8]).toBe("不明");
    expect(unknown?.[9]).toBe("不明");
    expect(unknown?.[10]).toBe("");
    expect(unknown?.[14]).toBe("");
    expect(returning?.[9]).toBe("継続");
    expect(returning?.[3]).toBe("地域なし");
    expect([returning?.[7], returning?.[12], returning?.[13]]).toEqual(["", "", ""]);
  });

  it("shows a code it has no label for as it is, rather than dropping it", () => {
    const [, row] = parseCsv(
      recordsCsv(
        [
          record({
            channel: "fax",
            ageBand: "70s",
            topics: ["housing"],
            followUps: ["letter"],
            riskLevel: "extreme",
            weekday: 8,
          }),
        ],
        regionName,
      ),
    );
    expect(row?.[2]).toBe("fax");
    expect(row?.[5]).toBe("");
    expect(row?.[7]).toBe("housing");
    expect(row?.[8]).toBe("70s");
    expect(row?.[13]).toBe("letter");
    expect(row?.[15]).toBe("extreme");
  });
});
