import type { messagingApi } from "@line/bot-sdk";
import { AppError } from "../errors";

type Message = messagingApi.Message;

/** LINE's documented limits for reply and push (DOMAIN.md, messaging-api.yml). */
export const LINE_LIMITS = {
  messagesPerRequest: 5,
  textUnits: 5000,
  quickReplyItems: 13,
  quickReplyLabel: 20,
  postbackData: 300,
} as const;

/**
 * Turns what we want to say into requests LINE accepts: long texts are split (at a line break
 * when there is one, never inside a surrogate pair), then the messages are grouped five to a
 * request. What cannot be fixed without changing its meaning (too many quick-reply buttons, a
 * label or postback too long) is rejected with a clear error before anything is sent.
 */
export function planRequests(messages: readonly Message[]): Message[][] {
  if (messages.length === 0) throw new AppError("LINE_LIMIT", "Nothing to send", 400);
  messages.forEach(checkQuickReply);
  const split = messages.flatMap(splitLongText);
  const batches: Message[][] = [];
  for (let i = 0; i < split.length; i += LINE_LIMITS.messagesPerRequest) {
    batches.push(split.slice(i, i + LINE_LIMITS.messagesPerRequest));
  }
  return batches;
}

function checkQuickReply(message: Message, index: number): void {
  const items = message.quickReply?.items ?? [];
  const where = `message ${index + 1}`;
  if (items.length > LINE_LIMITS.quickReplyItems) {
    throw new AppError(
      "LINE_LIMIT",
      `${where}: ${items.length} quick-reply buttons, LINE allows ${LINE_LIMITS.quickReplyItems}`,
      400,
    );
  }
  for (const item of items) {
    const action = item.action as { label?: string; data?: string };
    if (action.label !== undefined && [...action.label].length > LINE_LIMITS.quickReplyLabel) {
      throw new AppError(
        "LINE_LIMIT",
        `${where}: quick-reply label "${action.label}" is over ${LINE_LIMITS.quickReplyLabel} characters`,
        400,
      );
    }
    if (action.data !== undefined && action.data.length > LINE_LIMITS.postbackData) {
      throw new AppError(
        "LINE_LIMIT",
        `${where}: postback data is over ${LINE_LIMITS.postbackData} characters`,
        400,
      );
    }
  }
}

function splitLongText(message: Message): Message[] {
  // Only texts are split; one within the limit comes back from splitText whole, buttons and all.
  if (message.type !== "text") return [message];
  const { quickReply, ...rest } = message;
  const parts = splitText(message.text, LINE_LIMITS.textUnits);
  return parts.map((text, i) =>
    i === parts.length - 1 && quickReply ? { ...rest, text, quickReply } : { ...rest, text },
  );
}

/** Splits into pieces of at most `max` UTF-16 units, preferring line breaks. */
export function splitText(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf("\n", max);
    if (cut < max / 2) cut = max;
    if (isHighSurrogate(rest.charCodeAt(cut - 1))) cut -= 1;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(rest[cut] === "\n" ? cut + 1 : cut);
  }
  parts.push(rest);
  return parts;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
