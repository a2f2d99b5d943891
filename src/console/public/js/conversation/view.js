// One conversation: triage answers, earlier consultations, the chat, reply, notes, referral
// cards, and the transfer / close / emergency forms. This module keeps which one is open and
// fetches and draws it; the parts it draws are its neighbours in this folder.
import { api, ApiError } from "../../kit/api.js";
import { $, clear, el } from "../../kit/dom.js";
import { describeError } from "../errors.js";
import { formatDateTime } from "../format.js";
import {
  getReference,
  regionLabel,
  statusLabel,
  taskKindLabel,
  taskOutcomeLabel,
} from "../labels.js";
import { patchHerLine } from "../queue.js";
import { state } from "../state.js";
import { toast } from "../toast.js";
import { wireDialogs } from "./dialogs.js";
import { renderActions, renderBanners } from "./header.js";
import { buildReply, renderReplyState } from "./reply-box.js";
import {
  buildNoteForm,
  renderEarlier,
  renderEmergencies,
  renderNotes,
  renderReferrals,
} from "./side-panels.js";
import { buildReferralForm, renderReferralRecords } from "./referral-records.js";
import { renderMessages } from "./transcript.js";
import { renderTriage } from "./triage.js";

/** The open conversation: its id, the last view fetched, and the nodes that get redrawn. */
let current = null;

export function openConversation(id) {
  state.openId = id;
  current = {
    id,
    view: null,
    nodes: build(id),
    loading: null,
    again: false,
    sends: 0,
    held: false,
  };
  void loadConversation();
}

export function closeConversationView() {
  state.openId = null;
  current = null;
  $("main").classList.remove("conv-view");
}

/**
 * Fetches the view again (a colleague's note, a change of status…) without touching the reply
 * box. `onlyNew`: her or our new messages are all that changed (a message event, a send): only
 * the messages after the last one shown are fetched, and the whole view if anything else of the
 * conversation changed with them.
 */
export async function loadConversation({ onlyNew = false } = {}) {
  const c = current;
  if (!c) return;
  if (!onlyNew) c.whole = true;
  if (c.loading) {
    c.again = true;
    return;
  }
  c.loading = (async () => {
    do {
      c.again = false;
      const whole = c.whole || !c.view;
      c.whole = false;
      try {
        if (whole) {
          const view = await api("GET", `/api/v1/conversations/${encodeURIComponent(c.id)}`);
          if (current !== c) return;
          c.view = view;
        } else if (!(await addNewMessages(c))) {
          c.whole = true;
          c.again = true;
          continue;
        }
        if (current !== c) return;
        render(c);
        // Opening marked her messages read: none is unread now.
        const listed = [...state.queue.mine, ...state.queue.others].find((i) => i.id === c.id);
        if (listed && listed.unread > 0) patchHerLine(c.id, { unread: 0 });
      } catch (error) {
        if (current !== c) return;
        if (error instanceof ApiError && error.status === 401) return;
        if (error instanceof ApiError && (error.status === 404 || error.status === 403)) {
          showMissing(error);
          return;
        }
        if (!(error instanceof ApiError)) console.error(error);
        toast(describeError(error), "error");
      }
    } while (c.again);
  })();
  try {
    await c.loading;
  } finally {
    c.loading = null;
  }
}

/** What of the conversation a message can change besides the transcript (the API's answer). */
const CHANGED_BY_MESSAGES = [
  "status",
  "riskLevel",
  "riskCategories",
  "pushesHeldSince",
  "lastMessageUnanswered",
];
/** Of these, what the whole view must be fetched again for (its banners, header, actions). */
const NEEDS_WHOLE_VIEW = ["status", "riskLevel", "riskCategories", "pushesHeldSince"];

/**
 * Adds the messages after the last one shown; false when the conversation changed otherwise
 * too (the whole view is fetched then).
 */
async function addNewMessages(c) {
  const after = lastSeq(c.view);
  const path = `/api/v1/conversations/${encodeURIComponent(c.id)}/messages?after=${after}`;
  const news = await api("GET", path);
  if (current !== c) return true;
  const was = c.view.conversation;
  const same = (k) => JSON.stringify(was[k]) === JSON.stringify(news.conversation[k]);
  if (!NEEDS_WHOLE_VIEW.every(same)) return false;
  for (const k of CHANGED_BY_MESSAGES) was[k] = news.conversation[k];
  c.view.messages = [...c.view.messages.filter((m) => m.seq <= after), ...news.messages];
  return true;
}

