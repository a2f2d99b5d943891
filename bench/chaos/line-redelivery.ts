/**
 * LINE's redelivery: an event the service did not answer 200 is sent again (same
 * webhookEventId, `isRedelivery: true`) after 1, 2, 4 s…, at most every 5 s, until it is.
 */
import type { Inbound, MarkerBook } from "./markers";

const pauseAfter = (posts: number) => Math.min(1000 * 2 ** (posts - 1), 5000);

/** Events waiting for a redelivery now. */
export function dueForRedelivery(book: MarkerBook, now = Date.now()): Inbound[] {
  return book.inbound.filter(
    (i) => !i.acked && i.webhookEventId !== undefined && now - i.lastPostAt >= pauseAfter(i.posts),
  );
}

/** One pass: redelivers what is due, a few at a time (LINE does not wait for one before the next). */
export async function redeliverDue(
  book: MarkerBook,
  redeliver: (item: Inbound) => Promise<void>,
): Promise<void> {
  const due = dueForRedelivery(book);
  for (let i = 0; i < due.length; i += 4) await Promise.all(due.slice(i, i + 4).map(redeliver));
}
