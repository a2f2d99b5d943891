// つなぎ先・広報 (#/partners): the partner directory of my region (admins add, edit, archive and
// restore partners) and the publicity campaigns with their scans (supervisors and admins
// register them). Every row is what GET /api/v1/partners and GET /api/v1/campaigns return.
import { api } from "../kit/api.js";
import { $, clear, el, table } from "../kit/dom.js";
import { describeError } from "./errors.js";
import { getReference, partnerKindLabel, regionLabel, topicLabel } from "./labels.js";
import { isSupervising, state } from "./state.js";
import { toast } from "./toast.js";

let showArchived = false;

export function renderPartners() {
  const main = clear($("main"));
  const directory = el("div", { attrs: { "data-testid": "partner-list" } }, [
    el("p", { className: "muted", text: "読み込み中…" }),
  ]);
  const archived = el("input", {
    attrs: { type: "checkbox", id: "partners-archived", checked: showArchived },
    on: {
      change: (event) => {
        showArchived = event.target.checked;
        void fillDirectory(directory);
      },
    },
  });
  main.append(
    el("h1", { text: "つなぎ先・広報", attrs: { tabindex: "-1" } }),
    el("section", { className: "panel" }, [
      el("h2", { text: "つなぎ先（連携機関）" }),
      el("p", {
        className: "muted small",
        text: "「要確認」は例として置いたつなぎ先です。県と確認してから使ってください。",
      }),
      el("label", { className: "check" }, [archived, " 登録を終えたつなぎ先も表示する"]),
      directory,
      state.me.role === "admin" ? partnerForm(null, directory) : null,
    ]),
    isSupervising() ? campaignsSection() : null,
  );
  void fillDirectory(directory);
}

async function fillDirectory(box) {
  let partners;
  try {
    partners = await api("GET", `/api/v1/partners${showArchived ? "?archived=true" : ""}`);
  } catch (error) {
    clear(box).appendChild(el("p", { className: "form-error", text: describeError(error) }));
    return;
  }
  clear(box);
  box.appendChild(
    el("p", {
      className: "muted small",
      text: `${partners.length}件`,
      attrs: { "data-testid": "partner-count" },
    }),
  );
  const head = ["名前", "種別", "地域", "相談内容", "電話・受付時間", "住所", "つなぎ方", ""];
  box.appendChild(
    table(
      "table partners",
      head,
      partners.map((p) => partnerRow(p, box)),
    ),
  );
}

function partnerRow(p, box) {
  const actions = [];
  if (p.editable) {
    actions.push(
      el("button", {
        className: "small",
        text: "編集",
        attrs: { type: "button", "data-testid": "partner-edit" },
        on: {
          click: (event) => {
            const row = event.target.closest("tr");
            row.after(el("tr", {}, [el("td", { attrs: { colspan: "8" } }, [partnerForm(p, box)])]));
          },
        },
      }),
      el("button", {
        className: "small",
        text: p.archived ? "登録を戻す" : "登録を終える",
        attrs: {
          type: "button",
          "data-testid": p.archived ? "partner-restore" : "partner-archive",
        },
        on: {
          click: async () => {
            try {
              await api(
                "POST",
                `/api/v1/partners/${encodeURIComponent(p.id)}/${p.archived ? "restore" : "archive"}`,
              );
              toast(p.archived ? "つなぎ先を戻しました。" : "つなぎ先の登録を終えました。");
              void fillDirectory(box);
            } catch (error) {
              toast(describeError(error), "error");
            }
          },
        },
      }),
    );
  }
  return el(
    "tr",
    {
      className: p.archived ? "archived" : "",
      attrs: { "data-testid": "partner", "data-id": p.id },
    },
    [
      el("td", {}, [
        el("span", { text: p.name, attrs: { "data-testid": "partner-name" } }),
        p.toConfirm ? el("span", { className: "chip flag", text: "要確認" }) : null,
        p.archived ? el("span", { className: "chip", text: "登録終了" }) : null,
      ]),
      el("td", { text: partnerKindLabel(p.kind), attrs: { "data-testid": "partner-kind" } }),
      el("td", {
        text: p.regions.includes("all") ? "全地域" : p.regions.map(regionLabel).join("・"),
      }),
      el("td", { text: p.topics.map(topicLabel).join("、") }),
      el("td", {
        text: p.phone ? `${p.phone}${p.hours ? `（${p.hours}）` : ""}` : "—",
        attrs: { "data-testid": "partner-phone" },
      }),
      el("td", { text: p.address ?? "—" }),
      el("td", { className: "small", text: p.howToRefer ?? "—" }),
      el("td", {}, actions),
    ],
  );
}

