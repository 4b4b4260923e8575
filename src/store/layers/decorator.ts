/**
 * `StoreDecorator`: a {@link Store} that wraps another and runs every call through one hook. cacheorm's
 * timeouts, tracing and `failOpen` are decorators; write your own the same way (metrics, logging, chaos).
 */
import { TRACES_ITS_CALLS, tracesItsCalls } from '../calls/bounds.js';
import { STORE_COMMANDS, type StoreCommand } from '../commands.js';
import type { FieldHit, FieldScanOptions, FieldSyncEntry, IndexOption, IndexScanOptions, ScanOptions, Store, WriteOp } from '../store.js';

export type { StoreCommand } from '../commands.js';

/**
 * One call a {@link StoreDecorator} intercepts.
 *
 * @example
 * const call: StoreCall<string | null> = { command: 'get', key: 'app:session:acme:42', write: false, empty: null };
 */
export interface StoreCall<T> {
  /** The Store method (`get`, `mget`, `write`, ...; `scan` / `indexScan` for one page of a scan). */
  readonly command: StoreCommand;
  /** The key for single-key calls (the index set for index calls, the glob for `scan`). */
  readonly key?: string | undefined;
  /** How many keys or writes, for multi-key calls. */
  readonly count?: number;
  /** Whether the call changes data (its outcome is unknown when it fails midway). */
  readonly write: boolean;
  /** What an empty store that drops writes would answer (used by `failOpen`). */
  readonly empty: T;
}

const DONE: IteratorResult<string[]> = { done: true, value: undefined };

/** The {@link StoreCall} of one call of `command`, its `write` and `empty` read from the command table. */
function call<T>(command: StoreCommand, target: { key?: string | undefined; count?: number }): StoreCall<T> {
  const facts = STORE_COMMANDS[command];
  return { command, ...target, write: facts.write, empty: facts.empty(target.count ?? 1) as T };
}

/**
 * `store.getWithPttl(key)` when the store has it, else `get` and `pttl` sent together. @internal
 *
 * @example
 * const [value, pttl] = await getWithPttl(store, 'app:quote:ACME');
 */
export function getWithPttl(store: Store, key: string): Promise<[value: string | null, pttl: number]> {
  if (typeof store.getWithPttl === 'function') return store.getWithPttl(key);
  return Promise.all([store.get(key), store.pttl(key)]);
}

/**
 * Base class of store decorators: forwards every {@link Store} method to `inner` through
 * {@link StoreDecorator.around} (each page of `scan` / `indexScan` is one call). `close()` is forwarded
 * as is.
 *
 * @example
 * class CountingStore extends StoreDecorator {
 *   calls = 0;
 *   protected around<T>(call: StoreCall<T>, run: () => Promise<T>): Promise<T> {
 *     this.calls++;
 *     return run();
 *   }
 * }
 * const cache = createCache({ store: new CountingStore(new RedisStore(process.env.REDIS_URL!)) });
 */
export abstract class StoreDecorator implements Store {
  /** The wrapped store's kind. */
  readonly kind: string;

  constructor(
    /** The wrapped store. */
    readonly inner: Store,
  ) {
    this.kind = inner.kind;
  }

  /** Whether the calls through this store are traced already (by the store it wraps). @internal */
  get [TRACES_ITS_CALLS](): boolean {
    return tracesItsCalls(this.inner);
  }

  /** Runs one call: must call `run` (or answer without it) and return its outcome. */
  protected abstract around<T>(call: StoreCall<T>, run: () => Promise<T>): Promise<T>;

  /**
   * Ends a scan early (the consumer stopped). Default: forwards to the inner iterator. Override to bound
   * it; it must not reject.
   */
  protected finishPages(call: StoreCall<IteratorResult<string[]>>, run: () => Promise<IteratorResult<string[]>>): Promise<IteratorResult<string[]>> {
    void call;
    return run().catch(() => DONE);
  }

  /** {@inheritDoc Store.get} */
  get(key: string): Promise<string | null> {
    return this.around(call('get', { key }), () => this.inner.get(key));
  }

  /**
   * The value at `key` and its remaining TTL, as one call (see `Store.getWithPttl`); an inner store
   * without the method answers from `get` and `pttl` sent together.
   */
  getWithPttl(key: string): Promise<[value: string | null, pttl: number]> {
    return this.around(call('getWithPttl', { key }), () => getWithPttl(this.inner, key));
  }

