import type { ValidationProblem } from "./openapi-validator";

/**
 * LINE's documented limits that the OpenAPI spec does not express, or expresses differently:
 * text length is counted in UTF-16 units (an emoji outside the BMP counts 2, JSON Schema would
 * count 1), quick-reply labels are limited to 20 characters, and so on.
 */
export const LINE_LIMITS = {
  messagesPerRequest: 5,
  textLength: 5000,
  quickReplyItems: 13,
  quickReplyLabel: 20,
  actionLabel: 20,
  postbackData: 300,
  messageActionText: 300,
  altText: 1500,
} as const;

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function length(problems: ValidationProblem[], property: string, value: unknown, max: number) {
  if (typeof value === "string" && value.length > max) {
    problems.push({ property, message: `Length must be between 0 and ${max}` });
  }
}

function notEmpty(problems: ValidationProblem[], property: string, value: unknown) {
  if (typeof value !== "string" || value.length === 0) {
    problems.push({ property, message: "May not be empty" });
  }
}

/** Checks `messages` of a reply or push body. Returns LINE-style error details. */
export function checkMessages(body: unknown): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const messages = isObj(body) ? body["messages"] : undefined;
  if (!Array.isArray(messages)) return problems;
  if (messages.length < 1 || messages.length > LINE_LIMITS.messagesPerRequest) {
    problems.push({ property: "messages", message: "Size must be between 1 and 5" });
  }
  messages.forEach((message, index) => checkMessage(problems, `messages[${index}]`, message));
  return problems;
}

function checkMessage(problems: ValidationProblem[], at: string, message: unknown): void {
  if (!isObj(message)) return;
  if (message["type"] === "text") {
    notEmpty(problems, `${at}.text`, message["text"]);
    length(problems, `${at}.text`, message["text"], LINE_LIMITS.textLength);
  }
  if ("altText" in message)
    length(problems, `${at}.altText`, message["altText"], LINE_LIMITS.altText);
  const template = message["template"];
  if (isObj(template) && Array.isArray(template["actions"])) {
    template["actions"].forEach((action, i) =>
      checkAction(problems, `${at}.template.actions[${i}]`, action, LINE_LIMITS.actionLabel),
    );
  }
  checkQuickReply(problems, at, message["quickReply"]);
}

function checkQuickReply(problems: ValidationProblem[], at: string, quickReply: unknown): void {
  if (!isObj(quickReply)) return;
  const items = quickReply["items"];
  if (!Array.isArray(items)) return;
  if (items.length < 1 || items.length > LINE_LIMITS.quickReplyItems) {
    problems.push({ property: `${at}.quickReply.items`, message: "Size must be between 1 and 13" });
  }
  items.forEach((item, i) => {
    const action = isObj(item) ? item["action"] : undefined;
    const where = `${at}.quickReply.items[${i}].action`;
    if (!isObj(action)) problems.push({ property: where, message: "May not be empty" });
    else checkAction(problems, where, action, LINE_LIMITS.quickReplyLabel, true);
  });
}

/** Camera, camera roll and location buttons get their label from LINE when it is left out. */
const LABEL_OPTIONAL = new Set(["camera", "cameraRoll", "location", "clipboard"]);

function checkAction(
  problems: ValidationProblem[],
  at: string,
  action: unknown,
  maxLabel: number,
  labelRequired = false,
): void {
  if (!isObj(action)) return;
  const type = action["type"];
  if (labelRequired && typeof type === "string" && !LABEL_OPTIONAL.has(type)) {
    notEmpty(problems, `${at}.label`, action["label"]);
  }
  length(problems, `${at}.label`, action["label"], maxLabel);
  if (type === "postback") {
    length(problems, `${at}.data`, action["data"], LINE_LIMITS.postbackData);
    length(problems, `${at}.displayText`, action["displayText"], LINE_LIMITS.messageActionText);
  }
  if (type === "message") {
    notEmpty(problems, `${at}.text`, action["text"]);
    length(problems, `${at}.text`, action["text"], LINE_LIMITS.messageActionText);
  }
}

/**
 * Merges problem lists: the first list wins when two describe the same bound of the same
 * property (the spec says "between 0 and 13" where LINE says "between 1 and 13").
 */
export function mergeProblems(...lists: ValidationProblem[][]): ValidationProblem[] {
  const seen = new Set<string>();
  const out: ValidationProblem[] = [];
  for (const problem of lists.flat()) {
    const kind = problem.message.replace(/ must be between .*$/, "");
    const key = `${problem.property}\u0000${kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(problem);
  }
  return out;
}
