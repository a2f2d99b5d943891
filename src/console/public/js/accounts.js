// Accounts: the admins' page (#/accounts: list, create, deactivate and reactivate, reset a
// password, an account's sessions), her own account's sections on the profile page (change the
// password, her sessions), and the page she gets first when an admin reset her password.
import { api } from "../kit/api.js";
import { $, clear, el } from "../kit/dom.js";
import { describeError as describeConsole } from "./errors.js";
import { formatDateTime } from "./format.js";
import { getReference, regionLabel, roleLabel } from "./labels.js";
import { state } from "./state.js";
import { toast } from "./toast.js";

const MIN_PASSWORD_LENGTH = 12;

const MESSAGES = {
  NOT_FOUND: "そのアカウントまたはセッションは見つかりません（管理の範囲外か、すでにありません）。",
  WRONG_PASSWORD: "いまのパスワードが違います。",
  PASSWORD_TOO_SHORT: `パスワードは${MIN_PASSWORD_LENGTH}文字以上にしてください。`,
  PASSWORD_UNCHANGED: "いまのパスワードとは別のパスワードにしてください。",
  ABOVE_YOUR_REACH: "その役割・地域のアカウントは、すべての地域を担当する管理者だけが作れます。",
  CANNOT_DEACTIVATE_SELF: "自分のアカウントは停止できません。",
  USE_CHANGE_PASSWORD: "自分のパスワードは「プロフィール」で変更してください。",
};
const describeError = (error) => {
  const own = error?.code && MESSAGES[error.code];
  return own ?? describeConsole(error);
};

const heading = (text) => el("h1", { text, attrs: { tabindex: "-1" } });

// ---------- the admins' page ----------

export function renderAccounts() {
  const main = clear($("main"));
  const tbody = el("tbody");
  const detail = el("div", { attrs: { id: "account-detail", "aria-live": "polite" } });
  const reload = () => void loadAccounts(tbody, detail);
  main.append(
    heading("アカウント"),
    el("section", { className: "panel", attrs: { "aria-labelledby": "accounts-title" } }, [
      el("h2", { text: "アカウントの一覧", attrs: { id: "accounts-title" } }),
      el("p", {
        className: "muted small",
        text: state.me.regionId
          ? `${state.me.regionName}のアカウントを管理できます。`
          : "すべての地域のアカウントを管理できます。",
      }),
      el("table", { attrs: { "data-testid": "accounts" } }, [
        el("thead", {}, [
          el("tr", {}, [
            ...["ログイン名", "表示名", "役割", "地域", "状態", "最後のサインイン"].map((text) =>
              el("th", { text }),
            ),
            el("th", {}, [el("span", { className: "sr-only", text: "操作" })]),
          ]),
        ]),
        tbody,
      ]),
      detail,
    ]),
    el("section", { className: "panel", attrs: { "aria-labelledby": "account-new-title" } }, [
      el("h2", { text: "アカウントを作る", attrs: { id: "account-new-title" } }),
      accountForm(reload),
    ]),
  );
  reload();
}

async function loadAccounts(tbody, detail) {
  let list;
  try {
    list = await api("GET", "/api/v1/accounts");
  } catch (error) {
    toast(describeError(error), "error");
    return;
  }
  clear(tbody);
  for (const a of list) {
    const status = [
      a.active ? "有効" : "停止中",
      a.mustChangePassword ? "パスワード変更待ち" : null,
    ]
      .filter(Boolean)
      .join("・");
    const tr = el("tr", { attrs: { "data-login": a.loginName } }, [
      el("td", { text: a.loginName }),
      el("td", { text: a.displayName }),
      el("td", { text: roleLabel(a.role) }),
      el("td", { text: a.regionId ? regionLabel(a.regionId) : "すべて" }),
      el("td", { text: status, attrs: { "data-testid": "account-status" } }),
      el("td", { text: a.lastSignInAt ? formatDateTime(a.lastSignInAt) : "—" }),
      el("td", { className: "actions" }, accountActions(a, tbody, detail)),
    ]);
    tbody.appendChild(tr);
  }
}

function accountActions(a, tbody, detail) {
  const who = `${a.displayName}（${a.loginName}）`;
  const button = (text, label, onClick, className = "small") =>
    el("button", {
      className,
      text,
      attrs: { type: "button", "aria-label": `${label}：${who}` },
      on: { click: onClick },
    });
  const reload = () => loadAccounts(tbody, detail);
  const act = async (path, done) => {
    try {
      await api("POST", `/api/v1/accounts/${a.id}/${path}`);
      toast(done);
    } catch (error) {
      toast(describeError(error), "error");
    }
    await reload();
  };
  if (a.id === state.me.id) {
    return [el("span", { className: "muted small", text: "自分" })];
  }
  return [
    a.active
      ? button(
          "停止",
          "停止",
          () => {
            if (!confirm(`${who}を停止しますか？ サインイン中の画面もすぐに終わります。`)) return;
            void act("deactivate", `${who}を停止しました。`);
          },
          "small danger-outline",
        )
      : button("再開", "再開", () => void act("reactivate", `${who}を再開しました。`)),
    button("パスワードをリセット", "パスワードをリセット", () => {
      if (!confirm(`${who}のパスワードをリセットしますか？ サインイン中の画面はすべて終わります。`))
        return;
      void resetPassword(a, who, detail, reload);
    }),
    button("セッション", "セッション", () => void showSessions(a, who, detail)),
  ];
}

