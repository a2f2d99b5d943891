// Draws a statistics report (GET /api/v1/stats/report): the figures, then each chart (chart.js)
// with the same numbers as a table under it. Text goes in with textContent only.
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
}

/** One chart card: a chart for the eye and, under it, the same numbers as a table. */
function chartCard(title, config, header, rows, note) {
  const card = el("section", { className: "card chart", attrs: { "data-chart": title } });
  card.append(el("h2", { text: title }));
  if (note) card.append(el("p", { className: "note", text: note }));
  if (config) {
    const canvas = el("canvas", { attrs: { role: "img", "aria-label": title } });
    card.append(canvas);
    charts.push(
      new window.Chart(canvas, {
        ...config,
        options: { animation: false, responsive: true, ...config.options },
      }),
    );
  }
  const details = el("details");
  details.append(el("summary", { text: "数値を表で見る" }), table(header, rows));
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
    row.forEach((v, i) => tr.append(el(i === 0 ? "th" : "td", { text: v ?? "–" })));
    t.append(tr);
  }
  return t;
}

const bar = (labels, datasets, extra = {}) => ({
  type: "bar",
  data: {
    labels,
    datasets: datasets.map((d, i) => ({ backgroundColor: COLORS[i % COLORS.length], ...d })),
  },
  options: { plugins: { legend: { display: datasets.length > 1 } }, ...extra },
});
const round1 = (v) => (v === null || v === undefined ? null : Math.round(v * 10) / 10);

function renderFigures(r) {
  $("total").textContent = r.consultations.toLocaleString("ja-JP");
  $("people").textContent = r.people.toLocaleString("ja-JP");
  const nr = r.newReturning;
  $("new-returning").textContent = `${nr.new} / ${nr.returning} / ${nr.unknown}`;
  $("kpi-card").hidden = !r.kpi;
  if (r.kpi) {
    $("kpi-label").textContent =
      `${r.kpi.fiscalYear}年度 実数目標 ${r.kpi.target}人${r.kpi.filtered ? "（絞り込み中）" : ""}`;
    $("kpi").textContent = `${r.kpi.people}人 · ${(r.kpi.progress * 100).toFixed(1)}%`;
    $("kpi-bar").value = Math.min(1, r.kpi.progress);
  }
}

function renderTrendAndChannels(r) {
  chartCard(
    "月別の推移",
    bar(
      r.trend.map((t) => t.month),
      [
        { label: "延べ数", data: r.trend.map((t) => t.consultations) },
        { label: "実数", data: r.trend.map((t) => t.people) },
      ],
    ),
    ["月", "延べ数", "実数"],
    r.trend.map((t) => [t.month, t.consultations, t.people]),
  );
  chartCard(
    "経路別",
    bar(
      r.byChannel.map((c) => c.label),
      [
        { label: "延べ数", data: r.byChannel.map((c) => c.consultations) },
        { label: "実数", data: r.byChannel.map((c) => c.people) },
      ],
    ),
    ["経路", "延べ数", "実数"],
    r.byChannel.map((c) => [c.label, c.consultations, c.people]),
  );
}

function renderTopics(r) {
  const regions = [...new Set(r.topicByRegion.map((t) => t.region))];
  const topics = [...new Set(r.topicByRegion.map((t) => t.topicLabel))];
  const value = (region, topic) =>
    r.topicByRegion.find((t) => t.region === region && t.topicLabel === topic)?.consultations ?? 0;
  chartCard(
    "相談内容 × 地域（1件に複数の内容あり）",
    bar(
      regions,
      topics.map((topic) => ({ label: topic, data: regions.map((g) => value(g, topic)) })),
      {
        scales: { x: { stacked: true }, y: { stacked: true } },
      },
    ),
    ["相談内容", ...regions],
    topics.map((topic) => [topic, ...regions.map((g) => value(g, topic))]),
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
  chartCard(
    "年代別",
    bar(
      r.ageBands.map((a) => a.label),
      [
        { label: "延べ数", data: r.ageBands.map((a) => a.consultations) },
        { label: "実数", data: r.ageBands.map((a) => a.people) },
      ],
    ),
    ["年代", "延べ数", "実数"],
    r.ageBands.map((a) => [a.label, a.consultations, a.people]),
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
  const n = r.nonConsultations;
  const buckets = [
    ["5分未満", w.under5],
    ["5–15分", w.under15],
    ["15–30分", w.under30],
    ["30–60分", w.under60],
    ["60分以上", w.over60],
  ];
  const rate = w.abandonmentRate === null ? "–" : `${(w.abandonmentRate * 100).toFixed(1)}%`;
  chartCard(
    "LINE 待ち時間と離脱",
    bar(
      buckets.map((b) => b[0]),
      [{ label: "応答した相談", data: buckets.map((b) => b[1]) }],
    ),
    ["項目", "値"],
    [
      ["相談員につないだ", w.handedOff],
      ["応答した", w.answered],
      ["応答前に離脱", w.abandoned],
      ["待機中", w.stillWaiting],
      ["離脱率", rate],
      ["待ち時間 中央値（分）", round1(w.waitMedian)],
      ["待ち時間 90%（分）", round1(w.waitP90)],
      ["初回応答まで 中央値（分）", round1(w.responseMedian)],
      ["あいさつのみ（相談に数えない）", n.greetings],
      ["ボットのみで終了（相談に数えない）", n.botOnly],
      ["うちブロック", n.blocked],
    ],
    `離脱率 ${rate}（応答前に離脱 ${w.abandoned}件）`,
  );
}

function renderCoding(r) {
  chartCard(
    "つなぎ先（機関別）",
    bar(
      r.referrals.map((x) => x.agency),
      [{ label: "件数", data: r.referrals.map((x) => x.consultations) }],
      { indexAxis: "y" },
    ),
    ["機関", "件数"],
    r.referrals.map((x) => [x.agency, x.consultations]),
  );
  chartCard(
    "フォローアップ・危険度",
    bar(
      [...r.followUps.map((f) => f.label), ...r.riskLevels.map((x) => `危険度 ${x.label}`)],
      [
        {
          label: "件数",
          data: [
            ...r.followUps.map((f) => f.consultations),
            ...r.riskLevels.map((x) => x.consultations),
          ],
        },
      ],
    ),
    ["項目", "件数"],
    [
      ...r.followUps.map((f) => [f.label, f.consultations]),
      ...r.riskLevels.map((x) => [`危険度 ${x.label}`, x.consultations]),
    ],
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
        r.awareness.answers.map((a) => a.answer),
        [{ label: "人数", data: r.awareness.answers.map((a) => a.people) }],
      ),
      ["回答", "人数"],
      r.awareness.answers.map((a) => [a.answer, a.people]),
    );
  }
}
