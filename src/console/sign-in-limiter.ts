/**
 * Failed sign-ins per client address and minute, in this process: an NPO office behind one
 * address signing in at a shift change is never held up, repeated guessing is. Accounts also
 * lock after repeated failures in the database, which holds across processes.
 */
export interface SignInLimiter {
  blocked(key: string): boolean;
  failed(key: string): void;
}

export function failedSignInLimiter(limit: number, now: () => number = Date.now): SignInLimiter {
  const counts = new Map<string, { minute: number; count: number }>();
  const minuteNow = () => Math.floor(now() / 60_000);
  const current = (key: string) => {
    const minute = minuteNow();
    const entry = counts.get(key);
    return entry && entry.minute === minute ? entry : undefined;
  };
  return {
    blocked: (key) => (current(key)?.count ?? 0) >= limit,
    failed(key) {
      const entry = current(key);
      if (entry) entry.count += 1;
      else {
        if (counts.size > 10_000) counts.clear();
        counts.set(key, { minute: minuteNow(), count: 1 });
      }
    },
  };
}
