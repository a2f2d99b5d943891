// The other pages of the main area: home, alerts (supervisors), accounts, stuck work and audit
// (admins), and the profile.
import { api } from "../kit/api.js";
import { $, clear, el } from "../kit/dom.js";
import { secondFactorSettings } from "../kit/second-factor.js";
import { personRightsPanel } from "./person-rights.js";
import { signInProtectionPanel } from "./sign-in-admin.js";
import { describeError } from "./errors.js";
import { formatDateTime } from "./format.js";
import {
  alertKindLabel,
  decisionLabel,
  auditActionLabel,
  auditDetailText,
  jobLabel,
  jobStateLabel,
  regionLabel,
  riskCategoryLabel,
  roleLabel,
} from "./labels.js";
import { myAccountSections } from "./accounts.js";
import { isSupervising, state } from "./state.js";
import { toast } from "./toast.js";

const heading = (text) => el("h1", { text, attrs: { tabindex: "-1" } });

// ---------- home ----------

export function renderHome() {
  const main = clear($("main"));
  const { waiting, mine, others } = state.queue;
  const high = waiting.filter((item) => item.riskLevel === "high").length;
  const stat = (label, value, testid) =>
    el("div", { className: "stat", attrs: { "data-testid": testid } }, [
      el("span", { className: "muted small", text: label }),
      el("strong", { text: String(value) }),
    ]);
  main.append(
    heading(`${state.me.displayName}さん、おつかれさまです`),
    el("p", {
      className: "muted",
      text: state.me.regionName
        ? `担当地域: ${state.me.regionName}（${roleLabel(state.me.role)}）`
        : `担当地域: すべての地域（${roleLabel(state.me.role)}）`,
    }),
    el("div", { className: "stats" }, [
      stat("待っている相談", waiting.length, "stat-waiting"),
      stat("うち高リスク", high, "stat-high"),
      stat("自分が対応中", mine.length, "stat-mine"),
      isSupervising() ? stat("ほかの相談員が対応中", others.length, "stat-others") : null,
    ]),
    el("div", { className: "panel" }, [
      el("h2", { text: "使い方" }),
      el("ul", {}, [
        el("li", { text: "左の一覧は自動で更新されます。高リスクの相談がいちばん上に出ます。" }),
        el("li", {
          text: "「対応する」を押すと相談が自分の担当になり、返信できるようになります。",
        }),
        el("li", {
          text: "いくつかの相談を同時に担当できます。未読の数は「自分が対応中」に出ます。",
        }),
        el("li", {
          text: "危険を感じたら「緊急対応」で記録し、スーパーバイザーに相談してください。",
        }),
      ]),
    ]),
  );
  if (isSupervising() && state.alerts.length) {
    main.appendChild(alertsPanel("未確認のアラート"));
  }
}

// ---------- alerts ----------

export async function refreshAlerts() {
  if (!isSupervising()) return;
  try {
    state.alerts = await api("GET", "/api/v1/alerts");
  } catch {
    return;
  }
  const count = $("alert-count");
  count.textContent = String(state.alerts.length);
  count.hidden = state.alerts.length === 0;
  const box = $("alerts-panel");
  if (box) box.replaceWith(alertsPanel(box.getAttribute("data-title")));
}

export function renderAlerts() {
  const main = clear($("main"));
  main.append(heading("アラート"), alertsPanel("未確認のアラート"));
  void refreshAlerts();
}

