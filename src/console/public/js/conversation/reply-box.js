// The reply box: canned replies, Ctrl+Enter, whether I may answer at all, and what the server
// asks me to confirm before it sends (her exit word, a first line her lock screen would show).
import { api, newIdempotencyKey, outcomeUnknown } from "../../kit/api.js";
import { clear, el } from "../../kit/dom.js";
import { describeError } from "../errors.js";
import { formatClock } from "../format.js";
import { getReference } from "../labels.js";
import { refreshQueue } from "../queue.js";
import { state } from "../state.js";
import { toast } from "../toast.js";
import { canAnswer } from "./status.js";

/** The reply box; `reload` fetches the conversation again once a reply is sent. */
export function buildReply(id, reload) {
  const textarea = el("textarea", {
    attrs: {
      id: "reply-text",
      rows: "3",
      maxlength: "5000",
      placeholder: "相談者への返信（Ctrl+Enter で送信）",
      "data-testid": "reply-text",
    },
  });
  const send = el("button", {
    className: "primary",
    text: "送信",
    attrs: { type: "submit", "data-testid": "reply-send" },
  });
  // A select keeps the reply box small; {{counsellorName}} in a canned reply (the preset's,
  // in the flows' placeholder syntax) is my display name.
  const canned = el("select", { attrs: { id: "canned", "data-testid": "canned" } }, [
    el("option", { text: "定型文を選んで入れる…", attrs: { value: "" } }),
    ...(getReference().cannedReplies ?? []).map((text, i) =>
      el("option", { text: fillName(text), attrs: { value: String(i) } }),
    ),
  ]);
  canned.addEventListener("change", () => {
    const text = getReference().cannedReplies?.[Number(canned.value)];
    if (canned.value !== "" && text) insertAtCursor(textarea, fillName(text));
    canned.value = "";
  });
  const note = el("p", { className: "reply-note" });
  const confirmBox = el("div", {
    className: "reply-confirm",
    attrs: { "data-testid": "reply-confirm", role: "alert", hidden: true },
  });
  const form = el("form", { className: "reply", attrs: { "aria-label": "相談者への返信" } }, [
    note,
    confirmBox,
    el("div", { className: "canned" }, [
      el("label", { className: "sr-only", text: "定型文", attrs: { for: "canned" } }),
      canned,
    ]),
    el("label", { text: "返信", attrs: { for: "reply-text" } }),
    el("div", { className: "reply-row" }, [textarea, send]),
  ]);
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  // A reply whose answer never came (kit/api.js asked again a few times) may have reached her:
  // it keeps its key, so pressing 送信 again with the same words cannot send them twice.
  let unsure = null;
  // What I confirmed for these words; any change to them asks again.
  let confirmed = {};
  const hideConfirm = () => {
    clear(confirmBox);
    confirmBox.hidden = true;
  };
  textarea.addEventListener("input", () => {
    confirmed = {};
    hideConfirm();
  });
  /** Shows why the server held the reply back; confirming sends it with `flags`. */
  const ask = (text, confirmLabel, flags) => {
    clear(confirmBox).append(
      el("p", { text, attrs: { "data-testid": "reply-confirm-text" } }),
      el("div", { className: "row" }, [
        el("button", {
          className: "primary",
          text: confirmLabel,
          attrs: { type: "button", "data-testid": "reply-confirm-send" },
          on: {
            click: () => {
              Object.assign(confirmed, flags);
              hideConfirm();
              form.requestSubmit();
            },
          },
        }),
        el("button", {
          text: "送らずに戻る",
          attrs: { type: "button" },
          on: {
            click: () => {
              hideConfirm();
              textarea.focus();
            },
          },
        }),
      ]),
    );
    confirmBox.hidden = false;
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    if (!text) return;
    send.disabled = true;
    const idempotencyKey = unsure?.text === text ? unsure.key : newIdempotencyKey();
    unsure = { text, key: idempotencyKey };
    try {
      const path = `/api/v1/conversations/${encodeURIComponent(id)}/messages`;
      const sent = await api("POST", path, { text, ...confirmed }, { idempotencyKey });
      unsure = null;
      confirmed = {};
      hideConfirm();
      textarea.value = "";
      if (sent?.deliverAt) {
        toast(`相談者が選んだ連絡してよい時間まで待ち、${formatClock(sent.deliverAt)}に送ります。`);
      }
      await reload();
      void refreshQueue();
    } catch (error) {
      if (!outcomeUnknown(error)) unsure = null;
      // Refused, nothing sent: the words stay in the box.
      if (error.code === "SENDING_HELD") {
        ask(
          "相談者が終了の合図を送りました。次に相談者からメッセージが来るまで送信を止めています。送ると相談者のスマートフォンに通知が出ます。それでも送りますか？（記録に残ります）",
          "それでも送信する",
          { overrideHold: true },
        );
      } else if (error.code === "UNSAFE_FIRST_LINE") {
        ask(
          `1行目に「${error.details?.[0] ?? ""}」が入っています。1行目はロック画面の通知に出るので、そばにいる人に見られるおそれがあります。1行目を書き直すか、このまま送るか選んでください。`,
          "このまま送信する",
          { confirmUnsafeFirstLine: true },
        );
      } else {
        toast(describeError(error), "error");
      }
    } finally {
      send.disabled = false;
      if (confirmBox.hidden) textarea.focus();
    }
  });
  return { form, textarea, send, note, canned };
}

const fillName = (text) =>
  text.replace(/\{\{\s*counsellorName\s*\}\}/g, () => state.me.displayName);

function insertAtCursor(textarea, text) {
  const start = textarea.selectionStart ?? textarea.value.length;
  const end = textarea.selectionEnd ?? textarea.value.length;
  textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
  textarea.focus();
  textarea.selectionStart = textarea.selectionEnd = start + text.length;
}

export function renderReplyState(reply, conv) {
  const allowed = canAnswer(conv);
  reply.textarea.disabled = !allowed;
  reply.send.disabled = !allowed;
  reply.canned.disabled = !allowed;
  reply.note.textContent = allowed
    ? ""
    : conv.status === "waiting"
      ? "「対応する」を押すと返信できます。"
      : conv.status === "active"
        ? "担当の相談員だけが返信できます。"
        : "この相談は終了しています。";
  reply.note.hidden = allowed;
}
