import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { ConfigError, StoreUnavailableError } from '../errors/index.js';
import { NO_EXEC_REPLY, chunk, openClient, quitClient, replies, setArguments } from './redis-client.js';
import { ownedClientDefaults, RedisConnection } from './redis-connection.js';
import { toStoreFailure, type RedisTarget } from './redis-errors.js';
import {
  DELETE_IF_EQUALS, EXPIRE_INDEXED, INDEX_PRUNE, INDEX_SYNC, UNLINK_INDEXED, WRITE,
  batchWriteNote, indexPages, lexKeyOf, writeCall,
} from './redis-index.js';
import { evalScript, evalScriptPipeline } from './redis-lua.js';
import type { IndexOption, IndexScanOptions, ScanOptions, Store, WriteOp } from './store.js';
import { DEFAULT_COMMAND_TIMEOUT_MS } from './timeout.js';
import { checkDurability, ReplicaConfirmations, type Durability } from './durability.js';
import { isClusterClient, isClusterConfig, type RedisClusterConfig } from './redis-cluster.js';
import { RedisClusterStore } from './redis-cluster-store.js';
import {
  assertExpireTtl, assertIndex, assertKeys, assertWriteOps, indexOption, indexScanArguments, scanCount,
} from './validate.js';

/**
 * Options of {@link RedisStore}.
 *
 * @example
 * const store = new RedisStore('redis://localhost:6379', {
 *   redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 500 },
 *   maxKeysPerCommand: 500,
 * });
 */
export interface RedisStoreOptions {
  /**
   * ioredis options for the client the store creates: applied with a URL, or under the `RedisOptions`
   * you pass (yours win). E.g. `{ maxRetriesPerRequest: 1, commandTimeout: 500 }`. Not allowed together
   * with a client you pass: configure that client instead.
   */
  redisOptions?: RedisOptions;
  /**
   * Most keys per `MGET` / `UNLINK` command (default 1000). Longer key lists are split into several
   * commands sent together in one pipeline (one round trip), so Redis never gets one giant command.
   */
  maxKeysPerCommand?: number;
  /**
   * For a client the store creates: its ioredis `commandTimeout` and `connectTimeout` in ms (default
   * 2000; `0` keeps ioredis' own). `createCache` passes its `commandTimeout` here. A client you pass
   * keeps its own settings (a cache still bounds every call it makes, see `createCache`).
   */
  commandTimeout?: number;
  /**
   * ioredis `ClusterOptions` for a Redis Cluster the store creates (from a list of node URLs), applied
   * over cacheorm's defaults (see docs/cluster.md). Not allowed together with a `Cluster` you pass.
   */
  clusterOptions?: ClusterOptions;
  /**
   * Acknowledge a change only once `replicas` replicas have it (`WAIT replicas timeoutMs` after each
   * write, unlink, expire and compare-and-delete), so it survives a failover. See {@link Durability}.
   */
  durability?: Durability;
}

/** Data-changing commands the durability option confirms with `WAIT`. */
const DURABLE_COMMANDS = new Set(['SET', 'MULTI/EXEC', 'UNLINK', 'EVALSHA', 'PEXPIRE', 'PERSIST']);

const DEFAULT_MAX_KEYS_PER_COMMAND = 1000;
/** How long `close()` waits for `QUIT` before dropping the connection. */
const QUIT_TIMEOUT_MS = 2000;

