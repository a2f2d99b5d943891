// One conversation: triage answers, earlier consultations, the chat, reply, notes, referral
// cards, and the transfer / close / emergency forms.
import { api, ApiError } from "../kit/api.js";
import { $, clear, el } from "../kit/dom.js";
import { describeError } from "./errors.js";
import { formatDateTime, formatFullDate, localInputToIso } from "./format.js";
import {
  ageBandLabel,
  answerLabel,
  decisionLabel,
  followUpLabel,
  getReference,
  handoffReasonLabel,
  questionLabel,
  regionLabel,
  riskCategoryLabel,
  riskLevelLabel,
  roleLabel,
  statusLabel,
  supportWishLabel,
  topicLabel,
} from "./labels.js";
import { claim, refreshQueue } from "./queue.js";
import { isSupervising, state } from "./state.js";
import { toast } from "./toast.js";

/** The open conversation: its id, the last view fetched, and the nodes that get redrawn. */
let current = null;

export function openConversation(id) {
  state.openId = id;
  current = { id, view: null, nodes: build(id), loading: null, again: false };
  void loadConversation();
}

export function closeConversationView() {
  state.openId = null;
  current = null;
}

/** Fetches the view again (new messages, a colleague's note…) without touching the reply box. */
export async function loadConversation() {
  const c = current;
  if (!c) return;
  if (c.loading) {
    c.again = true;
    return;
  }
  c.loading = (async () => {
    do {
      c.again = false;
      try {
        const view = await api("GET", `/api/v1/conversations/${encodeURIComponent(c.id)}`);
        if (current !== c) return;
        c.view = view;
        render(c);
        // Opening marked her messages read: the list's unread count is out of date now.
        const listed = [...state.queue.mine, ...state.queue.others].find((i) => i.id === c.id);
        if (listed && listed.unread > 0) void refreshQueue();
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

function showMissing(error) {
  const main = clear($("main"));
  main.appendChild(
    el("div", { className: "panel", attrs: { "data-testid": "conversation-missing" } }, [
      el("h1", { text: "相談を開けません" }),
      el("p", { text: describeError(error) }),
      el("a", { text: "相談一覧へ戻る", attrs: { href: "#/" } }),
    ]),
  );
}

// ---------- skeleton (built once per open) ----------

function build(id) {
  const main = clear($("main"));
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
  n.reply = buildReply(id);
  n.side = el("aside", { className: "side", attrs: { "aria-label": "記録と参考情報" } });
  n.emergencies = el("section", { className: "panel", attrs: { "data-testid": "emergencies" } });
  n.notes = el("ul", { className: "list-plain", attrs: { "data-testid": "notes" } });
  n.referrals = el("div", { attrs: { "data-testid": "referral-cards" } });
  n.earlier = el("ul", { className: "list-plain", attrs: { "data-testid": "earlier" } });
  n.side.append(
    n.emergencies,
    el("section", { className: "panel" }, [
      el("h2", { text: "メモ（相談者には見えません）" }),
      n.notes,
      buildNoteForm(id),
    ]),
    el("section", { className: "panel" }, [el("h2", { text: "紹介先の候補" }), n.referrals]),
    el("section", { className: "panel" }, [el("h2", { text: "以前の相談" }), n.earlier]),
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

function buildReply(id) {
  const textarea = el("textarea", {
    attrs: {
      id: "reply-text",
      rows: "3",
      maxlength: "5000",
      placeholder: "相談者への返信（Ctrl+Enter で送信）",
      "data-testid": "reply-text",
    },
  });
  const send = el("button", {
    className: "primary",
    text: "送信",
    attrs: { type: "submit", "data-testid": "reply-send" },
  });
  // A select keeps the reply box small; {name} in a canned reply is my display name.
  const canned = el("select", { attrs: { id: "canned", "data-testid": "canned" } }, [
    el("option", { text: "定型文を選んで入れる…", attrs: { value: "" } }),
    ...(getReference().cannedReplies ?? []).map((text, i) =>
      el("option", { text: fillName(text), attrs: { value: String(i) } }),
    ),
  ]);
  canned.addEventListener("change", () => {
    const text = getReference().cannedReplies?.[Number(canned.value)];
    if (canned.value !== "" && text) insertAtCursor(textarea, fillName(text));
    canned.value = "";
  });
  const note = el("p", { className: "reply-note" });
  const form = el("form", { className: "reply", attrs: { "aria-label": "相談者への返信" } }, [
    note,
    el("div", { className: "canned" }, [
      el("label", { className: "sr-only", text: "定型文", attrs: { for: "canned" } }),
      canned,
    ]),
    el("label", { text: "返信", attrs: { for: "reply-text" } }),
    el("div", { className: "reply-row" }, [textarea, send]),
  ]);
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    if (!text) return;
    send.disabled = true;
    try {
      await api("POST", `/api/v1/conversations/${encodeURIComponent(id)}/messages`, { text });
      textarea.value = "";
      await loadConversation();
      void refreshQueue();
    } catch (error) {
      toast(describeError(error), "error");
    } finally {
      send.disabled = false;
      textarea.focus();
    }
  });
  return { form, textarea, send, note, canned };
}

const fillName = (text) => text.replaceAll("{name}", state.me.displayName);

function insertAtCursor(textarea, text) {
  const start = textarea.selectionStart ?? textarea.value.length;
  const end = textarea.selectionEnd ?? textarea.value.length;
  textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
  textarea.focus();
  textarea.selectionStart = textarea.selectionEnd = start + text.length;
}

function buildNoteForm(id) {
  const textarea = el("textarea", {
    attrs: { id: "note-text", rows: "3", maxlength: "2000", "data-testid": "note-text" },
  });
  const button = el("button", {
    text: "メモを追加",
    attrs: { type: "submit", "data-testid": "note-add" },
  });
  const form = el("form", {}, [
    el("label", { text: "新しいメモ", attrs: { for: "note-text" } }),
    textarea,
    el("div", { className: "dialog-actions" }, [button]),
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    if (!text) return;
    button.disabled = true;
    try {
      await api("POST", `/api/v1/conversations/${encodeURIComponent(id)}/notes`, { text });
      textarea.value = "";
      toast("メモを追加しました。");
      await loadConversation();
    } catch (error) {
      toast(describeError(error), "error");
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

// ---------- drawing a fetched view ----------

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
  ].join("・");
  renderActions(c);
  renderBanners(c);
  renderTriage(n.triage, conv);
  renderMessages(n.messages, view);
  renderReplyState(n.reply, conv);
  renderEmergencies(n.emergencies, view.emergencies);
  renderNotes(n.notes, view.notes);
  renderReferrals(n.referrals, view.referralCards);
  renderEarlier(n.earlier, view.earlier);
  // An image she sent is copied from LINE in the background: look again until it is stored.
  const pending = view.messages.some((m) => m.kind === "image" && !m.hasContent && !m.unsent);
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

const isOpen = (conv) => conv.status === "waiting" || conv.status === "active";
const isMine = (conv) => conv.assignedTo?.id === state.me.id;
const canAnswer = (conv) => conv.status === "active" && (isMine(conv) || isSupervising());

function renderActions(c) {
  const conv = c.view.conversation;
  const actions = clear(c.nodes.actions);
  if (conv.status === "waiting") {
    actions.appendChild(
      el("button", {
        className: "primary",
        text: "対応する",
        attrs: { type: "button", "data-testid": "claim-open" },
        on: {
          click: async (event) => {
            if (await claim(c.id, event.currentTarget)) await loadConversation();
          },
        },
      }),
    );
  }
  const canTransfer =
    isOpen(conv) && (conv.status === "waiting" || isMine(conv) || isSupervising());
  if (canTransfer) {
    actions.appendChild(
      el("button", {
        text: "引き継ぐ",
        attrs: { type: "button", "data-testid": "open-transfer" },
        on: { click: () => void openTransfer() },
      }),
    );
  }
  if (isOpen(conv)) {
    actions.appendChild(
      el("button", {
        className: "danger-outline",
        text: "緊急対応",
        attrs: { type: "button", "data-testid": "open-emergency" },
        on: { click: () => openEmergency() },
      }),
    );
  }
  if (canAnswer(conv)) {
    actions.appendChild(
      el("button", {
        className: "primary",
        text: "終了して記録",
        attrs: { type: "button", "data-testid": "open-close" },
        on: { click: () => openClose() },
      }),
    );
  }
}

function renderBanners(c) {
  const conv = c.view.conversation;
  const box = clear(c.nodes.banners);
  const banner = (kind, text) => box.appendChild(el("p", { className: `banner ${kind}`, text }));
  if (conv.riskLevel === "high") {
    const cats = conv.riskCategories.map(riskCategoryLabel).join("、");
    banner(
      "risk",
      `高リスク${cats ? `（${cats}）` : ""}。安全を確かめ、必要なら「緊急対応」で記録してスーパーバイザーに相談してください。`,
    );
  }
  if (conv.outOfHours)
    banner("warn", "受付時間外に届いた相談です。本人には24時間の窓口を案内しています。");
  if (conv.status === "waiting")
    banner("info", "待機中の相談です。返信するには「対応する」を押してください。");
  if (conv.status === "active" && !isMine(conv) && conv.assignedTo) {
    banner(
      "info",
      isSupervising()
        ? `${conv.assignedTo.displayName}さんが対応中です。返信すると相談者に届きます。`
        : `${conv.assignedTo.displayName}さんが対応中です。`,
    );
  }
  if (!isOpen(conv)) {
    banner(
      "info",
      `この相談は${statusLabel(conv.status)}しています${conv.closedAt ? `（${formatFullDate(conv.closedAt)}）` : ""}。`,
    );
  }
}

function renderTriage(section, conv) {
  clear(section);
  section.classList.toggle("high", conv.riskLevel === "high");
  const item = (label, value, testid) =>
    el("div", { attrs: testid ? { "data-testid": testid } : {} }, [
      el("dt", { text: label }),
      value instanceof Node ? el("dd", {}, [value]) : el("dd", { text: String(value ?? "") }),
    ]);
  const chips = (values, labelOf, className = "chip") =>
    values.length
      ? el(
          "span",
          { className: "chips" },
          values.map((v) => el("span", { className, text: labelOf(v) })),
        )
      : el("span", { className: "muted", text: "なし" });
  section.append(
    el("h2", { text: "聞き取りの内容", attrs: { id: "triage-title" } }),
    el("dl", {}, [
      item("相談の内容", chips(conv.topics, topicLabel), "triage-topics"),
      item(
        "お住まい",
        `${conv.municipality ?? "未回答"}（${conv.regionName ?? regionLabel(conv.regionId)}）`,
        "triage-place",
      ),
      item("年代", ageBandLabel(conv.ageBand)),
      item("相談の方法の希望", supportWishLabel(conv.supportWish)),
      item(
        "リスク",
        conv.riskLevel === "high"
          ? el("span", { className: "chips" }, [
              el("span", { className: "badge-risk", text: "高リスク" }),
              ...conv.riskCategories.map((v) =>
                el("span", { className: "chip risk-cat", text: riskCategoryLabel(v) }),
              ),
            ])
          : riskLevelLabel(conv.riskLevel),
        "triage-risk",
      ),
      item("引き継ぎの理由", handoffReasonLabel(conv.handoffReason)),
    ]),
  );
  const answers = Object.entries(conv.triageAnswers ?? {});
  if (answers.length) {
    section.appendChild(
      el("details", {}, [
        el("summary", { text: `質問への回答（${answers.length}件）` }),
        el(
          "dl",
          {},
          answers.map(([q, a]) => item(questionLabel(q), answerLabel(q, a))),
        ),
      ]),
    );
  }
}

function renderMessages(list, view) {
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const first = list.childElementCount === 0;
  clear(list);
  if (view.messages.length === 0)
    list.appendChild(el("li", { className: "muted", text: "まだメッセージはありません。" }));
  for (const m of view.messages) list.appendChild(messageItem(m, view.conversation));
  if (first || nearBottom) list.scrollTop = list.scrollHeight;
}

function messageItem(m, conv) {
  const who =
    m.direction === "in"
      ? conv.pseudonym
      : m.author === "bot"
        ? "自動応答"
        : (m.authorName ?? "相談員");
  return el(
    "li",
    {
      className: `msg ${m.direction} ${m.author}`,
      attrs: { "data-testid": "message", "data-direction": m.direction, "data-kind": m.kind },
    },
    [
      el("span", { className: "msg-meta", text: `${who}・${formatDateTime(m.sentAt)}` }),
      bubble(m),
      deliveryState(m),
    ],
  );
}

function bubble(m) {
  if (m.unsent)
    return el("div", {
      className: "bubble label",
      text: "送信取り消し",
      attrs: { "data-testid": "unsent" },
    });
  switch (m.kind) {
    case "text":
      return el("div", { className: "bubble", text: m.text ?? "" });
    case "sticker":
      return el("div", { className: "bubble label", text: "［スタンプ］" });
    case "image":
      return m.hasContent
        ? el("div", { className: "bubble" }, [
            el("img", {
              attrs: {
                src: `/api/v1/messages/${encodeURIComponent(m.id)}/content`,
                alt: "相談者が送った画像",
                loading: "lazy",
              },
            }),
          ])
        : el("div", { className: "bubble label", text: "［画像（保存中）］" });
    case "postback":
      return el("div", {
        className: "bubble label",
        text: m.text ? `［選択］${m.text}` : "［ボタンを選択］",
      });
    default:
      return el("div", { className: "bubble label", text: m.text ? m.text : `［${m.kind}］` });
  }
}

function deliveryState(m) {
  if (m.direction !== "out" || m.author !== "counsellor") return null;
  const states = {
    pending: ["送信中…", ""],
    sent: ["送信済み", ""],
    failed: ["送信できませんでした", " failed"],
    skipped: ["送信されませんでした", " failed"],
  };
  const [text, extra] = states[m.delivery] ?? [null, ""];
  return text
    ? el("span", { className: `msg-state${extra}`, text, attrs: { "data-testid": "delivery" } })
    : null;
}

function renderReplyState(reply, conv) {
  const allowed = canAnswer(conv);
  reply.textarea.disabled = !allowed;
  reply.send.disabled = !allowed;
  reply.canned.disabled = !allowed;
  reply.note.textContent = allowed
    ? ""
    : conv.status === "waiting"
      ? "「対応する」を押すと返信できます。"
      : conv.status === "active"
        ? "担当の相談員だけが返信できます。"
        : "この相談は終了しています。";
  reply.note.hidden = allowed;
}

function renderEmergencies(section, emergencies) {
  clear(section);
  section.hidden = emergencies.length === 0;
  section.appendChild(el("h2", { text: "緊急対応の記録" }));
  const list = el("ul", { className: "list-plain" });
  for (const e of emergencies) {
    const checks = [
      e.desire && "気持ち",
      e.plan && "計画",
      e.means && "手段",
      e.timeframe && "時期",
    ].filter(Boolean);
    list.appendChild(
      el("li", {}, [
        el("div", {
          className: "note-meta",
          text: `${formatDateTime(e.createdAt)}・${e.counsellorName}`,
        }),
        el("div", {
          text: `${decisionLabel(e.decision)}（確認: ${checks.length ? checks.join("・") : "なし"}）`,
        }),
        e.calledBy || e.calledAt
          ? el("div", {
              className: "small",
              text: `通報: ${e.calledBy ?? ""} ${formatDateTime(e.calledAt)}`,
            })
          : null,
        e.note ? el("div", { className: "note", text: e.note }) : null,
      ]),
    );
  }
  section.appendChild(list);
}

function renderNotes(list, notes) {
  clear(list);
  if (notes.length === 0)
    list.appendChild(el("li", { className: "muted small", text: "メモはまだありません。" }));
  for (const note of notes) {
    list.appendChild(
      el("li", { attrs: { "data-testid": "note" } }, [
        el("div", {
          className: "note-meta",
          text: `${note.kind === "transfer" ? "引き継ぎ・" : ""}${note.counsellorName}・${formatDateTime(note.createdAt)}`,
        }),
        el("div", {
          className: `note${note.kind === "transfer" ? " transfer" : ""}`,
          text: note.text,
        }),
      ]),
    );
  }
}

function renderReferrals(box, cards) {
  clear(box);
  if (cards.length === 0)
    box.appendChild(el("p", { className: "muted small", text: "候補はありません。" }));
  for (const card of cards) {
    box.appendChild(
      el("div", { className: "referral-card" }, [
        el("div", { text: card.name, attrs: { "data-testid": "referral-name" } }),
        el("div", { className: "chips" }, [
          ...card.topics.map((t) => el("span", { className: "chip", text: topicLabel(t) })),
          el("span", {
            className: "chip",
            text: card.regions.includes("all")
              ? "全地域"
              : card.regions.map(regionLabel).join("・"),
          }),
        ]),
      ]),
    );
  }
}

function renderEarlier(list, earlier) {
  clear(list);
  if (earlier.length === 0)
    list.appendChild(
      el("li", { className: "muted small", text: "以前の相談はありません（初めての相談）。" }),
    );
  for (const e of earlier) {
    const parts = [
      e.topics.length ? `内容: ${e.topics.map(topicLabel).join("、")}` : null,
      e.referrals.length ? `紹介: ${e.referrals.join("、")}` : null,
      e.followUps.length ? `支援: ${e.followUps.map(followUpLabel).join("、")}` : null,
    ].filter(Boolean);
    list.appendChild(
      el("li", { attrs: { "data-testid": "earlier-item" } }, [
        el("div", {
          className: "note-meta",
          text: `${formatFullDate(e.startedAt)}〜${e.closedAt ? formatDateTime(e.closedAt) : ""}・${statusLabel(e.status)}`,
        }),
        el("div", { className: "small", text: parts.length ? parts.join(" ／ ") : "記録なし" }),
      ]),
    );
  }
}

// ---------- dialogs ----------

/** Wires the three forms once; each acts on the conversation open at the time. */
export function initDialogs() {
  for (const dialog of document.querySelectorAll("dialog")) {
    for (const button of dialog.querySelectorAll("[data-close]")) {
      button.addEventListener("click", () => dialog.close());
    }
  }
  const transfer = $("transfer-form");
  for (const radio of transfer.querySelectorAll('input[name="target"]')) {
    radio.addEventListener("change", syncTransferTarget);
  }
  submitting("transfer-form", submitTransfer);
  submitting("close-form", submitClose);
  submitting("emergency-form", submitEmergency);
}

function submitting(formId, action) {
  const form = $(formId);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = form.querySelector(".form-error");
    const button = form.querySelector('button[type="submit"]');
    error.textContent = "";
    button.disabled = true;
    try {
      await action(form, error);
    } catch (e) {
      error.textContent = describeError(e);
    } finally {
      button.disabled = false;
    }
  });
}

function syncTransferTarget() {
  const toRegion =
    $("transfer-form").querySelector('input[name="target"]:checked').value === "region";
  $("transfer-counsellor").disabled = toRegion;
  $("transfer-region").disabled = !toRegion;
}

async function openTransfer() {
  const conv = current?.view?.conversation;
  if (!conv) return;
  const form = $("transfer-form");
  form.reset();
  form.querySelector(".form-error").textContent = "";
  const select = clear($("transfer-counsellor"));
  try {
    const colleagues = await api("GET", "/api/v1/counsellors");
    const fit = colleagues.filter(
      (p) => p.id !== state.me.id && (p.regionId === null || p.regionId === conv.regionId),
    );
    for (const p of fit) {
      select.appendChild(
        el("option", {
          text: `${p.displayName}（${roleLabel(p.role)}・${p.regionId ? regionLabel(p.regionId) : "全地域"}）`,
          attrs: { value: p.id },
        }),
      );
    }
    if (fit.length === 0)
      select.appendChild(
        el("option", { text: "引き継げる相談員がいません", attrs: { value: "" } }),
      );
  } catch (error) {
    toast(describeError(error), "error");
    return;
  }
  const regions = clear($("transfer-region"));
  for (const r of getReference().regions.filter((r) => r.id !== conv.regionId)) {
    regions.appendChild(el("option", { text: r.name, attrs: { value: r.id } }));
  }
  syncTransferTarget();
  $("transfer-dialog").showModal();
}

async function submitTransfer(form, error) {
  const c = current;
  if (!c) return;
  const toRegion = form.querySelector('input[name="target"]:checked').value === "region";
  const note = $("transfer-note").value.trim();
  const target = toRegion ? $("transfer-region").value : $("transfer-counsellor").value;
  if (!target) {
    error.textContent = "引き継ぎ先を選んでください。";
    return;
  }
  if (!note) {
    error.textContent = "引き継ぎメモを書いてください（次の人が本人にたずね直さないために）。";
    return;
  }
  const body = toRegion ? { toRegionId: target, note } : { toCounsellorId: target, note };
  const view = await api(
    "POST",
    `/api/v1/conversations/${encodeURIComponent(c.id)}/transfer`,
    body,
  );
  $("transfer-dialog").close();
  toast("引き継ぎました。");
  void refreshQueue();
  const stillMine = view?.conversation?.assignedTo?.id === state.me.id;
  if (isSupervising() || stillMine) await loadConversation();
  else location.hash = "#/";
}

function checkboxes(container, name, items, checked) {
  clear(container);
  for (const item of items) {
    container.appendChild(
      el("label", { className: "check" }, [
        el("input", {
          attrs: {
            type: "checkbox",
            name,
            value: item.value,
            checked: checked.includes(item.value),
          },
        }),
        item.label,
      ]),
    );
  }
}

function openClose() {
  const view = current?.view;
  if (!view) return;
  const conv = view.conversation;
  const ref = getReference();
  const form = $("close-form");
  form.reset();
  form.querySelector(".form-error").textContent = "";
  checkboxes($("close-topics"), "topics", ref.topics, conv.topics);
  const cardNames = view.referralCards.map((card) => card.name);
  const names = [...new Set([...cardNames, ...conv.referrals])];
  checkboxes(
    $("close-referrals"),
    "referrals",
    names.map((name) => ({ value: name, label: name })),
    conv.referrals,
  );
  checkboxes($("close-followups"), "followUps", ref.followUps, conv.followUps);
  const risk = clear($("close-risk"));
  const levels = ref.riskLevels.length
    ? ref.riskLevels
    : ["none", "low", "medium", "high"].map((value) => ({ value, label: riskLevelLabel(value) }));
  for (const level of levels) {
    risk.appendChild(
      el("option", {
        text: level.label,
        attrs: { value: level.value, selected: level.value === conv.riskLevel },
      }),
    );
  }
  $("close-dialog").showModal();
}

const checkedValues = (form, name) =>
  [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value);

async function submitClose(form, error) {
  const c = current;
  if (!c) return;
  const topics = checkedValues(form, "topics");
  if (topics.length === 0) {
    error.textContent = "相談の内容を一つ以上選んでください。";
    return;
  }
  const extra = $("close-referral-other")
    .value.split(/[、,，]/)
    .map((s) => s.trim())
    .filter(Boolean);
  const referrals = [...new Set([...checkedValues(form, "referrals"), ...extra])];
  const body = {
    topics,
    referrals,
    followUps: checkedValues(form, "followUps"),
    riskLevel: $("close-risk").value,
  };
  await api("POST", `/api/v1/conversations/${encodeURIComponent(c.id)}/close`, body);
  $("close-dialog").close();
  toast("相談を終了し、記録しました。");
  void refreshQueue();
  location.hash = "#/";
}

function openEmergency() {
  if (!current?.view) return;
  const form = $("emergency-form");
  form.reset();
  form.querySelector(".form-error").textContent = "";
  $("emergency-dialog").showModal();
}

async function submitEmergency(form, error) {
  const c = current;
  if (!c) return;
  const checked = (name) => form.querySelector(`input[name="${name}"]`).checked;
  const decision = form.querySelector('input[name="decision"]:checked')?.value;
  if (!decision) {
    error.textContent = "判断を選んでください。";
    return;
  }
  const calledBy = $("emergency-called-by").value.trim();
  const calledAt = localInputToIso($("emergency-called-at").value);
  const note = $("emergency-note").value.trim();
  if (decision !== "no-call" && !calledBy) {
    error.textContent = "通報した人を書いてください。";
    return;
  }
  const body = {
    desire: checked("desire"),
    plan: checked("plan"),
    means: checked("means"),
    timeframe: checked("timeframe"),
    decision,
    ...(calledBy ? { calledBy } : {}),
    ...(calledAt ? { calledAt } : {}),
    ...(note ? { note } : {}),
  };
  await api("POST", `/api/v1/conversations/${encodeURIComponent(c.id)}/emergency`, body);
  $("emergency-dialog").close();
  toast("緊急対応を記録し、スーパーバイザーに通知しました。");
  await loadConversation();
}