  /** {@inheritDoc Store.mget} */
  mget(keys: readonly string[]): Promise<(string | null)[]> {
    return this.around(call('mget', { count: keys.length }), () => this.inner.mget(keys));
  }

  /** {@inheritDoc Store.write} */
  write(ops: readonly WriteOp[]): Promise<boolean[]> {
    const key = ops.length === 1 ? ops[0]?.key : undefined;
    return this.around(call('write', { key, count: ops.length }), () => this.inner.write(ops));
  }

  /** {@inheritDoc Store.unlink} */
  unlink(keys: readonly string[], options?: IndexOption): Promise<number> {
    const key = keys.length === 1 ? keys[0] : undefined;
    return this.around(call('unlink', { key, count: keys.length }), () => this.inner.unlink(keys, options));
  }

  /** {@inheritDoc Store.deleteIfEquals} */
  deleteIfEquals(key: string, value: string, options?: IndexOption): Promise<boolean> {
    return this.around(call('deleteIfEquals', { key }), () => this.inner.deleteIfEquals(key, value, options));
  }

  /** {@inheritDoc Store.exists} */
  exists(key: string): Promise<boolean> {
    return this.around(call('exists', { key }), () => this.inner.exists(key));
  }

  /** {@inheritDoc Store.pttl} */
  pttl(key: string): Promise<number> {
    return this.around(call('pttl', { key }), () => this.inner.pttl(key));
  }

  /** {@inheritDoc Store.expire} */
  expire(key: string, ttlMs: number | null, options?: IndexOption): Promise<boolean> {
    return this.around(call('expire', { key }), () => this.inner.expire(key, ttlMs, options));
  }

  /** {@inheritDoc Store.scan} */
  scan(match: string, options?: ScanOptions): AsyncIterable<string[]> {
    return this.pages(call('scan', { key: match }), () => this.inner.scan(match, options));
  }

  /** {@inheritDoc Store.indexScan} */
  indexScan(index: string, options?: IndexScanOptions): AsyncIterable<string[]> {
    return this.pages(call('indexScan', { key: index }), () => this.inner.indexScan(index, options));
  }

  /** {@inheritDoc Store.indexPrune} */
  indexPrune(index: string): Promise<number> {
    return this.around(call('indexPrune', { key: index }), () => this.inner.indexPrune(index));
  }

  /** {@inheritDoc Store.indexSync} */
  indexSync(index: string, keys: readonly string[]): Promise<number> {
    return this.around(call('indexSync', { key: index, count: keys.length }), () => this.inner.indexSync(index, keys));
  }

  /** {@inheritDoc Store.fieldScan} */
  fieldScan(index: string, options: FieldScanOptions): AsyncIterable<FieldHit[]> {
    return this.pages(call('fieldScan', { key: index }), () => this.inner.fieldScan(index, options));
  }

  /** {@inheritDoc Store.fieldSync} */
  fieldSync(index: string, entries: readonly FieldSyncEntry[]): Promise<number> {
    return this.around(call('fieldSync', { key: index, count: entries.length }), () => this.inner.fieldSync(index, entries));
  }

  /** {@inheritDoc Store.close} */
  close(): Promise<void> {
    return this.inner.close();
  }

  /** A scan whose every page goes through `around`; stopping early goes through `finishPages`. */
  private pages<P>(pageCall: StoreCall<IteratorResult<P>>, open: () => AsyncIterable<P>): AsyncIterable<P> {
    const call = pageCall as unknown as StoreCall<IteratorResult<string[]>>;
    return {
      [Symbol.asyncIterator]: () => {
        let iterator: AsyncIterator<P> | undefined;
        let finished = false;
        const inner = () => (iterator ??= open()[Symbol.asyncIterator]());
        return {
          next: async (): Promise<IteratorResult<P>> => {
            if (finished) return DONE as IteratorResult<P>;
            try {
              const step = (await this.around(call, () => inner().next() as Promise<IteratorResult<string[]>>)) as IteratorResult<P>;
              if (step.done) finished = true;
              return step;
            } catch (err) {
              finished = true;
              throw err;
            }
          },
          return: async (): Promise<IteratorResult<P>> => {
            if (finished || iterator === undefined) {
              finished = true;
              return DONE as IteratorResult<P>;
            }
            finished = true;
            const it = iterator;
            return (await this.finishPages(call, async () => ((await it.return?.()) ?? DONE) as IteratorResult<string[]>)) as IteratorResult<P>;
          },
        };
      },
    };
  }
}
