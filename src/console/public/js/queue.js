// The list on the left: who is waiting (most urgent first), my chats, colleagues' chats.
import { api, ApiError } from "../kit/api.js";
import { $, clear, el } from "../kit/dom.js";
import { describeError } from "./errors.js";
import { formatClock, formatElapsed } from "./format.js";
import { regionLabel, riskCategoryLabel, topicLabel } from "./labels.js";
import { announceArrivals } from "./notify.js";
import { state, isSupervising } from "./state.js";
import { toast } from "./toast.js";

/** Waits longer than this are shown in amber (the presets' limit is 15 minutes). */
const LONG_WAIT_MS = 10 * 60_000;

let inFlight = null;
let again = false;

/** Fetches the queue and redraws it; calls made meanwhile lead to one more fetch after it. */
export async function refreshQueue() {
  if (inFlight) {
    again = true;
    return inFlight;
  }
  inFlight = (async () => {
    try {
      do {
        again = false;
        state.queue = await api("GET", "/api/v1/queue");
        renderQueue();
        announceArrivals(state.queue.waiting);
      } while (again);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) {
        $("queue-updated").textContent = "一覧を更新できませんでした。自動でもう一度試します。";
      }
    } finally {
      inFlight = null;
    }
  })();
  return inFlight;
}

/**
 * Her words changed her line (the live event carries its new preview and unread count): patched
 * where the list shows her, nothing fetched. False when the list does not show her.
 */
export function patchHerLine(id, change) {
  const { waiting = [], mine = [], others = [] } = state.queue ?? {};
  const item = [...waiting, ...mine, ...others].find((i) => i.id === id);
  if (!item) return false;
  Object.assign(item, change);
  renderQueue();
  return true;
}

export function renderQueue() {
  const { waiting, mine, others } = state.queue;
  fill("waiting", waiting, "waiting");
  fill("mine", mine, "mine");
  // 「2 / 3」: my chats against the preset's limit; at the limit 対応する waits (the API refuses).
  $("mine-count").textContent = `${mine.length} / ${state.queue.chatLimit}`;
  $("mine-count").classList.toggle("full", atLimit());
  $("others-section").hidden = !isSupervising();
  if (isSupervising()) fill("others", others, "others");
  $("queue-updated").textContent = `${formatClock(new Date().toISOString())} 更新`;
  document.title = waiting.length ? `(${waiting.length}) 相談員コンソール` : "相談員コンソール";
  tickWaits();
}

function fill(listId, items, kind) {
  const list = clear($(listId));
  for (const item of items) list.appendChild(queueItem(item, kind));
  $(`${listId}-empty`).hidden = items.length > 0;
  $(`${listId}-count`).textContent = String(items.length);
}

function queueItem(item, kind) {
  const high = item.riskLevel === "high";
  const name = el("span", { className: "qi-name" }, [
    kind === "waiting" && !isSupervising()
      ? el("a", { text: item.pseudonym, attrs: { href: `#/p/${encodeURIComponent(item.id)}` } })
      : el("a", { text: item.pseudonym, attrs: { href: `#/c/${encodeURIComponent(item.id)}` } }),
  ]);
  const head = el("div", { className: "qi-head" }, [
    high ? el("span", { className: "badge-risk", text: "高リスク" }) : null,
    name,
    el("span", { className: "qi-region", text: item.regionName ?? regionLabel(item.regionId) }),
    item.waitingSince && kind === "waiting"
      ? el("span", {
          className: "qi-wait",
          attrs: { "data-since": item.waitingSince, title: "待ち時間" },
        })
      : null,
  ]);
  const chips = el("div", { className: "chips" }, [
    ...item.riskCategories.map((c) =>
      el("span", { className: "chip risk-cat", text: riskCategoryLabel(c) }),
    ),
    ...item.topics.map((t) => el("span", { className: "chip", text: topicLabel(t) })),
    item.outOfHours ? el("span", { className: "chip flag", text: "受付時間外" }) : null,
    item.servedBecause
      ? el("span", {
          className: "chip flag",
          attrs: { "data-testid": "served-because" },
          text: `${item.servedBecause}${item.servingRegionName ? `・${item.servingRegionName}で対応` : ""}`,
        })
      : item.overflow
        ? el("span", { className: "chip flag", text: "他地域の応援" })
        : null,
  ]);
  const preview = item.preview
    ? el("p", { className: "qi-preview", text: item.preview })
    : el("p", { className: "qi-preview muted", text: "（メッセージはまだありません）" });
  const foot = el("div", { className: "qi-foot" }, [
    item.unread > 0 && kind !== "waiting"
      ? el("span", { className: "badge-unread", text: `未読 ${item.unread}` })
      : null,
    kind === "others" && item.assignedTo
      ? el("span", { className: "small muted", text: `担当: ${item.assignedTo.displayName}` })
      : null,
    el("span", { className: "spacer" }),
    ...actions(item, kind),
  ]);
  return el(
    "li",
    {
      className: `queue-item${high ? " high" : ""}${state.openId === item.id ? " current" : ""}`,
      attrs: { "data-testid": "queue-item", "data-id": item.id, "data-risk": item.riskLevel },
    },
    [head, chips, preview, foot],
  );
}

function actions(item, kind) {
  const open = (label) =>
    el("button", {
      className: "small",
      text: label,
      attrs: { type: "button", "aria-label": `${item.pseudonym}さんの相談を${label}` },
      on: { click: () => (location.hash = `#/c/${encodeURIComponent(item.id)}`) },
    });
  if (kind === "waiting") {
    // A high-risk conversation can be taken over the limit (the API allows it too).
    const full = atLimit() && item.riskLevel !== "high";
    return [
      el("button", {
        className: "small",
        text: "中を見る",
        attrs: {
          type: "button",
          "data-testid": "preview",
          "aria-label": `${item.pseudonym}さんの相談を読む（既読はつきません）`,
        },
        on: { click: () => (location.hash = `#/p/${encodeURIComponent(item.id)}`) },
      }),
      el("button", {
        className: "primary small",
        text: "対応する",
        attrs: {
          type: "button",
          "data-testid": "claim",
          "aria-label": `${item.pseudonym}さんの相談に対応する`,
          disabled: full,
          title: full ? "同時に対応できる数に達しています" : null,
        },
        on: { click: (event) => claim(item.id, event.currentTarget) },
      }),
    ];
  }
  if (kind === "mine") return [open("開く")];
  return [open("見る・返信する")];
}

/** Takes a waiting conversation; if a colleague was quicker, says so and refreshes. */
export async function claim(id, button) {
  if (button) button.disabled = true;
  try {
    await api("POST", `/api/v1/conversations/${encodeURIComponent(id)}/claim`);
    location.hash = `#/c/${encodeURIComponent(id)}`;
    toast("対応を始めました。");
    return true;
  } catch (error) {
    toast(describeError(error), "error");
    return false;
  } finally {
    if (button) button.disabled = false;
    await refreshQueue();
  }
}

/** I have as many chats as the preset allows one counsellor. */
export const atLimit = () => state.queue.mine.length >= (state.queue.chatLimit ?? Infinity);

/** Wait times count up every second without a fetch. */
export function tickWaits() {
  const now = Date.now();
  for (const node of document.querySelectorAll("[data-since]")) {
    const waited = now - new Date(node.getAttribute("data-since")).getTime();
    node.textContent = `待ち ${formatElapsed(waited)}`;
    node.classList.toggle("long", waited > LONG_WAIT_MS);
  }
}