/** Adds a partner (p null) or edits p. */
function partnerForm(p, box) {
  const ref = getReference();
  const suffix = p ? `-${p.id}` : "";
  const field = (label, name, value, attrs = {}) => {
    const input = el("input", {
      attrs: { id: `partner-${name}${suffix}`, name, value: value ?? "", ...attrs },
    });
    return el("div", {}, [el("label", { text: label, attrs: { for: input.id } }), input]);
  };
  const kind = el(
    "select",
    { attrs: { id: `partner-kind${suffix}`, name: "kind" } },
    (ref.partnerKinds ?? []).map((k) =>
      el("option", { text: k.label, attrs: { value: k.value, selected: k.value === p?.kind } }),
    ),
  );
  const regionChoices = state.me.regionId
    ? [{ id: state.me.regionId, name: regionLabel(state.me.regionId) }]
    : [{ id: "all", name: "全地域" }, ...ref.regions];
  const region = el(
    "select",
    { attrs: { id: `partner-region${suffix}`, name: "region" } },
    regionChoices.map((r) =>
      el("option", {
        text: r.name,
        attrs: { value: r.id, selected: p ? p.regions[0] === r.id : false },
      }),
    ),
  );
  const topics = el(
    "div",
    { className: "check-grid" },
    ref.topics.map((t) =>
      el("label", { className: "check" }, [
        el("input", {
          attrs: {
            type: "checkbox",
            name: "topics",
            value: t.value,
            checked: p ? p.topics.includes(t.value) : false,
          },
        }),
        ` ${t.label}`,
      ]),
    ),
  );
  const toConfirm = el("input", {
    attrs: { type: "checkbox", name: "toConfirm", checked: p ? p.toConfirm : false },
  });
  const error = el("p", { className: "form-error", attrs: { role: "alert" } });
  const form = el(
    "form",
    {
      className: "panel",
      attrs: { novalidate: true, "data-testid": p ? "partner-edit-form" : "partner-form" },
    },
    [
      el("h3", { text: p ? `「${p.name}」を編集` : "つなぎ先を追加" }),
      el("div", { className: "form-grid" }, [
        field("名前", "name", p?.name, { maxlength: "100", required: true }),
        el("div", {}, [el("label", { text: "種別", attrs: { for: kind.id } }), kind]),
        el("div", {}, [el("label", { text: "地域", attrs: { for: region.id } }), region]),
        field("電話", "phone", p?.phone, { maxlength: "24" }),
        field("受付時間", "hours", p?.hours, { maxlength: "200" }),
        field("住所", "address", p?.address, { maxlength: "200" }),
        field("つなぎ方", "howToRefer", p?.howToRefer, { maxlength: "500" }),
      ]),
      el("fieldset", {}, [el("legend", { text: "相談内容" }), topics]),
      el("label", { className: "check" }, [toConfirm, " 要確認（例として置いた情報）"]),
      error,
      el("button", {
        className: "primary",
        text: p ? "保存する" : "追加する",
        attrs: { type: "submit", "data-testid": p ? "partner-save" : "partner-add" },
      }),
    ],
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const data = new FormData(form);
    const body = {
      name: String(data.get("name") ?? ""),
      kind: kind.value,
      regions: [region.value],
      topics: data.getAll("topics").map(String),
      phone: String(data.get("phone") ?? ""),
      hours: String(data.get("hours") ?? ""),
      address: String(data.get("address") ?? ""),
      howToRefer: String(data.get("howToRefer") ?? ""),
      toConfirm: toConfirm.checked,
    };
    try {
      if (p) await api("PATCH", `/api/v1/partners/${encodeURIComponent(p.id)}`, body);
      else await api("POST", "/api/v1/partners", body);
      toast(p ? "つなぎ先を保存しました。" : "つなぎ先を追加しました。");
      if (!p) form.reset();
      void fillDirectory(box);
    } catch (e) {
      error.textContent = describeError(e);
    }
  });
  return form;
}

