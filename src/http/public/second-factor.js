// The second factor on the counsellor's pages: setting it up (a QR code for her authenticator
// app, the secret as text, a first code, then her recovery codes shown once), and her settings.
// Used by the sign-in (when her role must have one) and by the console's profile page.
// Served as kit/second-factor.js beside each page (see src/http/public-kit.ts).
import { api, describeError } from "./api.js";
import { el } from "./dom.js";

const PATH = "/api/v1/me/second-factor";
const MESSAGES = {
  CODE_WRONG: "コードが違います。アプリに表示されている6桁の数字を入力してください。",
  PROOF_WRONG: "パスワードまたはコードが違います。",
  SECOND_FACTOR_REQUIRED: "この役割では二段階認証を解除できません。",
  TOO_MANY_ATTEMPTS: "試行が続きました。しばらく待ってからもう一度お試しください。",
};

/**
 * Setting it up, in `container`: starts at once (a new secret each time), and calls `onDone()`
 * once she has confirmed a first code and seen her recovery codes.
 */
export async function showEnrolment(container, { intro = [], onDone }) {
  const error = el("p", { className: "form-error", attrs: { role: "alert" } });
  container.replaceChildren(
    el("div", { className: "card enrol-card" }, [...intro, el("p", { text: "準備中…" })]),
  );
  let enrolment;
  try {
    enrolment = await api("POST", PATH);
  } catch (e) {
    container.replaceChildren(el("div", { className: "card" }, [...intro, error]));
    error.textContent = describeError(e, MESSAGES);
    return;
  }
  const code = el("input", {
    attrs: {
      id: "enrol-code",
      required: true,
      inputmode: "numeric",
      autocomplete: "one-time-code",
      maxlength: "6",
    },
  });
  const submit = el("button", {
    className: "primary",
    text: "確認する",
    attrs: { type: "submit", "data-testid": "enrol-confirm" },
  });
  const form = el("form", { className: "card enrol-card", attrs: { novalidate: true } }, [
    ...intro,
    el("h2", { text: "二段階認証の設定" }),
    el("p", {
      text: "スマートフォンの認証アプリ（Google Authenticator、Microsoft Authenticator など）でQRコードを読み取ってください。",
    }),
    el("img", {
      className: "qr",
      attrs: {
        src: enrolment.qrDataUrl,
        alt: "認証アプリ用のQRコード",
        width: "200",
        height: "200",
      },
    }),
    el("p", {
      className: "muted small",
      text: "読み取れないときは、次の文字列をアプリに入力します。",
    }),
    el("code", {
      className: "secret",
      text: enrolment.secret,
      attrs: { "data-testid": "totp-secret" },
    }),
    el("label", { text: "アプリに表示された6桁のコード", attrs: { for: "enrol-code" } }),
    code,
    error,
    el("div", { className: "dialog-actions" }, [submit]),
  ]);
  container.replaceChildren(form);
  code.focus();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    error.textContent = "";
    try {
      const { recoveryCodes } = await api("POST", `${PATH}/confirm`, { code: code.value.trim() });
      showRecoveryCodes(container, recoveryCodes, onDone);
    } catch (e) {
      error.textContent = describeError(e, MESSAGES);
      submit.disabled = false;
    }
  });
}

function showRecoveryCodes(container, codes, onDone) {
  const done = el("button", {
    className: "primary",
    text: "控えました。続ける",
    attrs: { type: "button", "data-testid": "recovery-codes-done" },
    on: { click: () => onDone() },
  });
  container.replaceChildren(
    el("div", { className: "card enrol-card" }, [
      el("h2", { text: "回復用コード" }),
      el("p", {
        text: "スマートフォンをなくしたときは、これらのコードのどれか1つでサインインできます（各コード1回だけ）。この画面を閉じると二度と表示されません。紙に書くなどして安全な場所に保管してください。",
      }),
      el(
        "ol",
        { className: "recovery-codes", attrs: { "data-testid": "recovery-codes" } },
        codes.map((c) => el("li", {}, [el("code", { text: c })])),
      ),
      el("div", { className: "dialog-actions" }, [done]),
    ]),
  );
  done.focus();
}

/** The profile page's section: on or off, set it up, or turn it off with her password. */
export function secondFactorSettings() {
  const section = el("section", {
    className: "panel",
    attrs: { "aria-labelledby": "second-factor-title", "data-testid": "second-factor" },
  });
  const render = async () => {
    const title = el("h2", { text: "二段階認証", attrs: { id: "second-factor-title" } });
    let state;
    try {
      state = await api("GET", PATH);
    } catch (e) {
      section.replaceChildren(title, el("p", { className: "form-error", text: describeError(e) }));
      return;
    }
    if (!state.enabled) {
      section.replaceChildren(
        title,
        el("p", {
          text: "サインインのとき、パスワードに加えて認証アプリのコードを求めます。他の人があなたのパスワードを知っても、サインインできなくなります。",
        }),
        el("button", {
          className: "primary",
          text: "設定する",
          attrs: { type: "button", "data-testid": "second-factor-start" },
          on: { click: () => void showEnrolment(section, { intro: [title], onDone: render }) },
        }),
      );
      return;
    }
    section.replaceChildren(
      title,
      el("p", {
        text: `設定済みです。回復用コードの残り: ${state.recoveryCodesLeft}個`,
        attrs: { "data-testid": "second-factor-on" },
      }),
      state.required
        ? el("p", { className: "muted small", text: "この役割では二段階認証が必須です。" })
        : disableForm(render),
    );
  };
  void render();
  return section;
}

function disableForm(onDone) {
  const password = el("input", {
    attrs: { id: "second-factor-password", type: "password", autocomplete: "current-password" },
  });
  const error = el("p", { className: "form-error", attrs: { role: "alert" } });
  const form = el("form", { attrs: { novalidate: true } }, [
    el("label", { text: "解除するにはパスワードを入力", attrs: { for: "second-factor-password" } }),
    password,
    error,
    el("button", { text: "二段階認証を解除", attrs: { type: "submit" } }),
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", `${PATH}/disable`, { password: password.value });
      onDone();
    } catch (e) {
      error.textContent = describeError(e, MESSAGES);
    }
  });
  return form;
}
