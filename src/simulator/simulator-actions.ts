import { newOpaqueToken, ulid } from "./simulator-ids";
import type { SimulatorStore } from "./simulator-store";
import type {
  ActionResult,
  LineAction,
  PersonContent,
  SimulatorLogger,
  WebhookRecord,
} from "./simulator-types";
import { asRedelivery, eventBase, postWebhook, type WebhookEvent } from "./webhook-sender";

/** A person action that LINE's app would not allow (blocked account, unknown person, ...). */
export class SimulatorError extends Error {
  constructor(
    readonly code:
      | "unknown_person"
      | "blocked"
      | "already_friend"
      | "not_friend"
      | "unknown_message"
      | "unknown_event"
      | "no_such_button"
      | "unsupported_action"
      | "bad_request",
    message: string,
  ) {
    super(message);
    this.name = "SimulatorError";
  }
}

export interface ActionsConfig {
  channelSecret: string;
  destination: string;
  webhookUrl: () => string | undefined;
  webhookTimeoutMs: number;
  logger: SimulatorLogger | undefined;
}

/**
 * What a person can do in the LINE app, each turned into the webhook event LINE would send,
 * signed and posted to the bot. Used by both the chat page and the test API.
 */
export class PersonActions {
  constructor(
    private readonly store: SimulatorStore,
    private readonly config: ActionsConfig,
  ) {}

  async follow(userId: string): Promise<ActionResult> {
    const person = this.requirePerson(userId);
    if (person.state === "friend") throw new SimulatorError("already_friend", "Already a friend");
    const isUnblocked = person.state === "blocked";
    this.store.setState(
      userId,
      "friend",
      isUnblocked ? "ブロックを解除しました" : "友だち追加しました",
    );
    const event = this.event("follow", userId, true);
    event["follow"] = { isUnblocked };
    return this.dispatch(userId, event, undefined);
  }

  async unfollow(userId: string): Promise<ActionResult> {
    const person = this.requirePerson(userId);
    if (person.state !== "friend") throw new SimulatorError("not_friend", "Not a friend");
    this.store.setState(userId, "blocked", "ブロックしました");
    return this.dispatch(userId, this.event("unfollow", userId, false), undefined);
  }

  async sendText(userId: string, text: string): Promise<ActionResult> {
    if (text.length === 0) throw new SimulatorError("bad_request", "Empty message");
    return this.sendMessage(userId, { type: "text", text }, { type: "text", text });
  }

  async sendSticker(userId: string, packageId = "446", stickerId = "1988"): Promise<ActionResult> {
    const content: PersonContent = { type: "sticker", packageId, stickerId };
    const message = { type: "sticker", packageId, stickerId, stickerResourceType: "STATIC" };
    return this.sendMessage(userId, content, message);
  }

  async sendImage(userId: string, bytes: Buffer, contentType: string): Promise<ActionResult> {
    const message = { type: "image", contentProvider: { type: "line" } };
    return this.sendMessage(userId, { type: "image", contentType }, message, bytes);
  }

  async postback(
    userId: string,
    data: string,
    displayText?: string,
    params?: Record<string, string>,
  ): Promise<ActionResult> {
    this.requireCanSend(userId);
    const event = this.event("postback", userId, true);
    event["postback"] = params ? { data, params } : { data };
    if (displayText) this.store.addPostbackDisplay(userId, displayText, event.webhookEventId);
    return this.dispatch(userId, event, undefined);
  }

  /** A tap on a quick-reply or template button does what that action type does in LINE. */
  async tapAction(userId: string, action: LineAction): Promise<ActionResult> {
    switch (action.type) {
      case "message":
        return this.sendText(userId, action.text ?? "");
      case "postback":
        return this.postback(userId, action.data ?? "", action.displayText);
      case "datetimepicker":
        return this.postback(userId, action.data ?? "", undefined, pickerParams(action));
      default:
        throw new SimulatorError("unsupported_action", `Cannot simulate a ${action.type} action`);
    }
  }

