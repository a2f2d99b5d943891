// Above the chat: what I can do with this conversation, and the banners that say why or why not.
import { clear, el } from "../../kit/dom.js";
import { formatClock, formatFullDate } from "../format.js";
import { riskCategoryLabel, statusLabel } from "../labels.js";
import { claim } from "../queue.js";
import { isSupervising } from "../state.js";
import { openClose, openEmergency, openTransfer } from "./dialogs.js";
import { canAnswer, isMine, isOpen } from "./status.js";

/** The buttons my role and her status allow; `reload` fetches her again once I have taken her. */
export function renderActions(c, reload) {
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
            if (await claim(c.id, event.currentTarget)) await reload();
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
        on: { click: () => void openClose() },
      }),
    );
  }
}

export function renderBanners(c) {
  const conv = c.view.conversation;
  const box = clear(c.nodes.banners);
  const banner = (kind, text, testid) =>
    box.appendChild(
      el("p", { className: `banner ${kind}`, text, attrs: { "data-testid": testid } }),
    );
  if (conv.status === "active" && conv.pushesHeldSince) {
    banner(
      "exit",
      `相談者が終了の合図を送りました（${formatClock(conv.pushesHeldSince)}）。次にメッセージが来るまで送信を止めています。`,
      "exit-word-banner",
    );
  }
  if (conv.status === "active" && conv.riskInChat) {
    const cats = conv.riskInChat.categories.map(riskCategoryLabel).join("、");
    banner(
      "risk",
      `相談中にリスクの言葉がありました（${cats}・${formatClock(conv.riskInChat.at)}）。相談者の安全を確かめてください。`,
      "risk-in-chat-banner",
    );
  }
  if (conv.riskLevel === "high") {
    const cats = conv.riskCategories.map(riskCategoryLabel).join("、");
    banner(
      "risk",
      `高リスク${cats ? `（${cats}）` : ""}。安全を確かめ、必要なら「緊急対応」で記録してスーパーバイザーに相談してください。`,
    );
  }
  if (conv.outOfHours)
    banner("warn", "受付時間外に届いた相談です。本人には24時間の窓口を案内しています。");
  if (conv.servedBecause)
    banner(
      "info",
      `${conv.servedBecause}、${conv.servingRegionName ?? "ほかの地域"}の待ち行列で受け付けた相談です（統計は${conv.regionName ?? "本人の地域"}で数えます）。`,
    );
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
