// 居場所 and sanitary products (#/programme): the region's gatherings (planned, head count,
// women linked with their consent) and the products handed out per month. Every figure and row
// is what /api/v1/gatherings and /api/v1/product-handouts return.
import { api } from "../kit/api.js";
import { $, clear, el, table } from "../kit/dom.js";
import { describeError } from "./errors.js";
import { regionSelect } from "./region-select.js";
import { formatFullDate, localInputToIso } from "./format.js";
import { regionLabel } from "./labels.js";
import { state } from "./state.js";
import { toast } from "./toast.js";
import { tokyoToday } from "./tasks.js";

const CONSENT_LABELS = { verbal: "口頭で同意", written: "書面で同意" };

let when = "upcoming";
let month = tokyoToday().slice(0, 7);

export function renderProgramme() {
  const main = clear($("main"));
  const gatherings = el("div", { attrs: { "data-testid": "gathering-list" } });
  const handouts = el("div", { attrs: { "data-testid": "handout-list" } });
  main.append(
    el("h1", { text: "居場所・生理用品", attrs: { tabindex: "-1" } }),
    el("p", {
      className: "muted",
      text: `${state.me.regionName ?? "すべての地域"}の居場所の予定と記録、生理用品の配布。LINEでたずねた人には、これからの居場所の予定が案内されます（こちらから送ることはありません）。`,
    }),
    el("h2", { text: "居場所" }),
    tabs(),
    gatherings,
    newGatheringForm(),
    el("h2", { text: "生理用品の配布" }),
    handouts,
  );
  void fillGatherings(gatherings);
  void fillHandouts(handouts);
}

function tabs() {
  const tab = (id, label) =>
    el("button", {
      className: id === when ? "primary" : "",
      text: label,
      attrs: {
        type: "button",
        role: "tab",
        "aria-selected": String(id === when),
        "data-testid": `gatherings-${id}`,
      },
      on: {
        click: () => {
          when = id;
          renderProgramme();
        },
      },
    });
  return el("div", { className: "tabs", attrs: { role: "tablist" } }, [
    tab("upcoming", "これからの予定"),
    tab("past", "終わった回"),
  ]);
}

async function fillGatherings(box) {
  let list;
  try {
    list = await api("GET", `/api/v1/gatherings?when=${when}`);
  } catch (error) {
    clear(box).appendChild(el("p", { className: "form-error", text: describeError(error) }));
    return;
  }
  clear(box);
  if (list.length === 0) {
    box.appendChild(el("p", { className: "empty", text: "居場所の予定はありません。" }));
    return;
  }
  const head = ["日時", "地域", "場所", "テーマ", "参加人数", "参加者（本人の同意あり）", "配布"];
  box.appendChild(table("table gatherings", head, list.map(gatheringRow)));
}

function gatheringRow(g) {
  // Head count, who came and what was handed out are recorded once it has begun.
  const held = !g.cancelled && Date.parse(g.startsAt) <= Date.now();
  return el(
    "tr",
    {
      className: g.cancelled ? "muted" : "",
      attrs: { "data-testid": "gathering", "data-id": g.id },
    },
    [
      el("td", {}, [
        el("span", {
          text: formatFullDate(g.startsAt),
          attrs: { "data-testid": "gathering-when" },
        }),
        g.cancelled ? el("span", { className: "chip", text: "中止" }) : null,
      ]),
      el("td", { text: g.regionName }),
      el("td", { text: g.place, attrs: { "data-testid": "gathering-place" } }),
      el("td", { text: g.theme }),
      el("td", {}, [headCountControls(g, held)]),
      el("td", {}, [attendees(g, held)]),
      el("td", {}, [
        el("span", {
          text: `${g.productsHandedOut}個`,
          attrs: { "data-testid": "gathering-products" },
        }),
        held ? gatheringHandout(g) : null,
      ]),
    ],
  );
}

/** Changes a gathering (PATCH) and draws the page again. */
async function change(g, body, done) {
  try {
    await api("PATCH", `/api/v1/gatherings/${encodeURIComponent(g.id)}`, body);
    toast(done);
    renderProgramme();
  } catch (error) {
    toast(describeError(error), "error");
  }
}

function headCountControls(g, held) {
  const shown = el("span", {
    text: g.headCount === null ? "未記録" : `${g.headCount}人`,
    attrs: { "data-testid": "gathering-head-count" },
  });
  if (g.cancelled) return shown;
  if (!held) return el("span", { className: "head-count" }, [shown, cancelButton(g)]);
  const input = el("input", {
    attrs: {
      type: "number",
      min: "0",
      step: "1",
      "aria-label": "参加人数",
      "data-testid": "head-count-input",
      value: g.headCount ?? "",
    },
  });
  const save = el("button", {
    text: "記録",
    attrs: { type: "button", "data-testid": "head-count-save" },
    on: {
      click: () => void change(g, { headCount: Number(input.value) }, "参加人数を記録しました。"),
    },
  });
  return el("span", { className: "head-count" }, [shown, input, save]);
}