function alertsPanel(title) {
  const list = el("ul", { className: "list-plain", attrs: { "data-testid": "alerts" } });
  if (state.alerts.length === 0) {
    list.appendChild(el("li", { className: "muted", text: "未確認のアラートはありません。" }));
  }
  for (const alert of state.alerts) {
    list.appendChild(
      el(
        "li",
        { className: "alert-item", attrs: { "data-testid": "alert", "data-kind": alert.kind } },
        [
          el("span", {
            className: alert.kind === "emergency" ? "badge-risk" : "chip flag",
            text: alertKindLabel(alert.kind),
          }),
          // Whom it is about, who has her, what was decided: enough to act from the list.
          el("strong", {
            text: `${alert.pseudonym}さん`,
            attrs: { "data-testid": "alert-pseudonym" },
          }),
          el("span", { text: regionLabel(alert.regionId) }),
          el("span", {
            className: "small",
            text: alert.counsellorName ? `担当: ${alert.counsellorName}` : "担当なし",
            attrs: { "data-testid": "alert-counsellor" },
          }),
          alert.decision
            ? el("span", {
                className: "small",
                text: `判断: ${decisionLabel(alert.decision)}`,
                attrs: { "data-testid": "alert-decision" },
              })
            : null,
          alert.riskCategories?.length
            ? el("span", {
                className: "small",
                text: alert.riskCategories.map(riskCategoryLabel).join("、"),
                attrs: { "data-testid": "alert-categories" },
              })
            : null,
          el("span", { className: "muted small", text: formatDateTime(alert.createdAt) }),
          el("span", { className: "spacer" }),
          el("a", {
            text: "相談を開く",
            attrs: { href: `#/c/${encodeURIComponent(alert.conversationId)}` },
          }),
          el("button", {
            className: "small",
            text: "確認済みにする",
            attrs: { type: "button", "data-testid": "alert-ack" },
            on: {
              click: async (event) => {
                event.currentTarget.disabled = true;
                try {
                  await api("POST", `/api/v1/alerts/${encodeURIComponent(alert.id)}/ack`);
                  toast("アラートを確認済みにしました。");
                } catch (error) {
                  toast(describeError(error), "error");
                }
                await refreshAlerts();
              },
            },
          }),
        ],
      ),
    );
  }
  return el("section", { className: "panel", attrs: { id: "alerts-panel", "data-title": title } }, [
    el("h2", { text: title }),
    list,
  ]);
}

// ---------- admin: accounts, stuck work and audit ----------

export function renderAdmin() {
  const main = clear($("main"));
  const stuck = el("tbody");
  const audit = el("tbody");
  main.append(
    heading("管理"),
    el("p", {}, [
      el("a", {
        text: "アカウントの作成・停止・パスワードのリセット・セッションは「アカウント」へ",
        attrs: { href: "#/accounts" },
      }),
    ]),
    el("section", { className: "panel", attrs: { "aria-labelledby": "stuck-title" } }, [
      // Focusable from script: where focus goes once a retried row has left the table.
      el("h2", { text: "止まっている処理", attrs: { id: "stuck-title", tabindex: "-1" } }),
      el("p", {
        className: "muted small",
        text: "すべての試行に失敗した処理と、頼まれてから5分以上終わっていない処理（再試行中、またはキューに届いていない）です。失敗した処理は間隔をあけて自動で再試行されます。",
      }),
      el("button", {
        className: "small",
        text: "更新",
        // Two 更新 buttons on this page: each named for what it reloads.
        attrs: { type: "button", "aria-label": "止まっている処理を更新" },
        on: { click: () => void loadStuck(stuck) },
      }),
      el(
        "table",
        {
          className: "stuck-work",
          attrs: { "data-testid": "stuck-work", "aria-labelledby": "stuck-title" },
        },
        [
          el("thead", {}, [
            el("tr", {}, [
              ...["処理", "状態", "再実行の回数", "記録", "次の再試行", "エラー"].map((text) =>
                el("th", { text }),
              ),
              el("th", {}, [el("span", { className: "sr-only", text: "操作" })]),
            ]),
          ]),
          stuck,
        ],
      ),
    ]),
    el("section", { className: "panel", attrs: { "aria-labelledby": "audit-title" } }, [
      el("h2", { text: "操作の記録（新しい順、100件まで）", attrs: { id: "audit-title" } }),
      el("button", {
        className: "small",
        text: "更新",
        attrs: { type: "button", "aria-label": "操作の記録を更新" },
        on: { click: () => void loadAudit(audit) },
      }),
      el("table", { attrs: { "data-testid": "audit" } }, [
        el("thead", {}, [row("th", ["日時", "相談員", "操作", "相談", "詳細"])]),
        audit,
      ]),
    ]),
  );
  main.append(signInProtectionPanel(), personRightsPanel());
  // Stuck work is the whole service's (its jobs name every region): for admins of every region.
  if (state.me.regionId === null) void loadStuck(stuck);
  else main.querySelector('[aria-labelledby="stuck-title"]')?.remove();
  void loadAudit(audit);
}

const row = (cell, values) =>
  el(
    "tr",
    {},
    values.map((v) => el(cell, { text: v })),
  );