/** The place of the last message shown (0: none). */
function lastSeq(view) {
  return (view?.messages ?? []).reduce((max, m) => Math.max(max, m.seq), 0);
}

/** Whether the open conversation shows the message at place `seq` (a live event's). */
export function showsMessage(conversationId, seq) {
  return current?.id === conversationId && typeof seq === "number" && seq <= lastSeq(current.view);
}

/**
 * While a reply of this page is on its way, the open conversation's message events are held: the
 * fetch that follows the send's answer (reply-box.js) shows them, the reply's own echo included.
 * A send that fails fetches them, if any came.
 */
function holdWhile(id, posting) {
  const c = current;
  if (c?.id !== id) return;
  c.sends += 1;
  const done = () => {
    c.sends -= 1;
    const held = c.held;
    c.held = false;
    return held;
  };
  // Registered before the reply box awaits the send: this runs first, then its fetch.
  posting.then(done, () => {
    if (done() && current === c) void loadConversation();
  });
}

/**
 * A message event of the open conversation: held while a reply is on its way (see holdWhile).
 * `whole`: it is about a message shown already, which the fetch after the send then reads too.
 */
export function heldForSend(conversationId, { whole = false } = {}) {
  const c = current;
  if (c?.id !== conversationId || c.sends === 0) return false;
  c.held = true;
  if (whole) c.whole = true;
  return true;
}

/**
 * What became of messages we sent (`event: delivery`): their state changes where they are, with
 * no fetch. A message this view has not fetched yet (the event overtook its own): fetch again.
 */
export function patchDelivery(conversationId, seqs, status) {
  const c = current;
  if (!c || c.id !== conversationId || !Array.isArray(seqs)) return;
  const messages = c.view?.messages ?? [];
  const found = messages.filter((m) => seqs.includes(m.seq));
  if (found.length < seqs.length || c.loading) {
    void loadConversation({ onlyNew: true });
    return;
  }
  for (const m of found) {
    m.delivery = status;
    if (status !== "pending") m.deliverAt = null;
  }
  renderMessages(c.nodes.messages, c.view);
}

function showMissing(error) {
  const main = clear($("main"));
  main.classList.remove("conv-view");
  main.appendChild(
    el("div", { className: "panel", attrs: { "data-testid": "conversation-missing" } }, [
      el("h1", { text: "相談を開けません" }),
      el("p", { text: describeError(error) }),
      el("a", { text: "相談一覧へ戻る", attrs: { href: "#/" } }),
    ]),
  );
}

/** Wires the three forms once; each acts on the conversation open at the time. */
export function initDialogs() {
  wireDialogs({ openNow: () => current, reload: loadConversation });
}

// ---------- skeleton (built once per open) ----------

function build(id) {
  const main = clear($("main"));
  // The page does not scroll; the transcript does (console.css, "An open conversation ...").
  main.classList.add("conv-view");
  const n = {};
  n.title = el("h1", { attrs: { id: "conv-title" } });
  n.meta = el("p", { className: "muted small", attrs: { "data-testid": "conv-meta" } });
  n.actions = el("div", { className: "conv-actions" });
  n.banners = el("div");
  n.triage = el("section", { className: "triage", attrs: { "aria-labelledby": "triage-title" } });
  n.messages = el("ol", {
    className: "messages",
    attrs: {
      "data-testid": "messages",
      role: "log",
      "aria-live": "polite",
      "aria-label": "やりとり",
    },
  });
  n.reply = buildReply(id, {
    reload: () => loadConversation({ onlyNew: true }),
    sending: (posting) => holdWhile(id, posting),
  });
  n.side = el("aside", { className: "side", attrs: { "aria-label": "記録と参考情報" } });
  n.emergencies = el("section", { className: "panel", attrs: { "data-testid": "emergencies" } });
  n.notes = el("ul", { className: "list-plain", attrs: { "data-testid": "notes" } });
  n.referrals = el("div", { attrs: { "data-testid": "referral-cards" } });
  n.referralRecords = el("ul", {
    className: "list-plain",
    attrs: { "data-testid": "referral-records" },
  });
  n.earlier = el("ul", { className: "list-plain", attrs: { "data-testid": "earlier" } });
  n.closing = el("section", {
    className: "panel closing-record",
    attrs: { "data-testid": "closing-record", hidden: true },
  });
  n.side.append(
    n.closing,
    n.emergencies,
    el("section", { className: "panel" }, [
      el("h2", { text: "メモ（相談者には見えません）" }),
      n.notes,
      buildNoteForm(id, loadConversation),
    ]),
    el("section", { className: "panel" }, [el("h2", { text: "紹介先の候補" }), n.referrals]),
    el("section", { className: "panel" }, [
      el("h2", { text: "つなぎ先の記録（本人同意・結果）" }),
      n.referralRecords,
      buildReferralForm(id, loadConversation),
    ]),
    el("section", { className: "panel" }, [
      el("h2", { text: "以前の相談" }),
      n.earlier,
      el("a", {
        text: "ケースファイル（電話などの記録・タスクも）",
        attrs: {
          href: `#/file/conversation/${encodeURIComponent(id)}`,
          "data-testid": "open-case-file",
        },
      }),
    ]),
  );
  main.append(
    el("div", { className: "conv-head" }, [
      el("button", {
        className: "back quiet",
        text: "← 一覧へ",
        attrs: { type: "button" },
        on: { click: () => (location.hash = "#/") },
      }),
      el("div", { className: "conv-title" }, [n.title, n.meta]),
      n.actions,
    ]),
    n.banners,
    n.triage,
    el("div", { className: "conv-grid" }, [
      el("section", { className: "chat", attrs: { "aria-labelledby": "conv-title" } }, [
        n.messages,
        n.reply.form,
      ]),
      n.side,
    ]),
  );
  main.appendChild(
    el("p", { className: "muted small", text: "読み込み中…", attrs: { id: "conv-loading" } }),
  );
  return n;
}

