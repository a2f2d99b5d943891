// The transfer, close and emergency forms (dialogs in index.html) for the open conversation.
import { api } from "../../kit/api.js";
import { $, clear, el } from "../../kit/dom.js";
import { describeError } from "../errors.js";
import { localInputToIso } from "../format.js";
import { getReference, regionLabel, riskLevelLabel, roleLabel } from "../labels.js";
import { tokyoToday } from "../tasks.js";
import { refreshQueue } from "../queue.js";
import { isSupervising, state } from "../state.js";
import { toast } from "../toast.js";

/** The conversation open at the time, and how to fetch it again after a change. */
let openNow = () => null;
let reload = async () => {};

/** Wires the three forms once; each acts on the conversation open at the time. */
export function wireDialogs(deps) {
  openNow = deps.openNow;
  reload = deps.reload;
  for (const dialog of document.querySelectorAll("dialog")) {
    for (const button of dialog.querySelectorAll("[data-close]")) {
      button.addEventListener("click", () => dialog.close());
    }
  }
  const transfer = $("transfer-form");
  for (const radio of transfer.querySelectorAll('input[name="target"]')) {
    radio.addEventListener("change", syncTransferTarget);
  }
  $("transfer-region").addEventListener("change", syncClosedWarning);
  submitting("transfer-form", submitTransfer);
  submitting("close-form", submitClose);
  $("close-template").addEventListener("change", () => {
    const chosen = getReference().closingTemplates?.find((t) => t.id === $("close-template").value);
    $("close-message").value = chosen ? chosen.text : "";
    syncUnanswered();
  });
  $("close-message").addEventListener("input", syncUnanswered);
  $("close-followup").addEventListener("change", () => {
    $("close-followup-fields").hidden = !$("close-followup").checked;
  });
  submitting("emergency-form", submitEmergency);
}

function submitting(formId, action) {
  const form = $(formId);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = form.querySelector(".form-error");
    const button = form.querySelector('button[type="submit"]');
    error.textContent = "";
    button.disabled = true;
    try {
      await action(form, error);
    } catch (e) {
      error.textContent = describeError(e);
    } finally {
      button.disabled = false;
    }
  });
}

function syncTransferTarget() {
  const toRegion =
    $("transfer-form").querySelector('input[name="target"]:checked').value === "region";
  $("transfer-counsellor").disabled = toRegion;
  $("transfer-region").disabled = !toRegion;
  syncClosedWarning();
}

/** Each region, open now or when it opens next (GET /regions), as the dialog was opened. */
let regionStates = [];

/** The region chosen for a region transfer, when it is closed now. */
function closedTarget() {
  const select = $("transfer-region");
  if (select.disabled) return undefined;
  return regionStates.find((r) => r.id === select.value && !r.open);
}

/** Before she is put in a closed region's queue, the counsellor is told, and must confirm. */
function syncClosedWarning() {
  const closed = closedTarget();
  const warning = $("transfer-closed-warning");
  warning.hidden = !closed;
  $("transfer-confirm-closed-label").hidden = !closed;
  if (!closed) {
    $("transfer-confirm-closed").checked = false;
    return;
  }
  const when = closed.nextOpeningText
    ? `相談員のお返事は ${closed.nextOpeningText} からになります`
    : "次の受付開始まで、お返事はできません";
  warning.textContent = `${closed.name}はいま受付時間外です。${when}（本人には24時間の窓口も案内します）。`;
}

export async function openTransfer() {
  const conv = openNow()?.view?.conversation;
  if (!conv) return;
  const form = $("transfer-form");
  form.reset();
  form.querySelector(".form-error").textContent = "";
  const select = clear($("transfer-counsellor"));
  try {
    const colleagues = await api("GET", "/api/v1/counsellors");
    const fit = colleagues.filter(
      (p) => p.id !== state.me.id && (p.regionId === null || p.regionId === conv.regionId),
    );
    for (const p of fit) {
      select.appendChild(
        el("option", {
          text: `${p.displayName}（${roleLabel(p.role)}・${p.regionId ? regionLabel(p.regionId) : "全地域"}）`,
          attrs: { value: p.id },
        }),
      );
    }
    if (fit.length === 0)
      select.appendChild(
        el("option", { text: "引き継げる相談員がいません", attrs: { value: "" } }),
      );
  } catch (error) {
    toast(describeError(error), "error");
    return;
  }
  try {
    regionStates = await api("GET", "/api/v1/regions");
  } catch (error) {
    toast(describeError(error), "error");
    return;
  }
  const regions = clear($("transfer-region"));
  for (const r of getReference().regions.filter((r) => r.id !== conv.regionId)) {
    regions.appendChild(el("option", { text: r.name, attrs: { value: r.id } }));
  }
  syncTransferTarget();
  $("transfer-dialog").showModal();
}

