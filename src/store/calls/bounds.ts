/**
 * How a store call is bounded and traced: the time limit of a cache's calls (`commandTimeout`) and the
 * `cacheorm:store` trace of each call. Used in two places only: inside the Redis driver's one call path
 * (`runCall` in redis/call.ts, once a cache adopted the driver) and by the generic layers around any
 * other store (`TimeoutStore`, `TracingStore` in store/layers/).
 */
import { StoreUnavailableError } from '../../errors/index.js';
import { storeChannel, type StoreTraceContext } from '../../diagnostics/channels.js';
import { STORE_COMMANDS, type StoreCommand } from '../commands.js';
import { DeadlineQueue, type Deadline } from './deadlines.js';

/**
 * Default of `createCache({ commandTimeout })`, in ms.
 *
 * @example
 * const cache = createCache({ redis: url, commandTimeout: DEFAULT_COMMAND_TIMEOUT_MS / 4 }); // 500 ms
 */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2000;

/**
 * The `cause` of a timed-out call's {@link StoreUnavailableError}.
 *
 * @example
 * if (err instanceof StoreUnavailableError && err.cause instanceof StoreTimeoutError) metrics.increment('cache.timeout');
 */
export class StoreTimeoutError extends Error {
  /** The limit that ran out, in ms. */
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number) {
    super(message);
    this.name = 'StoreTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/**
 * What bounding and tracing need to know of one call: the Store method, and the key (the index set for
 * index calls, the glob for `scan`) or the number of keys or writes. @internal
 *
 * @example
 * const call: CallSubject = { command: 'mget', count: 3 };
 */
export interface CallSubject {
  /** The Store method. */
  readonly command: StoreCommand;
  /** The key for single-key calls (the index set for index calls, the glob for `scan`). */
  readonly key?: string | undefined;
  /** How many keys or writes, for multi-key calls. */
  readonly count?: number | undefined;
}

/**
 * One time limit for all calls of a store: a call not answered within `timeoutMs` rejects with
 * {@link StoreUnavailableError} (`cause`: {@link StoreTimeoutError}); the command is not cancelled. One
 * unref'ed timer serves every pending call ({@link DeadlineQueue}). @internal
 *
 * @example
 * const bounds = new CallBounds('redis', 2000, () => stats.timeouts++);
 * const value = await bounds.run({ command: 'get', key }, () => client.get(key));
 */
export class CallBounds {
  readonly #queue: DeadlineQueue;

  /**
   * @throws RangeError when `timeoutMs` is not a positive number of ms that a timer can hold.
   */
  constructor(
    /** The store's kind, for messages. */
    readonly kind: string,
    /** The limit, in ms. */
    readonly timeoutMs: number,
    /** Called for each call that ran out of time. */
    readonly onTimeout?: (error: StoreUnavailableError) => void,
  ) {
    if (!(typeof timeoutMs === 'number' && timeoutMs > 0 && timeoutMs <= 2 ** 31 - 1)) {
      throw new RangeError(`TimeoutStore: timeoutMs must be a positive number of ms up to 2147483647, got ${String(timeoutMs)}.`);
    }
    this.#queue = new DeadlineQueue(timeoutMs);
  }

  /**
   * Starts the clock of a call about to be sent: unless settled first (`DeadlineQueue.settle`), `reject`
   * gets the timeout error after `timeoutMs`. Arm before sending, so the limit runs out before any timer of
   * the same length the call itself sets (e.g. ioredis' own `commandTimeout`).
   */
  #arm(call: CallSubject, reject: (error: StoreUnavailableError) => void): Deadline {
    return this.#queue.add(() => {
      const error = this.timeoutError(call);
      try {
        this.onTimeout?.(error);
      } finally {
        reject(error);
      }
    });
  }

  /**
   * Runs `run` within the limit: its outcome (a failure passed through `mapError`), or the timeout error
   * if it has not settled in time. One continuation settles the deadline and maps the error.
   */
  run<T>(call: CallSubject, run: () => Promise<T>, mapError: (err: unknown) => unknown = (err) => err): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const deadline = this.#arm(call, reject);
      let pending: Promise<T>;
      try {
        pending = run();
      } catch (err) {
        DeadlineQueue.settle(deadline);
        reject(mapError(err));
        return;
      }
      pending.then(
        (value) => {
          DeadlineQueue.settle(deadline);
          resolve(value);
        },
        (err: unknown) => {
          DeadlineQueue.settle(deadline);
          reject(mapError(err));
        },
      );
    });
  }

  /** Expires what is due and disarms the timer when nothing is pending (after the store closed). */
  sweep(): void {
    this.#queue.sweep();
  }

  /** The error of `call` running out of time: says what to check, and that a write's outcome is unknown. */
  timeoutError(call: CallSubject): StoreUnavailableError {
    const facts = STORE_COMMANDS[call.command];
    const target = call.count !== undefined && call.count > 1 ? ` (${call.count} keys)` : '';
    const outcome = facts.write
      ? ' The outcome of this write is unknown: the command may still have been applied, now or later, so do not assume it was not; ' +
        're-read or rewrite the entry once the store answers again.'
      : '';
    const cause = new StoreTimeoutError(`${facts.label} did not complete within ${this.timeoutMs} ms.`, this.timeoutMs);
    return new StoreUnavailableError(
      `The ${this.kind} store did not answer ${facts.label}${target} within ${this.timeoutMs} ms (commandTimeout). ` +
        `It may be stalled, overloaded or unreachable; check its health, or raise commandTimeout if such calls are expected to be slow.${outcome}`,
      { command: facts.label, operation: facts.label, ...(call.key === undefined || call.command === 'scan' ? {} : { key: call.key }) },
      { cause },
    );
  }
}

/**
 * Marks a store that traces its own calls on `cacheorm:store` (RedisStore, and decorators around one): a
 * `TracingStore` around it forwards without tracing again. @internal
 *
 * @example
 * if ((store as { [TRACES_ITS_CALLS]?: boolean })[TRACES_ITS_CALLS] === true) return store;
 */
export const TRACES_ITS_CALLS: unique symbol = Symbol.for('cacheorm.tracesItsCalls');

/** Whether `store` traces its own calls (see {@link TRACES_ITS_CALLS}). @internal */
export function tracesItsCalls(store: object): boolean {
  return (store as { [TRACES_ITS_CALLS]?: boolean })[TRACES_ITS_CALLS] === true;
}

/**
 * Runs `run` as one call traced on the `cacheorm:store` tracing channel (start, end, asyncStart,
 * asyncEnd, error) with a {@link StoreTraceContext}. Callers check `storeChannel.hasSubscribers` first:
 * with nobody subscribed, a call should cost nothing. @internal
 *
 * @example
 * return storeChannel.hasSubscribers ? traceCall('redis', { command: 'get', key }, send) : send();
 */
export function traceCall<T>(kind: string, call: CallSubject, run: () => Promise<T>): Promise<T> {
  const context: StoreTraceContext = { store: kind, command: call.command };
  if (call.key !== undefined) context.key = call.key;
  if (call.count !== undefined) context.count = call.count;
  return storeChannel.tracePromise(run, context);
}
