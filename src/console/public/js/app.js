// Console start: sign-in (the kit's), page routing (#/…), live updates.
import { api, SESSION_PATH } from "../kit/api.js";
import { $, el } from "../kit/dom.js";
import { signInFlow } from "../kit/sign-in.js";
import {
  closeConversationView,
  initDialogs,
  loadConversation,
  openConversation,
  heldForSend,
  patchDelivery,
  showsMessage,
} from "./conversation/view.js";
import { renderAccounts, renderMustChangePassword } from "./accounts.js";
import { openPreview } from "./conversation/preview.js";
import { renderMonitor, stopMonitor } from "./monitor.js";
import { arrivalSwitch, resetArrivals } from "./notify.js";
import { describeError } from "./errors.js";
import { roleLabel, setReference } from "./labels.js";
import { patchHerLine, refreshQueue, tickWaits } from "./queue.js";
import { refreshOnCallCount, renderOnCall } from "./oncall.js";
import { renderTasks } from "./tasks.js";
import { renderCaseFile, renderFileSearch } from "./casefile.js";
import { renderPartners } from "./partners.js";
import { renderProgramme } from "./programme.js";
import { isSupervising, state } from "./state.js";
import { playAlertSound } from "./sound.js";
import { toast } from "./toast.js";
import { refreshAlerts, renderAdmin, renderAlerts, renderHome, renderProfile } from "./views.js";

const QUEUE_FALLBACK_MS = 30_000;
const LIVE_DEBOUNCE_MS = 200;

let events = null;

const SESSION_ENDED =
  "このブラウザのサインインは終了しました（サインアウト、ほかの画面からの終了、またはアカウントの停止・パスワードのリセット）。";
let timers = [];

const signIn = signInFlow({
  root: $("signin"),
  intro: [
    el("h1", { text: "相談員コンソール" }),
    el("p", { className: "muted", text: "LINE相談の相談員・スーパーバイザー用の画面です。" }),
  ],
  onSignedIn: enter,
  onSignedOut: leave,
});

async function start() {
  initDialogs();
  $("sign-out").addEventListener("click", signOut);
  window.addEventListener("hashchange", route);
  await signIn.start();
  $("boot").hidden = true;
}

/** Before the sign-in form shows: nothing of the last session stays on screen or running. */
function leave() {
  stopLive();
  resetArrivals();
  state.me = null;
  closeConversationView();
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  $("app").hidden = true;
  $("boot").hidden = true;
}

async function signOut() {
  // Her own sign-out ends the stream too: it is not to announce that as an ended session.
  stopLive();
  await signIn.signOut();
  location.hash = "#/";
}