async function resetPassword(a, who, detail, reload) {
  let answer;
  try {
    answer = await api("POST", `/api/v1/accounts/${a.id}/password-reset`);
  } catch (error) {
    toast(describeError(error), "error");
    return;
  }
  clear(detail).append(
    el("div", { className: "banner warn", attrs: { "data-testid": "one-time-password" } }, [
      el("h3", { text: `${who}の一時パスワード` }),
      el("p", {}, [
        el("code", {
          className: "secret",
          text: answer.oneTimePassword,
          attrs: { "data-testid": "one-time-password-value" },
        }),
      ]),
      el("p", {
        className: "small",
        text: "この一時パスワードは今だけ表示されます。本人に安全な方法で伝えてください。次のサインインで、本人が自分のパスワードに変更します。",
      }),
      el("button", {
        className: "small",
        text: "閉じる",
        attrs: { type: "button" },
        on: { click: () => clear(detail) },
      }),
    ]),
  );
  await reload();
}

async function showSessions(a, who, detail) {
  let sessions;
  try {
    sessions = await api("GET", `/api/v1/accounts/${a.id}/sessions`);
  } catch (error) {
    toast(describeError(error), "error");
    return;
  }
  clear(detail).append(
    el("div", { className: "panel", attrs: { "data-testid": "account-sessions" } }, [
      el("h3", { text: `${who}のセッション` }),
      sessionsTable(sessions, () => showSessions(a, who, detail)),
    ]),
  );
}

