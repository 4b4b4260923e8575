/**
 * The ioredis side of {@link RedisStore}: creating or adopting a client, quitting one, and small helpers
 * for the commands the store sends.
 * @internal
 */
import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { ConfigError } from '../../errors/index.js';
import type { WriteOp } from '../store.js';

/** ioredis answers `null` for an `EXEC` Redis discarded (only possible after `WATCH`, which cacheorm never sends). */
export const NO_EXEC_REPLY = 'EXEC returned no reply; the transaction was discarded';

type PipelineResults = [error: Error | null, reply: unknown][] | null;

/**
 * The client a {@link RedisStore} uses: the ioredis client given (`owned: false`), or a new one created
 * from a URL or `RedisOptions` (`owned: true`; `redisOptions` apply under it, and `defaults` under both).
 *
 * @throws ConfigError for an ioredis `Cluster` (`RedisStore` hands clusters to its cluster store, see
 *   `redis-cluster.ts`, before calling this), a string that is not a Redis URL,
 *   `redisOptions` together with a client, an ioredis `keyPrefix` (see {@link refuseKeyPrefix}), or
 *   anything else. A URL Node cannot parse gives a ConfigError without the URL or any error holding it.
 *
 * @example
 * const { client, owned } = openClient('redis://localhost:6379', { commandTimeout: 500 }); // owned: true
 */
export function openClient(
  redis: Redis | string | RedisOptions,
  redisOptions: RedisOptions | undefined,
  defaults: RedisOptions = {},
): { client: Redis; owned: boolean } {
  if (typeof redis === 'object' && redis !== null && (redis as { isCluster?: unknown }).isCluster === true) {
    throw new ConfigError(
      'openClient opens standalone Redis clients; pass an ioredis Cluster to RedisStore or createCache, which support Redis Cluster.',
    );
  }
  if (isClient(redis)) {
    if (redisOptions) {
      throw new ConfigError(
        'RedisStore option redisOptions only applies to a client the store creates; configure the ioredis client you pass instead.',
      );
    }
    refuseKeyPrefix(redis.options?.keyPrefix, 'The ioredis client you passed');
    return { client: redis, owned: false };
  }
  if (typeof redis === 'string') {
    if (!/^(rediss?:\/\/|\/)/i.test(redis)) throw malformedUrl();
    refuseKeyPrefix(redisOptions?.keyPrefix, 'RedisStore option redisOptions');
    let client: Redis;
    try {
      client = new Redis(redis, { ...defaults, ...redisOptions });
    } catch {
      // Node's URL parser throws a TypeError whose `input` property holds the whole URL, password
      // included: nothing of it may reach the caller, not even as `cause`.
      throw malformedUrl();
    }
    if (client.options.keyPrefix) {
      client.disconnect(); // a keyPrefix from the URL's query string
      refuseKeyPrefix(client.options.keyPrefix, 'The Redis URL');
    }
    return { client, owned: true };
  }
  if (typeof redis === 'object' && redis !== null) {
    refuseKeyPrefix(redisOptions?.keyPrefix ?? (redis as RedisOptions).keyPrefix, 'The ioredis options');
    return { client: new Redis({ ...defaults, ...redisOptions, ...redis }), owned: true };
  }
  throw new ConfigError('RedisStore takes an ioredis Redis client, a redis:// URL or ioredis RedisOptions.');
}

function malformedUrl(): ConfigError {
  return new ConfigError(
    'The Redis URL is malformed. Use redis://[[username]:password@]host[:port][/db] (rediss:// for TLS) or a unix socket path.',
  );
}

/**
 * Throws {@link ConfigError} when an ioredis `keyPrefix` is set (`where` says where it was found).
 * ioredis adds it to the keys of commands but not to `SCAN MATCH` patterns or to the keys `SCAN`,
 * `ZSCAN` and Lua scripts answer, so `find`, `find().delete()` and `reindex()` would silently see
 * nothing; cacheorm's own `prefix` namespaces every key instead.
 *
 * @example
 * refuseKeyPrefix(client.options.keyPrefix, 'The ioredis client you passed');
 */
export function refuseKeyPrefix(keyPrefix: unknown, where: string): void {
  if (keyPrefix === undefined || keyPrefix === null || keyPrefix === '') return;
  throw new ConfigError(
    `${where} sets the ioredis option keyPrefix (${JSON.stringify(String(keyPrefix))}), which cacheorm cannot use: ` +
      'ioredis does not apply it to SCAN patterns or to the keys SCAN and scripts return, so find() and reindex() would miss every entry. ' +
      "Remove keyPrefix and pass it as cacheorm's prefix instead, e.g. createCache({ redis, prefix: 'app' }).",
  );
}

/**
 * Quits `client` (a `Redis` or a `Cluster`) and waits until it has ended, dropping its connections when
 * `QUIT` fails or does not complete within `timeoutMs`. An ended client is left as it is.
 *
 * @example
 * await quitClient(client, 2000);
 */
export async function quitClient(client: Redis | Cluster, timeoutMs: number): Promise<void> {
  if (client.status === 'end') return;
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
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

/**
 * The arguments of `SET` for `op`: `key value [KEEPTTL | PX ttl] [NX | XX]`.
 *
 * @example
 * setArguments({ key: 'k', value: 'v', ttl: 1000, mode: 'NX' }); // ['k', 'v', 'PX', '1000', 'NX']
 */
export function setArguments({ key, value, ttl, mode }: WriteOp): string[] {
  const args = [key, value];
  if (ttl === 'keep') args.push('KEEPTTL');
  else if (ttl !== null) args.push('PX', String(ttl));
  if (mode) args.push(mode);
  return args;
}

/**
 * `keys` cut into runs of at most `size`.
 *
 * @example
 * chunk(['a', 'b', 'c'], 2); // [['a', 'b'], ['c']]
 */
export function chunk<T>(keys: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < keys.length; start += size) chunks.push(keys.slice(start, start + size));
  return chunks;
}

/**
 * The replies of a pipeline or transaction, throwing the first command error.
 *
 * @example
 * const [, exists] = replies(await client.multi().persist(key).exists(key).exec());
 */
export function replies(results: PipelineResults): unknown[] {
  if (results === null) throw new Error(NO_EXEC_REPLY);
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
