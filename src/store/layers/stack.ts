/** The store stack a cache's repositories use: tracing over bounded waits over the store. @internal */
import { TracingStore } from './tracing.js';
import { MemoryStore } from '../memory/memory-store.js';
import type { Store } from '../store.js';
import { TimeoutStore } from './timeout.js';

/**
 * `store` as a cache's repositories see it: every call traced on `cacheorm:store`, and bounded by
 * `commandTimeout` ms (`0`: unbounded). The embedded MemoryStore answers without waiting on anything,
 * so it gets no timer.
 */
export function cacheStore(store: Store, options: { commandTimeout: number; onTimeout: () => void }): Store {
  const bounded =
    options.commandTimeout > 0 && !(store instanceof MemoryStore)
      ? new TimeoutStore(store, { timeoutMs: options.commandTimeout, onTimeout: options.onTimeout })
      : store;
  return new TracingStore(bounded);
}
