/**
 * The benches' one definition of a quantile: the nearest rank, i.e. the smallest value with at
 * least a share q of all values at or below it. A p99 is then a latency some request really had,
 * never one made up between two.
 */

/** A sorted copy, smallest first, for `quantile`. */
export function ascending(values: Iterable<number>): number[] {
  return Array.from(values).sort((a, b) => a - b);
}

/** The q-quantile (0 < q ≤ 1) of `sorted` (smallest first); NaN when there is no value. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? NaN;
}
