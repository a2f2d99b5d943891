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
