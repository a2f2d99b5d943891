// The conversation's referral records (src/partners/): each partner she was referred to, her
// consent and how it turned out; a form to record one (a partner of the directory, her consent,
// a day to check on it: a task in the task list) and to record an outcome later. Everything
// shown is what GET /api/v1/conversations/:id answers (`referralRecords`).
import { api } from "../../kit/api.js";
import { clear, el } from "../../kit/dom.js";
import { describeError } from "../errors.js";
import { formatDateTime } from "../format.js";
import { consentLabel, getReference, referralOutcomeLabel } from "../labels.js";
import { toast } from "../toast.js";

const options = (list, selected) =>
  list.map((o) =>
    el("option", { text: o.label, attrs: { value: o.value, selected: o.value === selected } }),
  );

/** The records (redrawn with the conversation); `reload` fetches it again after a change. */
export function renderReferralRecords(list, view, reload) {
  clear(list);
  const records = view.referralRecords ?? [];
  if (records.length === 0)
    list.appendChild(el("li", { className: "muted small", text: "まだ記録はありません。" }));
  for (const r of records) list.appendChild(recordItem(r, reload));
}

function recordItem(r, reload) {
  const outcome = el(
    "select",
    { attrs: { "aria-label": "結果", "data-testid": "referral-outcome-select" } },
    options(getReference().referralOutcomes ?? [], r.outcome),
  );
  const followUp = el("input", {
    attrs: { type: "date", "aria-label": "次に確認する日", "data-testid": "referral-follow-up" },
  });
  const save = el("button", {
    className: "small",
    text: "結果を記録",
    attrs: { type: "button", "data-testid": "referral-outcome-save" },
    on: {
      click: async () => {
        save.disabled = true;
        try {
          await api("PATCH", `/api/v1/referrals/${encodeURIComponent(r.id)}`, {
            outcome: outcome.value,
            ...(followUp.value ? { followUpOn: followUp.value } : {}),
          });
          toast(
            followUp.value ? "結果を記録し、確認のタスクを作りました。" : "結果を記録しました。",
          );
          await reload();
        } catch (error) {
          toast(describeError(error), "error");
          save.disabled = false;
        }
      },
    },
  });
  return el("li", { attrs: { "data-testid": "referral-record", "data-id": r.id } }, [
    el("div", {
      text: r.partner.name + (r.partner.archived ? "（登録終了）" : ""),
      attrs: { "data-testid": "referral-record-partner" },
    }),
    el("div", {
      className: "small",
      text: `${consentLabel(r.consent)}・${referralOutcomeLabel(r.outcome)}${
        r.followUpOn ? `・確認日 ${r.followUpOn}` : ""
      }`,
      attrs: { "data-testid": "referral-record-status" },
    }),
    el("div", {
      className: "note-meta",
      text: `${r.createdByName}・${formatDateTime(r.createdAt)}`,
    }),
    el("div", { className: "referral-outcome" }, [outcome, followUp, save]),
  ]);
}

/** The form to record one, built once with the view (a redraw keeps what she chose). */
export function buildReferralForm(conversationId, reload) {
  const partner = el(
    "select",
    { attrs: { id: "referral-partner", "data-testid": "referral-partner" } },
    [el("option", { text: "読み込み中…", attrs: { value: "" } })],
  );
  // Every partner of her region in the directory (the cards above show those of her topics).
  api("GET", "/api/v1/partners")
    .then((partners) => {
      clear(partner).append(
        el("option", { text: "選んでください", attrs: { value: "" } }),
        ...partners.map((p) =>
          el("option", {
            text: p.toConfirm ? `${p.name}（要確認）` : p.name,
            attrs: { value: p.id },
          }),
        ),
      );
    })
    .catch((error) => toast(describeError(error), "error"));
  const consent = el(
    "select",
    { attrs: { id: "referral-consent", "data-testid": "referral-consent" } },
    options(getReference().referralConsents ?? [], "yes"),
  );
  const followUp = el("input", {
    attrs: { id: "referral-follow", type: "date", "data-testid": "referral-follow" },
  });
  const error = el("p", { className: "form-error", attrs: { role: "alert" } });
  const form = el("form", { attrs: { novalidate: true, "data-testid": "referral-form" } }, [
    el("label", { text: "つないだ先", attrs: { for: "referral-partner" } }),
    partner,
    el("label", { text: "本人の同意", attrs: { for: "referral-consent" } }),
    consent,
    el("label", {
      text: "次に確認する日（任意・タスクになります）",
      attrs: { for: "referral-follow" },
    }),
    followUp,
    error,
    el("button", {
      text: "つなぎ先を記録",
      attrs: { type: "submit", "data-testid": "referral-add" },
    }),
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!partner.value) {
      error.textContent = "つないだ先を選んでください。";
      return;
    }
    try {
      await api("POST", `/api/v1/conversations/${encodeURIComponent(conversationId)}/referrals`, {
        partnerId: partner.value,
        consent: consent.value,
        ...(followUp.value ? { followUpOn: followUp.value } : {}),
      });
      toast("つなぎ先を記録しました。");
      form.reset();
      await reload();
    } catch (e) {
      error.textContent = describeError(e);
    }
  });
  return form;
}
