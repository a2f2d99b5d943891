/**
 * The steady load, as a consultation goes: each woman writes (a signed webhook POST, sent by
 * the simulated LINE), waits for her counsellor's answer on her phone, pauses, and writes
 * again; if no answer comes within her patience she writes again anyway. Each counsellor
 * answers a message once it shows in the console (the service stored it), a moment later,
 * sometimes twice. LINE redelivers an event the service did not answer 200 until it does.
 */
import { randomUUID } from "node:crypto";
import type { CounsellorSession } from "./counsellor-session";
import type { DatabaseProbe } from "./database-probe";
import type { LineControl } from "./line-control";
import { dueForRedelivery, redeliverDue } from "./line-redelivery";
import type { Inbound, MarkerBook, Outbound } from "./markers";

/** A woman, her conversation, and the counsellor who took it. */
export interface Pair {
  userId: string;
  conversationId: string;
  counsellor: CounsellorSession;
}

export interface LoadOptions {
  /** After an answer, she writes again about this long later (±50 %). */
  messageIntervalMs: number;
  /** Without an answer, she writes again after this long. */
  patienceMs: number;
  /** Her counsellor answers about this long (±50 %) after her message shows in the console. */
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jitter = (ms: number) => ms * (0.5 + Math.random());

export class SteadyLoad {
  /** Calls to the service under way: webhook POSTs (through LINE) and console sends. */
  readonly inFlight = { webhooks: 0, sends: 0 };
  /** The harness's own failures (LINE's process refused an action): reported, never hidden. */
  readonly errors: string[] = [];
  private writing = false;
  /** The women have stopped writing for good. */
  private stopped = false;
  /** Everything has stopped: watching, redelivering, answering. */
  private closed = false;
  private readonly women: Promise<void>[] = [];
  private readonly loops: Promise<void>[] = [];
  private readonly tasks = new Set<Promise<void>>();

  constructor(
    private readonly line: LineControl,
    private readonly db: DatabaseProbe,
    private readonly book: MarkerBook,
    private readonly pairs: Pair[],
    private readonly options: LoadOptions,
  ) {}

  start(): void {
    this.writing = true;
    for (const pair of this.pairs) this.women.push(this.woman(pair));
    this.loops.push(this.watch(), this.redeliveries());
  }

  /** No new messages from her; what is under way (answers, redeliveries) goes on. */
  pause(): void {
    this.writing = false;
  }

  resume(): void {
    this.writing = true;
  }

  /** Work under way: events not acknowledged or not in the console yet, answers being sent. */
  busy(): number {
    const open = this.book.inbound.filter((i) => !i.acked || !i.seenByCounsellor).length;
    return open + this.tasks.size;
  }

  /** The women stop writing; the counsellors still answer, LINE still redelivers. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.women);
  }

  /** Everything stops, once the answers being sent are settled. */
  async close(): Promise<void> {
    this.stopped = true;
    this.closed = true;
    await Promise.all([...this.women, ...this.loops, ...this.tasks]);
  }

  private async woman(pair: Pair): Promise<void> {
    // Not all at once: the women start a moment apart.
    await sleep(Math.random() * this.options.messageIntervalMs);
    while (!this.stopped) {
      if (!this.writing) {
        await sleep(100);
        continue;
      }
      const item = this.book.newInbound(pair.userId);
      await this.post(item, () => this.line.say(pair.userId, `${item.marker} ${HER_TEXT}`));
      const giveUpAt = Date.now() + this.options.patienceMs;
      while (!item.answerOnPhone && !this.stopped && Date.now() < giveUpAt) await sleep(100);
      await sleep(jitter(this.options.messageIntervalMs));
    }
  }

  /** One delivery of her event by LINE; acknowledged only by a 200. */
  private async post(item: Inbound, send: () => ReturnType<LineControl["say"]>): Promise<void> {
    this.inFlight.webhooks += 1;
    try {
      const result = await send();
      item.webhookEventId ??= result.webhookEventId;
      if (result.status === 200) item.acked = true;
    } catch (error) {
      this.failed(error);
    } finally {
      this.inFlight.webhooks -= 1;
      item.posts += 1;
      item.lastPostAt = Date.now();
    }
  }

  private async redeliveries(): Promise<void> {
    while (!this.closed || dueForRedelivery(this.book).length > 0) {
      await redeliverDue(this.book, (item) =>
        this.post(item, () => this.line.redeliver(item.webhookEventId ?? "")),
      );
      if (this.closed) return;
      await sleep(200);
    }
  }

  /**
   * What the counsellors see in the console (her messages the service stored) and what
   * reaches her phone (their answers), read from the database and from LINE.
   */
  private async watch(): Promise<void> {
    while (!this.closed) {
      const [stored, ledger] = await Promise.all([
        this.db.stored(this.book.runId),
        this.line.ledger(),
      ]).catch(() => [undefined, undefined]);
      for (const item of this.book.inbound) {
        if (item.seenByCounsellor || !stored?.inbound.has(item.marker)) continue;
        item.seenByCounsellor = true;
        this.answer(item);
      }
      for (const delivered of ledger?.deliveries ?? []) {
        const reply = this.book.reply(this.book.markerOf(delivered.text) ?? "");
        const her = reply && this.book.her(reply.answers);
        if (her) her.answerOnPhone = true;
      }
      await sleep(300);
    }
  }

  /** Her counsellor answers, sometimes twice. */
  private answer(item: Inbound): void {
    const pair = this.pairs.find((p) => p.userId === item.userId);
    if (!pair) return;
    this.track(
      (async () => {
        await sleep(jitter(this.options.replyDelayMs));
        await this.send(pair, this.book.newOutbound(pair.conversationId, item));
        if (Math.random() < this.options.secondReplyShare) {
          await sleep(jitter(1000));
          await this.send(pair, this.book.newOutbound(pair.conversationId, item));
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
