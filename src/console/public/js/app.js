// Console start: session check, sign-in, page routing (#/…), live updates.
import { api, setCsrfToken, whenUnauthenticated } from "../kit/api.js";
import { $ } from "../kit/dom.js";
import {
  closeConversationView,
  initDialogs,
  loadConversation,
  openConversation,
} from "./conversation/view.js";
import { describeError } from "./errors.js";
import { roleLabel, setReference } from "./labels.js";
import { refreshQueue, tickWaits } from "./queue.js";
import { isSupervising, state } from "./state.js";
import { toast } from "./toast.js";
import { refreshAlerts, renderAdmin, renderAlerts, renderHome, renderProfile } from "./views.js";

const QUEUE_FALLBACK_MS = 30_000;
const LIVE_DEBOUNCE_MS = 200;

let events = null;
let timers = [];

async function start() {
  whenUnauthenticated(() =>
    signedOut(
      "もう一度サインインしてください（一定時間操作がなかったか、サインアウトされました）。",
    ),
  );
  initDialogs();
  $("signin-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  window.addEventListener("hashchange", route);
  try {
    const session = await api("GET", "/api/v1/session");
    await enter(session);
  } catch {
    signedOut("");
  }
  $("boot").hidden = true;
}

function signedOut(message) {
  stopLive();
  state.me = null;
  setCsrfToken(null);
  closeConversationView();
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  $("app").hidden = true;
  $("signin").hidden = false;
  $("signin-error").textContent = message;
  $("boot").hidden = true;
  $("login-name").focus();
}

async function signIn(event) {
  event.preventDefault();
  const loginName = $("login-name").value.trim();
  const password = $("password").value;
  const error = $("signin-error");
  if (!loginName || !password) {
    error.textContent = "ログイン名とパスワードを入力してください。";
    return;
  }
  const button = event.submitter ?? $("signin-form").querySelector("button");
  button.disabled = true;
  error.textContent = "";
  try {
    const session = await api("POST", "/api/v1/session", { loginName, password });
    $("password").value = "";
    await enter(session);
  } catch (e) {
    error.textContent = describeError(e);
  } finally {
    button.disabled = false;
  }
}

async function signOut() {
  try {
    await api("DELETE", "/api/v1/session");
  } catch {
    // Signed out on the server or not: this screen forgets the session either way.
  }
  signedOut("サインアウトしました。");
  location.hash = "#/";
}

/** After sign-in (or a live session on load): reference data, then the console. */
async function enter(session) {
  setCsrfToken(session.csrfToken);
  state.me = session.counsellor;
  setReference(await api("GET", "/api/v1/reference"));
  showMe();
  $("nav-alerts").hidden = !isSupervising();
  $("nav-admin").hidden = state.me.role !== "admin";
  $("signin").hidden = true;
  $("app").hidden = false;
  await Promise.all([refreshQueue(), refreshAlerts()]);
  startLive();
  route();
}

function showMe() {
  $("me-name").textContent = state.me.displayName;
  $("me-role").textContent =
    `${roleLabel(state.me.role)}${state.me.regionName ? `・${state.me.regionName}` : ""}`;
}

// ---------- routing ----------

function route() {
  if (!state.me) return;
  const hash = location.hash || "#/";
  const conversation = /^#\/c\/([^/]+)$/.exec(hash);
  $("app").classList.toggle("viewing", hash !== "#/" && hash !== "#");
  for (const link of document.querySelectorAll(".nav a")) {
    link.toggleAttribute("aria-current", false);
  }
  if (conversation) {
    const id = decodeURIComponent(conversation[1]);
    if (state.openId !== id) openConversation(id);
    return;
  }
  closeConversationView();
  const current = (id) => $(id).setAttribute("aria-current", "page");
  if (hash === "#/alerts" && isSupervising()) {
    current("nav-alerts");
    renderAlerts();
  } else if (hash === "#/admin" && state.me.role === "admin") {
    current("nav-admin");
    renderAdmin();
  } else if (hash === "#/profile") {
    current("nav-profile");
    renderProfile(showMe);
  } else {
    current("nav-queue");
    $("app").classList.remove("viewing");
    renderHome();
  }
  document.querySelectorAll(".queue-item.current").forEach((n) => n.classList.remove("current"));
  $("main").querySelector("h1")?.focus({ preventScroll: true });
}

// ---------- live updates ----------

const queueChanged = debounce(async () => {
  await refreshQueue();
  if (state.me && !state.openId && (location.hash || "#/") === "#/") renderHome();
}, LIVE_DEBOUNCE_MS);
const openChanged = debounce(() => void loadConversation(), LIVE_DEBOUNCE_MS);
const alertsChanged = debounce(() => void refreshAlerts(), LIVE_DEBOUNCE_MS);

function startLive() {
  stopLive();
  connect();
  // If an event is missed (a proxy drops the stream), the list still catches up.
  timers.push(setInterval(() => void queueChanged(), QUEUE_FALLBACK_MS));
  timers.push(setInterval(tickWaits, 1000));
}

function connect() {
  const status = $("live-status");
  status.dataset.state = "connecting";
  status.textContent = "接続中…";
  events = new EventSource("/api/v1/events");
  // Whatever happened while this stream or the server's database link was down: fetch again.
  const resync = () => {
    void queueChanged();
    if (state.openId) openChanged();
    alertsChanged();
  };
  events.addEventListener("open", () => {
    status.dataset.state = "up";
    status.textContent = "自動更新中";
    resync();
  });
  events.addEventListener("resync", resync);
  events.addEventListener("queue", () => void queueChanged());
  events.addEventListener("message", (event) => {
    void queueChanged();
    const data = parse(event.data);
    if (data?.conversationId && data.conversationId === state.openId) openChanged();
  });
  events.addEventListener("alert", (event) => {
    alertsChanged();
    const data = parse(event.data);
    if (data?.kind === "emergency") toast("緊急対応のアラートが届きました。", "error");
  });
  events.addEventListener("error", () => {
    status.dataset.state = "down";
    status.textContent = "再接続中…";
    // The browser retries by itself unless the server refused (e.g. the session ended).
    if (events.readyState === EventSource.CLOSED) {
      const retry = setTimeout(() => {
        if (!state.me) return;
        api("GET", "/api/v1/session")
          .then(() => connect())
          .catch(() => undefined);
      }, 5000);
      timers.push(retry);
    }
  });
}

function stopLive() {
  events?.close();
  events = null;
  for (const t of timers) {
    clearInterval(t);
    clearTimeout(t);
  }
  timers = [];
}

/** Calls `fn` once, `ms` after the last of a burst of calls. */
function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

start().catch((error) => {
  $("boot").textContent = "画面を読み込めませんでした。再読み込みしてください。";
  toast(describeError(error), "error");
});