function cancelButton(g) {
  return el("button", {
    className: "quiet",
    text: "中止にする",
    attrs: { type: "button", "data-testid": "gathering-cancel" },
    on: { click: () => void change(g, { cancelled: true }, "中止にしました。") },
  });
}

function attendees(g, held) {
  const items = g.attendees.map((a) =>
    el("li", { attrs: { "data-testid": "attendee" } }, [
      `${a.pseudonym}（${CONSENT_LABELS[a.consent] ?? a.consent}）`,
      el("button", {
        className: "quiet small",
        text: "外す",
        attrs: { type: "button" },
        on: {
          click: async () => {
            try {
              await api(
                "DELETE",
                `/api/v1/gatherings/${encodeURIComponent(g.id)}/attendees/${encodeURIComponent(a.personId)}`,
              );
              renderProgramme();
            } catch (error) {
              toast(describeError(error), "error");
            }
          },
        },
      }),
    ]),
  );
  const pseudonym = el("input", {
    attrs: {
      "aria-label": "相談者の仮名",
      placeholder: "仮名",
      "data-testid": "attendee-pseudonym",
      maxlength: "50",
    },
  });
  const consent = el(
    "select",
    { attrs: { "aria-label": "本人の同意", "data-testid": "attendee-consent" } },
    [
      el("option", { text: "同意を選ぶ", attrs: { value: "" } }),
      ...Object.entries(CONSENT_LABELS).map(([value, label]) =>
        el("option", { text: label, attrs: { value } }),
      ),
    ],
  );
  const add = el("button", {
    text: "記録",
    attrs: { type: "button", "data-testid": "attendee-add" },
    on: {
      click: async () => {
        if (!consent.value) {
          toast("本人の同意を得た人だけを記録できます。同意の形を選んでください。", "error");
          return;
        }
        try {
          await api("POST", `/api/v1/gatherings/${encodeURIComponent(g.id)}/attendees`, {
            pseudonym: pseudonym.value.trim(),
            consent: consent.value,
          });
          toast("参加者を記録しました。");
          renderProgramme();
        } catch (error) {
          toast(describeError(error), "error");
        }
      },
    },
  });
  return el("div", {}, [
    el("ul", { className: "plain" }, items),
    held ? el("span", { className: "attendee-add" }, [pseudonym, consent, add]) : null,
  ]);
}

function gatheringHandout(g) {
  const quantity = el("input", {
    attrs: {
      type: "number",
      min: "1",
      step: "1",
      "aria-label": "この回に配った数",
      "data-testid": "gathering-handout-quantity",
    },
  });
  const save = el("button", {
    text: "配布を記録",
    attrs: { type: "button", "data-testid": "gathering-handout-save" },
    on: {
      click: async () => {
        try {
          await api("POST", `/api/v1/gatherings/${encodeURIComponent(g.id)}/product-handouts`, {
            handedOn: tokyoDayOf(g.startsAt),
            quantity: Number(quantity.value),
          });
          toast("配布を記録しました。");
          renderProgramme();
        } catch (error) {
          toast(describeError(error), "error");
        }
      },
    },
  });
  return el("span", { className: "handout-add" }, [quantity, save]);
}

function tokyoDayOf(iso) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date(iso));
}

function newGatheringForm() {
  const startsAt = el("input", { attrs: { id: "gathering-starts", type: "datetime-local" } });
  const region = regionSelect("gathering-region");
  const place = el("input", { attrs: { id: "gathering-place", maxlength: "100" } });
  const theme = el("input", { attrs: { id: "gathering-theme", maxlength: "100" } });
  const error = el("p", { className: "form-error", attrs: { role: "alert" } });
  const field = (label, id, input) =>
    el("div", {}, [el("label", { text: label, attrs: { for: id } }), input]);
  const form = el(
    "form",
    { className: "panel", attrs: { novalidate: true, "data-testid": "gathering-form" } },
    [
      el("h3", { text: "居場所の予定を追加" }),
      el("p", {
        className: "muted small",
        text: "場所とテーマは、LINEでたずねた人にそのまま案内されます。",
      }),
      el("div", { className: "form-grid" }, [
        field("日時", "gathering-starts", startsAt),
        field("地域", "gathering-region", region),
        field("場所", "gathering-place", place),
        field("テーマ", "gathering-theme", theme),
      ]),
      error,
      el("button", { className: "primary", text: "追加する", attrs: { type: "submit" } }),
    ],
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const iso = localInputToIso(startsAt.value);
    if (!iso) {
      error.textContent = "日時を入れてください。";
      return;
    }
    try {
      await api("POST", "/api/v1/gatherings", {
        startsAt: iso,
        place: place.value.trim(),
        theme: theme.value.trim(),
        ...(state.me.regionId ? {} : { regionId: region.value }),
      });
      toast(`居場所の予定を追加しました（${regionLabel(region.value)}）。`);
      when = "upcoming";
      renderProgramme();
    } catch (e) {
      error.textContent = describeError(e);
    }
  });
  return form;
}

