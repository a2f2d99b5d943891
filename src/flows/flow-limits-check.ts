/**
 * LINE Messaging API limits and text placeholders, checked on the messages the engine would
 * actually build (flow-prompts.ts), so a passing flow cannot be rejected by LINE at run time.
 */
import type { PresetFile } from "./flow-schema";
import type { ProblemSink } from "./flow-problems";
import type { SourcePath } from "./flow-source";
import { POSTBACK_DATA_LIMIT } from "./flow-postback";
import { choiceItems, municipalityItems } from "./flow-prompts";
import { isPlaceholder, placeholdersIn, renderTemplate, staticVars, type TemplateVars } from "./flow-text";
import type { Flow, FlowMessages, FlowNode, QuickReplyItem } from "./flow-types";
import { presetHotlines } from "./hotline-check";
import { firstLine, lockScreenProblem } from "./shared-phone";

export const LINE_LIMITS = {
  messagesPerSend: 5,
  textLength: 5000,
  quickReplyItems: 13,
  labelLength: 20,
} as const;

/** The longest text {{nextOpening}} can produce. */
const WORST_NEXT_OPENING = "明日 12月31日(水) 10:00";

/** Placeholders that become a list of hotlines: never on a first line, whatever the lines are. */
const HOTLINE_LISTS = ["hotlines", "hotlines24h", "riskHotlines"];

/** What a lock screen shows of the text once filled in must not say what she consults about. */
function checkFirstLine(text: string, path: SourcePath, vars: TemplateVars, sink: ProblemSink, node?: string): void {
  const list = placeholdersIn(firstLine(text)).find((name) => HOTLINE_LISTS.includes(name));
  const word = list ? undefined : lockScreenProblem(renderTemplate(text, vars));
  if (list) sink.add("unsafe-first-line", path, `first line shows the {{${list}}} list on a lock screen`, node);
  if (word) sink.add("unsafe-first-line", path, `first line shows "${word}" on a lock screen`, node);
}

function checkText(text: string, path: SourcePath, vars: TemplateVars, sink: ProblemSink, node?: string): void {
  for (const name of placeholdersIn(text)) {
    if (!isPlaceholder(name)) sink.add("unknown-placeholder", path, `unknown placeholder {{${name}}}`, node);
  }
  checkFirstLine(text, path, vars, sink, node);
  if (placeholdersIn(text).includes("quietNumber") && vars.quietNumber === "") {
    sink.add("no-discreet-hotline", path, "{{quietNumber}} needs a hotline with discreet: true in preset.yaml", node);
  }
  const length = renderTemplate(text, vars).length;
  if (length > LINE_LIMITS.textLength) {
    sink.add("text-too-long", path, `text is ${length} characters, LINE allows ${LINE_LIMITS.textLength}`, node);
  }
}

function checkTexts(texts: string[], path: SourcePath, vars: TemplateVars, sink: ProblemSink, node?: string): void {
  if (texts.length > LINE_LIMITS.messagesPerSend) {
    sink.add("too-many-messages", path, `${texts.length} messages, LINE sends at most ${LINE_LIMITS.messagesPerSend} at once`, node);
  }
  texts.forEach((t, i) => checkText(t, [...path, i], vars, sink, node));
}

function checkItems(items: QuickReplyItem[], path: SourcePath, sink: ProblemSink, node: string): void {
  if (items.length > LINE_LIMITS.quickReplyItems) {
    sink.add(
      "too-many-choices",
      path,
      `${items.length} buttons (with skip/done and the counsellor button), LINE shows at most ${LINE_LIMITS.quickReplyItems}`,
      node,
    );
  }
  for (const { action } of items) {
    if (action.label.length > LINE_LIMITS.labelLength) {
      sink.add("label-too-long", path, `label "${action.label}" is over ${LINE_LIMITS.labelLength} characters`, node);
    }
    if (action.type === "postback" && action.data.length > POSTBACK_DATA_LIMIT) {
      sink.add("postback-too-long", path, `postback data for "${action.label}" is over ${POSTBACK_DATA_LIMIT} characters`, node);
    }
  }
}

function checkNodeLimits(id: string, node: FlowNode, flow: Flow, vars: TemplateVars, sink: ProblemSink): void {
  const base: SourcePath = ["nodes", id];
  checkTexts(node.text, [...base, "text"], vars, sink, id);
  if (node.type === "choice") {
    if (node.moreText) checkText(node.moreText, [...base, "moreText"], vars, sink, id);
    checkItems(choiceItems(id, node, flow, []), [...base, "choices"], sink, id);
    const firstValue = node.choices.find((c) => c.value)?.value;
    if (node.multiple && firstValue) {
      checkItems(choiceItems(id, node, flow, [firstValue]), [...base, "choices"], sink, id);
    }
  }
  if (node.type === "pickupPoints" || node.type === "gatherings") {
    checkText(node.noneText, [...base, "noneText"], vars, sink, id);
  }
  if (node.type === "municipality") {
    checkText(node.retryText, [...base, "retryText"], vars, sink, id);
    checkItems(municipalityItems(id, node, flow), [...base, "buttons"], sink, id);
  }
}

export function checkFlowLimits(flow: Flow, preset: PresetFile | undefined, sink: ProblemSink): void {
  const vars = {
    ...staticVars(flow, {
      serviceName: preset?.serviceName ?? "",
      hoursSummary: preset?.hoursSummary ?? "",
      hotlines: preset ? presetHotlines(preset) : [],
    }),
    nextOpening: WORST_NEXT_OPENING,
  };
  for (const key of Object.keys(flow.messages) as (keyof FlowMessages)[]) {
    // Stryker disable next-line ArrayDeclaration: equivalent, because Object.keys names only the messages the file gives, each a list of texts (YAML has no undefined); ?? only satisfies the type
    checkTexts(flow.messages[key] ?? [], ["messages", key], vars, sink);
  }
  for (const [id, node] of Object.entries(flow.nodes)) checkNodeLimits(id, node, flow, vars, sink);
}
