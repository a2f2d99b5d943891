// Reading a waiting conversation before taking it: her triage answers and messages, read-only.
// The API records the look (audited) and marks nothing read on her phone: 既読 appears only
// once someone has taken her and can answer.
import { api, ApiError } from "../../kit/api.js";
import { $, clear, el } from "../../kit/dom.js";
import { describeError } from "../errors.js";
import { formatDateTime } from "../format.js";
import { regionLabel, statusLabel } from "../labels.js";
import { atLimit, claim } from "../queue.js";
import { state } from "../state.js";
import { renderMessages } from "./transcript.js";
import { renderTriage } from "./triage.js";

export async function openPreview(id) {
  state.openId = null;
  const main = clear($("main"));
  main.appendChild(el("p", { className: "muted small", text: "読み込み中…" }));
  let view;
  try {
    view = await api("GET", `/api/v1/conversations/${encodeURIComponent(id)}/preview`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    clear(main).append(
      el("div", { className: "panel", attrs: { "data-testid": "conversation-missing" } }, [
        el("h1", { text: "相談を開けません" }),
        el("p", { text: describeError(error) }),
        el("a", { text: "相談一覧へ戻る", attrs: { href: "#/" } }),
      ]),
    );
    return;
  }
  if (location.hash !== `#/p/${encodeURIComponent(id)}`) return;
  const conv = view.conversation;
  const waiting = conv.status === "waiting";
  const full = atLimit() && conv.riskLevel !== "high";
  const take = el("button", {
    className: "primary",
    text: "対応する",
    attrs: { type: "button", "data-testid": "preview-claim", disabled: !waiting || full },
    on: { click: (event) => void claim(id, event.currentTarget) },
  });
  const triage = el("section", {
    className: "triage",
    attrs: { "aria-labelledby": "triage-title" },
  });
  const messages = el("ol", {
    className: "messages preview-messages",
    attrs: { "data-testid": "preview-messages", "aria-label": "やりとり（読むだけ）" },
  });
  clear(main).append(
    el("div", { className: "conv-head" }, [
      el("button", {
        className: "back quiet",
        text: "← 一覧へ",
        attrs: { type: "button" },
        on: { click: () => (location.hash = "#/") },
      }),
      el("div", { className: "conv-title" }, [
        el("h1", { text: `${conv.pseudonym} さん（対応前に見る）`, attrs: { tabindex: "-1" } }),
        el("p", {
          className: "muted small",
          text: [
            statusLabel(conv.status),
            conv.regionName ?? regionLabel(conv.regionId),
            conv.waitingSince ? `待ち始め ${formatDateTime(conv.waitingSince)}` : null,
          ]
            .filter(Boolean)
            .join("・"),
        }),
      ]),
      el("div", { className: "conv-actions" }, [take]),
    ]),
    el("p", {
      className: "banner info",
      attrs: { "data-testid": "preview-note" },
      text: !waiting
        ? "この相談はもう待っていません。"
        : full
          ? "同時に対応できる数に達しているため、いまは対応できません。読むことはできます。"
          : "読むだけの画面です。相談者のスマートフォンには既読がつきません。返信するには「対応する」を押してください。",
    }),
    triage,
    messages,
  );
  renderTriage(triage, conv);
  renderMessages(messages, view);
  main.querySelector("h1")?.focus({ preventScroll: true });
}
