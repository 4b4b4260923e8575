/**
 * The connection side of {@link RedisStore}: resilient defaults for clients cacheorm creates, the
 * connection state it watches on them, and failing fast while a client is between reconnection attempts.
 * @internal
 */
import type { Redis, RedisOptions } from 'ioredis';
import { publishConnection } from '../../diagnostics/channels.js';
import { StoreUnavailableError } from '../../errors/index.js';
import { clean, toStoreFailure, type RedisTarget } from './errors.js';

/** Longest delay between two reconnection attempts, in ms. */
export const MAX_RECONNECT_DELAY_MS = 1000;

/**
 * Reconnection delays: 50 ms doubling up to 1 s, with up to 20% jitter so many processes do not
 * reconnect in lockstep. Never gives up: a cache comes back when Redis does.
 *
 * @example
 * reconnectDelay(1); // ~50
 * reconnectDelay(9); // ~1000
 */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(50 * 2 ** Math.max(0, attempt - 1), MAX_RECONNECT_DELAY_MS);
  return Math.round(base * (1 + Math.random() / 5));
}

/**
 * The ioredis options cacheorm puts under the ones you give for a client it creates:
 * - `maxRetriesPerRequest: 0`: a command waiting for a connection fails when an attempt fails, instead of
 *   sitting in the offline queue across 20 attempts; in-flight commands fail when the connection drops.
 * - `autoResendUnfulfilledCommands: false`: a command whose reply was lost with the connection is not
 *   sent again after reconnecting (its caller was already told it failed).
 * - `commandTimeout` (ioredis' own, per command: the cache's `commandTimeout` plus 10%, at least 100 ms,
 *   so the cache's own limit answers first) and `connectTimeout` (the cache's, at least 1 s), so neither
 *   a command nor a connection attempt can hang. Inside a cache, {@link RedisConnection} keeps that
 *   per-command timer only until the client is ready (see its `handshakeTimeoutMs`).
 * - `retryStrategy`: {@link reconnectDelay}, forever.
 * The offline queue stays on, only for commands sent while a connection attempt is under way (the
 * store fails fast between attempts), so it is bounded by one attempt.
 *
 * @example
 * new Redis(url, { ...ownedClientDefaults(2000), ...yourOptions });
 */
export function ownedClientDefaults(commandTimeoutMs: number): RedisOptions {
  const defaults: RedisOptions = {
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableOfflineQueue: true,
    retryStrategy: reconnectDelay,
  };
  if (commandTimeoutMs > 0) {
    // A backstop a little after the cache's own limit (TimeoutStore), which answers first with the
    // clearer error; it still bounds commands of a RedisStore used without a cache.
    defaults.commandTimeout = commandTimeoutMs + Math.max(100, Math.round(commandTimeoutMs / 10));
    defaults.connectTimeout = Math.max(commandTimeoutMs, 1000);
  }
  return defaults;
}

/**
 * The connection state of a RedisStore's client. On a client the store created it listens to ioredis'
 * connection events (so none is ever unhandled), keeps the last connection error for messages,
 * publishes changes on the `cacheorm:connection` channel, tells `onLost` listeners (the cache) when
 * the connection is lost, and fails calls fast while ioredis waits between attempts. A client you pass
 * is left alone: its commands queue or fail as you configured it (a cache still bounds the wait).
 */
export class RedisConnection {
  #lastError: string | undefined;
  #wasReady = false;
  #lost = false;
  /** When the owned client last stopped being ready (or was created); `undefined` while ready. */
  #notReadySince: number | undefined = Date.now();
  readonly #listeners = new Set<(error: StoreUnavailableError) => void>();