async function loadStuck(tbody) {
  try {
    const jobs = await api("GET", "/api/v1/stuck-work");
    clear(tbody);
    if (jobs.length === 0) {
      tbody.appendChild(
        el("tr", {}, [
          el("td", { text: "止まっている処理はありません。", attrs: { colspan: "7" } }),
        ]),
      );
    }
    for (const job of jobs) {
      // Named by its visible text first, then which row it is: rows of one kind are common
      // (every delivery of an outage), and a name like the next row's says nothing.
      const retry = el("button", {
        className: "small",
        text: "いま再試行",
        attrs: {
          type: "button",
          "aria-label": `いま再試行（${jobLabel(job.job)}、${formatDateTime(job.createdAt)}記録）`,
          "data-key": job.key,
        },
      });
      retry.addEventListener("click", async () => {
        retry.disabled = true;
        try {
          await api("POST", `/api/v1/stuck-work/${encodeURIComponent(job.key)}/retry`);
        } catch (error) {
          toast(describeError(error), "error");
          retry.disabled = false;
          keepFocusAfterRetry(tbody, job.key);
          return;
        }
        toast(`${jobLabel(job.job)}を再試行しました。`);
        await loadStuck(tbody);
        keepFocusAfterRetry(tbody, job.key);
      });
      const tr = row("td", [
        jobLabel(job.job),
        jobStateLabel(job.state),
        String(job.attempt),
        formatDateTime(job.createdAt),
        job.nextAttemptAt ? formatDateTime(job.nextAttemptAt) : "—",
        job.lastError ?? "",
      ]);
      tr.appendChild(el("td", {}, [retry]));
      tbody.appendChild(tr);
    }
  } catch (error) {
    toast(describeError(error), "error");
  }
}

/**
 * The pressed button was disabled, and went with its row if the list was loaded again: focus
 * stays in the section (the job's button if it is still listed, else the section's heading)
 * rather than falling back to the top of the page.
 */
function keepFocusAfterRetry(tbody, key) {
  if (!tbody.isConnected) return;
  const focused = document.activeElement;
  if (focused && focused !== document.body && focused.isConnected) return;
  const again = [...tbody.querySelectorAll("button[data-key]")].find((b) => b.dataset.key === key);
  (again ?? $("stuck-title")).focus();
}

async function loadAudit(tbody) {
  try {
    const entries = await api("GET", "/api/v1/audit?limit=100");
    clear(tbody);
    for (const e of entries) {
      tbody.appendChild(
        row("td", [
          formatDateTime(e.at),
          e.counsellorName ?? "",
          auditActionLabel(e.action),
          e.conversationId ? e.conversationId.slice(0, 8) : "",
          auditDetailText(e.detail, e.subjectName),
        ]),
      );
    }
  } catch (error) {
    toast(describeError(error), "error");
  }
}

// ---------- profile ----------

export function renderProfile(onChanged) {
  const main = clear($("main"));
  const input = el("input", {
    attrs: { id: "profile-display", required: true, maxlength: "20", value: state.me.displayName },
  });
  const error = el("p", { className: "form-error", attrs: { role: "alert" } });
  const submit = el("button", {
    className: "primary",
    text: "保存",
    attrs: { type: "submit", "data-testid": "profile-save" },
  });
  const form = el("form", { className: "panel", attrs: { novalidate: true } }, [
    el("h2", { text: "相談者に見える名前" }),
    el("p", {
      className: "muted small",
      text: "返信のときに相談者のLINEに表示される名前です（本名でなくてかまいません。20文字まで）。",
    }),
    el("label", { text: "表示名", attrs: { for: "profile-display" } }),
    input,
    error,
    el("div", { className: "dialog-actions" }, [submit]),
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const displayName = input.value.trim();
    error.textContent = "";
    if (!displayName || [...displayName].length > 20) {
      error.textContent = "1〜20文字で入力してください。";
      return;
    }
    submit.disabled = true;
    try {
      state.me = await api("PATCH", "/api/v1/me", { displayName });
      onChanged();
      toast("表示名を変更しました。");
    } catch (e) {
      error.textContent = describeError(e);
    } finally {
      submit.disabled = false;
    }
  });
  main.append(
    heading("プロフィール"),
    el("section", { className: "panel" }, [
      el("dl", {}, [
        el("dt", { className: "muted small", text: "ログイン名" }),
        el("dd", { text: state.me.loginName }),
        el("dt", { className: "muted small", text: "役割" }),
        el("dd", { text: roleLabel(state.me.role) }),
        el("dt", { className: "muted small", text: "担当地域" }),
        el("dd", { text: state.me.regionName ?? "すべての地域" }),
      ]),
    ]),
    form,
    ...myAccountSections(),
    secondFactorSettings(),
  );
}
