/** Polls `probe` until it returns a value that passes `done`, or fails with the last value. */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) {
      throw new Error(
        `condition not reached in ${timeoutMs} ms; last value: ${JSON.stringify(last, replacer)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
    last = await probe();
  }
  return last;
}

const replacer = (_key: string, value: unknown) =>
  typeof value === "bigint" ? String(value) : value;
