import { EventEmitter } from "node:events";
import { createMessageIdSource, newOpaqueToken, newReplyToken, newUserId } from "./simulator-ids";
import type {
  BotChatItem,
  ChatItem,
  DeliveredMessage,
  LineAction,
  LineMessage,
  PersonChatItem,
  PersonContent,
  SimPerson,
  WebhookRecord,
} from "./simulator-types";

interface ReplyTokenRecord {
  userId: string;
  issuedAt: number;
  used: boolean;
}

interface RetryKeyRecord {
  requestId: string;
  sentMessages: { id: string; quoteToken: string }[];
  acceptedAt: number;
}

interface LoadingRecord {
  until: number;
  calls: number;
  visible: boolean;
}

export interface StoredContent {
  bytes: Buffer;
  contentType: string;
}

export type ReplyTokenCheck = { ok: true; userId: string } | { ok: false };

const RETRY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
const NAMES = ["さくら", "はるか", "みさき", "あおい", "ゆい", "ひなた", "りん", "めい", "ことね"];

/**
 * Everything the simulated LINE platform remembers: people, their chats, tokens, retry keys,
 * media. No HTTP here. Emits "person" (userId) whenever what a person's phone shows changes, and
 * "delivered" (userId) when a message reaches her.
 */
export class SimulatorStore extends EventEmitter {
  readonly persons = new Map<string, SimPerson>();
  private readonly chats = new Map<string, ChatItem[]>();
  private readonly cursors = new Map<string, number>();
  private readonly replyTokens = new Map<string, ReplyTokenRecord>();
  private readonly readTokens = new Map<string, { userId: string; messageId: string }>();
  private readonly retryKeys = new Map<string, RetryKeyRecord>();
  private readonly loading = new Map<string, LoadingRecord>();
  private readonly contents = new Map<string, StoredContent>();
  readonly webhooks: WebhookRecord[] = [];
  readonly nextMessageId = createMessageIdSource();
  private localIds = 0;

  constructor(
    readonly now: () => number,
    private readonly replyTokenTtlMs: number,
  ) {
    super();
    this.setMaxListeners(0);
  }

  addPerson(displayName?: string): SimPerson {
    const name = displayName ?? NAMES[this.persons.size % NAMES.length] ?? "ゲスト";
    const person: SimPerson = {
      userId: newUserId(),
      displayName: name,
      state: "new",
      createdAt: this.now(),
    };
    this.persons.set(person.userId, person);
    this.chats.set(person.userId, []);
    this.emit("persons");
    return person;
  }

  person(userId: string): SimPerson | undefined {
    return this.persons.get(userId);
  }

  chat(userId: string): ChatItem[] {
    return this.chats.get(userId) ?? [];
  }

  setState(userId: string, state: SimPerson["state"], note: string): void {
    const person = this.persons.get(userId);
    if (!person) return;
    person.state = state;
    this.push(userId, { kind: "system", id: this.localId(), at: this.now(), text: note });
  }

  /** Records her message; returns the tokens the webhook event carries. */
  addPersonMessage(userId: string, content: PersonContent, webhookEventId: string): PersonChatItem {
    const item: PersonChatItem = {
      kind: "person",
      id: this.nextMessageId(),
      at: this.now(),
      content,
      read: false,
      unsent: false,
      webhookEventId,
      fromPostback: false,
    };
    this.push(userId, item);
    return item;
  }

  /** A postback's displayText appears in her chat like a message she wrote. */
  addPostbackDisplay(userId: string, text: string, webhookEventId: string): void {
    const item: PersonChatItem = {
      kind: "person",
      id: this.localId(),
      at: this.now(),
      content: { type: "text", text },
      read: false,
      unsent: false,
      webhookEventId,
      fromPostback: true,
    };
    this.push(userId, item);
  }

  unsend(userId: string, messageId: string): boolean {
    const item = this.chat(userId).find((i) => i.kind === "person" && i.id === messageId);
    if (!item || item.kind !== "person" || item.unsent || item.fromPostback) return false;
    item.unsent = true;
    // LINE does not promise that an unsent message's content is gone from its data API at once:
    // it stays here, so the service must itself refuse to copy what she took back.
    this.emit("person", userId);
    return true;
  }

  issueMarkAsReadToken(userId: string, messageId: string): string {
    const token = newOpaqueToken();
    this.readTokens.set(token, { userId, messageId });
    return token;
  }

  /** Marks the message and everything she wrote before it as read, as LINE's 既読 does. */
  markReadByToken(token: string): boolean {
    const target = this.readTokens.get(token);
    if (!target) return false;
    const chat = this.chat(target.userId);
    const index = chat.findIndex((i) => i.id === target.messageId);
    this.markRead(target.userId, index < 0 ? chat.length - 1 : index);
    return true;
  }

  markAllRead(userId: string): void {
    this.markRead(userId, this.chat(userId).length - 1);
  }

  private markRead(userId: string, upTo: number): void {
    this.chat(userId).forEach((item, i) => {
      if (i <= upTo && item.kind === "person") item.read = true;
    });
    this.emit("person", userId);
  }

  isRead(messageId: string): boolean {
    for (const chat of this.chats.values()) {
      const item = chat.find((i) => i.id === messageId);
      if (item?.kind === "person") return item.read;
    }
    return false;
  }

