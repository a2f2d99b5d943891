export interface GroupCommitOptions {
  /** Batches written at the same time; more overlap hides round trips, fewer makes bigger batches. */
  maxInFlight?: number;
  maxBatch?: number;
  /**
   * How long a batch may wait for company before it is written. Zero (the default) for writes
   * someone waits on; a few milliseconds for background writes whose cost is mostly per batch.
   */
  lingerMs?: number;
  /**
   * Linger only while busy: when the last batch had at least this many items. At a trickle
   * (a few chats) items go at once; under a burst they wait to form large batches.
   */
  lingerAbove?: number;
}

/**
 * Collects items that arrive while earlier writes are in flight and writes them together, so a
 * burst of webhook requests costs a few multi-row INSERTs instead of one round trip each. An
 * item's promise settles only once its own batch is committed (or failed).
 */
export class GroupCommit<I, O> {
  private queue: { item: I; at: number; resolve: (o: O) => void; reject: (e: unknown) => void }[] =
    [];
  private inFlight = 0;
  private lingering: NodeJS.Timeout | undefined;
  private readonly maxInFlight: number;
  private readonly maxBatch: number;
  private readonly lingerMs: number;
  private readonly lingerAbove: number;
  private lastBatchSize = 0;

  constructor(
    private readonly flush: (items: I[]) => Promise<O[]>,
    options: GroupCommitOptions = {},
  ) {
    this.maxInFlight = options.maxInFlight ?? 4;
    this.maxBatch = options.maxBatch ?? 500;
    this.lingerMs = options.lingerMs ?? 0;
    this.lingerAbove = options.lingerAbove ?? 0;
  }

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, at: Date.now(), resolve, reject });
      this.schedule();
    });
  }

  /** Writes now if the oldest item has waited long enough or a batch is full, else later. */
  private schedule(): void {
    const oldest = this.queue[0];
    if (!oldest) return;
    const linger = this.lastBatchSize >= this.lingerAbove ? this.lingerMs : 0;
    const wait = linger - (Date.now() - oldest.at);
    if (wait <= 0 || this.queue.length >= this.maxBatch) {
      this.drain();
      return;
    }
    this.lingering ??= setTimeout(() => {
      this.lingering = undefined;
      this.schedule();
    }, wait);
  }

  private drain(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.lastBatchSize = batch.length;
      this.inFlight += 1;
      this.flush(batch.map((entry) => entry.item))
        .then((outputs) => batch.forEach((entry, i) => entry.resolve(outputs[i] as O)))
        .catch((error: unknown) => batch.forEach((entry) => entry.reject(error)))
        .finally(() => {
          this.inFlight -= 1;
          this.schedule();
        });
    }
  }
}
