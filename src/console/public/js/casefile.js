// A woman's case file (#/file/...): her LINE conversations, manual entries, tasks and the
// referrals made from them, newest first, as GET /api/v1/casefiles/... returns them (only what my
// region reaches). An entry is linked to her (or unlinked) with a reason; a task (訪問 and 同行
// with their appointment) is made for her file.
import { api } from "../kit/api.js";
import { $, clear, el } from "../kit/dom.js";
import { describeError } from "./errors.js";
import { regionSelect } from "./region-select.js";
import { formatDateTime } from "./format.js";
import {
  consentLabel,
  getReference,
  referralOutcomeLabel,
  regionLabel,
  statusLabel,
  taskKindLabel,
  taskOutcomeLabel,
  topicLabel,
} from "./labels.js";
import { state } from "./state.js";
import { toast } from "./toast.js";
import { tokyoToday } from "./tasks.js";

/** The API path of a file from the page's address (#/file/<by>/<...>). */
export function caseFilePath(hash) {
  const parts = hash
    .replace(/^#\/file\//, "")
    .split("/")
    .map(decodeURIComponent);
  const [by, a, b] = parts;
  const enc = encodeURIComponent;
  if (by === "conversation" && a) return `/api/v1/casefiles/conversation/${enc(a)}`;
  if (by === "entry" && a) return `/api/v1/casefiles/entry/${enc(a)}`;
  if (by === "person" && a) return `/api/v1/casefiles/person/${enc(a)}`;
  if (by === "case" && a && b) return `/api/v1/casefiles/case/${enc(a)}/${enc(b)}`;
  return null;
}

/** #/files: find a woman's file by her pseudonym or a case number of a region. */
export function renderFileSearch() {
  const main = clear($("main"));
  const pseudonym = el("input", { attrs: { id: "file-pseudonym", maxlength: "50" } });
  const caseRef = el("input", { attrs: { id: "file-case", maxlength: "50" } });
  const region = regionSelect("file-region");
  const form = el("form", { className: "panel", attrs: { novalidate: true } }, [
    el("div", { className: "form-grid" }, [
      el("div", {}, [
        el("label", { text: "LINE の仮名", attrs: { for: "file-pseudonym" } }),
        pseudonym,
      ]),
      el("div", {}, [el("label", { text: "ケース番号", attrs: { for: "file-case" } }), caseRef]),
      el("div", {}, [el("label", { text: "地域", attrs: { for: "file-region" } }), region]),
    ]),
    el("button", { className: "primary", text: "開く", attrs: { type: "submit" } }),
  ]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const enc = encodeURIComponent;
    if (pseudonym.value.trim()) location.hash = `#/file/person/${enc(pseudonym.value.trim())}`;
    else if (caseRef.value.trim())
      location.hash = `#/file/case/${enc(region.value)}/${enc(caseRef.value.trim())}`;
  });
  main.append(
    el("h1", { text: "ケースファイル", attrs: { tabindex: "-1" } }),
    el("p", {
      className: "muted",
      text: "相談者ごとに、LINE の相談・電話などの記録・タスクを新しい順に表示します。",
    }),
    form,
  );
}

export async function renderCaseFile(hash) {
  const main = clear($("main"));
  const path = caseFilePath(hash);
  const body = el("div", { attrs: { "data-testid": "case-file" } }, [
    el("p", { className: "muted", text: "読み込み中…" }),
  ]);
  main.append(el("h1", { text: "ケースファイル", attrs: { tabindex: "-1" } }), body);
  if (!path) {
    clear(body).appendChild(
      el("p", { className: "form-error", text: "ファイルが指定されていません。" }),
    );
    return;
  }
  let file;
  try {
    file = await api("GET", path);
  } catch (error) {
    clear(body).appendChild(
      el("p", {
        className: "form-error",
        text: describeError(error),
        attrs: { "data-testid": "case-file-missing" },
      }),
    );
    return;
  }
  const reload = () => void renderCaseFile(hash);
  const parts = [
    el("p", { attrs: { "data-testid": "case-file-who" }, text: whoOf(file.file) }),
    file.scopeRegion
      ? el("p", {
          className: "muted small",
          text: `${regionLabel(file.scopeRegion)}の記録だけを表示しています。`,
        })
      : null,
    file.elsewhere > 0
      ? el("p", {
          className: "muted small",
          text: `ほかの地域での相談が${file.elsewhere}件あります（内容は担当地域のみ）。`,
          attrs: { "data-testid": "case-file-elsewhere" },
        })
      : null,
    el(
      "ol",
      { className: "list-plain timeline", attrs: { "data-testid": "case-timeline" } },
      file.items.map((item) => itemRow(file, item, reload)),
    ),
    newTaskForm(file, reload),
  ];
  clear(body).append(...parts.filter(Boolean));
}

