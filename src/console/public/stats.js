// The statistics page: GET /api/v1/stats/report → figures, charts (chart.js) and their tables.
// All text goes into the DOM with textContent; nothing from the server is parsed as HTML.

const WEEKDAYS = ["月", "火", "水", "木", "金", "土", "日"];
const COLORS = ["#2f5d9e", "#d9822b", "#3a9d6b", "#a23e72", "#7a6bb8", "#8c8c3a", "#5aa9c9"];
let csrfToken = null;
let options = null;
const charts = [];

const $ = (id) => document.getElementById(id);
function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

async function api(method, path, body) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok)
    throw Object.assign(new Error(data?.message ?? res.statusText), { status: res.status });
  return data;
}

function fillSelect(select, items, keepFirst = true) {
  if (!keepFirst) select.replaceChildren();
  for (const item of items) select.append(el("option", item.label, { value: item.value }));
}

/** The filter form as query parameters (empty fields left out). */
function query() {
  const f = new FormData($("filters"));
  const params = new URLSearchParams();
  const kind = f.get("kind");
  if (kind === "fiscalYear") params.set("fiscalYear", f.get("fiscalYear"));
  if (kind === "month") params.set("month", f.get("month"));
  if (kind === "range") {
    params.set("from", f.get("from"));
    params.set("to", f.get("to"));
  }
  for (const name of ["region", "channel", "topic", "ageBand"]) {
    if (f.get(name)) params.set(name, f.get(name));
  }
  return params.toString();
}

function showKind() {
  const kind = $("filters").elements.kind.value;
  for (const label of document.querySelectorAll("[data-kind]"))
    label.hidden = label.dataset.kind !== kind;
}

/** One chart card: a chart for the eye and, under it, the same numbers as a table. */
function chartCard(title, config, header, rows, note) {
  const card = el("section", undefined, { class: "card chart", "data-chart": title });
  card.append(el("h2", title));
  if (note) card.append(el("p", note, { class: "note" }));
  if (config) {
    const canvas = el("canvas", undefined, { role: "img", "aria-label": title });
    card.append(canvas);
    charts.push(
      new window.Chart(canvas, {
        ...config,
        options: { animation: false, responsive: true, ...config.options },
      }),
    );
  }
  const details = el("details");
  details.append(el("summary", "数値を表で見る"), table(header, rows));
  card.append(details);
  $("charts").append(card);
}

