/**
 * The one call path of the Redis drivers: standalone and cluster run every call through
 * {@link runCall}, which refuses calls on a closed or unreachable store, traces the call on
 * `cacheorm:store`, bounds it by the cache's `commandTimeout` (once a cache adopted the store), joins
 * the socket writes of a tick, confirms durable changes with `WAIT` where the driver asks for it, and
 * maps what ioredis throws to cacheorm's store errors, with the write and durable facts of the command
 * table. No wrapper object stands between a repository and this path.
 * @internal
 */
import type { StoreError, StoreUnavailableError } from '../../errors/index.js';
import { storeChannel } from '../../diagnostics/channels.js';
import { traceCall, type CallBounds, type CallSubject } from '../calls/bounds.js';
import { STORE_COMMANDS } from '../commands.js';
import { closedStoreError, type FailureContext } from './errors.js';

/**
 * What a driver plugs into {@link runCall}. @internal
 *
 * @example
 * const path: CallPath = { closed: () => false, unavailable: () => undefined, hold() {}, failure: toStoreFailure, target };
 */
export interface CallPath {
  /** Where the store points, for messages. */
  readonly target: FailureContext['target'];
  /** Whether `close()` was called. */
  closed(): boolean;
  /** The error to fail a call with at once (the connection is down), or `undefined`. */
  unavailable(command: string, key: string | undefined): StoreUnavailableError | undefined;
  /** Joins the socket writes of this tick (see `WriteCoalescer`). */
  hold(): void;
  /** Maps what a command threw to a store error. */
  failure(err: unknown, context: FailureContext): StoreError | StoreUnavailableError;
  /**
   * With the `durability` option: confirms a durable call with `WAIT` once it applied. Absent when the
   * driver confirms inside its operations (Redis Cluster: on the master of the key's slot).
   */
  readonly confirm?: ((command: string, key: string | undefined) => Promise<void>) | undefined;
  /**
   * The time limit of the cache that adopted this store (see `RedisStore.adoptBounds`); `undefined` for
   * a store used on its own (wrap it in a `TimeoutStore`) and for the steps of a call bounded as a whole.
   */
  bounds: CallBounds | undefined;
  /** Whether calls are traced on `cacheorm:store` (not the steps of a call traced as a whole). */
  readonly trace: boolean;
}

/**
 * One call of a Store method, as {@link runCall} runs it. @internal
 *
 * @example
 * const call: RedisCall = { command: 'mget', redis: 'MGET', count: keys.length };
 */
export interface RedisCall extends CallSubject {
  /** The Redis command, for messages (`EVALSHA` for a script). */
  readonly redis: string;
}

/**
 * Runs `call` on `path`: `operation` sends the command(s). Never throws synchronously. (Written with
 * `then` rather than `async`/`await`: it is on every call's path, and this form saves a promise and
 * several microtask turns per call; the deadline and the error mapping share one continuation.)
 * @internal
 *
 * @example
 * return runCall(this.#path, { command: 'get', redis: 'GET', key }, () => this.client.get(key));
 */
export function runCall<T>(path: CallPath, call: RedisCall, operation: () => Promise<T>): Promise<T> {
  if (path.trace && storeChannel.hasSubscribers) return traceCall('redis', call, () => send(path, call, operation, path.bounds));
  return send(path, call, operation, path.bounds);
}

function send<T>(path: CallPath, call: RedisCall, operation: () => Promise<T>, bounds: CallBounds | undefined): Promise<T> {
  const key = call.command === 'scan' ? undefined : call.key;
  if (path.closed()) return Promise.reject(closedStoreError(call.redis));
  const down = path.unavailable(call.redis, key);
  if (down) return Promise.reject(down);
  path.hold();
  const facts = STORE_COMMANDS[call.command];
  const fail = (err: unknown) => path.failure(err, { command: call.redis, key, target: path.target, write: facts.write });
  if (bounds === undefined) {
    let pending: Promise<T>;
    try {
      pending = confirmed(path, call, facts.durable, operation());
    } catch (err) {
      return Promise.reject(fail(err));
    }
    return pending.then(undefined, (err: unknown) => {
      throw fail(err);
    });
  }
  return bounds.run(call, () => confirmed(path, call, facts.durable, operation()), fail);
}

/** `pending`, followed by a `WAIT` when the call is durable and the driver confirms on this path. */
function confirmed<T>(path: CallPath, call: RedisCall, durable: boolean, pending: Promise<T>): Promise<T> {
  const confirm = path.confirm;
  if (confirm === undefined || !durable) return pending;
  return pending.then(async (result) => {
    await confirm(call.redis, call.command === 'scan' ? undefined : call.key);
    return result;
  });
}

/**
 * The pages of a walk made of several steps (e.g. a cluster index page and the existence check of its
 * members), each page run as one call of `call` on `path`: bounded and traced as a whole, while the
 * steps run on a path without bounds. Stopping early releases the walk without waiting on a step
 * still pending (a page that timed out). @internal
 *
 * @example
 * yield* callPerPage(this.path, { command: 'indexScan', redis: 'ZRANGEBYLEX', key: index }, pages);
 */
export async function* callPerPage<P>(path: CallPath, call: RedisCall, pages: AsyncIterable<P>): AsyncIterable<P> {
  const iterator = pages[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      const step = await runCall(path, call, () => iterator.next());
      if (step.done) {
        done = true;
        return;
      }
      yield step.value;
    }
  } finally {
    if (!done) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
