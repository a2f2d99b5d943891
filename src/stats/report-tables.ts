import type { Report } from "./stats-schemas";
import { outreachTable } from "./report-casefile";
import { programmeTables } from "./report-programme";
import { fiscalYearLabel, monthLabel } from "./stats-labels";
import {
  AGE_LABELS,
  CHANNELS,
  CHANNEL_LABELS,
  FOLLOW_UP_LABELS,
  RISK_LABELS,
  TOPIC_LABELS,
  type Channel,
} from "./stats-types";

// The table's shape lives in its own file, so that each part of the report (report-*.ts) can
// build its tables without importing this file, which imports the report's schema.
import type { Cell, ReportTable } from "./report-table";
export type { Cell, ReportTable } from "./report-table";

export interface TableContext {
  regions: { id: string; name: string }[];
  partners: string[];
}

const WEEKDAYS = ["月", "火", "水", "木", "金", "土", "日"];
const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
const percent = (v: number | null) => (v === null ? null : round1(v * 100));
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Known keys first (in their order), then any other the data holds, in its order. */
function keysOf<T>(known: readonly T[], seen: readonly T[]): T[] {
  return [...known, ...seen.filter((v, i) => !known.includes(v) && seen.indexOf(v) === i)];
}

function summary(r: Report): ReportTable {
  const rows: Cell[][] = [
    ["期間", r.period.title],
    ["地域", r.filters.regionName],
    ["延べ数（相談件数）", r.consultations],
    ["実数（相談者数）", r.people],
    ["うち新規（実数）", r.newReturning.new],
    ["うち継続（実数）", r.newReturning.returning],
    ["うち不明（実数）", r.newReturning.unknown],
  ];
  const filters = [
    r.filters.channel &&
      `経路 ${CHANNEL_LABELS[r.filters.channel as Channel] ?? r.filters.channel}`,
    r.filters.topic && `相談内容 ${TOPIC_LABELS[r.filters.topic] ?? r.filters.topic}`,
    r.filters.ageBand && `年代 ${AGE_LABELS[r.filters.ageBand] ?? r.filters.ageBand}`,
  ].filter(Boolean);
  if (filters.length) rows.splice(2, 0, ["絞り込み", filters.join("・")]);
  return {
    sheet: "概要",
    title: `事業報告 ${r.period.title}`,
    header: ["項目", "値"],
    rows,
    total: null,
  };
}

function monthlyByChannel(r: Report): ReportTable {
  const channels = keysOf(
    CHANNELS.filter((c) => r.filters.channel === null || r.filters.channel === c) as string[],
    r.byMonthChannel.map((x) => x.channel),
  );
  const cell = (month: string, channel: string) =>
    r.byMonthChannel.find((x) => x.month === month && x.channel === channel);
  const header = [
    "月",
    ...channels.flatMap((c) => {
      const label = CHANNEL_LABELS[c as Channel] ?? c;
      return [`${label} 延べ数`, `${label} 実数`];
    }),
    "合計 延べ数",
    "合計 実数",
  ];
  const rows = r.trend.map((t): Cell[] => [
    monthLabel(t.month),
    ...channels.flatMap((c) => [
      cell(t.month, c)?.consultations ?? 0,
      cell(t.month, c)?.people ?? 0,
    ]),
    t.consultations,
    t.people,
  ]);
  const channel = (c: string) => r.byChannel.find((x) => x.channel === c);
  const total: Cell[] = [
    "期間計",
    ...channels.flatMap((c) => [channel(c)?.consultations ?? 0, channel(c)?.people ?? 0]),
    r.consultations,
    r.people,
  ];
  return {
    sheet: "月別・経路別",
    title: "月別・経路別の延べ数と実数",
    header,
    rows,
    total,
    note: "期間計の実数は期間中の相談者数です（複数の月・経路で相談した人は1人として数えます）。",
  };
}

function topicByRegion(r: Report, ctx: TableContext): ReportTable {
  const regionIds = keysOf<string | null>(
    ctx.regions
      .map((g) => g.id)
      .filter((id) => r.filters.region === null || r.filters.region === id),
    r.topicByRegion.map((t) => t.regionId),
  );
  const regionLabel = (id: string | null) =>
    id === null ? "未設定" : (ctx.regions.find((g) => g.id === id)?.name ?? id);
  const topics = keysOf<string | null>(
    [
      ...Object.keys(TOPIC_LABELS).filter((t) => r.filters.topic === null || r.filters.topic === t),
      null,
    ],
    r.topicByRegion.map((t) => t.topic),
  );
  const value = (region: string | null, topic: string | null) =>
    r.topicByRegion.find((t) => t.regionId === region && t.topic === topic)?.consultations ?? 0;
  const rows = topics.map((topic): Cell[] => {
    const values = regionIds.map((g) => value(g, topic));
    return [topic === null ? "未分類" : (TOPIC_LABELS[topic] ?? topic), ...values, sum(values)];
  });
  const totals = regionIds.map((g) => sum(topics.map((t) => value(g, t))));
  return {
    sheet: "相談内容×地域",
    title: "相談内容 × 地域（延べ数）",
    header: ["相談内容", ...regionIds.map(regionLabel), "合計"],
    rows,
    total: ["合計", ...totals, sum(totals)],
    note: "1件の相談に複数の内容があるときは内容ごとに数えます（合計は延べ数より多くなります）。",
  };
}

