// Draws a statistics report (GET /api/v1/stats/report): the figures, then each chart (chart.js)
// with the numbers as a table under it: the report's own tables (r.tables, the sheets of
// report.xlsx: every region, age band and partner, zeros and totals included). Count axes step
// by whole numbers. Text goes in with textContent only.
import { $, el } from "./kit/dom.js";

const WEEKDAYS = ["月", "火", "水", "木", "金", "土", "日"];
const COLORS = ["#2f5d9e", "#d9822b", "#3a9d6b", "#a23e72", "#7a6bb8", "#8c8c3a", "#5aa9c9"];
const charts = [];

/** Replaces what the page shows with report `r`. */
export function renderReport(r) {
  while (charts.length) charts.pop().destroy();
  $("charts").replaceChildren();
  renderFigures(r);
  renderTrendAndChannels(r);
  renderTopics(r);
  renderHeatmap(r);
  renderPeople(r);
  renderWaiting(r);
  renderCoding(r);
  renderOutreach(r);
  renderProgramme(r);
}

/** 訪問・同行: planned, done and not done by outcome (the table of report.xlsx). */
function renderOutreach(r) {
  const t = sheet(r, "訪問・同行");
  chartCard("訪問・同行（予定と結果）", null, t.header, t.rows, t.note);
}

/** The activities and records beside the consultations, as report.xlsx has them. */
function renderProgramme(r) {
  for (const name of ["居場所", "生理用品", "つなぎ先の記録", "広報の読み取り"]) {
    const table = r.tables.find((x) => x.sheet === name);
    if (!table) continue;
    const t = sheet(r, name);
    chartCard(table.title, null, t.header, t.rows, t.note);
  }
}

/** The report's table of that sheet (as report.xlsx has it), as header and rows with its total. */
function sheet(r, name) {
  const t = r.tables.find((x) => x.sheet === name);
  if (!t) return { header: [], rows: [], note: undefined };
  return { header: t.header, rows: t.total ? [...t.rows, t.total] : t.rows, note: t.note };
}

/** Long names on several lines (chart.js draws an array as lines) instead of cut off. */
const wrap = (label, width = 12) =>
  label.length <= width ? label : label.match(new RegExp(`.{1,${width}}`, "g"));

/** 2025年4月 for "2025-04". */
const monthLabel = (m) => `${Number(m.slice(0, 4))}年${Number(m.slice(5, 7))}月`;

/** One chart card: a chart for the eye and, under it, the same numbers as a table. */
function chartCard(title, config, header, rows, note, height) {
  const card = el("section", { className: "card chart", attrs: { "data-chart": title } });
  card.append(el("h2", { text: title }));
  if (note) card.append(el("p", { className: "note", text: note }));
  if (config) {
    const canvas = el("canvas", { attrs: { role: "img", "aria-label": title } });
    const box = el("div", { className: "chart-box" }, [canvas]);
    if (height) box.style.height = `${height}px`;
    card.append(box);
    charts.push(
      new window.Chart(canvas, {
        ...config,
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: !height,
          ...config.options,
        },
      }),
    );
  }
  const details = el("details");
  details.append(el("summary", { text: "数値を表で見る" }), table(header, rows));
  details.open = true;
  card.append(details);
  $("charts").append(card);
}

function table(header, rows) {
  const t = el("table");
  const head = el("tr");
  for (const h of header) head.append(el("th", { text: h }));
  t.append(head);
  for (const row of rows) {
    const tr = el("tr");
    if (row[0] === "合計" || row[0] === "期間計") tr.className = "total";
    row.forEach((v, i) => tr.append(el(i === 0 ? "th" : "td", { text: v ?? "–" })));
    t.append(tr);
  }
  return t;
}

/** A bar chart whose count axis steps by whole numbers (no 0.2 of a consultation). */
const bar = (labels, datasets, extra = {}) => {
  const countAxis = extra.indexAxis === "y" ? "x" : "y";
  const scales = extra.scales ?? {};
  return {
    type: "bar",
    data: {
      labels,
      datasets: datasets.map((d, i) => ({ backgroundColor: COLORS[i % COLORS.length], ...d })),
    },
    options: {
      plugins: { legend: { display: datasets.length > 1 } },
      ...extra,
      scales: {
        ...scales,
        [countAxis]: {
          ...scales[countAxis],
          beginAtZero: true,
          ticks: { precision: 0, stepSize: undefined },
        },
      },
    },
  };
};

function renderFigures(r) {
  $("total").textContent = r.consultations.toLocaleString("ja-JP");
  $("people").textContent = r.people.toLocaleString("ja-JP");
  const nr = r.newReturning;
  $("new-returning").textContent = `${nr.new} / ${nr.returning} / ${nr.unknown}`;
  $("kpi-card").hidden = !r.kpi;
  if (r.kpi) {
    $("kpi-label").textContent =
      `${r.period.title} 実数目標 ${r.kpi.target}人${r.kpi.filtered ? "（絞り込み中）" : ""}`;
    $("kpi").textContent = `${r.kpi.people}人 · ${(r.kpi.progress * 100).toFixed(1)}%`;
    $("kpi-bar").value = Math.min(1, r.kpi.progress);
  }
}

