/**
 * The `node:diagnostics_channel` channels cacheorm publishes on. Subscribing costs nothing when nobody
 * listens: every publisher checks `hasSubscribers` first.
 *
 * | name | kind | one message per |
 * |---|---|---|
 * | `cacheorm:repository` | tracing channel (`tracing:cacheorm:repository:start`, `:end`, `:asyncStart`, `:asyncEnd`, `:error`) | repository operation (`get`, `save`, `find`, ...) |
 * | `cacheorm:store` | tracing channel (`tracing:cacheorm:store:*`) | store command a repository sends (`get`, `mget`, `write`, `scan` page, ...) |
 * | `cacheorm:lock` | channel | step of a `getOrLoad(..., { lock: true })` lock |
 * | `cacheorm:connection` | channel | connection change of a Redis client or Redis Cluster (and its nodes) cacheorm created |
 * | `cacheorm:near` | channel | flush of a cache's near cache (docs/near-cache.md) |
 */
import diagnostics_channel from 'node:diagnostics_channel';

/**
 * Names of cacheorm's diagnostics channels.
 *
 * @example
 * import diagnostics_channel from 'node:diagnostics_channel';
 * import { CHANNELS, type StoreTraceContext } from 'cacheorm';
 * // The context type twice: @types/node 26 reversed TracingChannel's type parameters; this works with every major.
 * diagnostics_channel.tracingChannel<StoreTraceContext, StoreTraceContext>(CHANNELS.store).subscribe({
 *   start: (ctx) => console.log('->', ctx.command, ctx.key ?? ''),
 *   asyncEnd: (ctx) => console.log('<-', ctx.command),
 *   error: (ctx) => console.log('!!', ctx.command, String(ctx.error)),
 *   end: () => {},
 *   asyncStart: () => {},
 * });
 */
export const CHANNELS = {
  /** Tracing channel: every repository operation. Context: {@link RepositoryTraceContext}. */
  repository: 'cacheorm:repository',
  /** Tracing channel: every store command sent on behalf of a repository. Context: {@link StoreTraceContext}. */
  store: 'cacheorm:store',
  /** Plain channel: the steps of cross-process `getOrLoad` locks. Message: {@link LockMessage}. */
  lock: 'cacheorm:lock',
  /** Plain channel: connection changes of Redis clients and clusters cacheorm created. Message: {@link ConnectionMessage}. */
  connection: 'cacheorm:connection',
  /** Plain channel: each flush of a near cache (`nearCache` option). Message: {@link NearCacheMessage}. */
  near: 'cacheorm:near',
} as const;

/**
 * Message of the `cacheorm:near` channel: a near cache dropped every entry it kept.
 *
 * @example
 * diagnostics_channel.subscribe(CHANNELS.near, (m) => log.info({ reason: (m as NearCacheMessage).reason }, 'near cache flushed'));
 */
export interface NearCacheMessage {
  /** Always `flush`. */
  type: 'flush';
  /**
   * Why: `invalidate-all` (Redis sent a null invalidation: `FLUSHALL` / `FLUSHDB`), `disconnect` (a
   * tracking connection closed or failed), `ping-timeout` (its `PING` went unanswered), `topology` (the
   * Redis Cluster's masters changed), `close` (the cache closed).
   */
  reason: 'invalidate-all' | 'disconnect' | 'ping-timeout' | 'topology' | 'close';
  /** The cache's key prefix. */
  prefix: string;
  /** How many entries were dropped. */
  entries: number;
}

/**
 * Context of one repository operation on the `cacheorm:repository` tracing channel. Node's
 * `tracePromise` adds `result` (on `asyncEnd`) or `error` (on `error`) to this same object.
 *
 * @example
 * diagnostics_channel.tracingChannel<RepositoryTraceContext, RepositoryTraceContext>(CHANNELS.repository).subscribe({
 *   start(ctx) { ctx.startedAt = performance.now(); },
 *   asyncEnd(ctx) { histogram.record(performance.now() - ctx.startedAt, { entity: ctx.entity, op: ctx.operation }); },
 *   end() {}, asyncStart() {}, error() {},
 * });
 */
export interface RepositoryTraceContext {
  /** Entity name. */
  entity: string;
  /**
   * Repository method: `save`, `insert`, `update`, `get`, `getMany`, `delete`, `exists`, `ttl`, `touch`,
   * `getOrLoad`, `reindex`, or for a query, `find.iterate`, `find.toArray`, `find.first`, `find.count`,
   * `find.keys`, `find.delete`.
   */
  operation: string;
  /** The Redis key, for single-key operations whose key is valid. */
  key?: string;
  /** Number of entities or keys, for batch operations. */
  count?: number;
  /** What the operation resolved with (set by Node on `asyncEnd`). */
  result?: unknown;
  /** What the operation rejected with (set by Node on `error`). */
  error?: unknown;
  /** Free for subscribers (e.g. a start time or a span). */
  [extra: string]: unknown;
}

/**
 * Context of one store command on the `cacheorm:store` tracing channel.
 *
 * @example
 * diagnostics_channel.tracingChannel<StoreTraceContext, StoreTraceContext>(CHANNELS.store).subscribe({
 *   error(ctx) { log.warn({ command: ctx.command, key: ctx.key }, String(ctx.error)); },
 *   start() {}, end() {}, asyncStart() {}, asyncEnd() {},
 * });
 */
