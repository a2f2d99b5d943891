/**
 * The steady load: women writing to the account, each message a signed webhook POST (sent by
 * the simulated LINE), and their counsellors answering through the console API shortly after
 * the service took her message. LINE's side is played in full: an event the service did not
 * answer 200 is redelivered (same webhookEventId) until it is, with a growing pause.
 */
import { randomUUID } from "node:crypto";
import type { CounsellorSession } from "./counsellor-session";
import type { LineControl } from "./line-control";
import type { Inbound, MarkerBook, Outbound } from "./markers";

/** A woman, her conversation, and the counsellor who took it. */
export interface Pair {
  userId: string;
  conversationId: string;
  counsellor: CounsellorSession;
}

export interface LoadOptions {
  /** Each woman writes about this often (±50 %). */
  messageIntervalMs: number;
  /** Her counsellor answers about this long (±50 %) after the service took her message. */
  replyDelayMs: number;
  /** Share of her messages that get a second reply a moment later (a push: the token is spent). */
  secondReplyShare: number;
  /** A counsellor whose send failed presses send again after this long... */
  resendAfterMs: number;
  /** ...until this long has passed. */
  giveUpAfterMs: number;
}

const HER_TEXT = "きのうの続きを書きます。";
const REPLY_TEXT = "読みました。続けて書いてくださいね。";
/** LINE redelivers after 1, 2, 4 s…, at most every 5 s. */
const redeliveryPause = (posts: number) => Math.min(1000 * 2 ** (posts - 1), 5000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jitter = (ms: number) => ms * (0.5 + Math.random());

export class SteadyLoad {
  /** Calls to the service under way: webhook POSTs (through LINE) and console sends. */
  readonly inFlight = { webhooks: 0, sends: 0 };
  /** The harness's own failures (LINE's process refused an action): reported, never hidden. */
  readonly errors: string[] = [];
  private writing = false;
  private stopped = false;
  /** After stop(), LINE keeps redelivering what was not acknowledged until this moment. */
  private redeliverUntil = Infinity;
  private readonly loops: Promise<void>[] = [];
  private readonly tasks = new Set<Promise<void>>();

  constructor(
    private readonly line: LineControl,
    private readonly book: MarkerBook,
    private readonly pairs: Pair[],
    private readonly options: LoadOptions,
  ) {}

  start(): void {
    this.writing = true;
    for (const pair of this.pairs) this.loops.push(this.woman(pair));
    this.loops.push(this.redeliveries());
  }

  /** No new messages from her; what is under way (replies, redeliveries) goes on. */
  pause(): void {
    this.writing = false;
  }

  resume(): void {
    this.writing = true;
  }

  /** Work the load still has under way: replies to send, events not acknowledged. */
  busy(): number {
    return this.tasks.size + this.book.inbound.filter((i) => !i.acked).length;
  }

  async stop(): Promise<void> {
    this.writing = false;
    this.stopped = true;
    this.redeliverUntil = Date.now() + this.options.giveUpAfterMs;
    await Promise.all(this.loops);
    await Promise.all([...this.tasks]);
  }

  private async woman(pair: Pair): Promise<void> {
    // Not all at once: the women start a moment apart.
    await sleep(Math.random() * this.options.messageIntervalMs);
    while (!this.stopped) {
      if (this.writing) await this.write(pair).catch((e: unknown) => this.failed(e));
      await sleep(jitter(this.options.messageIntervalMs));
    }
  }

  private async write(pair: Pair): Promise<void> {
    const item = this.book.newInbound(pair.userId);
    await this.post(item, () => this.line.say(pair.userId, `${item.marker} ${HER_TEXT}`));
    if (item.acked) this.answer(pair);
  }

  /** One delivery of her event by LINE; acknowledged only by a 200. */
  private async post(item: Inbound, send: () => ReturnType<LineControl["say"]>): Promise<void> {
    this.inFlight.webhooks += 1;
    try {
      const result = await send();
      item.webhookEventId ??= result.webhookEventId;
      if (result.status === 200) item.acked = true;
    } finally {
      this.inFlight.webhooks -= 1;
      item.posts += 1;
      item.lastPostAt = Date.now();
    }
  }

  private async redeliveries(): Promise<void> {
    const unacknowledged = () => this.book.inbound.some((i) => !i.acked && i.webhookEventId);
    while (!this.stopped || (unacknowledged() && Date.now() < this.redeliverUntil)) {
      const due = this.book.inbound.filter(
        (i) =>
          !i.acked &&
          i.webhookEventId !== undefined &&
          Date.now() - i.lastPostAt >= redeliveryPause(i.posts),
      );
      // A few at a time, as LINE's redelivery does not wait for one before the next.
      for (let i = 0; i < due.length; i += 4) {
        await Promise.all(due.slice(i, i + 4).map((item) => this.redeliver(item)));
      }
      await sleep(200);
    }
  }

  private async redeliver(item: Inbound): Promise<void> {
    const id = item.webhookEventId ?? "";
    await this.post(item, () => this.line.redeliver(id)).catch((e: unknown) => this.failed(e));
    const pair = this.pairs.find((p) => p.userId === item.userId);
    if (item.acked && pair) this.answer(pair);
  }

  /** Her counsellor answers, sometimes twice. */
  private answer(pair: Pair): void {
    this.track(
      (async () => {
        await sleep(jitter(this.options.replyDelayMs));
        await this.send(pair, this.book.newOutbound(pair.conversationId));
        if (Math.random() < this.options.secondReplyShare) {
          await sleep(jitter(1000));
          await this.send(pair, this.book.newOutbound(pair.conversationId));
        }
      })(),
    );
  }

  private async send(pair: Pair, out: Outbound): Promise<void> {
    const key = randomUUID();
    const giveUpAt = Date.now() + this.options.giveUpAfterMs;
    for (;;) {
      out.tries += 1;
      this.inFlight.sends += 1;
      const status = await pair.counsellor
        .send(pair.conversationId, `${out.marker} ${REPLY_TEXT}`, key)
        .finally(() => (this.inFlight.sends -= 1));
      if (status === 201) {
        out.outcome = "sent";
        return;
      }
      out.failures.push(status);
      // A 4xx other than these says the send itself is wrong: she would not press again.
      if (status >= 400 && status < 500 && ![401, 408, 429].includes(status)) {
        out.outcome = "refused";
        return;
      }
      if (Date.now() > giveUpAt) {
        out.outcome = "gave-up";
        return;
      }
      await sleep(this.options.resendAfterMs);
    }
  }

  private track(task: Promise<void>): void {
    this.tasks.add(task);
    void task.catch((e: unknown) => this.failed(e)).finally(() => this.tasks.delete(task));
  }

  private failed(error: unknown): void {
    this.errors.push(error instanceof Error ? error.message : String(error));
  }
}
