// The reply box: canned replies (the preset's and my own, searchable), Ctrl+Enter, whether I may
// answer at all, and what the server asks me to confirm before it sends (her exit word, a first
// line her lock screen would show).
import { api, newIdempotencyKey, outcomeUnknown } from "../../kit/api.js";
import { clear, el } from "../../kit/dom.js";
import { describeError } from "../errors.js";
import { formatClock } from "../format.js";
import { toast } from "../toast.js";
import { canAnswer } from "./status.js";

/**
 * The reply box; `reload` fetches the conversation again once a reply is sent, `sending(posting)`
 * is told of each send while it is on its way.
 */
export function buildReply(id, { reload, sending }) {
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
  current = textarea;
  // Folded by default, so the reply box stays small; the API fills in my name
  // ({{counsellorName}}, the flows' placeholder syntax).
  const canned = cannedPicker(textarea);
  const note = el("p", { className: "reply-note" });
  const confirmBox = el("div", {
    className: "reply-confirm",
    attrs: { "data-testid": "reply-confirm", role: "alert", hidden: true },
  });
  const form = el("form", { className: "reply", attrs: { "aria-label": "相談者への返信" } }, [
    note,
    confirmBox,
    canned.box,
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
      const posting = api("POST", path, { text, ...confirmed }, { idempotencyKey });
      sending(posting);
      const sent = await posting;
      unsure = null;
      confirmed = {};
      hideConfirm();
      textarea.value = "";
      if (sent?.deliverAt) {
        toast(`相談者が選んだ連絡してよい時間まで待ち、${formatClock(sent.deliverAt)}に送ります。`);
      }
      // Her line in the queue does not change with a reply: only the conversation is fetched.
      await reload();
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

/** The reply box of the open conversation: where a referral card's contact text goes. */
let current = null;

/** Puts `text` into the open conversation's reply where the cursor is; false when there is none. */
export function insertIntoReply(text) {
  if (!current?.isConnected || current.disabled) return false;
  insertAtCursor(current, text);
  return true;
}

/**
 * The canned replies: a search box, the list (the preset's, then mine: a click puts one into
 * the reply), and my own added, changed or deleted here.
 */
function cannedPicker(textarea) {
  let replies = [];
  let editing = null;
  const search = el("input", {
    attrs: {
      id: "canned-search",
      type: "search",
      "data-testid": "canned-search",
      autocomplete: "off",
    },
  });
  const list = el("ul", {
    className: "canned-list list-plain",
    attrs: { "data-testid": "canned-list" },
  });
  const draft = el("textarea", {
    attrs: { id: "canned-new", rows: "2", maxlength: "1000", "data-testid": "canned-new" },
  });
  const save = el("button", {
    text: "自分の定型文として保存",
    attrs: { type: "button", "data-testid": "canned-save" },
  });
  const cancel = el("button", {
    className: "quiet",
    text: "やめる",
    attrs: { type: "button", hidden: true },
  });
  const box = el("details", { className: "canned", attrs: { "data-testid": "canned" } }, [
    el("summary", { text: "定型文" }),
    el("label", { text: "定型文を探す", attrs: { for: "canned-search" } }),
    search,
    list,
    el("label", {
      text: "自分の定型文（{{counsellorName}} に自分の表示名が入ります）",
      attrs: { for: "canned-new" },
    }),
    draft,
    el("div", { className: "row" }, [save, cancel]),
  ]);
  const draw = () => {
    const words = search.value.trim().toLowerCase();
    const shown = replies.filter((r) => !words || r.rendered.toLowerCase().includes(words));
    clear(list);
    if (shown.length === 0)
      list.appendChild(el("li", { className: "muted small", text: "見つかりません。" }));
    for (const r of shown) {
      list.appendChild(
        el("li", { attrs: { "data-testid": "canned-item", "data-source": r.source } }, [
          el("button", {
            className: "canned-use",
            text: r.rendered,
            attrs: { type: "button", title: "返信に入れる", disabled: textarea.disabled },
            on: { click: () => insertAtCursor(textarea, r.rendered) },
          }),
          r.source === "own"
            ? el("span", { className: "canned-own" }, [
                el("button", {
                  className: "small quiet",
                  text: "編集",
                  attrs: {
                    type: "button",
                    "aria-label": `定型文「${r.rendered.slice(0, 20)}」を編集`,
                  },
                  on: {
                    click: () => {
                      editing = r.id;
                      draft.value = r.text;
                      save.textContent = "変更を保存";
                      cancel.hidden = false;
                      draft.focus();
                    },
                  },
                }),
                el("button", {
                  className: "small quiet",
                  text: "削除",
                  attrs: {
                    type: "button",
                    "aria-label": `定型文「${r.rendered.slice(0, 20)}」を削除`,
                  },
                  on: { click: () => void change("DELETE", r.id) },
                }),
              ])
            : el("span", { className: "chip", text: "共通" }),
        ]),
      );
    }
  };
  const reset = () => {
    editing = null;
    draft.value = "";
    save.textContent = "自分の定型文として保存";
    cancel.hidden = true;
  };
  const load = async () => {
    try {
      replies = await api("GET", "/api/v1/canned-replies");
      draw();
    } catch (error) {
      toast(describeError(error), "error");
    }
  };
  async function change(method, id, text) {
    try {
      const path = `/api/v1/canned-replies${id ? `/${encodeURIComponent(id)}` : ""}`;
      await api(method, path, text === undefined ? undefined : { text });
      toast(method === "DELETE" ? "定型文を削除しました。" : "定型文を保存しました。");
      reset();
      await load();
    } catch (error) {
      toast(describeError(error), "error");
    }
  }
  save.addEventListener("click", () => {
    const text = draft.value.trim();
    if (text) void change(editing ? "PATCH" : "POST", editing ?? undefined, text);
  });
  cancel.addEventListener("click", reset);
  search.addEventListener("input", draw);
  void load();
  return { box, draw };
}

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
  reply.canned.draw();
  reply.note.textContent = allowed
    ? ""
    : conv.status === "waiting"
      ? "「対応する」を押すと返信できます。"
      : conv.status === "active"
        ? "担当の相談員だけが返信できます。"
        : "この相談は終了しています。";
  reply.note.hidden = allowed;
}
