import type { RecordRow, Report } from "./stats-schemas";
import {
  AGE_LABELS,
  CHANNEL_LABELS,
  FOLLOW_UP_LABELS,
  RISK_LABELS,
  TOPIC_LABELS,
  type Channel,
} from "./stats-types";

type Cell = string | number | null;

/** Excel reads UTF-8 only with the byte order mark; without it the Japanese turns to mojibake. */
const BOM = "\uFEFF";
const WEEKDAYS = ["", "月", "火", "水", "木", "金", "土", "日"];

function cell(value: Cell): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  // A cell starting with = + - @ would run as a formula in Excel (free-text referral names).
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: Cell[][]): string {
  return BOM + [header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

/** The report as one long table: section, item, breakdown, value. */
export function reportCsv(report: Report, regionName: (id: string | null) => string): string {
  const rows: Cell[][] = [];
  const add = (section: string, item: string, breakdown: string, value: number | null) =>
    rows.push([section, item, breakdown, value]);
  add("合計", "延べ数（相談件数）", "", report.consultations);
  add("合計", "実数（相談者数）", "", report.people);
  if (report.kpi) {
    add("KPI", `${report.kpi.fiscalYear}年度 実数目標`, "", report.kpi.target);
    add("KPI", "達成率（%）", "", round1(report.kpi.progress * 100));
  }
  for (const c of report.byChannel) {
    add("経路別", c.label, "延べ数", c.consultations);
    add("経路別", c.label, "実数", c.people);
  }
  for (const t of report.trend) {
    add("月別", t.month, "延べ数", t.consultations);
    add("月別", t.month, "実数", t.people);
  }
  for (const t of report.topicByRegion)
    add("相談内容×地域", t.topicLabel, t.region, t.consultations);
  for (const a of report.ageBands) {
    add("年代別", a.label, "延べ数", a.consultations);
    add("年代別", a.label, "実数", a.people);
  }
  add("新規・継続", "新規", "実数", report.newReturning.new);
  add("新規・継続", "継続", "実数", report.newReturning.returning);
  add("新規・継続", "不明", "実数", report.newReturning.unknown);
  waitingRows(report, add);
  for (const r of report.referrals) add("つなぎ先", r.agency, "延べ数", r.consultations);
  for (const f of report.followUps) add("フォローアップ", f.label, "延べ数", f.consultations);
  for (const r of report.riskLevels) add("危険度", r.label, "延べ数", r.consultations);
  for (const h of report.heatmap) {
    add("曜日×時間帯", `${WEEKDAYS[h.weekday] ?? ""}曜`, `${h.hour}時台`, h.consultations);
  }
  if (!report.awareness.asked)
    add("相談窓口の認知", "未実施（フローで質問していません）", "", null);
  for (const a of report.awareness.answers) add("相談窓口の認知", a.answer, "実数", a.people);
  const header = ["区分", "項目", "内訳", "値"];
  const title: Cell[] = [
    `期間 ${report.period.label}`,
    regionFilterLabel(report, regionName),
    "",
    "",
  ];
  return toCsv(header, [title, ...rows]);
}

function regionFilterLabel(report: Report, regionName: (id: string | null) => string): string {
  return report.filters.region === null ? "全地域" : regionName(report.filters.region);
}

function waitingRows(
  report: Report,
  add: (section: string, item: string, breakdown: string, value: number | null) => void,
) {
  const w = report.waiting;
  const n = report.nonConsultations;
  add("LINE 待ち時間", "相談員につないだ件数", "", w.handedOff);
  add("LINE 待ち時間", "相談員が応答", "", w.answered);
  add("LINE 待ち時間", "応答前に離脱", "", w.abandoned);
  add("LINE 待ち時間", "待機中", "", w.stillWaiting);
  add(
    "LINE 待ち時間",
    "離脱率（%）",
    "",
    round1(w.abandonmentRate === null ? null : w.abandonmentRate * 100),
  );
  add("LINE 待ち時間", "待ち時間 中央値（分）", "", round1(w.waitMedian));
  add("LINE 待ち時間", "待ち時間 90%（分）", "", round1(w.waitP90));
  add("LINE 待ち時間", "初回応答まで 中央値（分）", "", round1(w.responseMedian));
  add("LINE 相談以外", "あいさつのみ", "", n.greetings);
  add("LINE 相談以外", "ボットのみで終了", "", n.botOnly);
  add("LINE 相談以外", "うちブロック", "", n.blocked);
}

/** One row per consultation: nothing that names her; a person number valid in this file only. */
export function recordsCsv(rows: RecordRow[], regionName: (id: string | null) => string): string {
  const personNumbers = new Map<string, number>();
  const numberOf = (key: string) => {
    const known = personNumbers.get(key);
    if (known !== undefined) return known;
    personNumbers.set(key, personNumbers.size + 1);
    return personNumbers.size;
  };
  const label = (labels: Record<string, string>, values: string[]) =>
    values.map((v) => labels[v] ?? v).join("・");
  const header = [
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
  ];
  const body = rows.map((r, i): Cell[] => [
    i + 1,
    numberOf(r.personKey),
    CHANNEL_LABELS[r.channel as Channel] ?? r.channel,
    regionName(r.regionId),
    r.date,
    WEEKDAYS[r.weekday] ?? "",
    `${r.hour}時台`,
    label(TOPIC_LABELS, r.topics),
    r.ageBand === null ? "不明" : (AGE_LABELS[r.ageBand] ?? r.ageBand),
    r.returning === null ? "不明" : r.returning ? "継続" : "新規",
    r.waitMinutes,
    r.responseMinutes,
    r.referrals.join("・"),
    label(FOLLOW_UP_LABELS, r.followUps),
    r.counsellor,
    RISK_LABELS[r.riskLevel] ?? r.riskLevel,
  ]);
  return toCsv(header, body);
}
