/**
 * The gate of a closing cache: which repository calls may still start, and waiting for the ones in
 * flight. `close()` shuts the gate (new calls fail at once) and waits until every admitted call has
 * settled (a `getOrLoad` with its loader and write, a `find` stream until it ends or is stopped),
 * bounded by its timeout, before it closes the store. @internal
 */
import { StoreUnavailableError } from '../errors/index.js';
import { OPERATIONS } from '../diagnostics/trace-repository.js';
import type { Query, ResultStream } from '../query/index.js';
import type { Repository } from '../repository/repository.js';

type AnyFunction = (...args: unknown[]) => unknown;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyRepository = Repository<any, any>;

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
    return pending.then(
      (value) => (this.leave(), value),
      (err: unknown) => {
        this.leave();
        throw err;
      },
    );
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

/**
 * Puts `repository`'s calls through `gate`: each promise-answering method is one admitted call; `find`
 * is refused once shut, and each consumption of its query (`toArray`, `first`, `count`, `delete`, an
 * iteration from its first `next()` until it ends or is stopped) is one admitted call. Returns the same
 * repository (its methods shadowed by instance properties, as `traceRepository` does).
 *
 * @example
 * const sessions = admitRepository(traceRepository(new Repository(metadata, ctx)), gate);
 */
export function admitRepository<R extends AnyRepository>(repository: R, gate: Admission): R {
  for (const operation of OPERATIONS) {
    const original = repository[operation] as AnyFunction;
    define(repository, operation, function admitted(this: unknown, ...args: unknown[]) {
      return gate.run(operation, () => original.apply(this, args) as Promise<unknown>);
    });
  }
  const find = repository.find as AnyFunction;
  define(repository, 'find', function admittedFind(this: unknown, ...args: unknown[]) {
    if (gate.isShut) throw closedCacheError('find');
    return admitQuery(find.apply(this, args) as Query<unknown, unknown>, gate);
  });
  return repository;
}

function define(target: object, name: string, value: AnyFunction): void {
  Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
}

const QUERY_PROMISES = new Set<PropertyKey>(['toArray', 'first', 'count', 'delete']);

function admitQuery<Q extends Query<unknown, unknown>>(query: Q, gate: Admission): Q {
  return new Proxy(query, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as AnyFunction;
      if (QUERY_PROMISES.has(property)) {
        return (...args: unknown[]) => gate.run(`find.${String(property)}`, () => method.apply(target, args) as Promise<unknown>);
      }
      if (property === 'limit') return (...args: unknown[]) => admitQuery(method.apply(target, args) as Q, gate);
      if (property === 'keys') return (...args: unknown[]) => admitStream(method.apply(target, args) as ResultStream<unknown>, gate);
      if (property === Symbol.asyncIterator) return () => admitIterator(method.call(target) as AsyncIterator<unknown>, gate, 'find');
      return method.bind(target);
    },
  });
}

function admitStream<T>(stream: ResultStream<T>, gate: Admission): ResultStream<T> {
  return {
    [Symbol.asyncIterator]: () => admitIterator(stream[Symbol.asyncIterator](), gate, 'find.keys'),
    toArray: () => gate.run('find.keys', () => stream.toArray()),
  };
}

/** An iteration admitted at its first `next()` and counted until it is done, fails or is stopped. */
function admitIterator<T>(iterator: AsyncIterator<T>, gate: Admission, operation: string): AsyncIterableIterator<T> {
  // 'new' until the first next(), 'refused' when the gate was shut by then (and it stays shut).
  let state: 'new' | 'running' | 'over' | 'refused' = 'new';
  const over = () => {
    if (state === 'running') gate.leave();
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
          gate.enter(operation);
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
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