async function submitTransfer(form, error) {
  const c = openNow();
  if (!c) return;
  const toRegion = form.querySelector('input[name="target"]:checked').value === "region";
  const note = $("transfer-note").value.trim();
  const target = toRegion ? $("transfer-region").value : $("transfer-counsellor").value;
  if (!target) {
    error.textContent = "引き継ぎ先を選んでください。";
    return;
  }
  if (!note) {
    error.textContent = "引き継ぎメモを書いてください（次の人が本人にたずね直さないために）。";
    return;
  }
  const closed = toRegion ? closedTarget() : undefined;
  const confirmed = $("transfer-confirm-closed").checked;
  if (closed && !confirmed) {
    error.textContent = `${closed.name}は受付時間外です。引き継ぐときは、確認の欄にチェックを入れてください。`;
    return;
  }
  const body = toRegion
    ? { toRegionId: target, note, ...(closed ? { confirmClosedRegion: true } : {}) }
    : { toCounsellorId: target, note };
  let view;
  try {
    view = await api("POST", `/api/v1/conversations/${encodeURIComponent(c.id)}/transfer`, body);
  } catch (e) {
    // The region closed while the dialog was open: say so, and ask again.
    if (e?.code === "REGION_CLOSED") {
      regionStates = await api("GET", "/api/v1/regions");
      syncClosedWarning();
    }
    throw e;
  }
  $("transfer-dialog").close();
  toast("引き継ぎました。");
  void refreshQueue();
  const stillMine = view?.conversation?.assignedTo?.id === state.me.id;
  if (isSupervising() || stillMine) await reload();
  else location.hash = "#/";
}

function checkboxes(container, name, items, checked) {
  clear(container);
  for (const item of items) {
    container.appendChild(
      el("label", { className: "check" }, [
        el("input", {
          attrs: {
            type: "checkbox",
            name,
            value: item.value,
            checked: checked.includes(item.value),
          },
        }),
        item.label,
      ]),
    );
  }
}

/** Her last message unanswered (the view says so) and no closing message to answer it. */
let unansweredNow = false;

/** The warning shows while nothing answers her; a closing message answers her. */
function syncUnanswered() {
  const answering = $("close-message").value.trim() !== "";
  $("close-unanswered").hidden = !unansweredNow || answering;
}

function options(select, items, selected) {
  clear(select);
  for (const item of items) {
    select.appendChild(
      el("option", {
        text: item.label,
        attrs: { value: item.value, selected: item.value === selected },
      }),
    );
  }
}

export async function openClose() {
  const view = openNow()?.view;
  if (!view) return;
  const conv = view.conversation;
  const ref = getReference();
  const form = $("close-form");
  form.reset();
  form.querySelector(".form-error").textContent = "";
  checkboxes($("close-topics"), "topics", ref.topics, conv.topics);
  const cardNames = view.referralCards.map((card) => card.name);
  const names = [...new Set([...cardNames, ...conv.referrals])];
  checkboxes(
    $("close-referrals"),
    "referrals",
    names.map((name) => ({ value: name, label: name })),
    conv.referrals,
  );
  checkboxes($("close-followups"), "followUps", ref.followUps, conv.followUps);
  const levels = ref.riskLevels.length
    ? ref.riskLevels
    : ["none", "low", "medium", "high"].map((value) => ({ value, label: riskLevelLabel(value) }));
  options($("close-risk"), levels, conv.riskLevel);
  options(
    $("close-reason"),
    [{ value: "", label: "選んでください" }, ...(ref.closeReasons ?? [])],
    "",
  );
  options(
    $("close-template"),
    [
      { value: "", label: "送らない" },
      ...(ref.closingTemplates ?? []).map((t) => ({ value: t.id, label: t.label })),
    ],
    "",
  );
  $("close-message").value = "";
  $("close-confirm-unsafe-label").hidden = true;
  // Figures as the API gave them: the chat's length so far, her last message unanswered.
  $("close-duration").textContent = `対応時間（最初の返信から）: ${conv.durationMinutes}分`;
  unansweredNow = conv.lastMessageUnanswered;
  const last = [...view.messages].reverse().find((m) => m.direction === "in" && !m.unsent);
  $("close-unanswered-last").textContent = last?.text
    ? `最後のメッセージ: 「${[...last.text].slice(0, 60).join("")}」`
    : "";
  syncUnanswered();
  $("close-followup-fields").hidden = true;
  options($("close-followup-kind"), ref.taskKinds ?? [], "call-back");
  const today = tokyoToday();
  $("close-followup-due").min = today;
  $("close-followup-due").value = "";
  const owners = clear($("close-followup-owner"));
  owners.appendChild(
    el("option", { text: `自分（${state.me.displayName}）`, attrs: { value: "" } }),
  );
  $("close-dialog").showModal();
  try {
    const colleagues = await api("GET", "/api/v1/counsellors");
    for (const p of colleagues) {
      if (p.id === state.me.id) continue;
      if (p.regionId !== null && p.regionId !== conv.regionId) continue;
      owners.appendChild(el("option", { text: p.displayName, attrs: { value: p.id } }));
    }
  } catch (error) {
    toast(describeError(error), "error");
  }
}

