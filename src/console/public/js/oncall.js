// The on-call page (supervisors and admins): the calls sent to the on-call people with their
// acknowledgement, the roster (who is called for which region and when, in which order), and
// one's own address for on-call e-mail.
import { api } from "../kit/api.js";
import { $, clear, el } from "../kit/dom.js";
import { describeError } from "./errors.js";
import { formatDateTime, localInputToIso } from "./format.js";
import {
  getReference,
  onCallKindLabel,
  regionLabel,
  riskCategoryLabel,
  roleLabel,
} from "./labels.js";
import { state } from "./state.js";
import { toast } from "./toast.js";

const heading = (text) => el("h1", { text, attrs: { tabindex: "-1" } });

/** How many calls nobody has acknowledged yet, shown beside 当番 in the menu. */
export async function refreshOnCallCount() {
  const count = $("oncall-count");
  if (!count) return;
  try {
    const list = await api("GET", "/api/v1/oncall/notifications");
    const open = list.filter((n) => !n.acknowledgedAt).length;
    count.textContent = String(open);
    count.hidden = open === 0;
    const panel = $("oncall-notifications");
    if (panel) fillNotifications(panel, list);
  } catch {
    // The menu count waits for the next refresh.
  }
}

export function renderOnCall() {
  const main = clear($("main"));
  const notifications = el("ul", {
    className: "list-plain",
    attrs: { id: "oncall-notifications", "data-testid": "oncall-notifications" },
  });
  const shifts = el("tbody");
  main.append(
    heading("当番（夜間・休日の通知）"),
    el("p", {
      className: "muted",
      text: "受付時間外に高リスクの相談が届いたとき、また高リスクの相談が対応されないまま待っているとき、当番表の人にWebhookとメールで知らせます。10分たっても「確認しました」が押されないと、次の順番の人に再通知します。",
    }),
    el("section", { className: "panel", attrs: { "aria-labelledby": "oncall-calls-title" } }, [
      el("h2", { text: "当番への通知（この1週間）", attrs: { id: "oncall-calls-title" } }),
      notifications,
    ]),
    el("section", { className: "panel", attrs: { "aria-labelledby": "oncall-roster-title" } }, [
      el("h2", { text: "当番表", attrs: { id: "oncall-roster-title", tabindex: "-1" } }),
      el("p", {
        className: "muted small",
        text: "順番が小さい人から通知します。地域を「すべての地域」にした当番は、どの地域の相談でも通知されます。",
      }),
      shiftForm(() => void loadShifts(shifts)),
      el(
        "table",
        { attrs: { "data-testid": "oncall-shifts", "aria-labelledby": "oncall-roster-title" } },
        [
          el("thead", {}, [
            el("tr", {}, [
              ...["当番", "地域", "開始", "終了", "順番"].map((text) => el("th", { text })),
              el("th", {}, [el("span", { className: "sr-only", text: "操作" })]),
            ]),
          ]),
          shifts,
        ],
      ),
    ]),
    emailForm(),
  );
  void refreshOnCallCount();
  void loadShifts(shifts);
}

function fillNotifications(list, notifications) {
  clear(list);
  if (notifications.length === 0) {
    list.appendChild(
      el("li", { className: "muted", text: "この1週間、当番への通知はありません。" }),
    );
  }
  for (const n of notifications) {
    const sent = [
      n.webhookSent ? "Webhook送信済み" : null,
      n.mailedTo ? `メール: ${n.mailedTo}${n.mailSent ? "" : "（送信中）"}` : null,
      n.gaveUp ? "送信をあきらめました" : null,
    ].filter(Boolean);
    const ack = n.acknowledgedAt
      ? el("span", {
          className: "muted small",
          text: `確認済み（${n.acknowledgedBy ?? ""}、${formatDateTime(n.acknowledgedAt)}）`,
        })
      : el("button", {
          className: "small primary",
          text: "確認しました",
          attrs: {
            type: "button",
            "data-testid": "oncall-ack",
            "aria-label": `確認しました（${onCallKindLabel(n.kind)}、${formatDateTime(n.at)}）`,
          },
          on: {
            click: async (event) => {
              event.currentTarget.disabled = true;
              try {
                await api("POST", `/api/v1/oncall/notifications/${encodeURIComponent(n.id)}/ack`);
                toast("通知を確認済みにしました。再通知は送られません。");
              } catch (error) {
                toast(describeError(error), "error");
              }
              await refreshOnCallCount();
            },
          },
        });
    list.appendChild(
      el(
        "li",
        {
          className: "alert-item",
          attrs: { "data-testid": "oncall-notification", "data-kind": n.kind, "data-id": n.id },
        },
        [
          el("span", {
            className: n.acknowledgedAt ? "chip" : "badge-risk",
            text: onCallKindLabel(n.kind),
          }),
          el("span", { text: regionLabel(n.regionId) }),
          el("span", { className: "muted small", text: formatDateTime(n.at) }),
          el("span", {
            className: "muted small",
            text: n.riskCategories.map(riskCategoryLabel).join("・"),
          }),
          el("span", { className: "muted small", text: sent.join(" / ") }),
          el("span", { className: "spacer" }),
          el("a", {
            text: "相談を開く",
            attrs: { href: `#/c/${encodeURIComponent(n.conversationId)}` },
          }),
          ack,
        ],
      ),
    );
  }
}

