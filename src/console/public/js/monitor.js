// The supervisors' monitor: every active chat in scope, who has her, since when she waits for an
// answer, her last message and the last reply. The times are the API's; the elapsed time beside
// each counts up in the page without a fetch.
import { api, ApiError } from "../kit/api.js";
import { $, clear, el } from "../kit/dom.js";
import { describeError } from "./errors.js";
import { formatClock, formatElapsed } from "./format.js";
import { regionLabel, riskCategoryLabel } from "./labels.js";

/** An answer this late is shown in amber. */
const SLOW_REPLY_MS = 5 * 60_000;
let ticker = null;

export async function renderMonitor() {
  let chats;
  try {
    chats = await api("GET", "/api/v1/monitor");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    clear($("main")).append(
      el("h1", { text: "モニター" }),
      el("p", { text: describeError(error) }),
    );
    return;
  }
  if (location.hash !== "#/monitor") return;
  const main = clear($("main"));
  const rows = chats.map((c) =>
    el("tr", { attrs: { "data-testid": "monitor-row", "data-id": c.id } }, [
      el("td", {}, [
        c.riskLevel === "high" ? el("span", { className: "badge-risk", text: "高リスク" }) : null,
        el("a", { text: c.pseudonym, attrs: { href: `#/c/${encodeURIComponent(c.id)}` } }),
        c.riskCategories.length
          ? el("div", {
              className: "small",
              text: c.riskCategories.map(riskCategoryLabel).join("、"),
            })
          : null,
      ]),
      el("td", { text: c.regionName ?? regionLabel(c.regionId) }),
      el("td", {
        text: c.counsellor?.displayName ?? "—",
        attrs: { "data-testid": "monitor-counsellor" },
      }),
      since(c.unansweredSince, "monitor-unanswered", true),
      since(c.lastHerMessageAt, "monitor-her-last"),
      since(c.lastReplyAt, "monitor-reply-last"),
    ]),
  );
  main.append(
    el("h1", { text: "モニター（対応中の相談）", attrs: { tabindex: "-1" } }),
    el("p", {
      className: "muted small",
      text: "返事を待たせている時間が長い順です。自動で更新されます。",
    }),
    chats.length === 0
      ? el("p", {
          className: "muted",
          text: "いま対応中の相談はありません。",
          attrs: { "data-testid": "monitor-empty" },
        })
      : el("table", { className: "table", attrs: { "data-testid": "monitor" } }, [
          el("thead", {}, [
            el("tr", {}, [
              el("th", { text: "相談者" }),
              el("th", { text: "地域" }),
              el("th", { text: "担当" }),
              el("th", { text: "返事を待っている" }),
              el("th", { text: "相談者の最後のメッセージ" }),
              el("th", { text: "相談員の最後の返信" }),
            ]),
          ]),
          el("tbody", {}, rows),
        ]),
  );
  tick();
  ticker ??= setInterval(tick, 1000);
}

export function stopMonitor() {
  clearInterval(ticker);
  ticker = null;
}

/** A time from the API (clock time, Japan) and how long ago, counting up. */
function since(iso, testid, warn = false) {
  if (!iso) return el("td", { className: "muted", text: "—", attrs: { "data-testid": testid } });
  return el("td", { attrs: { "data-testid": testid } }, [
    el("span", { text: formatClock(iso), attrs: { "data-testid": `${testid}-at` } }),
    " ",
    el("span", {
      className: "small elapsed",
      attrs: { "data-elapsed-since": iso, "data-warn": warn ? "1" : null },
    }),
  ]);
}

function tick() {
  const now = Date.now();
  for (const node of document.querySelectorAll("[data-elapsed-since]")) {
    const ms = now - new Date(node.getAttribute("data-elapsed-since")).getTime();
    node.textContent = `（${formatElapsed(ms)}前）`;
    node.classList.toggle("long", node.hasAttribute("data-warn") && ms > SLOW_REPLY_MS);
  }
}
