/**
 * The run's book of work: every message a woman wrote and every reply a counsellor sent, each
 * with a unique marker at the start of its text, the fault phase it belongs to, and what the
 * writer was told (the webhook's status for her, the console's for the counsellor). What the
 * service made of them is read from the database and from LINE (see tally.ts), by marker.
 */
import { randomBytes } from "node:crypto";

export interface Written {
  marker: string;
  phase: string;
  issuedAt: number;
}

/** Her message: a webhook event, acknowledged once the service answered 200. */
export interface Inbound extends Written {
  userId: string;
  webhookEventId: string | undefined;
  acked: boolean;
  /** Her counsellor has it in the console (the service stored it) and answers it. */
  seenByCounsellor: boolean;
  /** An answer to it is on her phone. */
  answerOnPhone: boolean;
  /** Deliveries LINE made of the event (the first and its redeliveries). */
  posts: number;
  lastPostAt: number;
}

/**
 * A counsellor's reply through the console API: "sending" while she tries (and tries again
 * after an error), then "sent" (201), "refused" (a 4xx: she would not try again) or "gave-up".
 */
export interface Outbound extends Written {
  conversationId: string;
  /** The marker of her message it answers. */
  answers: string;
  outcome: "sending" | "sent" | "refused" | "gave-up";
  tries: number;
  /** Statuses of the failed tries (0: no answer at all), for the report. */
  failures: number[];
}

export class MarkerBook {
  /** Unique to this run, so a marker never matches another run's text. */
  readonly runId = randomBytes(3).toString("hex");
  readonly inbound: Inbound[] = [];
  readonly outbound: Outbound[] = [];
  private readonly hers = new Map<string, Inbound>();
  private readonly replies = new Map<string, Outbound>();
  phase = "setup";
  private next = 0;

  /** A new marker; the text starts with it, then a space. */
  private marker(kind: "in" | "out"): string {
    this.next += 1;
    return `c${this.runId}-${kind}-${this.next}`;
  }

  newInbound(userId: string): Inbound {
    const item: Inbound = {
      marker: this.marker("in"),
      phase: this.phase,
      issuedAt: Date.now(),
      userId,
      webhookEventId: undefined,
      acked: false,
      seenByCounsellor: false,
      answerOnPhone: false,
      posts: 0,
      lastPostAt: 0,
    };
    this.inbound.push(item);
    this.hers.set(item.marker, item);
    return item;
  }

  /** Her message with this marker. */
  her(marker: string): Inbound | undefined {
    return this.hers.get(marker);
  }

  /** The counsellor's reply with this marker. */
  reply(marker: string): Outbound | undefined {
    return this.replies.get(marker);
  }

  newOutbound(conversationId: string, answers: Inbound): Outbound {
    const item: Outbound = {
      marker: this.marker("out"),
      phase: this.phase,
      issuedAt: Date.now(),
      conversationId,
      answers: answers.marker,
      outcome: "sending",
      tries: 0,
      failures: [],
    };
    this.outbound.push(item);
    this.replies.set(item.marker, item);
    return item;
  }

  /** The text's marker, if it is one of this run's. */
  markerOf(text: string | null | undefined): string | undefined {
    const first = text?.split(" ", 1)[0];
    return first?.startsWith(`c${this.runId}-`) ? first : undefined;
  }

  /** The work of a phase (all phases when undefined), written at or before `until`. */
  select(
    phase: string | undefined,
    until = Infinity,
  ): { inbound: Inbound[]; outbound: Outbound[] } {
    const pick = <T extends Written>(items: T[]) =>
      items.filter((i) => (phase === undefined || i.phase === phase) && i.issuedAt <= until);
    return { inbound: pick(this.inbound), outbound: pick(this.outbound) };
  }
}
