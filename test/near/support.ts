/** Helpers of the near cache suites: waiting for conditions, and a cache whose near cache serves. */
import type { Cache } from 'cacheorm';

/** Polls `check` until it answers true, or fails after `timeoutMs` with `what`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Waits until `read` is answered from the near cache (its tracking is active): reads it until a read
 * counts as a near hit.
 */
export async function untilServedLocally(cache: Cache, read: () => Promise<unknown>): Promise<void> {
  await until('the near cache to serve', async () => {
    const before = cache.stats().near!.hits;
    await read();
    await read();
    return cache.stats().near!.hits > before;
  });
}
