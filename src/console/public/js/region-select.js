// The region field of a form (a task, a gathering, a case number's file): every region of the
// preset, mine chosen; fixed to mine for a user of one region (the API refuses others anyway).
import { el } from "../kit/dom.js";
import { getReference } from "./labels.js";
import { state } from "./state.js";

export function regionSelect(id) {
  const select = el(
    "select",
    { attrs: { id } },
    getReference().regions.map((r) =>
      el("option", { text: r.name, attrs: { value: r.id, selected: r.id === state.me.regionId } }),
    ),
  );
  select.disabled = state.me.regionId !== null;
  return select;
}
