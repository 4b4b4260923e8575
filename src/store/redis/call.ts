/**
 * The one call path of the Redis drivers: standalone and cluster run every command through
 * {@link runCall}, which refuses calls on a closed or unreachable store, joins the socket writes of a
 * tick, confirms durable changes with `WAIT` where the driver asks for it, and maps what ioredis throws
 * to cacheorm's store errors, with the write and durable facts of the command table.
 * @internal
 */
import type { StoreError, StoreUnavailableError } from '../../errors/index.js';
import { STORE_COMMANDS, type StoreCommand } from '../commands.js';
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
}

/**
 * Runs one call of the Store `method` as the Redis `command` on `path`. Never throws synchronously.
 * (Written with `then` rather than `async`/`await`: it is on every call's path, and this form saves a
 * promise and several microtask turns per call.)
 * @internal
 *
 * @example
 * return runCall(this.#path, 'get', 'GET', key, () => this.client.get(key));
 */
export function runCall<T>(path: CallPath, method: StoreCommand, command: string, key: string | undefined, operation: () => Promise<T>): Promise<T> {
  if (path.closed()) return Promise.reject(closedStoreError(command));
  const down = path.unavailable(command, key);
  if (down) return Promise.reject(down);
  path.hold();
  const facts = STORE_COMMANDS[method];
  let pending: Promise<T>;
  try {
    pending = operation();
  } catch (err) {
    return Promise.reject(path.failure(err, { command, key, target: path.target, write: facts.write }));
  }
  const confirm = path.confirm;
  if (confirm !== undefined && facts.durable) {
    pending = pending.then(async (result) => {
      await confirm(command, key);
      return result;
    });
  }
  return pending.then(undefined, (err: unknown) => {
    throw path.failure(err, { command, key, target: path.target, write: facts.write });
  });
}