function accountForm(onCreated) {
  const field = (id, label, input) =>
    el("div", {}, [el("label", { text: label, attrs: { for: id } }), input]);
  const loginName = el("input", {
    attrs: { id: "acc-login", required: true, autocomplete: "off", maxlength: "40" },
  });
  const displayName = el("input", {
    attrs: { id: "acc-display", required: true, maxlength: "20" },
  });
  const password = el("input", {
    attrs: {
      id: "acc-password",
      type: "password",
      required: true,
      minlength: String(MIN_PASSWORD_LENGTH),
      autocomplete: "new-password",
    },
  });
  // An admin of one region makes counsellors and supervisors of that region only.
  const regional = Boolean(state.me.regionId);
  const roles = regional ? ["counsellor", "supervisor"] : ["counsellor", "supervisor", "admin"];
  const role = el("select", { attrs: { id: "acc-role" } }, [
    ...roles.map((r) => el("option", { text: roleLabel(r), attrs: { value: r } })),
  ]);
  const region = el(
    "select",
    { attrs: { id: "acc-region" } },
    regional
      ? [el("option", { text: state.me.regionName, attrs: { value: state.me.regionId } })]
      : [
          el("option", { text: "すべての地域", attrs: { value: "" } }),
          ...getReference().regions.map((r) =>
            el("option", { text: r.name, attrs: { value: r.id } }),
          ),
        ],
  );
  const error = el("p", { className: "form-error", attrs: { role: "alert" } });
  const submit = el("button", {
    className: "primary",
    text: "アカウントを作る",
    attrs: { type: "submit", "data-testid": "account-create" },
  });
  const form = el("form", { attrs: { "aria-label": "アカウントを作る", novalidate: true } }, [
    el("div", { className: "form-grid" }, [
      field("acc-login", "ログイン名", loginName),
      field("acc-display", "表示名（相談者に見える名前）", displayName),
      field("acc-password", `初期パスワード（${MIN_PASSWORD_LENGTH}文字以上）`, password),
      field("acc-role", "役割", role),
      field("acc-region", "担当地域", region),
    ]),
    error,
    el("div", { className: "dialog-actions" }, [submit]),
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (password.value.length < MIN_PASSWORD_LENGTH) {
      error.textContent = MESSAGES.PASSWORD_TOO_SHORT;
      return;
    }
    if (role.value === "counsellor" && !region.value) {
      error.textContent = "相談員には担当地域が必要です。";
      return;
    }
    submit.disabled = true;
    try {
      await api("POST", "/api/v1/counsellors", {
        loginName: loginName.value.trim(),
        displayName: displayName.value.trim(),
        password: password.value,
        role: role.value,
        regionId: region.value || null,
      });
      toast(`${displayName.value.trim()}さんのアカウントを作りました。`);
      form.reset();
      onCreated();
    } catch (e) {
      error.textContent = describeError(e);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

// ---------- sessions (hers, or an account's for an admin) ----------

function sessionsTable(sessions, reload) {
  if (sessions.length === 0) {
    return el("p", { className: "muted", text: "サインイン中のブラウザはありません。" });
  }
  return el("table", { attrs: { "data-testid": "sessions" } }, [
    el("thead", {}, [
      el("tr", {}, [
        ...["ブラウザ", "サインイン", "最後の操作"].map((text) => el("th", { text })),
        el("th", {}, [el("span", { className: "sr-only", text: "操作" })]),
      ]),
    ]),
    el(
      "tbody",
      {},
      sessions.map((x) => {
        const label = x.clientLabel ?? "ブラウザ";
        const end = el("button", {
          className: "small",
          text: x.current ? "このブラウザからサインアウト" : "終了",
          attrs: {
            type: "button",
            "aria-label": `セッションを終了：${label}、${formatDateTime(x.createdAt)}`,
          },
          on: {
            click: async () => {
              end.disabled = true;
              try {
                await api("DELETE", `/api/v1/sessions/${x.id}`);
              } catch (error) {
                toast(describeError(error), "error");
              }
              // Her own current one: the next request finds her signed out (the form shows).
              if (x.current) await api("GET", "/api/v1/me/sessions").catch(() => undefined);
              else await reload();
            },
          },
        });
        return el("tr", { attrs: { "data-current": x.current ? "true" : "false" } }, [
          el("td", {}, [
            label,
            x.current ? el("strong", { className: "chip", text: "このブラウザ" }) : null,
          ]),
          el("td", { text: formatDateTime(x.createdAt) }),
          el("td", { text: formatDateTime(x.lastSeenAt) }),
          el("td", {}, [end]),
        ]);
      }),
    ),
  ]);
}

// ---------- her own account (on the profile page) ----------

/** Sections of the profile page: change the password, her sessions. */
export function myAccountSections() {
  const sessions = el("div", { attrs: { id: "my-sessions" } });
  const loadSessions = async () => {
    try {
      const list = await api("GET", "/api/v1/me/sessions");
      clear(sessions).append(sessionsTable(list, loadSessions));
    } catch (error) {
      toast(describeError(error), "error");
    }
  };
  void loadSessions();
  return [
    passwordForm({
      title: "パスワードの変更",
      note: "変更すると、ほかのブラウザのサインインはすべて終わります（このブラウザはそのままです）。",
      onChanged: () => {
        toast("パスワードを変更しました。");
        void loadSessions();
      },
    }),
    el("section", { className: "panel", attrs: { "aria-labelledby": "my-sessions-title" } }, [
      el("h2", { text: "サインイン中のブラウザ", attrs: { id: "my-sessions-title" } }),
      el("p", {
        className: "muted small",
        text: "心当たりのないものや、使い終わった共用のパソコンのものは終了してください。",
      }),
      sessions,
    ]),
  ];
}

/** The only page while her password must be changed (an admin reset it). */
export function renderMustChangePassword(onChanged) {
  const main = clear($("main"));
  main.append(
    heading("パスワードを変更してください"),
    el("p", {
      className: "banner warn",
      text: "管理者がパスワードをリセットしました。一時パスワードを自分だけのパスワードに変更すると、コンソールを使えるようになります。",
    }),
    passwordForm({
      title: "新しいパスワード",
      currentLabel: "一時パスワード",
      note: `${MIN_PASSWORD_LENGTH}文字以上で、ほかで使っていないものにしてください。`,
      onChanged,
    }),
  );
  main.querySelector("input")?.focus();
}

function passwordForm({ title, note, currentLabel = "いまのパスワード", onChanged }) {
  const input = (id, autocomplete) =>
    el("input", {
      attrs: { id, type: "password", required: true, autocomplete, maxlength: "200" },
    });
  const current = input("pw-current", "current-password");
  const next = input("pw-new", "new-password");
  const again = input("pw-again", "new-password");
  const error = el("p", { className: "form-error", attrs: { role: "alert" } });
  const submit = el("button", {
    className: "primary",
    text: "変更する",
    attrs: { type: "submit", "data-testid": "password-change" },
  });
  const form = el(
    "form",
    { className: "panel", attrs: { novalidate: true, "aria-label": title } },
    [
      el("h2", { text: title }),
      el("p", { className: "muted small", text: note }),
      el("label", { text: currentLabel, attrs: { for: "pw-current" } }),
      current,
      el("label", {
        text: `新しいパスワード（${MIN_PASSWORD_LENGTH}文字以上）`,
        attrs: { for: "pw-new" },
      }),
      next,
      el("label", { text: "新しいパスワード（確認）", attrs: { for: "pw-again" } }),
      again,
      error,
      el("div", { className: "dialog-actions" }, [submit]),
    ],
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!current.value) {
      error.textContent = `${currentLabel}を入力してください。`;
      return;
    }
    if (next.value.length < MIN_PASSWORD_LENGTH) {
      error.textContent = MESSAGES.PASSWORD_TOO_SHORT;
      return;
    }
    if (next.value !== again.value) {
      error.textContent = "確認のパスワードが一致しません。";
      return;
    }
    submit.disabled = true;
    try {
      await api("POST", "/api/v1/me/password", {
        currentPassword: current.value,
        newPassword: next.value,
      });
      form.reset();
      await onChanged();
    } catch (e) {
      error.textContent = describeError(e);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
