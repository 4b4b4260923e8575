/**
 * The one place that layers a cache's store, and the only one that looks at which driver it has.
 * Outermost first, a repository's call goes through:
 *
 *   FailOpenStore (with `failOpen`, one per repository) -> TracingStore -> TimeoutStore -> the driver
 *
 * except that a RedisStore traces each call and bounds it by `commandTimeout` inside its own call path
 * (`runCall`), so a cache on Redis has no layer but fail-open (a second cache sharing one RedisStore
 * adds a TimeoutStore for its own limit, and still no TracingStore), and the embedded MemoryStore, which
 * answers in-process, gets no time limit.
 *
 * @internal
 */
import type { StoreUnavailableError } from '../../errors/index.js';
import { CallBounds, tracesItsCalls } from '../calls/bounds.js';
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
  /** Gives the driver back once the cache is closed (a RedisStore stops bounding and tracing for it). */
  release(): void;
}

/** A driver that answers in-process without waiting on anything: a timer would only cost. */
function answersInProcess(store: Store): boolean {
  return store instanceof MemoryStore;
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
  let direct = store;
  let release: (() => void) | undefined;
  if (options.commandTimeout > 0 && !answersInProcess(store)) {
    if (store instanceof RedisStore) release = store.adoptBounds(new CallBounds(store.kind, options.commandTimeout, options.onTimeout));
    if (release === undefined) direct = new TimeoutStore(store, { timeoutMs: options.commandTimeout, onTimeout: options.onTimeout });
  }
  if (!tracesItsCalls(direct)) direct = new TracingStore(direct);
  return {
    direct,
    repositoryStore: (report) => (options.failOpen ? new FailOpenStore(direct, report) : direct),
    watchConnection: (listener) => (store instanceof RedisStore ? store.onConnectionLost(listener) : undefined),
    release: () => release?.(),
  };
}