function whoOf(f) {
  if (f.kind === "person") return `LINE の相談者 ${f.pseudonym}`;
  if (f.kind === "case") return `ケース番号 ${f.caseRef}（${regionLabel(f.regionId)}）`;
  return "相談者に紐付いていない記録（この記録だけ）";
}

const TYPE_LABEL = { conversation: "LINE", entry: "記録", task: "タスク", referral: "つなぎ先" };

function itemRow(file, item, reload) {
  const head = el("div", { className: "note-meta" }, [
    el("span", { text: formatDateTime(item.at), attrs: { "data-testid": "case-item-at" } }),
    el("span", { text: `・${TYPE_LABEL[item.type]}・${item.regionName}` }),
  ]);
  const lines = [head];
  if (item.type === "conversation") {
    lines.push(
      el("div", { className: "small" }, [
        el("a", {
          text: "LINE の相談を開く",
          attrs: { href: `#/c/${encodeURIComponent(item.id)}` },
        }),
        el("span", {
          text: `（${statusLabel(item.status)}${item.answered ? "" : "・相談員の返信なし"}）${topicsText(item.topics)}`,
        }),
      ]),
    );
  } else if (item.type === "entry") {
    lines.push(
      el("div", {
        className: "small",
        text: `${item.channelLabel}${item.fromTaskId ? "（タスクの実施から記録）" : ""}${topicsText(item.topics)}`,
        attrs: { "data-testid": "case-entry-channel" },
      }),
    );
    if (item.editable) lines.push(linkControls(file, item, reload));
  } else if (item.type === "referral") {
    const r = item.referral;
    lines.push(
      el("div", {
        className: "small",
        attrs: { "data-testid": "case-referral" },
        text: [
          `${r.partner.name}${r.partner.archived ? "（登録終了）" : ""}`,
          consentLabel(r.consent),
          `結果: ${referralOutcomeLabel(r.outcome)}`,
          r.followUpOn ? `確認日: ${r.followUpOn}` : null,
        ]
          .filter(Boolean)
          .join(" ／ "),
      }),
    );
  } else {
    const t = item.task;
    const when = t.appointment?.time ? `${t.dueOn} ${t.appointment.time}` : t.dueOn;
    lines.push(
      el("div", {
        className: "small",
        attrs: { "data-testid": "case-task" },
        text: [
          `${taskKindLabel(t.kind)} ${when}`,
          t.partner ? `同行先: ${t.partner.name}` : null,
          `担当: ${t.owner.displayName}`,
          t.outcome ? `結果: ${taskOutcomeLabel(t.outcome)}` : "未完了",
        ]
          .filter(Boolean)
          .join(" ／ "),
      }),
    );
  }
  return el(
    "li",
    { attrs: { "data-testid": "case-item", "data-type": item.type, "data-id": item.id } },
    lines,
  );
}

const topicsText = (topics) => (topics.length ? ` 内容: ${topics.map(topicLabel).join("、")}` : "");

function reasonSelect(reasons, label) {
  return el(
    "select",
    { attrs: { "aria-label": label, "data-testid": "link-reason" } },
    reasons.map((r) => el("option", { text: r.label, attrs: { value: r.value } })),
  );
}

