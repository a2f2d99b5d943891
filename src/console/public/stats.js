// The statistics page: the filters, GET /api/v1/stats/report drawn by stats-report.js, the CSV
// links, and the form for consultations on other channels. Sign-in is the kit's, as on the console.
import { api, ApiError } from "./kit/api.js";
import { $, el } from "./kit/dom.js";
import { signInFlow } from "./kit/sign-in.js";
import { renderReport } from "./stats-report.js";

/** The signed-in counsellor, and what the forms offer her or him (GET /api/v1/stats/options). */
let me = null;
let options = null;

/** The session ended: the sign-in form, back on screen, says so. */
const signedOut = (error) => error instanceof ApiError && error.status === 401;

/** Replaces a select's options (after its first, "all", one unless `keepFirst` is false). */
function fillSelect(select, items, keepFirst = true) {
  const first = keepFirst ? [...select.options].slice(0, 1) : [];
  select.replaceChildren(
    ...first,
    ...items.map((item) => el("option", { text: item.label, attrs: { value: item.value } })),
  );
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
  return params;
}

/** The period and region of the form only (the entries list has no topic or age filter). */
function entriesQuery() {
  const params = query();
  params.delete("topic");
  params.delete("ageBand");
  if (params.get("channel") === "line") params.delete("channel");
  return params.toString();
}

/** The filters of the page's address (a link or a reload keeps them) into the form. */
function filtersFromUrl() {
  const form = $("filters");
  const url = new URLSearchParams(location.search);
  const kind = url.has("month") ? "month" : url.has("from") ? "range" : "fiscalYear";
  form.elements.kind.value = kind;
  const year = url.get("fiscalYear");
  if (year && ![...form.elements.fiscalYear.options].some((o) => o.value === year)) {
    // A year outside the list (a link from long ago): offered too, under its era name.
    form.elements.fiscalYear.append(
      el("option", { text: fiscalYearLabel(Number(year)), attrs: { value: year } }),
    );
  }
  for (const name of ["fiscalYear", "month", "from", "to", "channel", "topic", "ageBand"]) {
    if (url.get(name)) form.elements[name].value = url.get(name);
  }
  if (url.get("region") && !form.elements.region.disabled)
    form.elements.region.value = url.get("region");
  showKind();
}

function showKind() {
  const kind = $("filters").elements.kind.value;
  for (const label of document.querySelectorAll("[data-kind]"))
    label.hidden = label.dataset.kind !== kind;
}

const isReader = () => me && me.role !== "counsellor";

/** What the form asks for: the report (staff and supervisors) and the entries, then the URL. */
async function refresh() {
  document.body.removeAttribute("data-ready");
  const params = query();
  history.replaceState(null, "", `?${params}`);
  try {
    await Promise.all([isReader() ? loadReport(params.toString()) : null, loadEntries()]);
    document.body.dataset.ready = "true";
  } catch (error) {
    if (signedOut(error)) return;
    $("status").textContent = `集計できませんでした: ${error.message}`;
  }
}

async function loadReport(q) {
  $("xlsx-report").href = `/api/v1/stats/report.xlsx?${q}`;
  $("csv-report").href = `/api/v1/stats/report.csv?${q}`;
  $("csv-records").href = `/api/v1/stats/records.csv?${q}`;
  $("status").textContent = "集計中…";
  const r = await api("GET", `/api/v1/stats/report?${q}`);
  renderReport(r);
  const heading = `${r.period.title}（${r.filters.regionName}）`;
  $("status").textContent = heading;
  $("report-title").textContent = `${heading} の統計`;
}

/** 令和7年度 (the Japanese calendar, from Intl): fiscal year 2025 is named by its summer. */
const ERA = new Intl.DateTimeFormat("ja-JP-u-ca-japanese", {
  era: "long",
  year: "numeric",
  timeZone: "Asia/Tokyo",
});
const fiscalYearLabel = (fy) => `${ERA.format(new Date(Date.UTC(fy, 6, 1, 3)))}度（${fy}年度）`;

