// Telling a counsellor that someone new is waiting, while she looks at another window: a sound
// and a desktop notification (the Notification API), once she switched them on here and her
// browser allowed them. Never her words: a notification shows on a shared screen too.
import { el } from "../kit/dom.js";
import { playArrivalSound } from "./sound.js";

const KEY = "lws-arrival-notices";

/** Waiting conversations already announced (or there when the page opened), by id → risk. */
let known = null;

const wanted = () => localStorage.getItem(KEY) === "on";
const permitted = () => "Notification" in window && Notification.permission === "granted";

/**
 * After each fetch of the queue: a waiting conversation not seen before, or one that became
 * high-risk, is announced. The first fetch only learns what is there.
 */
export function announceArrivals(waiting) {
  const first = known === null;
  const before = known ?? new Map();
  known = new Map(waiting.map((item) => [item.id, item.riskLevel]));
  if (first || !wanted()) return;
  const fresh = waiting.filter(
    (item) => !before.has(item.id) || (item.riskLevel === "high" && before.get(item.id) !== "high"),
  );
  if (fresh.length === 0) return;
  const high = fresh.some((item) => item.riskLevel === "high");
  playArrivalSound(high);
  if (!permitted()) return;
  for (const item of fresh) {
    const urgent = item.riskLevel === "high";
    const notice = new Notification(
      urgent ? "高リスクの相談が待っています" : "新しい相談が待っています",
      {
        body: `${item.pseudonym}さん・${item.regionName ?? ""}`,
        tag: `waiting-${item.id}`,
        requireInteraction: urgent,
      },
    );
    notice.addEventListener("click", () => {
      window.focus();
      location.hash = `#/p/${encodeURIComponent(item.id)}`;
      notice.close();
    });
  }
}

/** Forget what was announced (signed out): the next session starts afresh. */
export function resetArrivals() {
  known = null;
}

/** The switch in the queue's column: on asks the browser's permission for notifications. */
export function arrivalSwitch() {
  const box = el("input", {
    attrs: { type: "checkbox", id: "arrival-notices", "data-testid": "arrival-notices" },
  });
  const status = el("span", {
    className: "muted small",
    attrs: { "data-testid": "arrival-status" },
  });
  const show = () => {
    box.checked = wanted();
    status.textContent = !wanted()
      ? ""
      : permitted()
        ? "音とデスクトップ通知でお知らせします"
        : "音でお知らせします（デスクトップ通知はブラウザで許可されていません）";
  };
  box.addEventListener("change", async () => {
    localStorage.setItem(KEY, box.checked ? "on" : "off");
    if (box.checked && "Notification" in window && Notification.permission === "default") {
      await Notification.requestPermission();
    }
    show();
  });
  show();
  return el("div", { className: "arrival-switch" }, [
    el("label", { className: "check", attrs: { for: "arrival-notices" } }, [
      box,
      " 新しい相談を音と通知で知らせる",
    ]),
    status,
  ]);
}
