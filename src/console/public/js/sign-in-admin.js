// Admins: clear an account's sign-in throttling, or remove the second factor of someone who lost
// her phone. A regional admin sees and acts on her region's accounts only (the API checks it).
import { api } from "../kit/api.js";
import { el } from "../kit/dom.js";
import { describeError } from "./errors.js";
import { regionLabel, roleLabel } from "./labels.js";
import { state } from "./state.js";
import { toast } from "./toast.js";

export function signInProtectionPanel() {
  const select = el("select", {
    attrs: { id: "protect-account", "data-testid": "protect-account" },
  });
  const error = el("p", { className: "form-error", attrs: { role: "alert" } });
  const act = (label, testid, run, done) =>
    el("button", {
      text: label,
      attrs: { type: "button", "data-testid": testid },
      on: {
        click: async () => {
          error.textContent = "";
          if (!select.value) return;
          try {
            await run(select.value);
            toast(done);
          } catch (e) {
            error.textContent = describeError(e);
          }
        },
      },
    });
  const panel = el(
    "section",
    { className: "panel", attrs: { "aria-labelledby": "protect-title" } },
    [
      el("h2", { text: "サインインの保護", attrs: { id: "protect-title" } }),
      el("p", {
        className: "muted small",
        text: "パスワードの試行が続いてサインインが制限されたアカウントの制限を解除できます。スマートフォンをなくした人の二段階認証を外すと、その人はパスワードだけでサインインし、設定し直します。",
      }),
      el("label", { text: "アカウント", attrs: { for: "protect-account" } }),
      select,
      error,
      el("div", { className: "dialog-actions" }, [
        act(
          "サインイン制限を解除",
          "unlock-account",
          (id) => api("POST", `/api/v1/accounts/${id}/unlock`),
          "サインインの制限を解除しました。",
        ),
        act(
          "二段階認証をリセット",
          "reset-second-factor",
          (id) => api("DELETE", `/api/v1/accounts/${id}/second-factor`),
          "二段階認証をリセットしました。",
        ),
      ]),
    ],
  );
  void api("GET", "/api/v1/counsellors").then(
    (accounts) =>
      select.replaceChildren(
        el("option", { text: "選んでください", attrs: { value: "" } }),
        ...accounts
          .filter((a) => !state.me.regionId || a.regionId === state.me.regionId)
          .map((a) =>
            el("option", {
              text: `${a.displayName}（${roleLabel(a.role)}・${a.regionId ? regionLabel(a.regionId) : "全地域"}）`,
              attrs: { value: a.id },
            }),
          ),
      ),
    (e) => (error.textContent = describeError(e)),
  );
  return panel;
}
