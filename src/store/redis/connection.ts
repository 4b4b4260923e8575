/**
 * The connection side of {@link RedisStore}: resilient defaults for clients cacheorm creates, the
 * connection state it watches on them (standalone and cluster alike), and failing fast while a client is
 * between reconnection attempts.
 * @internal
 */
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { publishConnection, type ConnectionMessage } from '../../diagnostics/channels.js';
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
 * The connection state of a RedisStore's client, standalone (`Redis`) or Redis Cluster (`Cluster`): the one
 * tracker both drivers use. On a client the store created it listens to ioredis' connection events (so
 * none is ever unhandled), keeps the last connection error for messages, publishes changes on the
 * `cacheorm:connection` channel, tells `onLost` listeners (the cache) once per outage, and fails calls
 * fast while ioredis waits between attempts. A client you pass is left alone: its commands queue or fail
 * as you configured it (a cache still bounds the wait).
 *
 * On a cluster, the outage is the loss of every node: the last ready node connection closed, or the
 * `Cluster` itself went to `close` (e.g. its first connection failed). A single node's errors,
 * connections and removal are published with its `node` address, and its errors are kept as the last
 * error (`host:port: text`).
 */
export class RedisConnection {
  #lastError: string | undefined;
  #wasReady = false;
  #lost = false;
  /** When the owned client last stopped being ready (or was created); `undefined` while ready. */
  #notReadySince: number | undefined = Date.now();
  readonly #listeners = new Set<(error: StoreUnavailableError) => void>();
  readonly #cluster: boolean;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly target: RedisTarget,
    private readonly owned: boolean,
    private readonly closing: () => boolean,
    /** After this long without being ready, calls fail at once instead of queuing (0: never). */
    private readonly readyTimeoutMs = 0,
    /**
     * ioredis' `commandTimeout` to apply only while the client is not ready (the handshake and the
     * commands queued meanwhile), or `undefined` to leave the client's setting alone. Commands sent while
     * ready then carry no timer of their own: the cache bounds its calls with one timer for all of them.
     * Standalone clients only.
     */
    handshakeTimeoutMs?: number,
  ) {
    this.#cluster = (client as { isCluster?: unknown }).isCluster === true;
    if (!owned) return; // a client you pass is yours: cacheorm adds no listener to it
    if (handshakeTimeoutMs !== undefined && !this.#cluster) {
      const options = (client as Redis).options;
      client.on('ready', () => delete options.commandTimeout);
      client.on('close', () => (options.commandTimeout = handshakeTimeoutMs));
    }
    const publish = (message: Omit<ConnectionMessage, 'address'>) => publishConnection({ ...message, address: target.address });
    client.on('error', (err: Error) => {
      this.#lastError = clean(err.message, target);
      publish({ state: 'error', error: this.#lastError });
    });
    client.on('ready', () => {
      this.#lastError = undefined;
      this.#wasReady = true;
      this.#lost = false;
      this.#notReadySince = undefined;
      publish({ state: 'ready' });
    });
    client.on('close', () => {
      this.#notReadySince ??= Date.now();
      publish({ state: 'close' });
      this.#lose();
    });
    client.on('connect', () => {
      this.#notReadySince = Date.now(); // connected: the handshake (and any loading) starts now
    });
    // A Cluster's `reconnecting` carries no delay (its clusterRetryStrategy's result is not emitted).
    client.on('reconnecting', (delayMs?: number) => publish({ state: 'reconnecting', ...(typeof delayMs === 'number' ? { delayMs } : {}) }));
    client.on('end', () => publish({ state: 'end' }));
    if (this.#cluster) this.#watchNodes(client as Cluster, publish);
  }

  /** The last connection error seen since the client was last ready (owned clients only). */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /**
   * Keeps the connection errors of `cluster`, a second client the store made (the write connections of
   * `durability`), for messages, and listens to them so none is unhandled; publishes nothing (its
   * changes follow the main client's) and reports no outage.
   */
  watchErrors(cluster: Cluster): void {
    cluster.on('error', (err: Error) => (this.#lastError = clean(err.message, this.target)));
    cluster.on('node error', (err: Error, node: string) => (this.#lastError = `${node}: ${clean(err.message, this.target)}`));
  }

  /**
   * Calls `listener` once per outage of an owned client: when the connection is lost (or the first
   * connection attempt fails), not for every failed reconnection attempt; on a cluster, when no node
   * connection is left ready. Returns the unsubscribe.
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
    const context = { command, operation: command, ...(key === undefined ? {} : { key }) };
    if (this.#cluster) {
      return new StoreUnavailableError(
        `The ${this.target.address} is unreachable (${reason.replace('the connection is', 'every node connection is')}) for ${command}. ` +
          "Check that the cluster's nodes are running and reachable from this process; the client reconnects in the background. Nothing was sent.",
        context,
      );
    }
    return new StoreUnavailableError(
      `Redis is unreachable (${reason}) for ${command}. Check that Redis is running at ${this.target.address} and reachable from this process; ` +
        'the client reconnects in the background. Nothing was sent.',
      context,
    );
  }

  /** Tells the `onLost` listeners, unless the store is closing or this outage was already reported. */
  #lose(): void {
    if (this.closing() || this.#lost) return;
    this.#lost = true;
    const error = this.#lostError();
    for (const listener of this.#listeners) listener(error);
  }

  /**
   * Publishes the changes of each node connection of an owned cluster, with the node's `host:port`, and
   * counts the ready ones: when the last ready node connection closes, every node is unreachable (ioredis
   * keeps the `Cluster` itself `ready` until its pool has drained, which can take long), so that is the
   * outage. It ends when the `Cluster` is `ready` again (a node connection that gets ready while the client
   * is still reconnecting does not end it).
   */
  #watchNodes(cluster: Cluster, publish: (message: Omit<ConnectionMessage, 'address'>) => void): void {
    cluster.on('node error', (err: Error, node: string) => {
      const text = clean(err.message, this.target);
      this.#lastError = `${node}: ${text}`;
      publish({ state: 'error', node, error: text });
    });
    const ready = new Set<Redis>();
    const watch = (redis: Redis) => {
      const node = `${redis.options.host ?? 'localhost'}:${redis.options.port ?? 6379}`;
      redis.on('ready', () => {
        ready.add(redis);
        this.#wasReady = true;
        publish({ state: 'ready', node });
      });
      redis.on('close', () => {
        publish({ state: 'close', node });
        if (ready.delete(redis) && ready.size === 0) this.#lose();
      });
    };
    // Node connections are created once the seed hostnames are resolved (after this constructor).
    cluster.on('+node', watch);
    cluster.on('-node', (redis: Redis) => publish({ state: 'end', node: `${redis.options.host ?? 'localhost'}:${redis.options.port ?? 6379}` }));
  }

  #lostError(): StoreUnavailableError {
    const where = this.#cluster ? `the ${this.target.address}` : `Redis at ${this.target.address}`;
    const reason = this.#lastError ?? (this.#cluster ? 'every node connection closed' : 'the connection closed');
    const what = this.#wasReady ? `Lost the connection to ${where}` : `Could not connect to ${where}`;
    const check = this.#cluster ? "Check that the cluster's nodes are running and reachable from this process." : 'Check that Redis is running and reachable from this process.';
    return new StoreUnavailableError(
      `${what} (${reason}). cacheorm reconnects in the background; until then calls fail with StoreUnavailableError ` +
        `(or, with failOpen, act as misses and dropped writes). ${check}`,
      { operation: 'connect' },
    );
  }
}