function setUpFilters(me) {
  const form = $("filters");
  const first = Math.min(2019, ...options.kpiByYear.map((k) => k.fiscalYear));
  const years = [];
  for (let fy = options.currentFiscalYear + 1; fy >= first; fy--)
    years.push({ value: String(fy), label: fiscalYearLabel(fy) });
  fillSelect(form.elements.fiscalYear, years, false);
  form.elements.fiscalYear.value = String(options.currentFiscalYear);
  fillSelect(form.elements.region, options.regions);
  form.elements.region.disabled = Boolean(options.scopeRegion);
  if (options.scopeRegion) form.elements.region.value = options.scopeRegion;
  fillSelect(form.elements.channel, options.channels);
  fillSelect(form.elements.topic, options.topics);
  fillSelect(form.elements.ageBand, options.ageBands);
  for (const node of document.querySelectorAll("[data-readers]"))
    node.hidden = me.role === "counsellor";
  filtersFromUrl();
  $("filter-area").hidden = false;
  $("report-area").hidden = me.role === "counsellor";
}

function setUpEntry(me) {
  const form = $("entry");
  fillSelect(form.elements.channel, options.entryChannels, false);
  fillSelect(form.elements.regionId, options.regions, false);
  form.elements.regionId.disabled = Boolean(me.regionId);
  if (me.regionId) form.elements.regionId.value = me.regionId;
  fillSelect(form.elements.ageBand, options.ageBands);
  fillSelect(form.elements.riskLevel, options.riskLevels, false);
  const boxes = (container, name, items) =>
    $(container).replaceChildren(
      ...items.map((item) =>
        el("label", {}, [
          el("input", { attrs: { type: "checkbox", name, value: item.value } }),
          item.label,
        ]),
      ),
    );
  boxes("entry-topics", "topics", options.topics);
  boxes("entry-followups", "followUps", options.followUps);
  $("entry-area").hidden = false;
}

/** The entry being corrected (its id), or null while recording a new one. */
let editing = null;

function formBody(form) {
  const f = new FormData(form);
  const text = (name) => String(f.get(name) ?? "").trim();
  const first = text("firstContact");
  return {
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
    // 新規 / 継続 / 不明: no answer is 不明, never 継続.
    firstContact: first === "yes" ? true : first === "no" ? false : null,
  };
}

async function submitEntry(form) {
  const body = formBody(form);
  try {
    if (editing) await api("PATCH", `/api/v1/stats/entries/${editing}`, body);
    else await api("POST", "/api/v1/stats/entries", body);
    const done = editing ? "修正しました。" : "記録しました。";
    stopEditing();
    $("entry-result").textContent = `${done}集計に反映しました。`;
    await refresh();
  } catch (error) {
    if (signedOut(error)) return;
    $("entry-result").textContent = `記録できませんでした: ${error.message}`;
  }
}

/** Tokyo wall-clock time of an instant, for a datetime-local input. */
const tokyoLocal = (iso) =>
  new Date(new Date(iso).getTime() + 9 * 3600_000).toISOString().slice(0, 16);

function startEditing(entry) {
  const form = $("entry");
  stopEditing();
  editing = entry.id;
  const e = form.elements;
  e.channel.value = entry.channel;
  e.regionId.value = entry.regionId;
  e.startedAt.value = tokyoLocal(entry.startedAt);
  e.durationMinutes.value = entry.durationMinutes ?? "";
  e.ageBand.value = entry.ageBand ?? "";
  e.personPseudonym.value = entry.personPseudonym ?? "";
  e.caseRef.value = entry.caseRef ?? "";
  e.firstContact.value =
    entry.firstContact === true ? "yes" : entry.firstContact === false ? "no" : "";
  e.referrals.value = entry.referrals.join("\n");
  e.riskLevel.value = entry.riskLevel;
  for (const box of form.querySelectorAll("input[name=topics]"))
    box.checked = entry.topics.includes(box.value);
  for (const box of form.querySelectorAll("input[name=followUps]"))
    box.checked = entry.followUps.includes(box.value);
  $("entry-heading").textContent =
    `記録を修正（${entry.channelLabel} ${formatTime(entry.startedAt)}）`;
  $("entry-submit").textContent = "修正を保存";
  $("entry-cancel").hidden = false;
  $("entry-result").textContent = "";
  $("entry-area").scrollIntoView({ block: "start" });
}

function stopEditing() {
  editing = null;
  $("entry").reset();
  $("entry-heading").textContent = "電話・メール・来所・訪問・同行の相談を記録";
  $("entry-submit").textContent = "記録する";
  $("entry-cancel").hidden = true;
}

