// The column beside the chat: emergencies recorded, private notes and supervisors' whispers,
// referral cards (their contact text goes into the reply), earlier consultations.
import { api } from "../../kit/api.js";
import { clear, el } from "../../kit/dom.js";
import { describeError } from "../errors.js";
import { formatDateTime, formatFullDate } from "../format.js";
import { decisionLabel, followUpLabel, regionLabel, statusLabel, topicLabel } from "../labels.js";
import { isSupervising } from "../state.js";
import { toast } from "../toast.js";
import { insertIntoReply } from "./reply-box.js";

/** `reload` fetches the conversation again once the note is stored. */
export function buildNoteForm(id, reload) {
  const textarea = el("textarea", {
    attrs: { id: "note-text", rows: "3", maxlength: "2000", "data-testid": "note-text" },
  });
  const button = el("button", {
    text: "メモを追加",
    attrs: { type: "submit", "data-testid": "note-add" },
  });
  // A supervisor may write to the counsellor who has her alone (a whisper), not to the record.
  const whisper = isSupervising()
    ? el("input", {
        attrs: { type: "checkbox", id: "note-whisper", "data-testid": "note-whisper" },
      })
    : null;
  const form = el("form", {}, [
    el("label", { text: "新しいメモ", attrs: { for: "note-text" } }),
    textarea,
    whisper
      ? el("label", { className: "check", attrs: { for: "note-whisper" } }, [
          whisper,
          " 担当の相談員だけに送る（ささやき）",
        ])
      : null,
    el("div", { className: "dialog-actions" }, [button]),
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    if (!text) return;
    button.disabled = true;
    try {
      const asWhisper = whisper?.checked === true;
      await api("POST", `/api/v1/conversations/${encodeURIComponent(id)}/notes`, {
        text,
        ...(asWhisper ? { whisper: true } : {}),
      });
      textarea.value = "";
      if (whisper) whisper.checked = false;
      toast(asWhisper ? "担当の相談員にささやきを送りました。" : "メモを追加しました。");
      await reload();
    } catch (error) {
      toast(describeError(error), "error");
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

export function renderEmergencies(section, emergencies) {
  clear(section);
  section.hidden = emergencies.length === 0;
  section.appendChild(el("h2", { text: "緊急対応の記録" }));
  const list = el("ul", { className: "list-plain" });
  for (const e of emergencies) {
    const checks = [
      e.desire && "気持ち",
      e.plan && "計画",
      e.means && "手段",
      e.timeframe && "時期",
    ].filter(Boolean);
    list.appendChild(
      el("li", {}, [
        el("div", {
          className: "note-meta",
          text: `${formatDateTime(e.createdAt)}・${e.counsellorName}`,
        }),
        el("div", {
          text: `${decisionLabel(e.decision)}（確認: ${checks.length ? checks.join("・") : "なし"}）`,
        }),
        e.calledBy || e.calledAt
          ? el("div", {
              className: "small",
              text: `通報: ${e.calledBy ?? ""} ${formatDateTime(e.calledAt)}`,
            })
          : null,
        e.note ? el("div", { className: "note", text: e.note }) : null,
      ]),
    );
  }
  section.appendChild(list);
}

export function renderNotes(list, notes) {
  clear(list);
  if (notes.length === 0)
    list.appendChild(el("li", { className: "muted small", text: "メモはまだありません。" }));
  for (const note of notes) {
    const prefix =
      note.kind === "transfer"
        ? "引き継ぎ・"
        : note.kind === "whisper"
          ? `ささやき（${note.toCounsellorName ?? "担当"}さんへ）・`
          : "";
    list.appendChild(
      el("li", { attrs: { "data-testid": "note", "data-kind": note.kind } }, [
        el("div", {
          className: "note-meta",
          text: `${prefix}${note.counsellorName}・${formatDateTime(note.createdAt)}`,
        }),
        note.text === null
          ? el("div", {
              className: "note muted",
              text: "（保存期間の経過または本人の請求により削除されました）",
              attrs: { "data-testid": "note-erased" },
            })
          : el("div", {
              className: `note${note.kind === "transfer" ? " transfer" : ""}${note.kind === "whisper" ? " whisper" : ""}`,
              text: note.text,
            }),
      ]),
    );
  }
}

export function renderReferrals(box, cards) {
  clear(box);
  if (cards.length === 0)
    box.appendChild(el("p", { className: "muted small", text: "候補はありません。" }));
  for (const card of cards) {
    box.appendChild(
      el("div", { className: "referral-card" }, [
        el("div", { text: card.name, attrs: { "data-testid": "referral-name" } }),
        card.toConfirm
          ? el("span", { className: "chip flag", text: "要確認（県と確認する前の例）" })
          : null,
        el("div", { className: "chips" }, [
          ...card.topics.map((t) => el("span", { className: "chip", text: topicLabel(t) })),
          el("span", {
            className: "chip",
            text: card.regions.includes("all")
              ? "全地域"
              : card.regions.map(regionLabel).join("・"),
          }),
        ]),
        card.phone
          ? el("div", {
              className: "small",
              text: `電話 ${card.phone}${card.hours ? `（${card.hours}）` : ""}`,
              attrs: { "data-testid": "referral-phone" },
            })
          : el("div", { className: "small muted", text: "連絡先は登録されていません。" }),
        card.howToRefer ? el("div", { className: "small muted", text: card.howToRefer }) : null,
        card.contactText
          ? el("button", {
              className: "small",
              text: "連絡先を返信に入れる",
              attrs: { type: "button", "data-testid": "referral-insert" },
              on: {
                click: () => {
                  if (!insertIntoReply(card.contactText)) {
                    toast("返信できる相談を開いているときに使えます。", "error");
                  }
                },
              },
            })
          : null,
      ]),
    );
  }
}

export function renderEarlier(list, earlier, elsewhere = 0) {
  clear(list);
  if (earlier.length === 0 && elsewhere === 0)
    list.appendChild(
      el("li", { className: "muted small", text: "以前の相談はありません（初めての相談）。" }),
    );
  // Other regions' records are theirs to read: only how many there are.
  if (elsewhere > 0)
    list.appendChild(
      el("li", {
        className: "muted small",
        text: `ほかの地域での相談が${elsewhere}件あります（内容は担当地域のみ）。`,
        attrs: { "data-testid": "earlier-elsewhere" },
      }),
    );
  for (const e of earlier) {
    const parts = [
      e.topics.length ? `内容: ${e.topics.map(topicLabel).join("、")}` : null,
      e.referrals.length ? `紹介: ${e.referrals.join("、")}` : null,
      e.followUps.length ? `支援: ${e.followUps.map(followUpLabel).join("、")}` : null,
    ].filter(Boolean);
    list.appendChild(
      el("li", { attrs: { "data-testid": "earlier-item" } }, [
        el("div", {
          className: "note-meta",
          text: `${formatFullDate(e.startedAt)}〜${e.closedAt ? formatDateTime(e.closedAt) : ""}・${statusLabel(e.status)}`,
        }),
        el("div", { className: "small", text: parts.length ? parts.join(" ／ ") : "記録なし" }),
      ]),
    );
  }
}
