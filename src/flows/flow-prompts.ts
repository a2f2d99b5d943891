/**
 * Builds the LINE messages for a question: the texts, with quick-reply buttons on the last one.
 * The validator builds the same messages to check LINE's limits, so both agree by construction.
 */
import { encodePostback, type PostbackAction } from "./flow-postback";
import type { ChoiceNode, Flow, LineMessage, MunicipalityNode, QuickReplyItem } from "./flow-types";

/** Shown on a multi-select question once something is picked, when the flow sets no doneLabel. */
export const DEFAULT_DONE_LABEL = "これで全部";

function item(label: string, postback: PostbackAction): QuickReplyItem {
  return {
    type: "action",
    action: { type: "postback", label, data: encodePostback(postback), displayText: label },
  };
}

export function withQuickReply(texts: string[], items: QuickReplyItem[]): LineMessage[] {
  return texts.map((text, i) =>
    i === texts.length - 1 && items.length > 0
      ? { type: "text", text, quickReply: { items } }
      : { type: "text", text },
  );
}

function handoffItem(flow: Flow): QuickReplyItem {
  return item(flow.settings.handoffButtonLabel, { action: "handoff" });
}

/** Buttons for a choice question; `picked` are values already chosen on a multi-select. */
export function choiceItems(nodeId: string, node: ChoiceNode, flow: Flow, picked: string[]): QuickReplyItem[] {
  const open = node.choices.filter((c) => !(node.multiple && c.value && picked.includes(c.value)));
  const items = open.map((c) => item(c.label, { action: "choose", nodeId, choiceId: c.id }));
  if (node.multiple && picked.length > 0) {
    items.push(item(node.doneLabel ?? DEFAULT_DONE_LABEL, { action: "done", nodeId }));
  } else if (node.skippable) {
    items.push(item(flow.settings.skipLabel, { action: "skip", nodeId }));
  }
  items.push(handoffItem(flow));
  return items;
}

export function municipalityItems(nodeId: string, node: MunicipalityNode, flow: Flow): QuickReplyItem[] {
  return [
    ...node.buttons.map((name) => item(name, { action: "municipality", nodeId, name })),
    item(node.preferNotLabel, { action: "prefer-not", nodeId }),
    handoffItem(flow),
  ];
}