const TIME = new Intl.DateTimeFormat("ja-JP", {
  timeZone: "Asia/Tokyo",
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const formatTime = (iso) => TIME.format(new Date(iso));
const FIRST_CONTACT = (v) => (v === true ? "新規" : v === false ? "継続" : "不明");

/** The entries of the period and region (GET /api/v1/stats/entries), with 修正 and 削除. */
async function loadEntries() {
  const { entries, truncated } = await api("GET", `/api/v1/stats/entries?${entriesQuery()}`);
  const label = (list, value) => list.find((x) => x.value === value)?.label ?? value;
  const rows = entries.map((entry) => {
    const actions = el("td", { className: "actions" });
    if (entry.editable) {
      const remove = el("button", {
        className: "button danger",
        text: "削除",
        attrs: { type: "button" },
      });
      remove.addEventListener("click", () => void removeEntry(entry, remove));
      actions.append(
        el("button", {
          className: "button",
          text: "修正",
          attrs: { type: "button" },
          on: { click: () => startEditing(entry) },
        }),
        remove,
      );
    }
    const who = entry.personPseudonym ?? (entry.caseRef ? `ケース ${entry.caseRef}` : "–");
    return el("tr", { attrs: { "data-entry": entry.id } }, [
      el("td", { text: formatTime(entry.startedAt) }),
      el("td", { text: entry.channelLabel }),
      el("td", { text: entry.region }),
      el("td", { text: entry.topics.map((t) => label(options.topics, t)).join("・") || "–" }),
      el("td", { text: who }),
      el("td", {
        text:
          entry.personPseudonym || entry.caseRef
            ? "（履歴で判定）"
            : FIRST_CONTACT(entry.firstContact),
      }),
      el("td", { text: entry.counsellor }),
      actions,
      el("td", {}, [
        el("a", {
          text: "ケースファイル",
          attrs: { href: `./#/file/entry/${entry.id}`, "data-testid": "entry-case-file" },
        }),
      ]),
    ]);
  });
  $("entries").tBodies[0].replaceChildren(...rows);
  $("entries-note").textContent = entries.length
    ? `${entries.length}件${truncated ? "（多いため新しい順に一部だけ表示。期間を絞ってください）" : ""}`
    : "この期間の記録はありません。";
  $("entries-area").hidden = false;
}

/** 削除 asks once more on the same button, then deletes (soft) and refreshes the figures. */
async function removeEntry(entry, button) {
  if (button.dataset.confirm !== "true") {
    button.dataset.confirm = "true";
    button.textContent = "削除を確定";
    return;
  }
  try {
    await api("DELETE", `/api/v1/stats/entries/${entry.id}`);
    if (editing === entry.id) stopEditing();
    $("entry-result").textContent = "記録を削除しました。集計に反映しました。";
    await refresh();
  } catch (error) {
    if (signedOut(error)) return;
    $("entry-result").textContent = `削除できませんでした: ${error.message}`;
  }
}

/** After sign-in (or a live session on load): the forms for this counsellor, then the report. */
async function start(session) {
  me = session.counsellor;
  $("who").textContent = `${me.displayName}（${me.regionName ?? "全地域"}）`;
  options = await api("GET", "/api/v1/stats/options");
  setUpFilters(me);
  setUpEntry(me);
  await refresh();
  if (me.role === "counsellor")
    $("status").textContent =
      "統計はスーパーバイザーと事務局が見られます。記録した相談はここで修正できます。";
}

/** Before the sign-in form shows: nothing of the last session stays on screen. */
function leave() {
  me = null;
  $("who").textContent = "";
  $("status").textContent = "";
  $("filter-area").hidden = true;
  $("report-area").hidden = true;
  $("entry-area").hidden = true;
  $("entries-area").hidden = true;
}

/** The forms' listeners, once; what they offer is filled in at each sign-in. */
function wire() {
  const filters = $("filters");
  filters.elements.kind.addEventListener("change", showKind);
  filters.addEventListener("submit", (e) => {
    e.preventDefault();
    void refresh();
  });
  $("entry").addEventListener("submit", (e) => {
    e.preventDefault();
    void submitEntry(e.currentTarget);
  });
  $("entry-cancel").addEventListener("click", () => {
    stopEditing();
    $("entry-result").textContent = "";
  });
}

wire();
void signInFlow({
  root: $("signin"),
  intro: [el("h2", { text: "サインイン" })],
  onSignedIn: start,
  onSignedOut: leave,
}).start();