  constructor(
    private readonly client: Redis,
    private readonly target: RedisTarget,
    private readonly owned: boolean,
    private readonly closing: () => boolean,
    /** After this long without being ready, calls fail at once instead of queuing (0: never). */
    private readonly readyTimeoutMs = 0,
    /**
     * ioredis' `commandTimeout` to apply only while the client is not ready (the handshake and the
     * commands queued meanwhile), or `undefined` to leave the client's setting alone. Commands sent while
     * ready then carry no timer of their own: the cache bounds its calls with one timer for all of them.
     */
    handshakeTimeoutMs?: number,
  ) {
    if (!owned) return; // a client you pass is yours: cacheorm adds no listener to it
    const address = target.address;
    if (handshakeTimeoutMs !== undefined) {
      const options = client.options;
      client.on('ready', () => delete options.commandTimeout);
      client.on('close', () => (options.commandTimeout = handshakeTimeoutMs));
    }
    client.on('error', (err: Error) => {
      this.#lastError = clean(err.message, target);
      publishConnection({ state: 'error', address, error: this.#lastError });
    });
    client.on('ready', () => {
      this.#lastError = undefined;
      this.#wasReady = true;
      this.#lost = false;
      this.#notReadySince = undefined;
      publishConnection({ state: 'ready', address });
    });
    client.on('close', () => {
      this.#notReadySince ??= Date.now();
      publishConnection({ state: 'close', address });
      if (this.closing() || this.#lost) return;
      this.#lost = true;
      const error = this.#lostError();
      for (const listener of this.#listeners) listener(error);
    });
    client.on('connect', () => {
      this.#notReadySince = Date.now(); // connected: the handshake (and any loading) starts now
    });
    client.on('reconnecting', (delayMs: number) => publishConnection({ state: 'reconnecting', address, delayMs }));
    client.on('end', () => publishConnection({ state: 'end', address }));
  }

  /** The last connection error seen since the client was last ready (owned clients only). */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /**
   * Calls `listener` once per outage of an owned client: when the connection is lost (or the first
   * connection attempt fails), not for every failed reconnection attempt. Returns the unsubscribe.
   */
  onLost(listener: (error: StoreUnavailableError) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The error to fail `command` with at once (nothing is sent, so nothing queues up) when an owned
   * client has no connection and waits for its next attempt, or has not been ready for longer than
   * `readyTimeoutMs` (a server still loading its data, or not answering the handshake); `undefined`
   * when the command may go ahead (ready, or a connection attempt just started: it queues briefly).
   */
  unavailable(command: string, key: string | undefined): StoreUnavailableError | undefined {
    if (!this.owned) return undefined;
    const status = this.client.status;
    if (status === 'ready' || status === 'wait' || status === 'end') return undefined;
    if (status !== 'reconnecting' && status !== 'close') {
      const waited = this.#notReadySince === undefined ? 0 : Date.now() - this.#notReadySince;
      if (this.readyTimeoutMs <= 0 || waited <= this.readyTimeoutMs) return undefined;
      return new StoreUnavailableError(
        `Redis at ${this.target.address} is not ready after ${waited} ms (${status}: still loading its data, or not answering the handshake) ` +
          `for ${command}. Retry later, and check the server if it persists. Nothing was sent.`,
        { command, operation: command, ...(key === undefined ? {} : { key }) },
      );
    }
    if (this.#lastError !== undefined && /^(NOAUTH|WRONGPASS)\b/.test(this.#lastError)) {
      // Same message as when the command itself meets the rejection: check the credentials.
      const rejected = Object.assign(new Error(this.#lastError), { name: 'ReplyError' });
      return toStoreFailure(rejected, { command, key, target: this.target }) as StoreUnavailableError;
    }
    const reason = this.#lastError ? `reconnecting; last connection error: ${this.#lastError}` : 'the connection is down and reconnecting';
    return new StoreUnavailableError(
      `Redis is unreachable (${reason}) for ${command}. Check that Redis is running at ${this.target.address} and reachable from this process; ` +
        'the client reconnects in the background. Nothing was sent.',
      { command, operation: command, ...(key === undefined ? {} : { key }) },
    );
  }

  #lostError(): StoreUnavailableError {
    const reason = this.#lastError ?? 'the connection closed';
    const what = this.#wasReady ? `Lost the connection to Redis at ${this.target.address}` : `Could not connect to Redis at ${this.target.address}`;
    return new StoreUnavailableError(
      `${what} (${reason}). cacheorm reconnects in the background; until then calls fail with StoreUnavailableError ` +
        '(or, with failOpen, act as misses and dropped writes). Check that Redis is running and reachable from this process.',
      { operation: 'connect' },
    );
  }
}