function ageBands(r: Report): ReportTable {
  const bands = keysOf<string | null>(
    [
      ...Object.keys(AGE_LABELS).filter(
        (a) => r.filters.ageBand === null || r.filters.ageBand === a,
      ),
      ...(r.filters.ageBand === null ? [null] : []),
    ],
    r.ageBands.map((a) => a.ageBand),
  );
  const band = (a: string | null) => r.ageBands.find((x) => x.ageBand === a);
  return {
    sheet: "年代別",
    title: "年代別の延べ数と実数",
    header: ["年代", "延べ数", "実数"],
    rows: bands.map((a) => [
      a === null ? "不明" : (AGE_LABELS[a] ?? a),
      band(a)?.consultations ?? 0,
      band(a)?.people ?? 0,
    ]),
    total: ["期間計", r.consultations, r.people],
    note: "期間計の実数は期間中の相談者数です（回答の違いで2つの年代に入る人も1人）。",
  };
}

function referrals(r: Report, ctx: TableContext): ReportTable {
  const agencies = keysOf(
    ctx.partners,
    r.referrals.map((x) => x.agency),
  );
  const count = (a: string) => r.referrals.find((x) => x.agency === a)?.consultations ?? 0;
  const rows = agencies.map((a): Cell[] => [a, count(a)]);
  return {
    sheet: "つなぎ先",
    title: "つなぎ先（機関別の相談件数）",
    header: ["機関", "件数"],
    rows,
    total: ["合計", sum(agencies.map(count))],
    note: "1件の相談から複数の機関につないだときは機関ごとに数えます。",
  };
}

function waiting(r: Report): ReportTable {
  const w = r.waiting;
  const n = r.nonConsultations;
  return {
    sheet: "待ち時間・離脱",
    title: "LINE の待ち時間と離脱",
    header: ["項目", "値"],
    rows: [
      ["相談員につないだ件数", w.handedOff],
      ["相談員が応答", w.answered],
      ["応答前に離脱", w.abandoned],
      ["待機中", w.stillWaiting],
      ["離脱率（%）", percent(w.abandonmentRate)],
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
    ],
    total: null,
  };
}

function kpi(r: Report): ReportTable {
  const k = r.kpi;
  return {
    sheet: "KPI",
    title: "KPI の進捗（相談者の実数）",
    header: ["年度", "目標（人）", "実数（人）", "達成率（%）"],
    rows: k ? [[fiscalYearLabel(k.fiscalYear), k.target, k.people, percent(k.progress)]] : [],
    total: null,
    note: k
      ? k.filtered
        ? "絞り込んだ実数です（事業全体の達成率ではありません）。"
        : undefined
      : "この期間の KPI は設定されていません（KPI は年度で見ます）。",
  };
}

function coding(r: Report): ReportTable {
  return {
    sheet: "フォローアップ・危険度",
    title: "フォローアップと危険度（延べ数）",
    header: ["区分", "項目", "件数"],
    rows: [
      ...Object.entries(FOLLOW_UP_LABELS).map(([key, label]): Cell[] => [
        "フォローアップ",
        label,
        r.followUps.find((f) => f.followUp === key)?.consultations ?? 0,
      ]),
      ...Object.entries(RISK_LABELS).map(([key, label]): Cell[] => [
        "危険度",
        label,
        r.riskLevels.find((x) => x.riskLevel === key)?.consultations ?? 0,
      ]),
    ],
    total: null,
  };
}

function heatmap(r: Report): ReportTable {
  const count = (d: number, h: number) =>
    r.heatmap.find((x) => x.weekday === d && x.hour === h)?.consultations ?? 0;
  const hours = Array.from({ length: 24 }, (_, h) => h);
  const rows = WEEKDAYS.map((name, i): Cell[] => {
    const values = hours.map((h) => count(i + 1, h));
    return [`${name}曜`, ...values, sum(values)];
  });
  const totals = hours.map((h) => sum(WEEKDAYS.map((_, i) => count(i + 1, h))));
  return {
    sheet: "曜日×時間帯",
    title: "曜日 × 時間帯（相談の開始、延べ数）",
    header: ["曜日", ...hours.map((h) => `${h}時台`), "合計"],
    rows,
    total: ["合計", ...totals, sum(totals)],
  };
}

function awareness(r: Report): ReportTable {
  return {
    sheet: "相談窓口の認知",
    title: "相談窓口の認知（実数）",
    header: ["回答", "人数"],
    rows: r.awareness.answers.map((a): Cell[] => [a.label, a.people]),
    total: null,
    note: r.awareness.asked ? undefined : "未実施（フローで質問していません）。",
  };
}

/** The report as the tables to hand in, in order. */
export function reportTables(r: Report, ctx: TableContext): ReportTable[] {
  return [
    summary(r),
    monthlyByChannel(r),
    topicByRegion(r, ctx),
    ageBands(r),
    referrals(r, ctx),
    waiting(r),
    kpi(r),
    coding(r),
    heatmap(r),
    awareness(r),
    outreachTable(r.outreach),
    ...programmeTables(r, ctx),
  ];
}