/** Link an entry to a woman (pseudonym or case number), or undo the link, with a reason. */
function linkControls(file, item, reload) {
  const error = el("span", { className: "form-error", attrs: { role: "alert" } });
  const send = async (path, bodyOf, done) => {
    error.textContent = "";
    try {
      await api("POST", `/api/v1/stats/entries/${encodeURIComponent(item.id)}/${path}`, bodyOf());
      toast(done);
      reload();
    } catch (e) {
      error.textContent = describeError(e);
    }
  };
  if (item.linkedBy) {
    const reason = reasonSelect(file.unlinkReasons, "外す理由");
    return el("div", { className: "link-controls" }, [
      reason,
      el("button", {
        text: "紐付けを外す",
        attrs: { type: "button", "data-testid": "unlink-entry" },
        on: {
          click: () =>
            void send("unlink", () => ({ reason: reason.value }), "紐付けを外しました。"),
        },
      }),
      error,
    ]);
  }
  const who = el("input", {
    attrs: {
      "aria-label": "LINE の仮名またはケース番号",
      placeholder: "LINE の仮名 または ケース番号",
      maxlength: "50",
      "data-testid": "link-target",
    },
  });
  const byCase = el("select", { attrs: { "aria-label": "紐付け先", "data-testid": "link-by" } }, [
    el("option", { text: "LINE の仮名", attrs: { value: "pseudonym" } }),
    el("option", { text: "ケース番号", attrs: { value: "case" } }),
  ]);
  const reason = reasonSelect(file.linkReasons, "紐付ける理由");
  return el("div", { className: "link-controls" }, [
    byCase,
    who,
    reason,
    el("button", {
      text: "相談者に紐付ける",
      attrs: { type: "button", "data-testid": "link-entry" },
      on: {
        click: () =>
          void send(
            "link",
            () => ({
              [byCase.value === "case" ? "caseRef" : "personPseudonym"]: who.value.trim(),
              reason: reason.value,
            }),
            "相談者に紐付けました。集計に反映しました。",
          ),
      },
    }),
    error,
  ]);
}

/** A task for her file: kind, due day (the appointment's for 訪問 and 同行), time, partner. */
function newTaskForm(file, reload) {
  const kind = el(
    "select",
    { attrs: { id: "case-task-kind" } },
    (getReference().taskKinds ?? []).map((k) =>
      el("option", { text: k.label, attrs: { value: k.value } }),
    ),
  );
  const due = el("input", { attrs: { id: "case-task-due", type: "date", min: tokyoToday() } });
  const time = el("input", { attrs: { id: "case-task-time", type: "time" } });
  const partner = el("select", { attrs: { id: "case-task-partner" } }, [
    el("option", { text: "（選ぶ）", attrs: { value: "" } }),
    ...file.partners.map((p) => el("option", { text: p.name, attrs: { value: p.id } })),
  ]);
  const timeBox = el("div", {}, [
    el("label", { text: "予定の時刻（任意）", attrs: { for: "case-task-time" } }),
    time,
  ]);
  const partnerBox = el("div", {}, [
    el("label", { text: "同行先", attrs: { for: "case-task-partner" } }),
    partner,
  ]);
  const sync = () => {
    timeBox.hidden = kind.value !== "visit" && kind.value !== "accompany";
    partnerBox.hidden = kind.value !== "accompany";
  };
  kind.addEventListener("change", sync);
  sync();
  // A user of every region names the task's region (a case file's is its own).
  const region = el(
    "select",
    { attrs: { id: "case-task-region" } },
    getReference().regions.map((r) => el("option", { text: r.name, attrs: { value: r.id } })),
  );
  const regionBox = el("div", {}, [
    el("label", { text: "地域", attrs: { for: "case-task-region" } }),
    region,
  ]);
  regionBox.hidden = state.me.regionId !== null || file.file.kind !== "person";
  const error = el("p", { className: "form-error", attrs: { role: "alert" } });
  const form = el("form", { className: "panel", attrs: { novalidate: true } }, [
    el("h2", { text: "この相談者のタスクを追加（自分が担当）" }),
    el("div", { className: "form-grid" }, [
      el("div", {}, [el("label", { text: "種類", attrs: { for: "case-task-kind" } }), kind]),
      el("div", {}, [el("label", { text: "期日・予定日", attrs: { for: "case-task-due" } }), due]),
      timeBox,
      partnerBox,
      regionBox,
    ]),
    error,
    el("button", { className: "primary", text: "追加する", attrs: { type: "submit" } }),
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!due.value) {
      error.textContent = "期日を選んでください。";
      return;
    }
    const f = file.file;
    const follows =
      f.kind === "person"
        ? { personPseudonym: f.pseudonym }
        : f.kind === "case"
          ? { caseRef: f.caseRef, regionId: f.regionId }
          : { entryId: f.entryId };
    const appointment = kind.value === "visit" || kind.value === "accompany";
    try {
      await api("POST", "/api/v1/tasks", {
        kind: kind.value,
        dueOn: due.value,
        ...follows,
        ...(regionBox.hidden ? {} : { regionId: region.value }),
        ...(appointment && time.value ? { appointmentTime: time.value } : {}),
        ...(kind.value === "accompany" && partner.value ? { partnerId: partner.value } : {}),
      });
      toast("タスクを追加しました。");
      reload();
    } catch (e) {
      error.textContent = describeError(e);
    }
  });
  return form;
}