/** After sign-in (or a live session on load): reference data, then the console. */
async function enter(session) {
  state.me = session.counsellor;
  // An admin reset her password: nothing else answers until she chose her own.
  $("app").classList.toggle("must-change", state.me.mustChangePassword);
  if (state.me.mustChangePassword) {
    showMe();
    $("app").hidden = false;
    renderMustChangePassword(async () => enter(await api("GET", SESSION_PATH)));
    return;
  }
  setReference(await api("GET", "/api/v1/reference"));
  showMe();
  $("nav-alerts").hidden = !isSupervising();
  $("nav-oncall").hidden = !isSupervising();
  $("nav-monitor").hidden = !isSupervising();
  $("arrival-switch").replaceChildren(arrivalSwitch());
  $("nav-admin").hidden = state.me.role !== "admin";
  $("nav-accounts").hidden = state.me.role !== "admin";
  // Statistics for supervisors and admins; a counsellor records and corrects phone, e-mail and
  // visit consultations on the same page.
  $("nav-stats").hidden = false;
  $("nav-stats").textContent = state.me.role === "counsellor" ? "相談の記録" : "統計・報告";
  $("app").hidden = false;
  await Promise.all([refreshQueue(), refreshAlerts(), isSupervising() && refreshOnCallCount()]);
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
  if (!state.me || state.me.mustChangePassword) return;
  const hash = location.hash || "#/";
  const conversation = /^#\/c\/([^/]+)$/.exec(hash);
  const preview = /^#\/p\/([^/]+)$/.exec(hash);
  stopMonitor();
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
  if (preview) {
    void openPreview(decodeURIComponent(preview[1]));
    return;
  }
  const current = (id) => $(id).setAttribute("aria-current", "page");
  if (hash === "#/alerts" && isSupervising()) {
    current("nav-alerts");
    renderAlerts();
  } else if (hash === "#/monitor" && isSupervising()) {
    current("nav-monitor");
    renderMonitor();
  } else if (hash === "#/oncall" && isSupervising()) {
    current("nav-oncall");
    renderOnCall();
  } else if (hash === "#/accounts" && state.me.role === "admin") {
    current("nav-accounts");
    renderAccounts();
  } else if (hash === "#/admin" && state.me.role === "admin") {
    current("nav-admin");
    renderAdmin();
  } else if (hash === "#/partners") {
    current("nav-partners");
    renderPartners();
  } else if (hash === "#/tasks") {
    current("nav-tasks");
    renderTasks();
  } else if (hash === "#/files") {
    current("nav-files");
    renderFileSearch();
  } else if (hash.startsWith("#/file/")) {
    current("nav-files");
    void renderCaseFile(hash);
  } else if (hash === "#/programme") {
    current("nav-programme");
    renderProgramme();
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
const openGotMessages = debounce(() => void loadConversation({ onlyNew: true }), LIVE_DEBOUNCE_MS);
const monitorChanged = debounce(() => {
  if (location.hash === "#/monitor") void renderMonitor();
}, LIVE_DEBOUNCE_MS);
const alertsChanged = debounce(() => {
  void refreshAlerts();
  // On-call calls are announced as alerts too (see the on_call migration).
  if (isSupervising()) void refreshOnCallCount();
}, LIVE_DEBOUNCE_MS);

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
  // This session ended on the server (signed out in another tab, ended from another browser,
  // the account deactivated or its password reset by an admin): the sign-in form, at once.
  events.addEventListener("session-ended", () => void signIn.signOut(SESSION_ENDED));
  events.addEventListener("queue", () => {
    void queueChanged();
    if (location.hash === "#/monitor") monitorChanged();
  });
  events.addEventListener("message", (event) => {
    const data = parse(event.data);
    // Her words change her line in the queue (preview, unread), which the event carries; words
    // to her do not.
    if (data?.direction !== "out") herLineChanged(data);
    if (location.hash === "#/monitor") monitorChanged();
    // While my reply is on its way, the fetch that follows it shows this message (its echo too).
    const open = data?.conversationId && data.conversationId === state.openId;
    if (!open) return;
    // A new message: only what came after the last one shown. One it shows (she unsent it): all.
    const shown = showsMessage(data.conversationId, data.seq);
    if (heldForSend(data.conversationId, { whole: shown })) return;
    if (shown) openChanged();
    else openGotMessages();
  });
  // What became of a message we sent to her: patched in the open transcript, nothing fetched.
  events.addEventListener("delivery", (event) => {
    const data = parse(event.data);
    if (data?.conversationId) patchDelivery(data.conversationId, data.seqs, data.status);
  });
  // A note or a supervisor's whisper: the open conversation shows it at once; a whisper to me
  // is heard and shown wherever I am.
  events.addEventListener("note", (event) => {
    const data = parse(event.data);
    if (data?.conversationId && data.conversationId === state.openId) openChanged();
    if (data?.kind === "whisper" && state.me?.role === "counsellor") {
      playAlertSound();
      toast("スーパーバイザーからささやきが届きました。", "error");
    }
    if (location.hash === "#/monitor") monitorChanged();
  });
  events.addEventListener("alert", (event) => {
    alertsChanged();
    const data = parse(event.data);
    if (data?.kind === "emergency") toast("緊急対応のアラートが届きました。", "error");
    if (data?.kind === "risk-in-chat") riskInChat(data.conversationId);
  });
  events.addEventListener("error", () => {
    status.dataset.state = "down";
    status.textContent = "再接続中…";
    // The browser retries by itself unless the server refused (e.g. the session ended).
    if (events.readyState === EventSource.CLOSED) {
      const retry = setTimeout(() => {
        if (!state.me) return;
        api("GET", SESSION_PATH)
          .then(() => connect())
          .catch(() => undefined);
      }, 5000);
      timers.push(retry);
    }
  });
}

/** Her line patched from the event; the queue fetched if the list does not show her yet. */
function herLineChanged(data) {
  const patched =
    typeof data?.unread === "number" &&
    patchHerLine(data.conversationId, { preview: data.preview ?? "", unread: data.unread });
  if (!patched) void queueChanged();
}

/**
 * A risk word in a chat: a counsellor hears it (she gets only her own chats'), and whoever has
 * that chat open sees its banner at once.
 */
function riskInChat(conversationId) {
  const open = conversationId && conversationId === state.openId;
  if (open) openChanged();
  if (state.me?.role === "counsellor" || open) {
    playAlertSound();
    if (!open) toast("担当中の相談でリスクの言葉がありました。", "error");
  }
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
