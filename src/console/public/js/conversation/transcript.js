// The chat as the counsellor reads it: her messages, the bot's and ours, and what became of ours.
import { clear, el } from "../../kit/dom.js";
import { formatClock, formatDateTime } from "../format.js";

export function renderMessages(list, view) {
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
      return el("div", {
        className: "bubble label",
        text: m.text ? `［選択］${m.text}` : "［ボタンを選択］",
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
