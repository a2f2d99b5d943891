import type { PersonActions } from "./simulator-actions";
import { SimulatorError } from "./simulator-actions";
import { quickReplyActions, type SimulatorStore } from "./simulator-store";
import type {
  ActionResult,
  DeliveredMessage,
  PersonState,
  WebhookDeliveryStatus,
} from "./simulator-types";

/** A 1×1 PNG, the default picture she sends. */
const TINY_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

/**
 * One simulated woman on her phone, for tests that read like her conversation:
 * `await hana.follow(); await hana.say("こんにちは"); const m = await hana.nextMessage();`.
 * Each action resolves once the bot's webhook has answered (see `lastWebhookStatus`).
 */
export class SimulatedPerson {
  lastWebhookStatus: WebhookDeliveryStatus | undefined;

  constructor(
    readonly userId: string,
    readonly displayName: string,
    private readonly store: SimulatorStore,
    private readonly actions: PersonActions,
  ) {}

  get state(): PersonState {
    return this.store.person(this.userId)?.state ?? "new";
  }

  follow(): Promise<ActionResult> {
    return this.track(this.actions.follow(this.userId));
  }

  unfollow(): Promise<ActionResult> {
    return this.track(this.actions.unfollow(this.userId));
  }

  /** Alias of unfollow: in LINE, blocking the account is what sends `unfollow`. */
  block(): Promise<ActionResult> {
    return this.unfollow();
  }

  say(text: string): Promise<ActionResult> {
    return this.track(this.actions.sendText(this.userId, text));
  }

  sendSticker(packageId?: string, stickerId?: string): Promise<ActionResult> {
    return this.track(this.actions.sendSticker(this.userId, packageId, stickerId));
  }

  sendImage(bytes: Buffer = TINY_PNG, contentType = "image/png"): Promise<ActionResult> {
    return this.track(this.actions.sendImage(this.userId, bytes, contentType));
  }

  tapPostback(data: string, displayText?: string): Promise<ActionResult> {
    return this.track(this.actions.postback(this.userId, data, displayText));
  }

  /** Taps the quick-reply button with this label on the latest message that has quick replies. */
  tapQuickReply(label: string): Promise<ActionResult> {
    const latest = [...this.received()].reverse().find((m) => m.quickReplyLabels.length > 0);
    const action = latest
      ? quickReplyActions(latest.message).find((a) => a.label === label)
      : undefined;
    if (!action) {
      const offered = latest ? latest.quickReplyLabels.join(" / ") : "none";
      return Promise.reject(
        new SimulatorError("no_such_button", `No quick reply "${label}" (offered: ${offered})`),
      );
    }
    return this.track(this.actions.tapAction(this.userId, action));
  }

  unsend(messageId: string): Promise<ActionResult> {
    return this.track(this.actions.unsend(this.userId, messageId));
  }

  redeliver(webhookEventId: string): Promise<ActionResult> {
    return this.track(this.actions.redeliver(webhookEventId));
  }

  /** Every message the bot has delivered to her, oldest first. */
  received(): DeliveredMessage[] {
    return this.store.received(this.userId);
  }

  /**
   * The next delivered message she has not taken yet (a queue, so a reply that arrives before
   * this is called is not missed); waits up to timeoutMs for one.
   */
  nextMessage(opts: { timeoutMs?: number } = {}): Promise<DeliveredMessage> {
    const timeoutMs = opts.timeoutMs ?? 5000;
    const ready = this.store.takeNext(this.userId);
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const onDelivered = (userId: string) => {
        if (userId !== this.userId) return;
        const next = this.store.takeNext(this.userId);
        if (!next) return;
        cleanup();
        resolve(next);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`No message to ${this.displayName} within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.store.off("delivered", onDelivered);
      };
      this.store.on("delivered", onDelivered);
    });
  }

  /** Whether 既読 shows under her message. */
  isRead(messageId: string): boolean {
    return this.store.isRead(messageId);
  }

  /** Whether the bot has started the loading animation in her chat at least once. */
  loadingShown(): boolean {
    return this.store.loadingCalls(this.userId) > 0;
  }

  private async track(action: Promise<ActionResult>): Promise<ActionResult> {
    const result = await action;
    this.lastWebhookStatus = result.status;
    return result;
  }
}