// ---------- drawing a fetched view ----------

/** A closed consultation: why it ended, how long, the summary and its follow-up tasks. */
function renderClosing(section, view) {
  const conv = view.conversation;
  clear(section);
  section.hidden = conv.status !== "closed" && view.tasks.length === 0;
  if (section.hidden) return;
  const row = (label, value, testid) => [
    el("dt", { className: "muted small", text: label }),
    el("dd", { text: value, attrs: testid ? { "data-testid": testid } : {} }),
  ];
  const reasons = getReference().closeReasons ?? [];
  section.append(
    el("h2", { text: "終了の記録" }),
    el("dl", {}, [
      ...(conv.closeReason
        ? row(
            "終了の理由",
            reasons.find((r) => r.value === conv.closeReason)?.label ?? conv.closeReason,
            "closing-reason",
          )
        : []),
      ...row("対応時間", `${conv.durationMinutes}分`, "closing-duration"),
      ...(conv.summary ? row("要約", conv.summary, "closing-summary") : []),
      ...view.tasks.flatMap((t) =>
        row(
          "フォローアップ",
          `${taskKindLabel(t.kind)}・${t.dueOn}まで・${t.owner.displayName}${t.outcome ? `（${taskOutcomeLabel(t.outcome)}）` : ""}`,
          "closing-task",
        ),
      ),
    ]),
  );
}

function render(c) {
  const { view, nodes: n } = c;
  const conv = view.conversation;
  $("conv-loading")?.remove();
  n.title.textContent = `${conv.pseudonym} さん`;
  n.meta.textContent = [
    statusLabel(conv.status),
    conv.regionName ?? regionLabel(conv.regionId),
    conv.assignedTo ? `担当: ${conv.assignedTo.displayName}` : "担当なし",
    `開始 ${formatDateTime(conv.startedAt)}`,
    ...(conv.contactTimes ? [`連絡してよい時間: ${conv.contactTimes.label}`] : []),
  ].join("・");
  renderActions(c, loadConversation);
  renderBanners(c);
  renderTriage(n.triage, conv);
  renderMessages(n.messages, view);
  renderReplyState(n.reply, conv);
  renderClosing(n.closing, view);
  renderEmergencies(n.emergencies, view.emergencies);
  renderNotes(n.notes, view.notes);
  renderReferrals(n.referrals, view.referralCards);
  renderReferralRecords(n.referralRecords, view, loadConversation);
  renderEarlier(n.earlier, view.earlier, view.earlierElsewhere);
  // An image she sent is copied from LINE in the background: look again until it is stored.
  const pending = view.messages.some(
    (m) =>
      m.kind === "image" &&
      !m.hasContent &&
      !m.contentTooLarge &&
      !m.contentUnavailable &&
      !m.unsent,
  );
  if (pending && !c.imageRetry) {
    c.imageRetry = setTimeout(() => {
      c.imageRetry = null;
      if (current === c) void loadConversation();
    }, 2000);
  }
  for (const item of document.querySelectorAll(".queue-item")) {
    item.classList.toggle("current", item.getAttribute("data-id") === c.id);
  }
}