async function fillHandouts(box) {
  const monthInput = el("input", {
    attrs: { type: "month", value: month, "aria-label": "月", "data-testid": "handout-month" },
  });
  monthInput.addEventListener("change", () => {
    month = monthInput.value || month;
    renderProgramme();
  });
  let rows;
  let points;
  try {
    [rows, points] = await Promise.all([
      api("GET", `/api/v1/product-handouts?month=${encodeURIComponent(month)}`),
      api("GET", "/api/v1/pickup-points"),
    ]);
  } catch (error) {
    clear(box).appendChild(el("p", { className: "form-error", text: describeError(error) }));
    return;
  }
  clear(box).append(el("p", {}, [el("label", { text: "月 " }), monthInput]));
  const total = rows.reduce((sum, h) => sum + h.quantity, 0);
  box.appendChild(
    el("p", {
      className: "muted small",
      text: `この月の配布 ${total}個（${rows.length}件）`,
      attrs: { "data-testid": "handout-total" },
    }),
  );
  if (rows.length > 0) {
    box.appendChild(
      el("table", { className: "table handouts" }, [
        el("thead", {}, [
          el(
            "tr",
            {},
            ["日付", "地域", "場所", "個数", "記録した人", ""].map((h) => el("th", { text: h })),
          ),
        ]),
        el(
          "tbody",
          {},
          rows.map((h) =>
            el("tr", { attrs: { "data-testid": "handout", "data-id": h.id } }, [
              el("td", { text: h.handedOn }),
              el("td", { text: h.regionName }),
              el("td", { text: h.place.label }),
              el("td", { text: String(h.quantity), attrs: { "data-testid": "handout-quantity" } }),
              el("td", { text: h.recordedByName }),
              el("td", {}, [
                el("button", {
                  className: "quiet",
                  text: "削除",
                  attrs: { type: "button" },
                  on: {
                    click: async () => {
                      try {
                        await api("DELETE", `/api/v1/product-handouts/${encodeURIComponent(h.id)}`);
                        renderProgramme();
                      } catch (error) {
                        toast(describeError(error), "error");
                      }
                    },
                  },
                }),
              ]),
            ]),
          ),
        ),
      ]),
    );
  }
  box.appendChild(pickupForm(points));
}

function pickupForm(points) {
  const day = el("input", { attrs: { id: "handout-day", type: "date", max: tokyoToday() } });
  const point = el(
    "select",
    { attrs: { id: "handout-point" } },
    points.map((p) =>
      el("option", {
        text: `${regionLabel(p.regionId)}・${p.name}${p.toConfirm ? "（例・要確認）" : ""}`,
        attrs: { value: p.id, "data-region": p.regionId },
      }),
    ),
  );
  const quantity = el("input", {
    attrs: { id: "handout-quantity", type: "number", min: "1", step: "1" },
  });
  const error = el("p", { className: "form-error", attrs: { role: "alert" } });
  const field = (label, id, input) =>
    el("div", {}, [el("label", { text: label, attrs: { for: id } }), input]);
  const form = el(
    "form",
    { className: "panel", attrs: { novalidate: true, "data-testid": "handout-form" } },
    [
      el("h3", { text: "受け取り場所での配布を記録" }),
      el("div", { className: "form-grid" }, [
        field("日付", "handout-day", day),
        field("受け取り場所", "handout-point", point),
        field("個数", "handout-quantity", quantity),
      ]),
      error,
      el("button", { className: "primary", text: "記録する", attrs: { type: "submit" } }),
    ],
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const chosen = points.find((p) => p.id === point.value);
    try {
      await api("POST", "/api/v1/product-handouts", {
        handedOn: day.value,
        pickupPointId: point.value,
        quantity: Number(quantity.value),
        ...(state.me.regionId || !chosen ? {} : { regionId: chosen.regionId }),
      });
      toast("配布を記録しました。");
      month = day.value.slice(0, 7);
      renderProgramme();
    } catch (e) {
      error.textContent = describeError(e);
    }
  });
  return form;
}
