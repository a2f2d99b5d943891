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
  return params.toString();
}

function showKind() {
  const kind = $("filters").elements.kind.value;
  for (const label of document.querySelectorAll("[data-kind]"))
    label.hidden = label.dataset.kind !== kind;
}

async function loadReport() {
  const q = query();
  $("csv-report").href = `/api/v1/stats/report.csv?${q}`;
  $("csv-records").href = `/api/v1/stats/records.csv?${q}`;
  $("status").textContent = "集計中…";
  try {
    const r = await api("GET", `/api/v1/stats/report?${q}`);
    renderReport(r);
    $("status").textContent =
      `${r.period.label}（${r.filters.region ? "地域で絞り込み" : "全地域"}）`;
    document.body.dataset.ready = "true";
  } catch (error) {
    if (signedOut(error)) return;
    $("status").textContent = `集計できませんでした: ${error.message}`;
  }
}

function setUpFilters(me) {
  const form = $("filters");
  form.elements.fiscalYear.value = options.currentFiscalYear;
  fillSelect(form.elements.region, options.regions);
  form.elements.region.disabled = Boolean(options.scopeRegion);
  if (options.scopeRegion) form.elements.region.value = options.scopeRegion;
  fillSelect(form.elements.channel, options.channels);
  fillSelect(form.elements.topic, options.topics);
  fillSelect(form.elements.ageBand, options.ageBands);
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
    await api("POST", "/api/v1/stats/entries", body);
    $("entry-result").textContent = "記録しました。";
    form.reset();
  } catch (error) {
    if (signedOut(error)) return;
    $("entry-result").textContent = `記録できませんでした: ${error.message}`;
  }
}

/** After sign-in (or a live session on load): the forms for this counsellor, then the report. */
async function start(session) {
  me = session.counsellor;
  $("who").textContent = `${me.displayName}（${me.regionName ?? "全地域"}）`;
  options = await api("GET", "/api/v1/stats/options");
  setUpFilters(me);
  setUpEntry(me);
  if (me.role === "counsellor")
    $("status").textContent = "統計はスーパーバイザーと事務局が見られます。";
  else await loadReport();
}

/** Before the sign-in form shows: nothing of the last session stays on screen. */
function leave() {
  me = null;
  $("who").textContent = "";
  $("status").textContent = "";
  $("report-area").hidden = true;
  $("entry-area").hidden = true;
}

/** The forms' listeners, once; what they offer is filled in at each sign-in. */
function wire() {
  const filters = $("filters");
  filters.elements.kind.addEventListener("change", showKind);
  filters.addEventListener("submit", (e) => {
    e.preventDefault();
    void loadReport();
  });
  $("entry").addEventListener("submit", (e) => {
    e.preventDefault();
    void submitEntry(e.currentTarget, me);
  });
}

wire();
void signInFlow({
  root: $("signin"),
  intro: [el("h2", { text: "サインイン" })],
  onSignedIn: start,
  onSignedOut: leave,
}).start();
