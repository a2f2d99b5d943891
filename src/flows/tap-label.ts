/**
 * What she saw on the button she tapped: the label of a postback, read from the flow version her
 * conversation runs (a later version may word or number its choices differently). Pure.
 */
import { ANY_TIME, contactBand } from "./contact-times";
import { decodePostback } from "./flow-postback";
import { DEFAULT_DONE_LABEL } from "./flow-prompts";
import type { Flow } from "./flow-types";

/** The label, or null when the data names nothing this flow shows (an unknown or old button). */
export function tapLabel(flow: Flow | undefined, data: string): string | null {
  const tap = decodePostback(data);
  if (!tap) return null;
  switch (tap.action) {
    case "contact-times":
      return tap.bandId === ANY_TIME.id ? ANY_TIME.label : (contactBand(tap.bandId)?.label ?? null);
    case "municipality":
      return tap.name;
    case "handoff":
      return flow?.settings.handoffButtonLabel ?? null;
    case "skip":
      return flow?.settings.skipLabel ?? null;
    // Stryker disable next-line ConditionalExpression: equivalent, because an empty default, the last case, leaves the switch just as break does
    default:
      break;
  }
  const node = flow?.nodes[tap.nodeId];
  if (!node) return null;
  if (tap.action === "prefer-not") return node.type === "municipality" ? node.preferNotLabel : null;
  if (node.type !== "choice") return null;
  if (tap.action === "done") return node.doneLabel ?? DEFAULT_DONE_LABEL;
  return node.choices.find((c) => c.id === tap.choiceId)?.label ?? null;
}
