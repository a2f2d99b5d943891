import type { ServerResponse } from "node:http";
import type { FaultSpec } from "./simulator-types";

/**
 * Faults injected by tests and demos: the next N matching calls fail with 500, 429, or never get
 * an answer (a timeout from the caller's side). Faults are used in the order they were added.
 */
export class FaultQueue {
  private readonly queue: FaultSpec[] = [];
  /** Responses held open by "timeout" faults, so close() can cut them. */
  readonly hanging = new Set<ServerResponse>();

  inject(fault: FaultSpec): void {
    if (!Number.isInteger(fault.count) || fault.count < 1) return;
    this.queue.push({ ...fault });
  }

  /** Consumes one use of the first fault matching `path`, if any. */
  take(path: string): FaultSpec | undefined {
    const fault = this.queue.find((f) => f.path === undefined || pathMatches(f.path, path));
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.queue.splice(this.queue.indexOf(fault), 1);
    return { ...fault, count: 1 };
  }

  pending(): FaultSpec[] {
    return this.queue.map((f) => ({ ...f }));
  }

  clear(): void {
    this.queue.length = 0;
  }

  cutHanging(): void {
    for (const res of this.hanging) res.socket?.destroy();
    this.hanging.clear();
  }
}

/** `pattern` is a prefix of `path`, `*` standing for any one segment. */
function pathMatches(pattern: string, path: string): boolean {
  const wanted = pattern.split("/");
  const actual = path.split("/");
  const last = wanted.length - 1;
  return wanted.every((segment, i) =>
    segment === "*"
      ? (actual[i] ?? "") !== ""
      : i === last
        ? (actual[i] ?? "").startsWith(segment)
        : actual[i] === segment,
  );
}
