/**
 * Polls `get` every 100 ms until `pred` holds or `ms` runs out; a throwing `get` counts as not
 * yet. The error names what was awaited and the last value seen, for the post-mortem.
 */
export async function waitFor<T>(what: string, get: () => Promise<T> | T, pred: (value: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const value = await get();
      last = value;
      if (pred(value)) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not reached within ${ms} ms; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
}