  async unsend(userId: string, messageId: string): Promise<ActionResult> {
    this.requireCanSend(userId);
    if (!this.store.unsend(userId, messageId)) {
      throw new SimulatorError("unknown_message", "No such message of hers to unsend");
    }
    const event = this.event("unsend", userId, false);
    event["unsend"] = { messageId };
    return this.dispatch(userId, event, undefined);
  }

  /** Sends an earlier event again as LINE's redelivery does: same id, `isRedelivery: true`. */
  async redeliver(webhookEventId: string): Promise<ActionResult> {
    const original = this.store.webhooks.find((r) => r.webhookEventId === webhookEventId);
    if (!original) throw new SimulatorError("unknown_event", "No such webhook event");
    const event = asRedelivery(original.event as WebhookEvent);
    return this.dispatch(original.userId, event, undefined);
  }

  private async sendMessage(
    userId: string,
    content: PersonContent,
    message: Record<string, unknown>,
    bytes?: Buffer,
  ): Promise<ActionResult> {
    this.requireCanSend(userId);
    const event = this.event("message", userId, true);
    const item = this.store.addPersonMessage(userId, content, event.webhookEventId);
    if (bytes && content.type === "image") {
      this.store.putContent(item.id, { bytes, contentType: content.contentType });
    }
    event["message"] = {
      id: item.id,
      ...message,
      quoteToken: newOpaqueToken(),
      markAsReadToken: this.store.issueMarkAsReadToken(userId, item.id),
    };
    return this.dispatch(userId, event, item.id);
  }

  private event(type: string, userId: string, withReplyToken: boolean): WebhookEvent {
    const timestamp = this.store.now();
    return eventBase({
      type,
      userId,
      timestamp,
      webhookEventId: ulid(timestamp),
      replyToken: withReplyToken ? this.store.issueReplyToken(userId) : undefined,
    });
  }

  private async dispatch(
    userId: string,
    event: WebhookEvent,
    messageId: string | undefined,
  ): Promise<ActionResult> {
    const record: WebhookRecord = {
      webhookEventId: event.webhookEventId,
      userId,
      type: event.type,
      isRedelivery: isRedelivery(event),
      at: this.store.now(),
      event,
      status: "pending",
      error: undefined,
    };
    this.store.addWebhookRecord(record);
    const url = this.config.webhookUrl();
    const { channelSecret, destination, webhookTimeoutMs: timeoutMs } = this.config;
    const result = url
      ? await postWebhook({ url, channelSecret, destination, events: [event], timeoutMs })
      : { status: "no-webhook" as const, error: undefined };
    record.status = result.status;
    record.error = result.error;
    this.store.webhookUpdated(record);
    this.config.logger?.info(
      { eventType: event.type, status: result.status, isRedelivery: record.isRedelivery },
      "simulator webhook delivered",
    );
    return { webhookEventId: event.webhookEventId, messageId, status: result.status };
  }

  private requirePerson(userId: string) {
    const person = this.store.person(userId);
    if (!person) throw new SimulatorError("unknown_person", "No such simulated person");
    return person;
  }

  /** LINE lets someone write before adding the account, but not while she blocks it. */
  private requireCanSend(userId: string): void {
    if (this.requirePerson(userId).state === "blocked") {
      throw new SimulatorError("blocked", "She has blocked the account; unblock to write");
    }
  }
}

function isRedelivery(event: WebhookEvent): boolean {
  const context = event["deliveryContext"];
  return typeof context === "object" && context !== null && "isRedelivery" in context
    ? context.isRedelivery === true
    : false;
}

/** The datetime picker sends what she picked; the simulator picks the initial value or now. */
function pickerParams(action: LineAction): Record<string, string> {
  const mode = action["mode"] === "date" || action["mode"] === "time" ? action["mode"] : "datetime";
  const initial = typeof action["initial"] === "string" ? action["initial"] : undefined;
  const iso = new Date().toISOString();
  const fallback = { date: iso.slice(0, 10), time: iso.slice(11, 16), datetime: iso.slice(0, 16) };
  return { [mode]: initial ?? fallback[mode] };
}