  issueReplyToken(userId: string): string {
    const token = newReplyToken();
    this.replyTokens.set(token, { userId, issuedAt: this.now(), used: false });
    return token;
  }

  /** A reply token works once, within the TTL; a failed check leaves it as it was. */
  checkReplyToken(token: string): ReplyTokenCheck {
    const record = this.replyTokens.get(token);
    if (!record || record.used) return { ok: false };
    if (this.now() - record.issuedAt > this.replyTokenTtlMs) return { ok: false };
    return { ok: true, userId: record.userId };
  }

  useReplyToken(token: string): void {
    const record = this.replyTokens.get(token);
    if (record) record.used = true;
  }

  acceptedRetryKey(key: string): RetryKeyRecord | undefined {
    const record = this.retryKeys.get(key);
    if (record && this.now() - record.acceptedAt > RETRY_KEY_TTL_MS) {
      this.retryKeys.delete(key);
      return undefined;
    }
    return record;
  }

  rememberRetryKey(key: string, requestId: string, sent: RetryKeyRecord["sentMessages"]): void {
    this.retryKeys.set(key, { requestId, sentMessages: sent, acceptedAt: this.now() });
  }

  /** Puts the bot's messages in her chat; a blocked or never-added person gets nothing. */
  deliver(userId: string, messages: LineMessage[], via: "reply" | "push", requestId: string) {
    const person = this.persons.get(userId);
    const sent = messages.map((message) => ({
      kind: "bot" as const,
      id: this.nextMessageId(),
      quoteToken: newOpaqueToken(),
      at: this.now(),
      via,
      requestId,
      message,
    }));
    // A reply reaches anyone who wrote (friend or not yet); a push only reaches friends, and
    // LINE answers 200 either way (its FAQ: no error for a person who blocked the account).
    const reachable = via === "reply" ? person?.state !== "blocked" : person?.state === "friend";
    if (person && reachable) {
      this.stopLoading(userId);
      sent.forEach((item) => this.push(userId, item, false));
      this.emit("person", userId);
      this.emit("delivered", userId);
    }
    return sent.map(({ id, quoteToken }) => ({ id, quoteToken }));
  }

  received(userId: string): DeliveredMessage[] {
    return this.chat(userId)
      .filter((i): i is BotChatItem => i.kind === "bot")
      .map(toDelivered);
  }

  /** The first delivered message she has not taken yet with takeNext, if any. */
  takeNext(userId: string): DeliveredMessage | undefined {
    const all = this.received(userId);
    const cursor = this.cursors.get(userId) ?? 0;
    const next = all[cursor];
    if (next) this.cursors.set(userId, cursor + 1);
    return next;
  }

  startLoading(userId: string, seconds: number): void {
    const record = this.loading.get(userId) ?? { until: 0, calls: 0, visible: false };
    record.until = this.now() + seconds * 1000;
    record.calls += 1;
    record.visible = true;
    this.loading.set(userId, record);
    this.emit("person", userId);
    // The page needs to hear when the dots go away by themselves.
    setTimeout(() => this.emit("person", userId), seconds * 1000 + 50).unref();
  }

  private stopLoading(userId: string): void {
    const record = this.loading.get(userId);
    if (record) record.visible = false;
  }

  loadingVisible(userId: string): boolean {
    const record = this.loading.get(userId);
    return !!record && record.visible && this.now() < record.until;
  }

  loadingCalls(userId: string): number {
    return this.loading.get(userId)?.calls ?? 0;
  }

  putContent(messageId: string, content: StoredContent): void {
    this.contents.set(messageId, content);
  }

  content(messageId: string): StoredContent | undefined {
    return this.contents.get(messageId);
  }

  addWebhookRecord(record: WebhookRecord): void {
    this.webhooks.push(record);
    this.emit("person", record.userId);
  }

  webhookUpdated(record: WebhookRecord): void {
    this.emit("person", record.userId);
  }

  private push(userId: string, item: ChatItem, notify = true): void {
    const chat = this.chats.get(userId);
    if (!chat) return;
    chat.push(item);
    if (notify) this.emit("person", userId);
  }

  private localId(): string {
    this.localIds += 1;
    return `local-${this.localIds}`;
  }
}

function toDelivered(item: BotChatItem): DeliveredMessage {
  const { message } = item;
  const text =
    message.type === "text" && typeof message["text"] === "string"
      ? message["text"]
      : typeof message["altText"] === "string"
        ? message["altText"]
        : undefined;
  return {
    id: item.id,
    quoteToken: item.quoteToken,
    via: item.via,
    at: item.at,
    requestId: item.requestId,
    message,
    text,
    quickReplyLabels: quickReplyActions(message).map((a) => a.label ?? ""),
  };
}

/** The actions of a message's quick-reply buttons. */
export function quickReplyActions(message: LineMessage): LineAction[] {
  const quickReply = message["quickReply"];
  if (typeof quickReply !== "object" || quickReply === null) return [];
  const items = (quickReply as { items?: unknown }).items;
  if (!Array.isArray(items)) return [];
  return items.flatMap((item: unknown) => {
    const action = (item as { action?: unknown } | null)?.action;
    return isAction(action) ? [action] : [];
  });
}

export function isAction(value: unknown): value is LineAction {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { type?: unknown }).type === "string"
  );
}