/**
 * A {@link Store} on Redis through ioredis: standalone Redis, or Redis Cluster.
 *
 * - Pass an ioredis `Redis` client to share your connection: the store never closes it. Pass a URL
 *   (`redis://[[user]:password@]host[:port][/db]`, `rediss://` for TLS) or ioredis `RedisOptions` to let
 *   the store create a client it owns and quits on `close()`.
 * - Redis Cluster: pass an ioredis `Cluster` (not owned), or a list of node URLs /
 *   `{ cluster: [...], clusterOptions? }` (owned). Multi-key commands are grouped by hash slot, `scan`
 *   walks every master (or the one owning a hash tag the glob fixes); see docs/cluster.md.
 * - `write` sends one `SET` for one op and one `MULTI`/`EXEC` (one round trip, atomic) for several; a
 *   batch Redis refuses (e.g. OOM) writes nothing. A batch with index sets (`WriteOp.index`) runs as one
 *   Lua script instead, just as atomic.
 * - Index sets (entities with `find: 'index'`) are sorted sets scored by expiry time taken from the Redis
 *   server's clock, each with a companion set `<index>:lex` (same members, score 0) that answers key-prefix
 *   ranges, maintained together by small Lua scripts that only touch the keys they are given (see
 *   `redis-index.ts`): plain scripts, no Redis 7 shebang flags or functions.
 * - Failures are {@link StoreError} (Redis refused a command; `redisMessage` holds Redis' text) or
 *   {@link StoreUnavailableError} (Redis unreachable, closed, loading, or credentials rejected). Messages
 *   name the command and the server's `host:port`, never a password or a stored value.
 *
 * @example
 * import { Redis } from 'ioredis';
 * const shared = new RedisStore(new Redis(process.env.REDIS_URL!)); // you keep ownership of the client
 * const owned = new RedisStore('redis://localhost:6379/0');        // close() quits this connection
 * await owned.write([{ key: 'cache:greeting:1', value: 'hello', ttl: 60_000, mode: 'NX' }]); // [true]
 * await owned.close();
 */
export class RedisStore<C extends Redis | Cluster = Redis> implements Store {
  /** Always `'redis'`. */
  readonly kind = 'redis';

  /** On a Redis Cluster: the store every method delegates to. */
  readonly #cluster: RedisClusterStore | undefined;
  readonly #confirmations: ReplicaConfirmations | undefined;
  readonly #client: Redis;
  readonly #owned: boolean;
  readonly #target: RedisTarget;
  readonly #maxKeys: number;
  readonly #connection: RedisConnection;
  #closed = false;

  /**
   * @param redis - an ioredis `Redis` or `Cluster` client (not owned), or a URL / `RedisOptions` / list of
   *   cluster node URLs / `{ cluster: [...] }` (owned client).
   * @param options - see {@link RedisStoreOptions}.
   * @throws ConfigError for a string that is not a Redis URL, malformed cluster node URLs, `redisOptions`
   *   or `clusterOptions` together with a client, or a bad `maxKeysPerCommand`, `commandTimeout` or
   *   `durability`.
   *
   * @example
   * const store = new RedisStore('redis://:s3cret@cache.internal:6379', { redisOptions: { commandTimeout: 500 } });
   * const clustered = new RedisStore<Cluster>(['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000']);
   */
  constructor(redis: C, options?: RedisStoreOptions);
  constructor(redis: string | RedisOptions | RedisClusterConfig, options?: RedisStoreOptions);
  constructor(redis: Redis | Cluster | string | RedisOptions | RedisClusterConfig, options?: RedisStoreOptions);
  constructor(redis: C | string | RedisOptions | RedisClusterConfig, options: RedisStoreOptions = {}) {
    const maxKeys = options.maxKeysPerCommand ?? DEFAULT_MAX_KEYS_PER_COMMAND;
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) {
      throw new ConfigError(`RedisStore option maxKeysPerCommand must be a positive whole number, got ${String(maxKeys)}.`);
    }
    this.#maxKeys = maxKeys;
    const commandTimeout = options.commandTimeout ?? DEFAULT_COMMAND_TIMEOUT_MS;
    if (!(Number.isSafeInteger(commandTimeout) && commandTimeout >= 0)) {
      throw new ConfigError(`RedisStore option commandTimeout must be a whole number of ms (0 for ioredis' default), got ${String(commandTimeout)}.`);
    }
    const durability = checkDurability(options.durability);
    this.#confirmations = durability === undefined ? undefined : new ReplicaConfirmations(durability);
    this.#cluster = isClusterClient(redis) || isClusterConfig(redis)
      ? new RedisClusterStore(redis, { clusterOptions: options.clusterOptions, maxKeysPerCommand: maxKeys, commandTimeout, durability })
      : undefined;
    if (this.#cluster && options.redisOptions) {
      throw new ConfigError('RedisStore option redisOptions is for a standalone Redis; for a cluster, pass clusterOptions (its redisOptions apply to every node).');
    }
    // With a cluster, every method delegates to #cluster: the standalone fields below are not used.
    ({ client: this.#client, owned: this.#owned } = this.#cluster
      ? { client: this.#cluster.client as unknown as Redis, owned: false }
      : openClient(redis as Redis | string | RedisOptions, options.redisOptions, ownedClientDefaults(commandTimeout)));
    const { host, port, path, password } = this.#client.options;
    this.#target = {
      address: path ? `unix socket ${path}` : `${host ?? 'localhost'}:${port ?? 6379}`,
      secret: password,
      lastConnectionError: () => this.#connection.lastError,
    };
    // On an owned client: listens to connection events (so ioredis never prints "Unhandled error event"),
    // keeps the last connection error for messages, fails calls fast between reconnection attempts.
    this.#connection = new RedisConnection(this.#client, this.#target, this.#owned, () => this.#closed, commandTimeout);
  }

