/**
 * The gate of a closing cache: which repository calls may still start, and waiting for the ones in
 * flight. Every repository operation (`Repository.op`) and every consumption of a query
 * (`QuerySource.admit` / `admitIteration`) passes it, in the code you read: no method is redefined. `close()` shuts the gate (new calls fail at once) and waits until every admitted call has
 * settled (a `getOrLoad` with its loader and write, a `find` stream until it ends or is stopped),
 * bounded by its timeout, before it closes the store. @internal
 */
import { StoreUnavailableError } from '../errors/index.js';

/** The error of a call made once `close()` has been called. */
export function closedCacheError(operation: string): StoreUnavailableError {
  return new StoreUnavailableError(
    `${operation} was called on a closed cache. Create a new cache with createCache(), or close the cache only when the application stops.`,
    { operation },
  );
}

/**
 * Counts the calls in flight and refuses new ones once shut.
 *
 * @example
 * const gate = new Admission();
 * const value = await gate.run('get', () => repo.get(key));
 * gate.shut(); await gate.idle(5000);
 */
export class Admission {
  #shut = false;
  #inflight = 0;
  #onIdle: (() => void) | undefined;

  /** Whether `shut()` was called. */
  get isShut(): boolean {
    return this.#shut;
  }

  /** Admits one call (throws {@link closedCacheError} once shut); pair it with one `leave()`. */
  enter(operation: string): void {
    if (this.#shut) throw closedCacheError(operation);
    this.#inflight++;
  }

  /** Ends one admitted call. */
  leave(): void {
    if (--this.#inflight === 0) this.#onIdle?.();
  }

  /** Runs `call` as one admitted call: a rejected promise once shut, else `call()` counted until it settles. */
  run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      this.enter(operation);
    } catch (err) {
      return Promise.reject(err);
    }
    let pending: Promise<T>;
    try {
      pending = call();
    } catch (err) {
      this.leave();
      throw err;
    }
    return this.settle(pending);
  }

  /** Ends one admitted call when `pending` settles; answers `pending`'s outcome. */
  settle<T>(pending: Promise<T>): Promise<T> {
    return pending.then(
      (value) => (this.leave(), value),
      (err: unknown) => {
        this.leave();
        throw err;
      },
    );
  }

  /** An iteration admitted at its first `next()` and counted until it is done, fails or is stopped. */
  iterate<T>(operation: string, iterator: AsyncIterator<T>): AsyncIterator<T> {
    // 'new' until the first next(), 'refused' when the gate was shut by then (and it stays shut).
    let state: 'new' | 'running' | 'over' | 'refused' = 'new';
    const over = () => {
      if (state === 'running') this.leave();
      if (state !== 'refused') state = 'over';
    };
    const step = async (move: () => Promise<IteratorResult<T>>): Promise<IteratorResult<T>> => {
      try {
        const result = await move();
        if (result.done) over();
        return result;
      } catch (err) {
        over();
        throw err;
      }
    };
    return {
      next: (...args: [] | [undefined]) => {
        if (state === 'new' || state === 'refused') {
          try {
            this.enter(operation);
          } catch (err) {
            state = 'refused';
            return Promise.reject(err);
          }
          state = 'running';
        }
        return step(() => iterator.next(...args));
      },
      return: (value?: unknown) => {
        if (state === 'new' || state === 'refused' || !iterator.return) {
          over();
          return Promise.resolve({ done: true, value } as IteratorResult<T>);
        }
        return step(() => iterator.return!(value));
      },
      throw: (error?: unknown) => {
        if (state === 'new' || state === 'refused' || !iterator.throw) {
          over();
          return Promise.reject(error);
        }
        return step(() => iterator.throw!(error));
      },
    };
  }

  /** Refuses every later call. */
  shut(): void {
    this.#shut = true;
  }

  /** Resolves once no admitted call is in flight, or after `timeoutMs`, whichever comes first. */
  async idle(timeoutMs: number): Promise<void> {
    if (this.#inflight === 0) return;
    await settleWithin(new Promise<void>((resolve) => (this.#onIdle = resolve)), timeoutMs);
    this.#onIdle = undefined;
  }
}

/**
 * Waits for `work` to settle, but no longer than `timeoutMs` (leaving no timer behind either way).
 *
 * @example
 * await settleWithin(Promise.allSettled(pending), 1000);
 */
export async function settleWithin(work: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  try {
    await Promise.race([work.then(() => undefined, () => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
