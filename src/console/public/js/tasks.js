// The task list (#/tasks): follow-ups with a due date and an owner, mine or my region's, each
// closed with an outcome. Every figure and row is what GET /api/v1/tasks returns.
import { api } from "../kit/api.js";
import { $, clear, el, table } from "../kit/dom.js";
import { describeError } from "./errors.js";
import { regionSelect } from "./region-select.js";
import { formatDateTime } from "./format.js";
import { getReference, regionLabel, taskKindLabel, taskOutcomeLabel } from "./labels.js";
import { state } from "./state.js";
import { toast } from "./toast.js";

/** Today in Japan, as a date input writes it (YYYY-MM-DD). */
export function tokyoToday() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date());
}

const TABS = [
  { id: "mine", label: "自分のタスク", query: "scope=mine&status=open" },
  { id: "region", label: "地域のタスク", query: "scope=region&status=open" },
  { id: "closed", label: "完了したタスク", query: "scope=region&status=closed" },
];

let tab = "mine";

export function renderTasks() {
  const main = clear($("main"));
  const tabs = el(
    "div",
    { className: "tabs", attrs: { role: "tablist" } },
    TABS.map((t) =>
      el("button", {
        className: t.id === tab ? "primary" : "",
        text: t.label,
        attrs: {
          type: "button",
          role: "tab",
          "aria-selected": t.id === tab ? "true" : "false",
          "data-testid": `tasks-tab-${t.id}`,
        },
        on: {
          click: () => {
            tab = t.id;
            renderTasks();
          },
        },
      }),
    ),
  );
  const list = el("div", { attrs: { "data-testid": "task-list" } }, [
    el("p", { className: "muted", text: "読み込み中…" }),
  ]);
  main.append(
    el("h1", { text: "タスク", attrs: { tabindex: "-1" } }),
    el("p", {
      className: "muted",
      text: state.me.regionName
        ? `${state.me.regionName}のフォローアップ（折り返し連絡・訪問・同行など）`
        : "すべての地域のフォローアップ（折り返し連絡・訪問・同行など）",
    }),
    tabs,
    list,
    newTaskForm(),
  );
  void fill(list);
}

async function fill(list) {
  const query = TABS.find((t) => t.id === tab)?.query ?? TABS[0].query;
  let tasks;
  try {
    tasks = await api("GET", `/api/v1/tasks?${query}`);
  } catch (error) {
    clear(list).appendChild(el("p", { className: "form-error", text: describeError(error) }));
    return;
  }
  clear(list);
  list.appendChild(
    el("p", {
      className: "muted small",
      text: `${tasks.length}件`,
      attrs: { "data-testid": "task-count" },
    }),
  );
  if (tasks.length === 0) {
    list.appendChild(el("p", { className: "empty", text: "タスクはありません。" }));
    return;
  }
  const closed = tab === "closed";
  const head = ["期日", "種類", "相談者", "担当", "地域", closed ? "結果" : "完了にする"];
  list.appendChild(
    table(
      "table tasks",
      head,
      tasks.map((t) => taskRow(t, closed)),
    ),
  );
}

function taskRow(t, closed) {
  const enc = encodeURIComponent;
  // The consultation it follows; else her case file (her pseudonym, case number or the entry).
  const file = t.pseudonym
    ? `#/file/person/${enc(t.pseudonym)}`
    : t.caseRef
      ? `#/file/case/${enc(t.regionId)}/${enc(t.caseRef)}`
      : t.entryId
        ? `#/file/entry/${enc(t.entryId)}`
        : null;
  const who = t.conversationId
    ? el("a", {
        text: t.pseudonym ?? "相談を開く",
        attrs: { href: `#/c/${enc(t.conversationId)}` },
      })
    : file
      ? el("a", {
          text: t.pseudonym ?? (t.caseRef ? `ケース ${t.caseRef}` : "記録"),
          attrs: { href: file },
        })
      : el("span", { className: "muted", text: "—" });
  const kind = [
    taskKindLabel(t.kind),
    t.appointment?.time ? ` ${t.appointment.time}` : "",
    t.partner ? `（${t.partner.name}）` : "",
  ].join("");
  return el(
    "tr",
    {
      className: t.overdue ? "overdue" : "",
      attrs: { "data-testid": "task", "data-id": t.id, "data-kind": t.kind },
    },
    [
      el("td", {}, [
        el("span", { text: t.dueOn, attrs: { "data-testid": "task-due" } }),
        t.overdue ? el("span", { className: "chip flag", text: "期限切れ" }) : null,
      ]),
      el("td", { text: kind, attrs: { "data-testid": "task-kind" } }),
      el("td", { attrs: { "data-testid": "task-person" } }, [who]),
      el("td", { text: t.owner.displayName, attrs: { "data-testid": "task-owner" } }),
      el("td", { text: t.regionName }),
      closed
        ? el("td", {
            text: `${taskOutcomeLabel(t.outcome)}（${t.closedByName ?? ""}・${formatDateTime(t.closedAt)}）`,
            attrs: { "data-testid": "task-outcome" },
          })
        : el("td", {}, [closeControls(t)]),
    ],
  );
}

function closeControls(t) {
  const select = el(
    "select",
    { attrs: { "aria-label": "結果", "data-testid": "task-outcome-select" } },
    (getReference().taskOutcomes ?? []).map((o) =>
      el("option", { text: o.label, attrs: { value: o.value } }),
    ),
  );
  const button = el("button", {
    text: "完了",
    attrs: { type: "button", "data-testid": "task-close" },
    on: {
      click: async () => {
        button.disabled = true;
        try {
          await api("POST", `/api/v1/tasks/${encodeURIComponent(t.id)}/close`, {
            outcome: select.value,
          });
          toast("タスクを完了にしました。");
          renderTasks();
        } catch (error) {
          toast(describeError(error), "error");
          button.disabled = false;
        }
      },
    },
  });
  return el("span", { className: "task-close" }, [select, button]);
}

/** A task on its own (not from a closing): kind, due date, owner; the region is mine. */
function newTaskForm() {
  const kind = el(
    "select",
    { attrs: { id: "task-kind" } },
    (getReference().taskKinds ?? []).map((k) =>
      el("option", { text: k.label, attrs: { value: k.value } }),
    ),
  );
  const due = el("input", { attrs: { id: "task-due", type: "date", min: tokyoToday() } });
  const region = regionSelect("task-region");
  const error = el("p", { className: "form-error", attrs: { role: "alert" } });
  const form = el("form", { className: "panel", attrs: { novalidate: true } }, [
    el("h2", { text: "タスクを追加（自分が担当）" }),
    el("div", { className: "form-grid" }, [
      el("div", {}, [el("label", { text: "種類", attrs: { for: "task-kind" } }), kind]),
      el("div", {}, [el("label", { text: "期日", attrs: { for: "task-due" } }), due]),
      el("div", {}, [el("label", { text: "地域", attrs: { for: "task-region" } }), region]),
    ]),
    error,
    el("button", { className: "primary", text: "追加する", attrs: { type: "submit" } }),
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!due.value) {
      error.textContent = "期日を選んでください。";
      return;
    }
    try {
      await api("POST", "/api/v1/tasks", {
        kind: kind.value,
        dueOn: due.value,
        ...(state.me.regionId ? {} : { regionId: region.value }),
      });
      toast(`タスクを追加しました（${regionLabel(region.value)}）。`);
      tab = "mine";
      renderTasks();
    } catch (e) {
      error.textContent = describeError(e);
    }
  });
  return form;
}
