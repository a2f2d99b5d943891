// How the phone shows each message: hers, the bot's (text, stickers, images, templates, flex
// messages with their buttons) and the typing dots. Text goes in with textContent only.
import { $, el } from "./kit/dom.js";

export const STICKERS = [
  { packageId: "446", stickerId: "1988", face: "😊" },
  { packageId: "446", stickerId: "1989", face: "🙏" },
  { packageId: "446", stickerId: "1990", face: "😢" },
  { packageId: "446", stickerId: "1991", face: "👍" },
];

export function time(ms) {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

export function scrollToEnd() {
  const box = $("messages");
  box.scrollTop = box.scrollHeight;
}

/** `handlers`: what her taps do, `{ tap(action), unsend(messageId) }`. */
export function renderItem(item, view, handlers) {
  if (item.kind === "system") return el("div", { className: "system", text: item.text });
  if (item.kind === "person") return renderMine(item, handlers);
  return renderTheirs(item, view, handlers);
}

function renderMine(item, handlers) {
  if (item.unsent) {
    return el("div", { className: "system", text: "メッセージの送信を取り消しました" });
  }
  const meta = el("div", { className: "meta" }, [
    item.fromPostback
      ? null
      : el("button", {
          className: "unsend",
          text: "送信取消",
          attrs: { "data-testid": "unsend" },
          on: { click: () => handlers.unsend(item.id) },
        }),
    item.read
      ? el("span", { className: "read", text: "既読", attrs: { "data-testid": "read" } })
      : null,
    el("span", { text: time(item.at) }),
  ]);
  const attrs = { "data-testid": "mine", "data-message-id": item.id };
  return el("div", { className: "msg mine", attrs }, [meta, renderMyContent(item)]);
}

function renderMyContent(item) {
  const c = item.content;
  if (c.type === "sticker") return el("div", { className: "sticker", text: stickerFace(c) });
  if (c.type === "image") {
    const src = `_sim/content/${encodeURIComponent(item.id)}`;
    return photo(src, "送った画像");
  }
  return el("div", { className: "bubble", text: c.text });
}

function renderTheirs(item, view, handlers) {
  const message = item.message;
  const sender = message.sender && message.sender.name ? message.sender.name : view.botName;
  const column = el("div", { className: "theirs-column" }, [
    el("span", { className: "sender", text: sender }),
    renderBotContent(message, handlers),
  ]);
  const attrs = { "data-testid": "theirs", "data-message-id": item.id, "data-via": item.via };
  return el("div", { className: "msg theirs", attrs }, [
    el("div", { className: "avatar", text: Array.from(sender)[0] || "?" }),
    column,
    el("div", { className: "meta" }, [el("span", { text: time(item.at) })]),
  ]);
}

function renderBotContent(message, handlers) {
  switch (message.type) {
    case "text":
    case "textV2":
      return el("div", { className: "bubble", text: message.text });
    case "sticker":
      return el("div", { className: "sticker", text: stickerFace(message) });
    case "image":
      return photo(safeUrl(message.previewImageUrl), "画像");
    case "template":
      return renderTemplate(message, handlers);
    default:
      return renderOther(message, handlers);
  }
}

/** Images change height when they load; keep the newest message in view. */
function photo(src, alt) {
  const img = el("img", { className: "photo", attrs: { src, alt } });
  img.addEventListener("load", scrollToEnd);
  return img;
}

function renderTemplate(message, handlers) {
  const t = message.template || {};
  if (t.type === "carousel" || t.type === "image_carousel") {
    return el(
      "div",
      { className: "carousel" },
      (t.columns || []).map((c) => card(c, c.actions || [c.action], handlers)),
    );
  }
  const node = card(t, t.actions || [], handlers);
  if (t.type === "confirm") node.lastChild.classList.add("confirm");
  return node;
}

function card(part, actions, handlers) {
  return el("div", { className: "card" }, [
    el("div", { className: "card-body" }, [
      part.title ? el("div", { className: "card-title", text: part.title }) : null,
      part.text ? el("div", { text: part.text }) : null,
    ]),
    el(
      "div",
      { className: "card-actions" },
      actions.filter(Boolean).map((action) => actionButton(action, handlers)),
    ),
  ]);
}

/** Flex and other rich messages: the alt text plus any buttons found inside. */
function renderOther(message, handlers) {
  const actions = [];
  collectActions(message.contents, actions);
  return el("div", { className: "card" }, [
    el("div", { className: "card-body" }, [
      el("div", { className: "card-kind", text: message.type }),
      el("div", { text: message.altText || `[${message.type}]` }),
    ]),
    el(
      "div",
      { className: "card-actions" },
      actions.map((action) => actionButton(action, handlers)),
    ),
  ]);
}

function collectActions(node, out) {
  if (!node || typeof node !== "object") return;
  if (node.type === "button" && node.action) out.push(node.action);
  for (const value of Object.values(node)) collectActions(value, out);
}

function actionButton(action, handlers) {
  return el("button", {
    text: action.label || action.type,
    attrs: { "data-testid": "action-button" },
    on: { click: () => handlers.tap(action) },
  });
}

export function renderTyping() {
  const bubble = el("div", { className: "bubble" }, [
    el("span", { className: "dot" }),
    el("span", { className: "dot" }),
    el("span", { className: "dot" }),
  ]);
  return el("div", { className: "msg theirs typing", attrs: { "data-testid": "loading" } }, [
    el("div", { className: "avatar", text: "…" }),
    bubble,
  ]);
}

function stickerFace(sticker) {
  const known = STICKERS.find(
    (s) => s.packageId === sticker.packageId && s.stickerId === sticker.stickerId,
  );
  return known ? known.face : "🧸";
}

/** Only http(s) images from the bot are shown; anything else becomes a blank image. */
export function safeUrl(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url) ? url : "";
}
