/**
 * Group commit: calls made during one turn of the event loop are handed to `flush` together (at most
 * `maxBatch` at a time), so that concurrent SMTP sessions share one commit and one flush to disk.
 * Adds no delay of its own: the batch runs at the next setImmediate.
 */
export function batchCalls<T, R>(flush: (items: T[]) => R[], maxBatch = 64): (item: T) => Promise<R> {
  let queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  let scheduled = false;
  const run = () => {
    scheduled = false;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    if (queue.length > 0) schedule();
    let results: R[];
    try {
      results = flush(batch.map((b) => b.item));
    } catch (err) {
      for (const b of batch) b.reject(err);
      return;
    }
    batch.forEach((b, i) => b.resolve(results[i]!));
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(run);
    }
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
}
