/** Batched, event-loop-friendly walks over the MemoryStore's maps, as SCAN/ZSCAN do. @internal */
import { setImmediate as nextMacrotask } from 'node:timers/promises';

/**
 * Walks `entries` `count` at a time (like `SCAN ... COUNT count`), yielding the keys `pick` returns for
 * each entry (`undefined`: skip it) as non-empty batches, and yielding to the event loop between steps
 * so a long walk never starves other work. `checkOpen` runs after each pause.
 * @internal
 */
export async function* walkInBatches<T>(
  entries: Iterator<T>,
  count: number,
  now: () => number,
  pick: (entry: T, at: number) => string | undefined,
  checkOpen: () => void,
): AsyncIterable<string[]> {
  for (;;) {
    const at = now();
    const batch: string[] = [];
    let done = false;
    for (let seen = 0; seen < count; seen++) {
      const next = entries.next();
      if (next.done) {
        done = true;
        break;
      }
      const key = pick(next.value, at);
      if (key !== undefined) batch.push(key);
    }
    if (batch.length > 0) yield batch;
    if (done) return;
    await nextMacrotask();
    checkOpen();
  }
}
