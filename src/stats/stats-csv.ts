import type { Cell, ReportTable } from "./report-tables";
import type { RecordRow } from "./stats-schemas";
import {
  AGE_LABELS,
  CHANNEL_LABELS,
  FOLLOW_UP_LABELS,
  RISK_LABELS,
  TOPIC_LABELS,
  type Channel,
} from "./stats-types";

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

/**
 * The report as tables, one block after another (the tables of report.xlsx): the title, a
 * heading row, the rows, the total, a note, then an empty line.
 */
export function reportCsv(tables: ReportTable[], heading: { period: string; region: string }) {
  const lines: Cell[][] = [[`期間 ${heading.period}`, `地域 ${heading.region}`], []];
  for (const t of tables) {
    lines.push([`■ ${t.title}`], t.header, ...t.rows);
    if (t.total) lines.push(t.total);
    if (t.note) lines.push([t.note]);
    lines.push([]);
  }
  return BOM + lines.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
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
