import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError, StoreUnavailableError } from '../errors/index.js';
import { clean, toStoreFailure, type RedisTarget } from './redis-errors.js';
import type { ScanOptions, Store, WriteOp } from './store.js';
import { assertExpireTtl, assertWriteOps, scanCount } from './validate.js';

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
}

const DEFAULT_MAX_KEYS_PER_COMMAND = 1000;
/** How long `close()` waits for `QUIT` before dropping the connection. */
const QUIT_TIMEOUT_MS = 2000;

/** Compare-and-delete of {@link RedisStore.deleteIfEquals}. */
const DELETE_IF_EQUALS = (() => {
  const source = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('UNLINK', KEYS[1]) end\nreturn 0";
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
})();

/** ioredis answers `null` for an `EXEC` Redis discarded (only possible after `WATCH`, which cacheorm never sends). */
const NO_EXEC_REPLY = 'EXEC returned no reply; the transaction was discarded';

type PipelineResults = [error: Error | null, reply: unknown][] | null;

/**
 * A {@link Store} on Redis through ioredis (standalone Redis; Redis Cluster support is planned).
 *
 * - Pass an ioredis `Redis` client to share your connection: the store never closes it. Pass a URL
 *   (`redis://[[user]:password@]host[:port][/db]`, `rediss://` for TLS) or ioredis `RedisOptions` to let
 *   the store create a client it owns and quits on `close()`.
 * - `write` sends one `SET` for one op and one `MULTI`/`EXEC` (one round trip, atomic) for several; a
 *   batch Redis refuses (e.g. OOM) writes nothing.
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
export class RedisStore implements Store {
  /** Always `'redis'`. */
  readonly kind = 'redis';

  readonly #client: Redis;
  readonly #owned: boolean;
  readonly #target: RedisTarget;
  readonly #maxKeys: number;
  #lastConnectionError: string | undefined;
  #closed = false;

  /**
   * @param redis - an ioredis `Redis` client (not owned), or a URL / `RedisOptions` (owned client).
   * @param options - see {@link RedisStoreOptions}.
   * @throws ConfigError for an ioredis `Cluster` (not supported yet), a string that is not a Redis URL,
   *   `redisOptions` together with a client, or a bad `maxKeysPerCommand`.
   *
   * @example
   * const store = new RedisStore('redis://:s3cret@cache.internal:6379', { redisOptions: { commandTimeout: 500 } });
   */
  constructor(redis: Redis | string | RedisOptions, options: RedisStoreOptions = {}) {
    const maxKeys = options.maxKeysPerCommand ?? DEFAULT_MAX_KEYS_PER_COMMAND;
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) {
      throw new ConfigError(`RedisStore option maxKeysPerCommand must be a positive whole number, got ${String(maxKeys)}.`);
    }
    this.#maxKeys = maxKeys;
    if (typeof redis === 'object' && redis !== null && (redis as { isCluster?: unknown }).isCluster === true) {
      throw new ConfigError(
        'Redis Cluster is not supported yet by this version of cacheorm; pass a standalone ioredis Redis instance or URL.',
      );
    }
    if (isClient(redis)) {
      if (options.redisOptions) {
        throw new ConfigError(
          'RedisStore option redisOptions only applies to a client the store creates; configure the ioredis client you pass instead.',
        );
      }
      this.#client = redis;
      this.#owned = false;
    } else if (typeof redis === 'string') {
      if (!/^(rediss?:\/\/|\/)/i.test(redis)) {
        throw new ConfigError(
          'The Redis URL is malformed. Use redis://[[username]:password@]host[:port][/db] (rediss:// for TLS) or a unix socket path.',
        );
      }
      this.#client = new Redis(redis, options.redisOptions ?? {});
      this.#owned = true;
    } else if (typeof redis === 'object' && redis !== null) {
      this.#client = new Redis({ ...options.redisOptions, ...redis });
      this.#owned = true;
    } else {
      throw new ConfigError('RedisStore takes an ioredis Redis client, a redis:// URL or ioredis RedisOptions.');
    }
    const { host, port, path, password } = this.#client.options;
    this.#target = {
      address: path ? `unix socket ${path}` : `${host ?? 'localhost'}:${port ?? 6379}`,
      secret: password,
      lastConnectionError: () => this.#lastConnectionError,
    };
    if (this.#owned) {
      // Connection errors surface through the commands that fail; keep the last one for their messages
      // (and so ioredis does not print "Unhandled error event" for a client nobody else can listen to).
      this.#client.on('error', (err: Error) => {
        this.#lastConnectionError = clean(err.message, this.#target);
      });
      this.#client.on('ready', () => {
        this.#lastConnectionError = undefined;
      });
    }
  }

  /**
   * The ioredis client in use: the one you passed, or the one the store created (do not quit an owned
   * client yourself; call `close()`).
   *
   * @example
   * await store.client.ping();
   */
  get client(): Redis {
    return this.#client;
  }

  /** {@inheritDoc Store.get} */
  async get(key: string): Promise<string | null> {
    return this.#run('GET', key, () => this.#client.get(key));
  }

  /** {@inheritDoc Store.mget} */
  async mget(keys: readonly string[]): Promise<(string | null)[]> {
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
    this.#assertOpen('SET');
    assertWriteOps(ops);
    if (ops.length === 0) return [];
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

  /** {@inheritDoc Store.unlink} */
  async unlink(keys: readonly string[]): Promise<number> {
    this.#assertOpen('UNLINK');
    if (keys.length === 0) return 0;
    return this.#run('UNLINK', undefined, async () => {
      const chunks = chunk(keys, this.#maxKeys);
      if (chunks.length === 1) return this.#client.unlink(chunks[0]!);
      const pipeline = this.#client.pipeline();
      for (const part of chunks) pipeline.unlink(part);
      return (replies(await pipeline.exec()) as number[]).reduce((sum, removed) => sum + removed, 0);
    });
  }

  /**
   * {@inheritDoc Store.deleteIfEquals}
   *
   * A 2-line Lua script (`GET`, compare, `UNLINK`), run atomically by Redis: `EVALSHA`, falling back to
   * `EVAL` when the server does not have the script cached yet.
   */
  async deleteIfEquals(key: string, value: string): Promise<boolean> {
    return this.#run('EVALSHA', key, async () => {
      let removed: unknown;
      try {
        removed = await this.#client.evalsha(DELETE_IF_EQUALS.sha1, 1, key, value);
      } catch (err) {
        if (!/^NOSCRIPT\b/.test((err as Error | undefined)?.message ?? '')) throw err;
        removed = await this.#client.eval(DELETE_IF_EQUALS.source, 1, key, value);
      }
      return removed === 1;
    });
  }

  /** {@inheritDoc Store.exists} */
  async exists(key: string): Promise<boolean> {
    return this.#run('EXISTS', key, async () => (await this.#client.exists(key)) > 0);
  }

  /** {@inheritDoc Store.pttl} */
  async pttl(key: string): Promise<number> {
    return this.#run('PTTL', key, () => this.#client.pttl(key));
  }

  /**
   * {@inheritDoc Store.expire}
   *
   * `PEXPIRE key ttlMs` for a TTL. For `null`, `PERSIST` alone cannot tell "no such key" from "key had
   * no expiry", so `PERSIST` and `EXISTS` run together in one `MULTI`/`EXEC` (one round trip, atomic).
   */
  async expire(key: string, ttlMs: number | null): Promise<boolean> {
    this.#assertOpen(ttlMs === null ? 'PERSIST' : 'PEXPIRE');
    assertExpireTtl(key, ttlMs);
    if (ttlMs !== null) return this.#run('PEXPIRE', key, async () => (await this.#client.pexpire(key, ttlMs)) === 1);
    return this.#run('PERSIST', key, async () => {
      const [, exists] = replies(await this.#client.multi().persist(key).exists(key).exec());
      return exists === 1;
    });
  }

  /**
   * {@inheritDoc Store.scan}
   *
   * Runs `SCAN cursor MATCH match COUNT count` until the cursor comes back to `0`, yielding each
   * non-empty batch as it arrives.
   */
  async *scan(match: string, options?: ScanOptions): AsyncIterable<string[]> {
    this.#assertOpen('SCAN');
    const count = scanCount(match, options);
    for (const node of this.#nodes()) yield* this.#scanNode(node, match, count);
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
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#owned || this.#client.status === 'end') return;
    const client = this.#client;
    const ended = new Promise<void>((resolve) => client.once('end', resolve));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), QUIT_TIMEOUT_MS);
    });
    try {
      if (client.status === 'ready') {
        const quit = client.quit().then(() => ended, () => 'failed' as const);
        if ((await Promise.race([quit, timedOut])) === undefined) return;
      }
      // Not connected, QUIT failed or hung: drop the connection (and any reconnection attempt). Between
      // two reconnection attempts there is no socket left, so ioredis stays 'reconnecting' and never
      // emits 'end': nothing to wait for then.
      const reconnecting = client.status === 'reconnecting';
      client.disconnect();
      if (!reconnecting) await Promise.race([ended, timedOut]);
    } finally {
      clearTimeout(timer);
    }
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
    try {
      return await operation();
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

/** Duck-typed check for an ioredis client (works across duplicate copies of ioredis). */
function isClient(value: unknown): value is Redis {
  const candidate = value as Partial<Redis> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.sendCommand === 'function' &&
    typeof candidate.multi === 'function' &&
    typeof candidate.scan === 'function'
  );
}

function setArguments({ key, value, ttl, mode }: WriteOp): string[] {
  const args = [key, value];
  if (ttl === 'keep') args.push('KEEPTTL');
  else if (ttl !== null) args.push('PX', String(ttl));
  if (mode) args.push(mode);
  return args;
}

function chunk(keys: readonly string[], size: number): string[][] {
  const chunks: string[][] = [];
  for (let start = 0; start < keys.length; start += size) chunks.push(keys.slice(start, start + size));
  return chunks;
}

/** The replies of a pipeline or transaction, throwing the first command error. */
function replies(results: PipelineResults): unknown[] {
  if (results === null) throw new Error(NO_EXEC_REPLY);
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