function campaignsSection() {
  const list = el("div", { attrs: { "data-testid": "campaign-list" } });
  const section = el("section", { className: "panel" }, [
    el("h2", { text: "広報（キャンペーン）" }),
    el("p", {
      className: "muted small",
      text: "ポスターやカードの QR コードには、このサイトのアドレスの後ろにリンク（/s/コード）を付けて載せます。読み取りは月ごとに数えるだけで、読み取った人のことは記録しません。",
    }),
    list,
    campaignForm(list),
  ]);
  void fillCampaigns(list);
  return section;
}

async function fillCampaigns(list) {
  let campaigns;
  try {
    campaigns = await api("GET", "/api/v1/campaigns");
  } catch (error) {
    clear(list).appendChild(el("p", { className: "form-error", text: describeError(error) }));
    return;
  }
  clear(list);
  if (campaigns.length === 0) {
    list.appendChild(el("p", { className: "empty", text: "キャンペーンはまだありません。" }));
    return;
  }
  list.appendChild(
    el("table", { className: "table" }, [
      el("thead", {}, [
        el(
          "tr",
          {},
          ["名前", "リンク", "地域", "読み取り"].map((h) => el("th", { text: h })),
        ),
      ]),
      el(
        "tbody",
        {},
        campaigns.map((c) =>
          el("tr", { attrs: { "data-testid": "campaign", "data-code": c.code } }, [
            el("td", { text: c.name }),
            el("td", {
              text: `${location.origin}${c.link}`,
              attrs: { "data-testid": "campaign-link" },
            }),
            el("td", { text: c.regionId ? regionLabel(c.regionId) : "全地域" }),
            el("td", { text: `${c.scans}回`, attrs: { "data-testid": "campaign-scans" } }),
          ]),
        ),
      ),
    ]),
  );
}

function campaignForm(list) {
  const code = el("input", {
    attrs: { id: "campaign-code", maxlength: "32", placeholder: "poster-takasaki" },
  });
  const name = el("input", { attrs: { id: "campaign-name", maxlength: "100" } });
  const choices = state.me.regionId
    ? [{ id: state.me.regionId, name: regionLabel(state.me.regionId) }]
    : [{ id: "", name: "全地域" }, ...getReference().regions];
  const region = el(
    "select",
    { attrs: { id: "campaign-region" } },
    choices.map((r) => el("option", { text: r.name, attrs: { value: r.id } })),
  );
  const error = el("p", { className: "form-error", attrs: { role: "alert" } });
  const form = el("form", { attrs: { novalidate: true } }, [
    el("h3", { text: "キャンペーンを登録" }),
    el("div", { className: "form-grid" }, [
      el("div", {}, [
        el("label", { text: "コード（英小文字・数字・-）", attrs: { for: "campaign-code" } }),
        code,
      ]),
      el("div", {}, [el("label", { text: "名前", attrs: { for: "campaign-name" } }), name]),
      el("div", {}, [el("label", { text: "地域", attrs: { for: "campaign-region" } }), region]),
    ]),
    error,
    el("button", {
      className: "primary",
      text: "登録する",
      attrs: { type: "submit", "data-testid": "campaign-add" },
    }),
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      await api("POST", "/api/v1/campaigns", {
        code: code.value.trim(),
        name: name.value,
        regionId: region.value || null,
      });
      toast("キャンペーンを登録しました。");
      form.reset();
      void fillCampaigns(list);
    } catch (e) {
      error.textContent = describeError(e);
    }
  });
  return form;
}