async function loadShifts(tbody) {
  try {
    const shifts = await api("GET", "/api/v1/oncall/shifts");
    clear(tbody);
    if (shifts.length === 0) {
      tbody.appendChild(
        el("tr", {}, [
          el("td", { text: "これから31日間の当番はありません。", attrs: { colspan: "6" } }),
        ]),
      );
    }
    for (const s of shifts) {
      const remove = s.editable
        ? el("button", {
            className: "small",
            text: "削除",
            attrs: {
              type: "button",
              "data-testid": "oncall-shift-remove",
              "aria-label": `削除（${s.counsellor.displayName}、${formatDateTime(s.startsAt)}から）`,
            },
            on: {
              click: async (event) => {
                event.currentTarget.disabled = true;
                try {
                  await api("DELETE", `/api/v1/oncall/shifts/${encodeURIComponent(s.id)}`);
                  toast("当番表から削除しました。");
                } catch (error) {
                  toast(describeError(error), "error");
                }
                await loadShifts(tbody);
                $("oncall-roster-title")?.focus();
              },
            },
          })
        : el("span", { className: "muted small", text: "変更できません" });
      tbody.appendChild(
        el("tr", { attrs: { "data-testid": "oncall-shift" } }, [
          el("td", { text: s.counsellor.displayName }),
          el("td", { text: s.regionId ? regionLabel(s.regionId) : "すべての地域" }),
          el("td", { text: formatDateTime(s.startsAt) }),
          el("td", { text: formatDateTime(s.endsAt) }),
          el("td", { text: String(s.priority) }),
          el("td", {}, [remove]),
        ]),
      );
    }
  } catch (error) {
    toast(describeError(error), "error");
  }
}

function shiftForm(onAdded) {
  const field = (id, label, input) =>
    el("div", {}, [el("label", { text: label, attrs: { for: id } }), input]);
  const person = el("select", { attrs: { id: "oncall-person", required: true } });
  // A region's supervisor plans her or his region; an unbound one any region or all of them.
  const regions = state.me.regionId
    ? [{ id: state.me.regionId, name: regionLabel(state.me.regionId) }]
    : [{ id: "", name: "すべての地域" }, ...getReference().regions];
  const region = el(
    "select",
    { attrs: { id: "oncall-region" } },
    regions.map((r) => el("option", { text: r.name, attrs: { value: r.id } })),
  );
  const startsAt = el("input", {
    attrs: { id: "oncall-starts", type: "datetime-local", required: true },
  });
  const endsAt = el("input", {
    attrs: { id: "oncall-ends", type: "datetime-local", required: true },
  });
  const priority = el("input", {
    attrs: {
      id: "oncall-priority",
      type: "number",
      min: "1",
      max: "9",
      value: "1",
      required: true,
    },
  });
  const error = el("p", { className: "form-error", attrs: { role: "alert" } });
  const submit = el("button", {
    className: "primary",
    text: "当番表に追加",
    attrs: { type: "submit", "data-testid": "oncall-shift-add" },
  });
  const form = el("form", { attrs: { "aria-label": "当番表に追加", novalidate: true } }, [
    el("div", { className: "form-grid" }, [
      field("oncall-person", "当番の人（スーパーバイザー・管理者）", person),
      field("oncall-region", "地域", region),
      field("oncall-starts", "開始（日本時間）", startsAt),
      field("oncall-ends", "終了（日本時間）", endsAt),
      field("oncall-priority", "順番（1が最初）", priority),
    ]),
    error,
    el("div", { className: "dialog-actions" }, [submit]),
  ]);
  void api("GET", "/api/v1/oncall/people")
    .then((people) => {
      for (const p of people) {
        person.appendChild(
          el("option", {
            text: `${p.displayName}（${roleLabel(p.role)}${p.email ? "" : "・メール未登録"}）`,
            attrs: { value: p.id },
          }),
        );
      }
    })
    .catch((e) => (error.textContent = describeError(e)));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const from = localInputToIso(startsAt.value);
    const to = localInputToIso(endsAt.value);
    if (!from || !to) {
      error.textContent = "開始と終了の日時を入れてください。";
      return;
    }
    submit.disabled = true;
    try {
      await api("POST", "/api/v1/oncall/shifts", {
        counsellorId: person.value,
        regionId: region.value || null,
        startsAt: from,
        endsAt: to,
        priority: Number(priority.value),
      });
      toast("当番表に追加しました。");
      onAdded();
    } catch (e) {
      error.textContent = describeError(e);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function emailForm() {
  const input = el("input", {
    attrs: { id: "oncall-email", type: "email", maxlength: "200", autocomplete: "email" },
  });
  const error = el("p", { className: "form-error", attrs: { role: "alert" } });
  const submit = el("button", {
    className: "primary",
    text: "保存",
    attrs: { type: "submit", "data-testid": "oncall-email-save" },
  });
  void api("GET", "/api/v1/oncall/people")
    .then((people) => {
      input.value = people.find((p) => p.id === state.me.id)?.email ?? "";
    })
    .catch(() => undefined);
  const form = el("form", { className: "panel", attrs: { novalidate: true } }, [
    el("h2", { text: "自分の通知先メールアドレス" }),
    el("p", {
      className: "muted small",
      text: "当番のときに通知が届くアドレスです。通知には相談の内容や相談者がわかる情報は入りません。空にすると当番表に入れなくなります。",
    }),
    el("label", { text: "メールアドレス", attrs: { for: "oncall-email" } }),
    input,
    error,
    el("div", { className: "dialog-actions" }, [submit]),
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    submit.disabled = true;
    try {
      await api("PATCH", `/api/v1/oncall/people/${encodeURIComponent(state.me.id)}`, {
        email: input.value.trim() || null,
      });
      toast("通知先のメールアドレスを保存しました。");
    } catch (e) {
      error.textContent = describeError(e);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
