// Bounded concurrency for blob transfers: a registry serves many small blobs faster in parallel,
// but an artifact of hundreds of layers must not open hundreds of connections.

export const TRANSFER_CONCURRENCY = 8;

/** `fn` over every item, at most `limit` at a time, results in item order; stops taking new items after a failure. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
