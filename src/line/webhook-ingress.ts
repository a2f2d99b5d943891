import { GroupCommit } from "../db/group-commit";
import { describeError } from "../errors";
import type { JobDispatcher } from "../jobs/job-dispatch";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import type { IncomingEvent } from "./webhook-event";
import type { StoredEvent, WebhookEventStore } from "./webhook-event-store";

export interface WebhookIngress {
  /** Stores every event durably; rejects (→ 503) if that is not certain. */
  accept(events: readonly IncomingEvent[]): Promise<StoredEvent[]>;
  /**
   * Queues processing of new events. Best effort: their jobs are in the outbox (written with
   * the events), and the sweep moves what fails here.
   */
  dispatch(stored: readonly StoredEvent[]): void;
}

export function createWebhookIngress(deps: {
  store: WebhookEventStore;
  dispatcher: JobDispatcher;
  metrics: Metrics;
  logger: Logger;
}): WebhookIngress {
  const { store, dispatcher, metrics, logger } = deps;
  // Jobs of concurrent requests go to the queue together, as their events went to the table.
  // One addBulk at a time. On BullMQ's PostgreSQL backend a call costs ~3.5 ms of database CPU
  // whatever its size (temporary tables, events, NOTIFY) plus ~40 µs per job. So under a burst
  // (the previous batch had 20+ jobs) a batch waits up to 300 ms for company: at 2,000 events/s
  // that makes batches of several hundred and leaves the database to the INSERTs LINE waits on.
  // (Chosen with the old bursty bench:webhook client; not yet re-measured with the open-loop
  // one.) At chat rates batches are small and go at once, so a message reaches the worker
  // without delay.
  const enqueue = new GroupCommit<StoredEvent, void>(
    async (events) => {
      await dispatcher.relay(
        events.map((e) => ({
          request: { name: "process-event" as const, payload: { eventId: e.id } },
          attempt: 0,
        })),
      );
      return events.map(() => undefined);
    },
    { maxInFlight: 1, lingerMs: 300, lingerAbove: 20, maxBatch: 1000 },
  );

  return {
    async accept(events) {
      const stored = await store.store(events);
      for (const event of stored) {
        if (event.isNew) metrics.eventsReceived.inc({ type: event.type });
        else metrics.eventsDeduplicated.inc();
      }
      return stored;
    },
    dispatch(stored) {
      for (const event of stored.filter((e) => e.isNew)) {
        // The producer reports the queue being down (throttled): one line per event is noise.
        enqueue.add(event).catch((error: unknown) => {
          logger.debug(
            { eventId: event.id, err: describeError(error) },
            "queue unavailable; the outbox sweep will move this event's job",
          );
        });
      }
    },
  };
}