  /**
   * Calls `listener` once per outage of a client the store created: when its connection is lost, or its
   * first connection attempt fails (not for every failed reconnection attempt). The cache uses it to
   * emit an `error` event. Returns a function that removes the listener. Never called for a client you
   * passed: cacheorm adds no listener to it.
   *
   * @example
   * const stop = store.onConnectionLost((err) => log.warn(err.message));
   */
  onConnectionLost(listener: (error: StoreUnavailableError) => void): () => void {
    if (this.#cluster) return this.#cluster.onConnectionLost(listener);
    return this.#connection.onLost(listener);
  }

  /**
   * The ioredis client in use: the one you passed, or the one the store created (do not quit an owned
   * client yourself; call `close()`).
   *
   * @example
   * await store.client.ping();
   */
  get client(): C {
    return (this.#cluster?.client ?? this.#client) as C;
  }

  /** {@inheritDoc Store.get} */
  async get(key: string): Promise<string | null> {
    if (this.#cluster) return this.#cluster.get(key);
    return this.#run('GET', key, () => this.#client.get(key));
  }

  /** {@inheritDoc Store.mget} */
  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    if (this.#cluster) return this.#cluster.mget(keys);
    this.#assertOpen('MGET');
    if (keys.length === 0) return [];
    return this.#run('MGET', undefined, async () => {
      const chunks = chunk(keys, this.#maxKeys);
      if (chunks.length === 1) return this.#client.mget(chunks[0]!);
      const pipeline = this.#client.pipeline();
      for (const part of chunks) pipeline.mget(part);
      return replies(await pipeline.exec()).flat() as (string | null)[];
    });
  }

  /** {@inheritDoc Store.write} */
  async write(ops: readonly WriteOp[]): Promise<boolean[]> {
    if (this.#cluster) return this.#cluster.write(ops);
    this.#assertOpen('SET');
    assertWriteOps(ops);
    if (ops.length === 0) return [];
    if (ops.some((op) => op.index !== undefined)) {
      const { keys, args } = writeCall(ops);
      return this.#run('SET', ops.length === 1 ? ops[0]!.key : undefined, async () => {
        try {
          return ((await evalScript(this.#client, WRITE, keys, args)) as number[]).map((applied) => applied === 1);
        } catch (err) {
          const note = ops.length > 1 ? batchWriteNote(err) : undefined;
          throw note ? toStoreFailure(err, { command: 'SET', target: this.#target, note }) : err;
        }
      });
    }
    if (ops.length === 1) {
      const op = ops[0]!;
      return this.#run('SET', op.key, async () => [(await this.#client.call('SET', setArguments(op))) === 'OK']);
    }
    return this.#run('MULTI/EXEC', undefined, async () => {
      const multi = this.#client.multi();
      for (const op of ops) multi.call('SET', setArguments(op));
      const results = await multi.exec();
      if (results === null) throw new Error(NO_EXEC_REPLY);
      return results.map(([error, reply]) => {
        if (error) {
          throw toStoreFailure(error, {
            command: 'SET',
            target: this.#target,
            note: 'Redis does not roll back MULTI/EXEC, so the batch was partly written.',
          });
        }
        return reply === 'OK';
      });
    });
  }

  /**
   * Removes `keys` (`UNLINK`) and answers how many existed, as {@link Store.unlink} describes.
   *
   * With an index set, each chunk of keys is one Lua script (`UNLINK` and `ZREM` per key, atomic).
   */
  async unlink(keys: readonly string[], options?: IndexOption): Promise<number> {
    if (this.#cluster) return this.#cluster.unlink(keys, options);
    this.#assertOpen('UNLINK');
    const index = indexOption(options, 'UNLINK');
    if (keys.length === 0) return 0;
    return this.#run('UNLINK', undefined, async () => {
      const chunks = chunk(keys, this.#maxKeys);
      if (index !== undefined) {
        const calls = chunks.map((part) => ({ keys: [index, lexKeyOf(index), ...part], args: [] }));
        return ((await evalScriptPipeline(this.#client, UNLINK_INDEXED, calls)) as number[]).reduce((sum, n) => sum + n, 0);
      }
      if (chunks.length === 1) return this.#client.unlink(chunks[0]!);
      const pipeline = this.#client.pipeline();
      for (const part of chunks) pipeline.unlink(part);
      return (replies(await pipeline.exec()) as number[]).reduce((sum, removed) => sum + removed, 0);
    });
  }

  /**
   * Removes `key` only while it holds `value`, atomically, as {@link Store.deleteIfEquals} describes.
   *
   * A 3-line Lua script (`GET`, compare, `ZREM` from the index set if any, `UNLINK`), run atomically by
   * Redis: `EVALSHA`, falling back to `EVAL` when the server does not have the script cached yet.
   */
  async deleteIfEquals(key: string, value: string, options?: IndexOption): Promise<boolean> {
    if (this.#cluster) return this.#cluster.deleteIfEquals(key, value, options);
    this.#assertOpen('EVALSHA');
    const index = indexOption(options, 'EVALSHA');
    const keys = index === undefined ? [key] : [key, index, lexKeyOf(index)];
    return this.#run('EVALSHA', key, async () => (await evalScript(this.#client, DELETE_IF_EQUALS, keys, [value])) === 1);
  }

  /** {@inheritDoc Store.exists} */
  async exists(key: string): Promise<boolean> {
    if (this.#cluster) return this.#cluster.exists(key);
    return this.#run('EXISTS', key, async () => (await this.#client.exists(key)) > 0);
  }

  /** {@inheritDoc Store.pttl} */
  async pttl(key: string): Promise<number> {
    if (this.#cluster) return this.#cluster.pttl(key);
    return this.#run('PTTL', key, () => this.#client.pttl(key));
  }

  /**
   * Sets (`ttlMs`) or removes (`null`) the expiry of an existing key, as {@link Store.expire} describes.
   *
   * `PEXPIRE key ttlMs` for a TTL. For `null`, `PERSIST` alone cannot tell "no such key" from "key had
   * no expiry", so `PERSIST` and `EXISTS` run together in one `MULTI`/`EXEC` (one round trip, atomic).
   * With an index set, a Lua script does it and updates the key's score.
   */
  async expire(key: string, ttlMs: number | null, options?: IndexOption): Promise<boolean> {
    if (this.#cluster) return this.#cluster.expire(key, ttlMs, options);
    this.#assertOpen(ttlMs === null ? 'PERSIST' : 'PEXPIRE');
    assertExpireTtl(key, ttlMs);
    const command = ttlMs === null ? 'PERSIST' : 'PEXPIRE';
    const index = indexOption(options, command);
    if (index !== undefined) {
      const args = [ttlMs === null ? '' : String(ttlMs)];
      return this.#run(command, key, async () => (await evalScript(this.#client, EXPIRE_INDEXED, [key, index, lexKeyOf(index)], args)) === 1);
    }
    if (ttlMs !== null) return this.#run('PEXPIRE', key, async () => (await this.#client.pexpire(key, ttlMs)) === 1);
    return this.#run('PERSIST', key, async () => {
      const [, exists] = replies(await this.#client.multi().persist(key).exists(key).exec());
      return exists === 1;
    });
  }

  /**
   * Yields batches of the keys matching the Redis glob `match`, as {@link Store.scan} describes.
   *
   * Runs `SCAN cursor MATCH match COUNT count` until the cursor comes back to `0`, yielding each
   * non-empty batch as it arrives.
   */
  async *scan(match: string, options?: ScanOptions): AsyncIterable<string[]> {
    if (this.#cluster) return yield* this.#cluster.scan(match, options);
    this.#assertOpen('SCAN');
    const count = scanCount(match, options);
    for (const node of this.#nodes()) yield* this.#scanNode(node, match, count);
  }

  /**
   * Yields batches of the live members of the index set `index`, as {@link Store.indexScan} describes.
   *
   * With `prefix`: pages of `ZRANGEBYLEX` over the index's lexicographic set (`<index>:lex`), resuming
   * after the last member read (members present for the whole scan are yielded once), live members only,
   * filtered by `match` in the client; O(log N + M) per page. Else, with `match`: Lua-filtered `ZSCAN`
   * steps (Redis' `SCAN` guarantee: members present for the whole scan
   * are yielded at least once). Without: pages of `count` members in expiry order, each resuming right
   * after the last member of the previous page; a member present for the whole scan is yielded unless its
   * expiry moved backwards meanwhile (`expire()` with a shorter TTL), and may repeat if the last member of
   * a page was rewritten or removed in between. Liveness is judged by the server's clock at each page.
   */
  async *indexScan(index: string, options?: IndexScanOptions): AsyncIterable<string[]> {
    if (this.#cluster) return yield* this.#cluster.indexScan(index, options);
    this.#assertOpen('ZSCAN');
    const { match, prefix, count } = indexScanArguments(index, options);
    const command = prefix !== undefined ? 'ZRANGEBYLEX' : match === undefined ? 'ZRANGE' : 'ZSCAN';
    const keys = [index, lexKeyOf(index)];
    yield* indexPages((script, args) => this.#run(command, index, () => evalScript(this.#client, script, keys, args)), { match, prefix, count });
  }

  /** {@inheritDoc Store.indexPrune} */
  async indexPrune(index: string): Promise<number> {
    if (this.#cluster) return this.#cluster.indexPrune(index);
    this.#assertOpen('ZREMRANGEBYSCORE');
    assertIndex(index, 'ZREMRANGEBYSCORE');
    return this.#run('ZREMRANGEBYSCORE', index, async () => (await evalScript(this.#client, INDEX_PRUNE, [index, lexKeyOf(index)], [])) as number);
  }

  /**
   * Brings the membership of `keys` in `index` in line with the keys, as {@link Store.indexSync} describes.
   *
   * One Lua script per `maxKeysPerCommand` keys (each atomic), sent together in one pipeline.
   */
  async indexSync(index: string, keys: readonly string[]): Promise<number> {
    if (this.#cluster) return this.#cluster.indexSync(index, keys);
    this.#assertOpen('ZADD');
    assertIndex(index, 'ZADD');
    assertKeys(keys, 'ZADD');
    if (keys.length === 0) return 0;
    return this.#run('ZADD', index, async () => {
      const calls = chunk(keys, this.#maxKeys).map((part) => ({ keys: [index, lexKeyOf(index), ...part], args: [] }));
      return ((await evalScriptPipeline(this.#client, INDEX_SYNC, calls)) as number[]).reduce((sum, n) => sum + n, 0);
    });
  }

  /**
   * Releases the store: quits the client it created and waits until its connection has ended (dropping
   * it if `QUIT` does not complete within 2 s), leaves a client you passed untouched. Calling it again does nothing; any other method
   * called after it throws {@link StoreUnavailableError}.
   *
   * @example
   * process.on('SIGTERM', () => void store.close());
   */
  async close(): Promise<void> {
    if (this.#cluster) return this.#cluster.close();
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#owned || this.#client.status === 'end') return;
    await quitClient(this.#client, QUIT_TIMEOUT_MS);
  }

  /** The servers a scan walks: for standalone Redis, the one client. (A cluster will list its masters.) */
  #nodes(): Redis[] {
    return [this.#client];
  }

  async *#scanNode(node: Redis, match: string, count: number): AsyncIterable<string[]> {
    let cursor = '0';
    do {
      const [next, keys] = await this.#run('SCAN', undefined, () => node.scan(cursor, 'MATCH', match, 'COUNT', count));
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }

  /** Runs one store operation, mapping whatever it throws to a StoreError / StoreUnavailableError. */
  async #run<T>(command: string, key: string | undefined, operation: () => Promise<T>): Promise<T> {
    this.#assertOpen(command);
    const down = this.#connection.unavailable(command, key);
    if (down) throw down;
    try {
      const result = await operation();
      if (this.#confirmations && DURABLE_COMMANDS.has(command)) await this.#confirmations.confirm(this.#client, command, key);
      return result;
    } catch (err) {
      throw toStoreFailure(err, { command, key, target: this.#target });
    }
  }

  #assertOpen(command: string): void {
    if (this.#closed) {
      throw new StoreUnavailableError(
        'The RedisStore was closed. Create a new RedisStore (or cache) instead of using a closed one.',
        { command, operation: command },
      );
    }
  }
}
