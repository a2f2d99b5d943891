/**
 * Collects items that arrive while earlier writes are in flight and writes them together, so a
 * burst of webhook requests costs a few multi-row INSERTs instead of one round trip each. An
 * item's promise settles only once its own batch is committed (or failed).
 */
export class GroupCommit<I, O> {
  private queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    private readonly flush: (items: I[]) => Promise<O[]>,
    private readonly maxInFlight = 4,
    private readonly maxBatch = 500,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      this.flush(batch.map((entry) => entry.item))
        .then((outputs) => batch.forEach((entry, i) => entry.resolve(outputs[i] as O)))
        .catch((error: unknown) => batch.forEach((entry) => entry.reject(error)))
        .finally(() => {
          this.inFlight -= 1;
          this.drain();
        });
    }
  }
}