const checkedValues = (form, name) =>
  [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value);

async function submitClose(form, error) {
  const c = openNow();
  if (!c) return;
  const topics = checkedValues(form, "topics");
  if (topics.length === 0) {
    error.textContent = "相談の内容を一つ以上選んでください。";
    return;
  }
  const endReason = $("close-reason").value;
  if (!endReason) {
    error.textContent = "終了の理由を選んでください。";
    return;
  }
  const closingMessage = $("close-message").value.trim();
  if (unansweredNow && !closingMessage && !$("close-confirm-unanswered").checked) {
    error.textContent =
      "最後のメッセージに返信していません。終了のメッセージを送るか、「返信せずに終了する」にチェックを入れてください。";
    return;
  }
  let followUp;
  if ($("close-followup").checked) {
    const dueOn = $("close-followup-due").value;
    if (!dueOn) {
      error.textContent = "フォローアップの期日を選んでください。";
      return;
    }
    const ownerId = $("close-followup-owner").value;
    followUp = { kind: $("close-followup-kind").value, dueOn, ...(ownerId ? { ownerId } : {}) };
  }
  const extra = $("close-referral-other")
    .value.split(/[、,，]/)
    .map((s) => s.trim())
    .filter(Boolean);
  const referrals = [...new Set([...checkedValues(form, "referrals"), ...extra])];
  const summary = $("close-summary").value.trim();
  const body = {
    topics,
    referrals,
    followUps: checkedValues(form, "followUps"),
    riskLevel: $("close-risk").value,
    endReason,
    ...(summary ? { summary } : {}),
    ...(closingMessage ? { closingMessage } : {}),
    ...($("close-confirm-unanswered").checked ? { confirmUnanswered: true } : {}),
    ...($("close-confirm-unsafe").checked ? { confirmUnsafeFirstLine: true } : {}),
    ...(followUp ? { followUp } : {}),
  };
  try {
    await api("POST", `/api/v1/conversations/${encodeURIComponent(c.id)}/close`, body);
  } catch (e) {
    // She wrote while the dialog was open: warn, and ask again.
    if (e?.code === "LAST_MESSAGE_UNANSWERED") {
      unansweredNow = true;
      syncUnanswered();
    }
    if (e?.code === "UNSAFE_FIRST_LINE") $("close-confirm-unsafe-label").hidden = false;
    throw e;
  }
  $("close-dialog").close();
  toast(
    followUp
      ? "相談を終了し、フォローアップをタスクに入れました。"
      : "相談を終了し、記録しました。",
  );
  void refreshQueue();
  location.hash = "#/";
}

export function openEmergency() {
  if (!openNow()?.view) return;
  const form = $("emergency-form");
  form.reset();
  form.querySelector(".form-error").textContent = "";
  $("emergency-dialog").showModal();
}

async function submitEmergency(form, error) {
  const c = openNow();
  if (!c) return;
  const checked = (name) => form.querySelector(`input[name="${name}"]`).checked;
  const decision = form.querySelector('input[name="decision"]:checked')?.value;
  if (!decision) {
    error.textContent = "判断を選んでください。";
    return;
  }
  const calledBy = $("emergency-called-by").value.trim();
  const calledAt = localInputToIso($("emergency-called-at").value);
  const note = $("emergency-note").value.trim();
  if (decision !== "no-call" && !calledBy) {
    error.textContent = "通報した人を書いてください。";
    return;
  }
  const body = {
    desire: checked("desire"),
    plan: checked("plan"),
    means: checked("means"),
    timeframe: checked("timeframe"),
    decision,
    ...(calledBy ? { calledBy } : {}),
    ...(calledAt ? { calledAt } : {}),
    ...(note ? { note } : {}),
  };
  await api("POST", `/api/v1/conversations/${encodeURIComponent(c.id)}/emergency`, body);
  $("emergency-dialog").close();
  toast("緊急対応を記録し、スーパーバイザーに通知しました。");
  await reload();
}
