// The one sign-in of the counsellor's pages (the console and the statistics page): the form, the
// session check on load, a session that ends while the page is open, and signing out.
// Served as kit/sign-in.js beside each page (see src/http/public-kit.ts).
import { api, describeError, SESSION_PATH, setCsrfToken, whenUnauthenticated } from "./api.js";
import { el } from "./dom.js";
import { showEnrolment } from "./second-factor.js";

const MESSAGES = {
  SIGN_IN_FAILED: "ログイン名またはパスワードが違います。",
  TOO_MANY_ATTEMPTS: "サインインの試行が続きました。しばらく待ってからもう一度お試しください。",
  CODE_WRONG: "コードが違います。",
  SIGN_IN_EXPIRED: "時間がたちました。パスワードからやり直してください。",
};
const SESSION_ENDED =
  "もう一度サインインしてください（一定時間操作がなかったか、サインアウトされました）。";

/**
 * Builds the form in `root` (hidden by the page until needed), after the page's `intro` nodes.
 * `onSignedIn(session)` runs once a session is live (found on load or just made), with the CSRF
 * token set and the form hidden; if it fails the form comes back with the reason.
 * `onSignedOut()` runs before the form is shown again, so the page can forget what it showed.
 */
export function signInFlow({ root, intro = [], onSignedIn, onSignedOut = () => {} }) {
  const { form, loginName, password, error, submit } = buildForm(intro);
  const second = buildCodeForm(intro);
  root.replaceChildren(form);
  // Whether this page holds a session: a 401 then means it ended. A 401 answering a request
  // sent before she signed out is no news, and must not replace "サインアウトしました".
  let signedIn = false;

  function show(message) {
    signedIn = false;
    onSignedOut();
    setCsrfToken(null);
    root.replaceChildren(form);
    root.hidden = false;
    error.textContent = message;
    loginName.focus();
  }

  /** The password was right: the code from her app (or a recovery code) comes next. */
  function askForCode() {
    second.code.value = "";
    second.error.textContent = "";
    root.replaceChildren(second.form);
    second.code.focus();
  }

  async function enter(session) {
    signedIn = true;
    setCsrfToken(session.csrfToken);
    if (session.mustEnrolSecondFactor) {
      // Her role must use a second factor here: she sets it up before anything else.
      root.hidden = false;
      await showEnrolment(root, {
        intro,
        onDone: () => void api("GET", SESSION_PATH).then(enter, (e) => show(describeError(e))),
      });
      return;
    }
    root.hidden = true;
    try {
      await onSignedIn(session);
    } catch (e) {
      show(describeError(e, MESSAGES));
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!loginName.value.trim() || !password.value) {
      error.textContent = "ログイン名とパスワードを入力してください。";
      return;
    }
    submit.disabled = true;
    error.textContent = "";
    try {
      const body = { loginName: loginName.value.trim(), password: password.value };
      const answer = await api("POST", SESSION_PATH, body);
      password.value = "";
      if (answer.next === "second-factor") askForCode();
      else await enter(answer);
    } catch (e) {
      error.textContent = describeError(e, MESSAGES);
    } finally {
      submit.disabled = false;
    }
  });
  second.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!second.code.value.trim()) return;
    second.submit.disabled = true;
    second.error.textContent = "";
    try {
      const session = await api("POST", `${SESSION_PATH}/second-factor`, {
        code: second.code.value.trim(),
      });
      await enter(session);
    } catch (e) {
      if (e.code === "SIGN_IN_EXPIRED") show(describeError(e, MESSAGES));
      else second.error.textContent = describeError(e, MESSAGES);
    } finally {
      second.submit.disabled = false;
    }
  });
  second.back.addEventListener("click", () => show(""));
  whenUnauthenticated(() => {
    if (signedIn) show(SESSION_ENDED);
  });

  return {
    /** On load: straight in with a live session, else the form. */
    async start() {
      let session;
      try {
        session = await api("GET", SESSION_PATH);
      } catch {
        show("");
        return;
      }
      await enter(session);
    },
    /** `message`: why the form is back (by default: she signed out). */
    async signOut(message = "サインアウトしました。") {
      signedIn = false;
      try {
        await api("DELETE", SESSION_PATH);
      } catch {
        // Signed out on the server or not: this screen forgets the session either way.
      }
      show(message);
    },
  };
}

function buildForm(intro) {
  const field = (id, label, attrs) => [
    el("label", { text: label, attrs: { for: id } }),
    el("input", { attrs: { id, required: true, ...attrs } }),
  ];
  const [loginLabel, loginName] = field("login-name", "ログイン名", {
    name: "loginName",
    autocomplete: "username",
  });
  const [passwordLabel, password] = field("password", "パスワード", {
    name: "password",
    type: "password",
    autocomplete: "current-password",
  });
  const error = el("p", { className: "form-error", attrs: { id: "signin-error", role: "alert" } });
  const submit = el("button", {
    className: "primary wide",
    text: "サインイン",
    attrs: { type: "submit", "data-testid": "signin-submit" },
  });
  const form = el(
    "form",
    { className: "card signin-card", attrs: { id: "signin-form", novalidate: true } },
    [...intro, loginLabel, loginName, passwordLabel, password, error, submit],
  );
  return { form, loginName, password, error, submit };
}

function buildCodeForm(intro) {
  const code = el("input", {
    attrs: {
      id: "second-factor-code",
      name: "code",
      required: true,
      autocomplete: "one-time-code",
      maxlength: "20",
      spellcheck: "false",
    },
  });
  const error = el("p", { className: "form-error", attrs: { role: "alert" } });
  const submit = el("button", {
    className: "primary wide",
    text: "確認",
    attrs: { type: "submit", "data-testid": "code-submit" },
  });
  const back = el("button", {
    className: "quiet",
    text: "最初からやり直す",
    attrs: { type: "button" },
  });
  const form = el(
    "form",
    { className: "card signin-card", attrs: { id: "second-factor-form", novalidate: true } },
    [
      ...intro,
      el("label", { text: "認証アプリのコード（6桁）", attrs: { for: "second-factor-code" } }),
      code,
      el("p", {
        className: "muted small",
        text: "スマートフォンが手元にないときは、回復用コードを入力できます。",
      }),
      error,
      submit,
      back,
    ],
  );
  return { form, code, error, submit, back };
}
