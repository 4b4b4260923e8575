/** The `nearCache` option of `createCache`: its type and its checks. */
import { parseTtl, type Ttl } from '../entity/index.js';
import { ConfigError } from '../errors/index.js';
import { unknownNames, unknownOptionMessage } from '../errors/suggest.js';

/**
 * The `nearCache` option of `createCache`: `true` for the defaults, or bounds (docs/near-cache.md).
 *
 * @example
 * const near: NearCacheOptions = { maxEntries: 50_000, maxBytes: '64mb', ttl: '5m' };
 * const cache = createCache({ redis: process.env.REDIS_URL, nearCache: near });
 */
export interface NearCacheOptions {
  /** Most entries kept in process (least recently used go first). Default 10,000. */
  maxEntries?: number;
  /**
   * Most bytes kept, counted as the UTF-8 size of the stored texts: a number of bytes or `'512kb'`,
   * `'64mb'`, `'1gb'`. Default: no byte bound.
   */
  maxBytes?: number | string;
  /** Most time an entry stays in process; it never outlives the key's remaining Redis TTL anyway. Not `'never'`. */
  ttl?: Exclude<Ttl, 'never'>;
}

/** The near cache's settings as a cache runs with them. @internal */
export interface NearCacheLimits {
  readonly maxEntries: number;
  readonly maxBytes: number | undefined;
  readonly ttlMs: number | undefined;
}

const NEAR_OPTION_NAMES: readonly (keyof NearCacheOptions)[] = Object.keys({
  maxEntries: true, maxBytes: true, ttl: true,
} satisfies { [K in keyof Required<NearCacheOptions>]: true }) as (keyof NearCacheOptions)[];

/** Default of {@link NearCacheOptions.maxEntries}. */
const DEFAULT_MAX_ENTRIES = 10_000;
const BYTE_UNITS = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 } as const;

/**
 * Checks `createCache`'s `nearCache` option: `undefined` when off, else the limits. Throws
 * {@link ConfigError} for anything else than `true`, `false` or an object of known, valid bounds.
 * @internal
 *
 * @example
 * resolveNearCache({ maxBytes: '64mb' }); // { maxEntries: 10000, maxBytes: 67108864, ttlMs: undefined }
 */
export function resolveNearCache(option: unknown): NearCacheLimits | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return { maxEntries: DEFAULT_MAX_ENTRIES, maxBytes: undefined, ttlMs: undefined };
  if (option === null || typeof option !== 'object' || Array.isArray(option)) {
    throw new ConfigError(`createCache: nearCache must be true, false or an object such as { maxEntries: 10000, maxBytes: '64mb', ttl: '5m' }, got ${JSON.stringify(option)}.`);
  }
  const [unknown] = unknownNames(option, NEAR_OPTION_NAMES);
  if (unknown !== undefined) throw new ConfigError(unknownOptionMessage('createCache nearCache', unknown, NEAR_OPTION_NAMES));
  const { maxEntries = DEFAULT_MAX_ENTRIES, maxBytes, ttl } = option as NearCacheOptions;
  if (!(Number.isSafeInteger(maxEntries) && maxEntries > 0)) {
    throw new ConfigError(`createCache: nearCache.maxEntries must be a positive whole number (default 10000), got ${JSON.stringify(maxEntries)}.`);
  }
  let ttlMs: number | undefined;
  if (ttl !== undefined) {
    const parsed = (ttl as unknown) === 'never' ? undefined : parseTtl(ttl);
    if (parsed === undefined || 'error' in parsed || parsed.ms === null) {
      throw new ConfigError(`createCache: nearCache.ttl must be a positive number of ms or a duration such as '30s' or '5m' (omit it to keep entries up to their Redis TTL), got ${JSON.stringify(ttl)}.`);
    }
    ttlMs = parsed.ms;
  }
  return { maxEntries, maxBytes: maxBytes === undefined ? undefined : parseBytes(maxBytes), ttlMs };
}

function parseBytes(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  const match = typeof value === 'string' ? /^(\d+)\s*(b|kb|mb|gb)$/i.exec(value.trim()) : null;
  const bytes = match ? Number(match[1]) * BYTE_UNITS[match[2]!.toLowerCase() as keyof typeof BYTE_UNITS] : NaN;
  if (Number.isSafeInteger(bytes) && bytes > 0) return bytes;
  throw new ConfigError(`createCache: nearCache.maxBytes must be a positive whole number of bytes or a size such as '512kb', '64mb' or '1gb', got ${JSON.stringify(value)}.`);
}
