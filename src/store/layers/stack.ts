/**
 * The one place that layers a cache's store, and the only one that looks at which driver it has.
 * Outermost first, a repository's call goes through:
 *
 *   FailOpenStore (with `failOpen`, one per repository) -> TracingStore -> TimeoutStore (unless the
 *   driver answers in-process) -> the driver (RedisStore, MemoryStore, or yours)
 *
 * @internal
 */
import type { StoreUnavailableError } from '../../errors/index.js';
import { MemoryStore } from '../memory/memory-store.js';
import { RedisStore } from '../redis/redis-store.js';
import type { Store } from '../store.js';
import { FailOpenStore, type FailOpenReport } from './fail-open.js';
import { TimeoutStore } from './timeout.js';
import { TracingStore } from './tracing.js';

/** How to layer a cache's store. @internal */
export interface StackOptions {
  /** Bound on every call, in ms (`0`: unbounded). */
  readonly commandTimeout: number;
  /** Called for each call that ran out of time. */
  readonly onTimeout: () => void;
  /** Whether each repository's store answers as an empty store while the driver fails. */
  readonly failOpen: boolean;
  /** A layer over the traced store, under fail-open (the near cache's write hook, store/near/near-writes.ts). */
  readonly outer?: ((store: Store) => Store) | undefined;
}

/** A cache's store, layered for its repositories. @internal */
export interface StoreStack {
  /** The driver traced and bounded, without the fail-open layer (the lock protocol's store). */
  readonly direct: Store;
  /**
   * The store of one repository: {@link StoreStack.direct}, or with `failOpen` a {@link FailOpenStore}
   * over it that hands each absorbed failure to `report`.
   */
  repositoryStore(report: FailOpenReport): Store;
  /**
   * Calls `listener` once per lost connection, for drivers that track their connection (Redis);
   * answers how to stop, or `undefined` for drivers that do not.
   */
  watchConnection(listener: (error: StoreUnavailableError) => void): (() => void) | undefined;
}

/** A driver that answers in-process without waiting on anything: a timer would only cost. */
function answersInProcess(store: Store): boolean {
  return store instanceof MemoryStore;
}

/** A driver that tracks its connection and reports each loss of it. */
function reportsConnectionLoss(store: Store): store is RedisStore {
  return store instanceof RedisStore;
}

/**
 * Layers `store` for a cache's repositories (see the file comment for the order).
 * @internal
 *
 * @example
 * const stack = storeStack(store, { commandTimeout: 2000, onTimeout: () => stats.timeouts++, failOpen: false });
 * const repo = new Repository(metadata, { ...ctx, store: stack.repositoryStore(report), directStore: stack.direct });
 */
export function storeStack(store: Store, options: StackOptions): StoreStack {
  const bounded =
    options.commandTimeout > 0 && !answersInProcess(store)
      ? new TimeoutStore(store, { timeoutMs: options.commandTimeout, onTimeout: options.onTimeout })
      : store;
  const traced = new TracingStore(bounded);
  const direct = options.outer === undefined ? traced : options.outer(traced);
  return {
    direct,
    repositoryStore: (report) => (options.failOpen ? new FailOpenStore(direct, report) : direct),
    watchConnection: (listener) => (reportsConnectionLoss(store) ? store.onConnectionLost(listener) : undefined),
  };
}