function renderTrendAndChannels(r) {
  const monthly = sheet(r, "月別・経路別");
  chartCard(
    "月別の推移",
    bar(
      r.trend.map((t) => monthLabel(t.month)),
      [
        { label: "延べ数", data: r.trend.map((t) => t.consultations) },
        { label: "実数", data: r.trend.map((t) => t.people) },
      ],
    ),
    monthly.header,
    monthly.rows,
    monthly.note,
  );
  const total = monthly.rows.at(-1) ?? [];
  const channels = monthly.header
    .slice(1, -2)
    .filter((h, i) => i % 2 === 0)
    .map((h, i) => ({
      label: h.replace(/ 延べ数$/, ""),
      consultations: total[1 + 2 * i],
      people: total[2 + 2 * i],
    }));
  chartCard(
    "経路別",
    bar(
      channels.map((c) => c.label),
      [
        { label: "延べ数", data: channels.map((c) => c.consultations) },
        { label: "実数", data: channels.map((c) => c.people) },
      ],
    ),
    ["経路", "延べ数", "実数"],
    [
      ...channels.map((c) => [c.label, c.consultations, c.people]),
      ["合計", r.consultations, r.people],
    ],
    "合計の実数は期間中の相談者数です（複数の経路で相談した人は1人）。",
  );
}

function renderTopics(r) {
  const t = sheet(r, "相談内容×地域");
  const regions = t.header.slice(1, -1);
  const body = t.rows.filter((row) => row[0] !== "合計");
  chartCard(
    "相談内容 × 地域（1件に複数の内容あり）",
    bar(
      regions,
      body.map((row) => ({ label: row[0], data: regions.map((_, i) => row[1 + i]) })),
      { scales: { x: { stacked: true }, y: { stacked: true } } },
    ),
    t.header,
    t.rows,
    t.note,
  );
}

function renderHeatmap(r) {
  const count = (d, h) =>
    r.heatmap.find((x) => x.weekday === d && x.hour === h)?.consultations ?? 0;
  const max = Math.max(1, ...r.heatmap.map((x) => x.consultations));
  const card = el("section", { className: "card chart", attrs: { "data-chart": "曜日×時間帯" } });
  card.append(el("h2", { text: "曜日 × 時間帯（相談の開始）" }));
  const grid = el("table", { className: "heatmap", attrs: { "aria-label": "曜日×時間帯" } });
  const head = el("tr");
  head.append(el("th", { text: "" }));
  for (let h = 0; h < 24; h++) head.append(el("th", { text: h }));
  grid.append(head);
  WEEKDAYS.forEach((name, i) => {
    const tr = el("tr");
    tr.append(el("th", { text: name }));
    for (let h = 0; h < 24; h++) {
      const n = count(i + 1, h);
      const td = el("td", { text: n || "", attrs: { title: `${name}曜 ${h}時台: ${n}件` } });
      td.style.background = n ? `rgba(47, 93, 158, ${0.15 + 0.85 * (n / max)})` : "#fafafa";
      if (n / max > 0.55) td.style.color = "#fff";
      tr.append(td);
    }
    grid.append(tr);
  });
  card.append(grid);
  $("charts").append(card);
}

function renderPeople(r) {
  const ages = sheet(r, "年代別");
  const bands = ages.rows.filter((row) => row[0] !== "期間計");
  chartCard(
    "年代別",
    bar(
      bands.map((row) => row[0]),
      [
        { label: "延べ数", data: bands.map((row) => row[1]) },
        { label: "実数", data: bands.map((row) => row[2]) },
      ],
    ),
    ages.header,
    ages.rows,
    ages.note,
  );
  const nr = r.newReturning;
  chartCard(
    "新規・継続（実数）",
    {
      type: "doughnut",
      data: {
        labels: ["新規", "継続", "不明"],
        datasets: [{ data: [nr.new, nr.returning, nr.unknown], backgroundColor: COLORS }],
      },
    },
    ["区分", "人数"],
    [
      ["新規", nr.new],
      ["継続", nr.returning],
      ["不明", nr.unknown],
    ],
  );
}

function renderWaiting(r) {
  const w = r.waiting;
  const buckets = [
    ["5分未満", w.under5],
    ["5–15分", w.under15],
    ["15–30分", w.under30],
    ["30–60分", w.under60],
    ["60分以上", w.over60],
  ];
  const rate = w.abandonmentRate === null ? "–" : `${(w.abandonmentRate * 100).toFixed(1)}%`;
  const table = sheet(r, "待ち時間・離脱");
  chartCard(
    "LINE 待ち時間と離脱",
    bar(
      buckets.map((b) => b[0]),
      [{ label: "応答した相談", data: buckets.map((b) => b[1]) }],
    ),
    table.header,
    table.rows,
    `離脱率 ${rate}（応答前に離脱 ${w.abandoned}件）`,
  );
}

function renderCoding(r) {
  const referrals = sheet(r, "つなぎ先");
  chartCard(
    "つなぎ先（機関別）",
    bar(
      r.referrals.map((x) => wrap(x.agency)),
      [{ label: "件数", data: r.referrals.map((x) => x.consultations) }],
      { indexAxis: "y", scales: { y: { ticks: { autoSkip: false } } } },
    ),
    referrals.header,
    referrals.rows,
    referrals.note,
    Math.max(160, 60 + 38 * r.referrals.length),
  );
  const coding = sheet(r, "フォローアップ・危険度");
  chartCard(
    "フォローアップ・危険度",
    bar(
      coding.rows.map((row) => (row[0] === "危険度" ? `危険度 ${row[1]}` : row[1])),
      [{ label: "件数", data: coding.rows.map((row) => row[2]) }],
    ),
    coding.header,
    coding.rows,
  );
  if (!r.awareness.asked) {
    chartCard(
      "相談窓口の認知",
      null,
      ["項目", "値"],
      [["質問", "未実施"]],
      "フローではまだ質問していません（数値はありません）。",
    );
  } else {
    chartCard(
      "相談窓口の認知（実数）",
      bar(
        r.awareness.answers.map((a) => wrap(a.label)),
        [{ label: "人数", data: r.awareness.answers.map((a) => a.people) }],
      ),
      ["回答", "人数"],
      r.awareness.answers.map((a) => [a.label, a.people]),
    );
  }
}
