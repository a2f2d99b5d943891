/**
 * Counting, from what the database holds and what LINE (the simulator) accepted, never from
 * the service's logs:
 * - her messages: stored once, not at all (missing) or more than once (doubled);
 * - the counsellors' replies: on her phone once, not at all, or more than once. A reply whose
 *   answer LINE lost after delivering it can only be sent again as a push (a reply has no
 *   retry key): such a repeat is counted apart, as "reply→push". Pushes LINE answered 409
 *   (retry key already accepted) delivered nothing twice and are counted apart too.
 */
import type { DatabaseProbe, StoredCounts, Window, WorkState } from "./database-probe";
import type { Ledger } from "./line-ledger";
import type { LineControl } from "./line-control";
import type { Inbound, MarkerBook, Outbound } from "./markers";

/** One copy of a reply on her phone, and whether LINE's answer to the call was lost. */
interface Copy {
  via: "reply" | "push";
  answerLost: boolean;
}

/** What the database and LINE hold now, by marker. */
export interface Observation {
  stored: StoredCounts;
  /** The service's pending work (stored in the window asked for) and failed work. */
  work: WorkState;
  /** Her phone: each copy of a marked reply. */
  delivered: Map<string, Copy[]>;
  /** Pushes answered 409 "already accepted", per marker. */
  conflicts: Map<string, number>;
}

export async function observe(
  book: MarkerBook,
  db: DatabaseProbe,
  line: LineControl,
  window: Window,
): Promise<Observation> {
  const [stored, work, ledger] = await Promise.all([
    db.stored(book.runId),
    db.work(window),
    line.ledger(),
  ]);
  return { stored, work, ...fromLedger(book, ledger) };
}

function fromLedger(book: MarkerBook, ledger: Ledger) {
  const lost = new Set(
    ledger.calls.filter((c) => c.status === "lost-response").map((c) => c.requestId),
  );
  const delivered: Observation["delivered"] = new Map();
  for (const d of ledger.deliveries) {
    const marker = book.markerOf(d.text);
    if (!marker) continue;
    const list = delivered.get(marker) ?? [];
    list.push({ via: d.via, answerLost: lost.has(d.requestId) });
    delivered.set(marker, list);
  }
  const conflicts = new Map<string, number>();
  for (const call of ledger.calls.filter((c) => c.status === 409)) {
    for (const text of call.texts) {
      const marker = book.markerOf(text);
      if (marker) conflicts.set(marker, (conflicts.get(marker) ?? 0) + 1);
    }
  }
  return { delivered, conflicts };
}

export interface Tally {
  /** Events and deliveries the service marked failed, in all (not only this work's). */
  serviceFailed: number;
  /** Events and deliveries it stored in the phase and still has to do. */
  servicePending: number;
  events: { sent: number; acked: number; once: number; missing: number; doubled: number };
  replies: {
    /** Replies the console took (201) or the database holds: each must reach her phone. */
    sent: number;
    once: number;
    missing: number;
    doubled: number;
    conflicts409: number;
    repeatedAsPush: number;
    /** Replies the database holds twice (a send tried again after the service had taken it). */
    storedTwice: number;
    /** Sends the counsellor gave up on, or that were refused (4xx), and never stored. */
    notTaken: number;
  };
}

export function tally(work: { inbound: Inbound[]; outbound: Outbound[] }, o: Observation): Tally {
  const storedIn = (m: string) => o.stored.inbound.get(m) ?? 0;
  const events = {
    sent: work.inbound.length,
    acked: work.inbound.filter((i) => i.acked).length,
    once: work.inbound.filter((i) => storedIn(i.marker) === 1).length,
    missing: work.inbound.filter((i) => storedIn(i.marker) === 0).length,
    doubled: work.inbound.filter((i) => storedIn(i.marker) > 1).length,
  };
  const replies = {
    sent: 0,
    once: 0,
    missing: 0,
    doubled: 0,
    conflicts409: 0,
    repeatedAsPush: 0,
    storedTwice: 0,
    notTaken: 0,
  };
  for (const out of work.outbound) {
    const copies = o.delivered.get(out.marker) ?? [];
    const stored = o.stored.outbound.get(out.marker) ?? 0;
    replies.conflicts409 += o.conflicts.get(out.marker) ?? 0;
    if (stored > 1) replies.storedTwice += 1;
    if (!expected(out, stored, copies.length)) {
      if (out.outcome !== "sending") replies.notTaken += 1;
      continue;
    }
    replies.sent += 1;
    const verdict = judge(copies);
    replies[verdict] += 1;
  }
  return { serviceFailed: o.work.failed, servicePending: o.work.pending, events, replies };
}

/** A reply she must get: the console said it was sent, or the service stored or sent it. */
function expected(out: Outbound, stored: number, delivered: number): boolean {
  return out.outcome === "sent" || stored > 0 || delivered > 0;
}

/**
 * Once, missing, doubled, or repeated as a push after LINE lost its answer to the reply: each
 * reply whose answer was lost explains one extra copy; anything beyond is a double.
 */
function judge(copies: Copy[]): "once" | "missing" | "doubled" | "repeatedAsPush" {
  if (copies.length === 0) return "missing";
  if (copies.length === 1) return "once";
  const lostReplies = copies.filter((c) => c.via === "reply" && c.answerLost).length;
  return copies.length - 1 > lostReplies ? "doubled" : "repeatedAsPush";
}

/**
 * All of `work` is done: every message of hers acknowledged and stored, every send settled,
 * every reply she must get on her phone, and the service has nothing pending that it stored in
 * the observation's window (retries of what LINE already has included).
 */
export function isDone(work: { inbound: Inbound[]; outbound: Outbound[] }, o: Observation) {
  const herMessagesDone = work.inbound.every(
    (i) => i.acked && (o.stored.inbound.get(i.marker) ?? 0) > 0,
  );
  const repliesDone = work.outbound.every((out) => {
    if (out.outcome === "sending") return false;
    const copies = o.delivered.get(out.marker)?.length ?? 0;
    return copies > 0 || !expected(out, o.stored.outbound.get(out.marker) ?? 0, copies);
  });
  return herMessagesDone && repliesDone && o.work.pending === 0;
}
