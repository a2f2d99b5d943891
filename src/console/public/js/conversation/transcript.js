// The chat as the counsellor reads it: her messages, the bot's and ours, and what became of ours.
// In the order the API gives (each message's place in the conversation, `seq`); the bot's runs of
// messages fold into one line that opens on a click.
import { clear, el } from "../../kit/dom.js";
import { formatClock, formatDateTime } from "../format.js";

/** Bot blocks the counsellor opened (by their first message's id): kept open across redraws. */
const openedBlocks = new Set();

/** Consecutive messages of the bot, as one block; any other message stands alone. */
function runs(messages) {
  const out = [];
  for (const m of messages) {
    const last = out[out.length - 1];
    const bot = m.direction === "out" && m.author === "bot";
    if (bot && last?.bot) last.messages.push(m);
    else out.push({ bot, messages: [m] });
  }
  return out;
}

export function renderMessages(list, view) {
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const first = list.childElementCount === 0;
  clear(list);
  if (view.messages.length === 0)
    list.appendChild(el("li", { className: "muted", text: "まだメッセージはありません。" }));
  for (const run of runs(view.messages)) {
    if (run.bot && run.messages.length > 1) list.appendChild(botBlock(run.messages, view));
    else for (const m of run.messages) list.appendChild(messageItem(m, view.conversation));
  }
  if (first || nearBottom) list.scrollTop = list.scrollHeight;
}

/** Several bot messages in a row: one line (how many, the first words), opened on a click. */
function botBlock(messages, view) {
  const key = messages[0].id;
  const firstLine = (messages[0].text ?? "").split("\n")[0];
  const details = el("details", { className: "bot-block-details" }, [
    el("summary", {
      text: `自動応答 ${messages.length}件・${formatDateTime(messages[0].sentAt)}　${firstLine}`,
      attrs: { "data-testid": "bot-block-summary" },
    }),
    el(
      "ol",
      { className: "bot-block-list" },
      messages.map((m) => messageItem(m, view.conversation)),
    ),
  ]);
  details.open = openedBlocks.has(key);
  details.addEventListener("toggle", () => {
    if (details.open) openedBlocks.add(key);
    else openedBlocks.delete(key);
  });
  return el(
    "li",
    {
      className: "bot-block",
      attrs: { "data-testid": "bot-block", "data-count": messages.length },
    },
    [details],
  );
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
      attrs: {
        "data-testid": "message",
        "data-direction": m.direction,
        "data-kind": m.kind,
        "data-seq": m.seq,
      },
    },
    [
      el("span", { className: "msg-meta", text: `${who}・${formatDateTime(m.sentAt)}` }),
      bubble(m, conv),
      deliveryState(m),
    ],
  );
}

/** Why her words are gone (src/privacy/): her request, else the preset's retention period. */
export const erasedText = (reason) =>
  reason === "request" ? "本人の請求により削除されました" : "保存期間を過ぎたため削除されました";

function bubble(m, conv) {
  if (m.unsent)
    return el("div", {
      className: "bubble label",
      text: "取り消されました",
      attrs: { "data-testid": "unsent" },
    });
  if (m.erased)
    return el("div", {
      className: "bubble label",
      text: `［${erasedText(conv.contentErased)}］`,
      attrs: { "data-testid": "erased" },
    });
  switch (m.kind) {
    case "text":
      return el("div", { className: "bubble", text: m.text ?? "" });
    case "sticker":
      return el("div", { className: "bubble label", text: "［スタンプ］" });
    case "image":
    case "video":
    case "audio":
    case "file":
      return fileBubble(m);
    case "postback":
      // The button as she saw it (the API reads it from her conversation's flow version).
      return el("div", {
        className: "bubble tap",
        text: m.label ? `［選択］${m.label}` : "［ボタンを選択］",
        attrs: { "data-testid": "tap" },
      });
    default:
      return el("div", { className: "bubble label", text: m.text ? m.text : `［${m.kind}］` });
  }
}

const FILE_LABELS = { image: "画像", video: "動画", audio: "音声", file: "ファイル" };

/** Her file: an image proved by its bytes is shown; anything else is only offered as a download. */
function fileBubble(m) {
  const label = FILE_LABELS[m.kind] ?? "ファイル";
  const src = `/api/v1/messages/${encodeURIComponent(m.id)}/content`;
  if (m.contentTooLarge)
    return el("div", {
      className: "bubble label",
      text: `［${label}：大きすぎるため保存できませんでした］`,
      attrs: { "data-testid": "content-too-large" },
    });
  if (m.contentUnavailable)
    return el("div", {
      className: "bubble label",
      text: `［${label}：LINEから受け取れず、保存できませんでした］`,
      attrs: { "data-testid": "content-unavailable" },
    });
  if (!m.hasContent)
    return el("div", { className: "bubble label", text: `［${label}（保存中）］` });
  if (m.contentInline)
    return el("div", { className: "bubble" }, [
      el("img", { attrs: { src, alt: "相談者が送った画像", loading: "lazy" } }),
    ]);
  return el("div", { className: "bubble label" }, [
    el("a", {
      text: `［${label}］ダウンロード`,
      attrs: { href: src, download: "", rel: "noopener", "data-testid": "content-download" },
    }),
  ]);
}

function deliveryState(m) {
  if (m.direction !== "out" || m.author !== "counsellor") return null;
  const states = {
    pending: ["送信中…", ""],
    sent: ["送信済み", ""],
    failed: ["送信できませんでした", " failed"],
    skipped: ["送信されませんでした", " failed"],
  };
  if (m.delivery === "pending" && m.deliverAt) {
    // Held for the times she chose: when it goes, in words.
    return el("span", {
      className: "msg-state held",
      text: `${formatClock(m.deliverAt)}まで送信を待っています（相談者が選んだ連絡してよい時間）`,
      attrs: { "data-testid": "delivery" },
    });
  }
  const [text, extra] = states[m.delivery] ?? [null, ""];
  return text
    ? el("span", { className: `msg-state${extra}`, text, attrs: { "data-testid": "delivery" } })
    : null;
}
