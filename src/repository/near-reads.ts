/**
 * Reads through a near cache (docs/near-cache.md): a kept entry answers at once with a copy; otherwise
 * the read takes a token, goes to Redis with the key's PTTL, and fills the entry if the token is still
 * current when the reply arrives. Entities with a grace period are judged fresh or stale locally the way
 * Redis' TTL would judge them.
 * @internal
 */
import { StoreUnavailableError, type CacheOrmError } from '../errors/index.js';
import { getWithPttl } from '../store/layers/decorator.js';
import { deepCopy, type NearCache, type NearEntry } from '../store/near/index.js';
import type { RepositoryContext } from './context.js';
import { freshMsLeft, splitGrace, type Entry, type StaleMode } from './freshness.js';

/** What a near read needs of the entity's reader (implemented by EntityIO). @internal */
export interface NearReader<E> {
  readonly ctx: RepositoryContext;
  /** Decodes a raw value with its PTTL and counts it (synchronous when `pttl` is known). */
  judgeRead(operation: string, redisKey: string, raw: string | null, pttl: number, stale: StaleMode): Entry<E>;
  /** A failed store call as a counted cacheorm error. */
  failed(err: unknown, operation: string, key: string | undefined): CacheOrmError;
}

/** The entry of a kept value: a copy, judged fresh or stale, counted like a read from Redis. @internal */
export function nearHit<E>(reader: NearReader<E>, near: NearCache, kept: NearEntry, stale: StaleMode): Entry<E> {
  near.hits++;
  const stats = reader.ctx.stats;
  if (kept.graceMs === 0) {
    stats.hits++;
    // The fresh time left matters to getOrLoad's refreshAhead.
    const freshMs = kept.expiresAt === Infinity ? Infinity : Math.max(0, kept.expiresAt - performance.now());
    return { value: deepCopy(kept.value) as E, state: 'fresh', freshMs };
  }
  const left = kept.expiresAt === Infinity ? -1 : Math.max(1, kept.expiresAt - performance.now());
  const freshMs = freshMsLeft(left, kept.graceMs);
  if (freshMs === 0) {
    if (stale === 'skip' || stale === 'peek') {
      if (stale === 'skip') stats.misses++;
      return { value: undefined, state: 'stale', freshMs };
    }
    if (stale === 'serve') stats.staleHits++;
    return { value: deepCopy(kept.value) as E, state: 'stale', freshMs };
  }
  stats.hits++;
  return { value: deepCopy(kept.value) as E, state: 'fresh', freshMs };
}

/** One read from Redis that may fill the near entry of `redisKey`. @internal */
export function nearReadThrough<E>(reader: NearReader<E>, near: NearCache, operation: string, redisKey: string, stale: StaleMode): Promise<Entry<E>> {
  near.misses++;
  const token = near.begin(redisKey);
  let pending: Promise<[string | null, number]>;
  try {
    pending = getWithPttl(reader.ctx.store, redisKey); // one command, one atomic step (Lua)
  } catch (err) {
    pending = Promise.reject(err);
  }
  return pending.then(
    ([raw, pttl]) => {
      let entry: Entry<E>;
      try {
        entry = reader.judgeRead(operation, redisKey, raw, pttl, stale);
      } catch (err) {
        near.fill(redisKey, token, undefined, -2, 0, 0); // strict mode's DecodeError
        throw err;
      }
      keep(near, redisKey, token, raw, pttl, entry.value);
      return entry;
    },
    (err: unknown): Entry<E> => {
      near.fill(redisKey, token, undefined, -2, 0, 0);
      const kept = stale === 'serve' && err instanceof StoreUnavailableError ? near.outageEntry(redisKey) : undefined;
      if (kept === undefined) throw reader.failed(err, operation, redisKey);
      // Redis is unavailable and the caller accepts a stale value: the one kept from before the outage.
      reader.ctx.stats.staleHits++;
      return { value: deepCopy(kept.value) as E, state: 'stale', freshMs: 0 };
    },
  );
}

/**
 * `getMany` / `find` values through the near cache: kept entries answer, the others are read with
 * `MGET` and their PTTLs in one round trip and fill their entries. @internal
 */
export async function nearFetch<E>(reader: NearReader<E>, near: NearCache, operation: string, redisKeys: readonly string[], allowStale: boolean): Promise<(E | undefined)[]> {
  const stale: StaleMode = allowStale ? 'serve' : 'skip';
  const values = new Array<E | undefined>(redisKeys.length);
  const missing: number[] = [];
  for (let i = 0; i < redisKeys.length; i++) {
    const kept = near.lookup(redisKeys[i]!);
    if (kept === undefined) missing.push(i);
    else values[i] = nearHit(reader, near, kept, stale).value;
  }
  if (missing.length === 0) return values;
  near.misses += missing.length;
  const keys = missing.map((i) => redisKeys[i]!);
  const tokens = keys.map((key) => near.begin(key));
  const store = reader.ctx.store;
  let raws: (string | null)[];
  let pttls: number[];
  try {
    [raws, pttls] = await Promise.all([store.mget(keys), Promise.all(keys.map((key) => store.pttl(key)))]);
  } catch (err) {
    keys.forEach((key, j) => near.fill(key, tokens[j]!, undefined, -2, 0, 0));
    throw reader.failed(err, operation, undefined);
  }
  keys.forEach((key, j) => {
    const raw = raws[j] ?? null;
    const entry = reader.judgeRead(operation, key, raw, pttls[j]!, stale);
    keep(near, key, tokens[j]!, raw, pttls[j]!, entry.value);
    values[missing[j]!] = entry.value;
  });
  return values;
}

/** Whether `redisKey` is kept (an `exists` answered in process). @internal */
export function nearHas(near: NearCache, redisKey: string): boolean {
  if (near.lookup(redisKey) === undefined) return false;
  near.hits++;
  return true;
}

/** Fills the entry of a read (a copy of what the caller gets), or releases its token. */
function keep(near: NearCache, key: string, token: number, raw: string | null, pttl: number, value: unknown): void {
  if (value === undefined || raw === null) {
    near.fill(key, token, undefined, pttl, 0, 0);
    return;
  }
  near.fill(key, token, deepCopy(value), pttl, splitGrace(raw).graceMs, Buffer.byteLength(raw));
}
