/** A message object as the bot sends it (text, sticker, image, template, flex, ...). */
export interface LineMessage {
  type: string;
  [key: string]: unknown;
}

/** An action object (postback, message, uri, ...) found in quick replies and templates. */
export interface LineAction {
  type: string;
  label?: string;
  data?: string;
  text?: string;
  displayText?: string;
  [key: string]: unknown;
}

/** "new": never added the account; "friend": added; "blocked": blocked it after adding. */
export type PersonState = "new" | "friend" | "blocked";

export interface SimPerson {
  userId: string;
  displayName: string;
  state: PersonState;
  createdAt: number;
}

export type PersonContent =
  | { type: "text"; text: string }
  | { type: "sticker"; packageId: string; stickerId: string }
  | { type: "image"; contentType: string };

/** Something she wrote. `id` is the LINE message id (or a local id for a postback's display text). */
export interface PersonChatItem {
  kind: "person";
  id: string;
  at: number;
  content: PersonContent;
  read: boolean;
  unsent: boolean;
  webhookEventId: string;
  /** A postback's displayText: shown in her chat, but not a message event. */
  fromPostback: boolean;
}

/** Something the bot (or a counsellor through it) sent her. */
export interface BotChatItem {
  kind: "bot";
  id: string;
  quoteToken: string;
  at: number;
  via: "reply" | "push";
  requestId: string;
  message: LineMessage;
}

/** A line in the chat such as "you blocked this account". */
export interface SystemChatItem {
  kind: "system";
  id: string;
  at: number;
  text: string;
}

export type ChatItem = PersonChatItem | BotChatItem | SystemChatItem;

/** What `nextMessage()` and `received()` return: a delivered message with handy fields. */
export interface DeliveredMessage {
  id: string;
  quoteToken: string;
  via: "reply" | "push";
  at: number;
  requestId: string;
  message: LineMessage;
  /** The text of a text message, the altText of others, undefined for stickers and images. */
  text: string | undefined;
  /** Labels of the message's quick-reply buttons, in order. */
  quickReplyLabels: string[];
}

/** One call the bot made to the platform API, with the status it got. */
export interface RequestLogEntry {
  requestId: string;
  at: number;
  method: string;
  path: string;
  /** Lower-case header names; `authorization` is redacted so tokens never leave the simulator. */
  headers: Record<string, string>;
  retryKey: string | undefined;
  body: unknown;
  status: number | "timeout" | "pending" | "lost-response";
  responseBody: unknown;
}

export type WebhookDeliveryStatus = number | "error" | "no-webhook" | "pending";

/** One webhook delivery (a redelivery is a second record with the same webhookEventId). */
export interface WebhookRecord {
  webhookEventId: string;
  userId: string;
  type: string;
  isRedelivery: boolean;
  at: number;
  event: Record<string, unknown>;
  status: WebhookDeliveryStatus;
  error: string | undefined;
}

export interface FaultSpec {
  /**
   * 500, 429 or 400: LINE answers that status and does nothing. "timeout": no answer at all.
   * "lost-response": LINE does the work, then the answer is lost on the way back (the caller
   * sees a cut connection), as when a network drops after LINE accepted a push.
   * "slow": LINE holds the call `delayMs` first, then does the work and answers as usual.
   */
  status: 500 | 429 | 400 | "timeout" | "lost-response" | "slow";
  count: number;
  /** Of a "slow" fault: how long the call is held before LINE takes it (1 s when not given). */
  delayMs?: number;
  /**
   * Only calls whose path (below the mount point) starts with this are affected; `*` stands
   * for one path segment ("/v2/bot/message/" + "*" + "/content": content calls, not replies).
   */
  path?: string;
}

/** What each person action returns. */
export interface ActionResult {
  webhookEventId: string;
  messageId: string | undefined;
  status: WebhookDeliveryStatus;
}

/** The subset of pino's logger the simulator uses; nothing it logs contains text or tokens. */
export interface SimulatorLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}