function table(header, rows) {
  const t = el("table");
  const head = el("tr");
  for (const h of header) head.append(el("th", h));
  t.append(head);
  for (const row of rows) {
    const tr = el("tr");
    row.forEach((v, i) => tr.append(el(i === 0 ? "th" : "td", v ?? "–")));
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
  const card = el("section", undefined, { class: "card chart", "data-chart": "曜日×時間帯" });
  card.append(el("h2", "曜日 × 時間帯（相談の開始）"));
  const grid = el("table", undefined, { class: "heatmap", "aria-label": "曜日×時間帯" });
  const head = el("tr");
  head.append(el("th", ""));
  for (let h = 0; h < 24; h++) head.append(el("th", h));
  grid.append(head);
  WEEKDAYS.forEach((name, i) => {
    const tr = el("tr");
    tr.append(el("th", name));
    for (let h = 0; h < 24; h++) {
      const n = count(i + 1, h);
      const td = el("td", n || "", { title: `${name}曜 ${h}時台: ${n}件` });
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

async function loadReport() {
  const q = query();
  $("csv-report").href = `/api/v1/stats/report.csv?${q}`;
  $("csv-records").href = `/api/v1/stats/records.csv?${q}`;
  $("status").textContent = "集計中…";
  try {
    const r = await api("GET", `/stats/report?${q}`);
    while (charts.length) charts.pop().destroy();
    $("charts").replaceChildren();
    renderFigures(r);
    renderTrendAndChannels(r);
    renderTopics(r);
    renderHeatmap(r);
    renderPeople(r);
    renderWaiting(r);
    renderCoding(r);
    $("status").textContent =
      `${r.period.label}（${r.filters.region ? "地域で絞り込み" : "全地域"}）`;
    document.body.dataset.ready = "true";
  } catch (error) {
    $("status").textContent = `集計できませんでした: ${error.message}`;
  }
}

function setUpFilters(me) {
  const form = $("filters");
  form.elements.fiscalYear.value = options.currentFiscalYear;
  fillSelect(form.elements.region, options.regions);
  if (options.scopeRegion) {
    form.elements.region.value = options.scopeRegion;
    form.elements.region.disabled = true;
  }
  fillSelect(form.elements.channel, options.channels);
  fillSelect(form.elements.topic, options.topics);
  fillSelect(form.elements.ageBand, options.ageBands);
  form.elements.kind.addEventListener("change", showKind);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void loadReport();
  });
  $("report-area").hidden = me.role === "counsellor";
}

function setUpEntry(me) {
  const form = $("entry");
  fillSelect(form.elements.channel, options.entryChannels, false);
  fillSelect(form.elements.regionId, options.regions, false);
  if (me.regionId) {
    form.elements.regionId.value = me.regionId;
    form.elements.regionId.disabled = true;
  }
  fillSelect(form.elements.ageBand, options.ageBands);
  fillSelect(form.elements.riskLevel, options.riskLevels, false);
  const boxes = (container, name, items) => {
    for (const item of items) {
      const label = el("label");
      label.append(
        el("input", undefined, { type: "checkbox", name, value: item.value }),
        item.label,
      );
      $(container).append(label);
    }
  };
  boxes("entry-topics", "topics", options.topics);
  boxes("entry-followups", "followUps", options.followUps);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void submitEntry(form, me);
  });
  $("entry-area").hidden = false;
}

async function submitEntry(form, me) {
  const f = new FormData(form);
  const text = (name) => String(f.get(name) ?? "").trim();
  const body = {
    channel: text("channel"),
    regionId: me.regionId ?? text("regionId"),
    startedAt: new Date(`${text("startedAt")}:00+09:00`).toISOString(),
    topics: f.getAll("topics"),
    ageBand: text("ageBand") || null,
    referrals: text("referrals")
      .split("\n")
      .map((s) => s.trim())
      .filter(Boolean),
    followUps: f.getAll("followUps"),
    riskLevel: text("riskLevel"),
    ...(text("durationMinutes") ? { durationMinutes: Number(text("durationMinutes")) } : {}),
    ...(text("personPseudonym") ? { personPseudonym: text("personPseudonym") } : {}),
    ...(text("caseRef") ? { caseRef: text("caseRef") } : {}),
    ...(f.get("firstContact") ? { firstContact: true } : { firstContact: false }),
  };
  try {
    await api("POST", "/stats/entries", body);
    $("entry-result").textContent = "記録しました。";
    form.reset();
  } catch (error) {
    $("entry-result").textContent = `記録できませんでした: ${error.message}`;
  }
}

async function start(session) {
  csrfToken = session.csrfToken;
  const me = session.counsellor;
  $("who").textContent = `${me.displayName}（${me.regionName ?? "全地域"}）`;
  $("signin").hidden = true;
  options = await api("GET", "/stats/options");
  setUpFilters(me);
  setUpEntry(me);
  if (me.role === "counsellor")
    $("status").textContent = "統計はスーパーバイザーと事務局が見られます。";
  else await loadReport();
}

async function boot() {
  try {
    await start(await api("GET", "/session"));
  } catch (error) {
    if (error.status !== 401) throw error;
    $("status").textContent = "";
    $("signin").hidden = false;
  }
}

$("signin").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  try {
    await start(
      await api("POST", "/session", { loginName: f.get("loginName"), password: f.get("password") }),
    );
  } catch (error) {
    $("signin-error").textContent =
      error.status === 401 ? "ログイン名かパスワードが違います。" : error.message;
  }
});

void boot();