export interface StoreTraceContext {
  /** The store's `kind` (`redis`, `memory`, or your store's). */
  store: string;
  /**
   * The Store method: `get`, `mget`, `write`, `unlink`, `deleteIfEquals`, `exists`, `pttl`, `expire`,
   * `scan` (one page), `indexScan` (one page), `indexPrune`, `indexSync`, `fieldScan` (one page), `fieldSync`.
   */
  command: string;
  /** The key, for single-key commands (the index set for index commands, the glob for `scan`). */
  key?: string;
  /** Number of keys or writes, for multi-key commands. */
  count?: number;
  /** What the command resolved with (set by Node on `asyncEnd`). */
  result?: unknown;
  /** What the command rejected with (set by Node on `error`). */
  error?: unknown;
  /** Free for subscribers. */
  [extra: string]: unknown;
}

/**
 * A message on the `cacheorm:lock` channel.
 *
 * - `acquired`: this process took the lock and runs the loader.
 * - `busy`: another process holds the lock; this one waits for the value.
 * - `waited`: the value appeared while waiting (another process loaded it).
 * - `timeout`: the wait ran out; this process runs the loader itself, without the lock.
 * - `released`: the holder removed its lock (compare-and-delete: never someone else's).
 * - `unavailable`: the store failed during the lock protocol (`failOpen`: the loader runs without the lock).
 *
 * @example
 * diagnostics_channel.subscribe(CHANNELS.lock, (m) => console.log((m as LockMessage).event, (m as LockMessage).key));
 */
export interface LockMessage {
  /** The step (see above). */
  event: 'acquired' | 'busy' | 'waited' | 'timeout' | 'released' | 'unavailable';
  /** Entity name. */
  entity: string;
  /** The entity's Redis key. */
  key: string;
  /** The lock's Redis key (`<prefix>:<entity>#lock:<key parts>`). */
  lockKey: string;
  /** For `waited` and `timeout`: how long this process waited, in ms. */
  waitedMs?: number;
}

/**
 * A message on the `cacheorm:connection` channel (clients cacheorm created from a URL, options or a list
 * of cluster nodes only: cacheorm adds no listener to a client you pass).
 *
 * - `ready`: connected and ready.
 * - `error`: a connection error (`error` holds its text, without credentials).
 * - `close`: the connection closed.
 * - `reconnecting`: the next attempt starts in `delayMs` (a Redis Cluster does not say when: no `delayMs`).
 * - `end`: no more attempts (closed by cacheorm, or the retry strategy gave up).
 *
 * For a Redis Cluster, `address` names the cluster (`Redis Cluster host:port, ...`). Messages without
 * `node` concern the cluster client as a whole (`close`: every node connection is lost); messages with
 * `node` concern one node connection: `ready`, `error`, `close`, and `end` when the client drops that
 * connection (node gone, or no longer in the topology).
 *
 * @example
 * diagnostics_channel.subscribe(CHANNELS.connection, (m) => {
 *   const { state, address, error } = m as ConnectionMessage;
 *   log.info({ address, error }, `redis ${state}`);
 * });
 */
export interface ConnectionMessage {
  /** The change (see above). */
  state: 'ready' | 'error' | 'close' | 'reconnecting' | 'end';
  /** `host:port` or `unix socket <path>`; for a Redis Cluster, `Redis Cluster host:port, ...` (its masters, or seed nodes before it connected). */
  address: string;
  /** Redis Cluster only: `host:port` of the node connection the message concerns; absent for the cluster as a whole. */
  node?: string;
  /** For `error`: the error text (credentials removed). */
  error?: string;
  /** For `reconnecting`: the delay before the next attempt. */
  delayMs?: number;
}

/**
 * The part of a `node:diagnostics_channel` channel cacheorm publishes with. Declared here rather than
 * taken from `@types/node`, so the published declarations do not depend on the `Channel` and
 * `TracingChannel` type parameters, whose order and constraints differ between `@types/node` majors
 * (20-24: `<StoreType, ContextType extends object>`; 26: `<ContextType extends object, StoreType>`).
 *
 * @internal
 */
export interface PublishingChannel<M> {
  readonly hasSubscribers: boolean;
  publish(message: M): void;
}

/** The part of a `node:diagnostics_channel` tracing channel cacheorm traces with (see {@link PublishingChannel}). @internal */
export interface TracingPublisher<C extends object> {
  readonly hasSubscribers: boolean;
  readonly start: PublishingChannel<C>;
  readonly end: PublishingChannel<C>;
  readonly asyncStart: PublishingChannel<C>;
  readonly asyncEnd: PublishingChannel<C>;
  readonly error: PublishingChannel<C>;
  tracePromise<T, A extends unknown[]>(fn: (this: unknown, ...args: A) => Promise<T>, context: C, thisArg?: unknown, ...args: A): Promise<T>;
}

/** @internal */
export const repositoryChannel: TracingPublisher<RepositoryTraceContext> = diagnostics_channel.tracingChannel(CHANNELS.repository);
/** @internal */
export const storeChannel: TracingPublisher<StoreTraceContext> = diagnostics_channel.tracingChannel(CHANNELS.store);
/** @internal */
export const lockChannel: PublishingChannel<LockMessage> = diagnostics_channel.channel(CHANNELS.lock);
/** @internal */
export const connectionChannel: PublishingChannel<ConnectionMessage> = diagnostics_channel.channel(CHANNELS.connection);

/** @internal */
export const nearChannel: PublishingChannel<NearCacheMessage> = diagnostics_channel.channel(CHANNELS.near);

/** Publishes on `cacheorm:lock` when someone listens. @internal */
export function publishLock(message: LockMessage): void {
  if (lockChannel.hasSubscribers) lockChannel.publish(message);
}

/** Publishes on `cacheorm:connection` when someone listens. @internal */
export function publishConnection(message: ConnectionMessage): void {
  if (connectionChannel.hasSubscribers) connectionChannel.publish(message);
}
