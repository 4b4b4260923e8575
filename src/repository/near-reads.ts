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
  /** Whether the entity has a grace period (its reads need the value and its PTTL together). */
  readonly graced: boolean;
  /**
   * Decodes a raw value and counts it; synchronous unless the PTTL is not known (`undefined`) and the
   * value carries a grace header (then the PTTL is read first).
   */
  judgeRead(operation: string, redisKey: string, raw: string | null, pttl: number | undefined, stale: StaleMode): Entry<E> | Promise<Entry<E>>;
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

/**
 * One read from Redis that may fill the near entry of `redisKey`. An entity with a grace period reads
 * the value and its PTTL atomically (the script its reads use anyway: freshness depends on the pair), as
 * does a read that needs the fresh time left (`withPttl`: getOrLoad's refreshAhead);
 * any other answers the caller after a plain `GET`, and fills the entry once a `PTTL` sent after it
 * answered (off the caller's path; a change in between is reported by an invalidation, which voids the
 * token). @internal
 */
export function nearReadThrough<E>(reader: NearReader<E>, near: NearCache, operation: string, redisKey: string, stale: StaleMode, withPttl = false): Promise<Entry<E>> {
  near.misses++;
  const token = near.begin(redisKey);
  const store = reader.ctx.store;
  const graced = reader.graced || withPttl;
  const sentAt = performance.now();
  let pending: Promise<[string | null, number | undefined]>;
  try {
    pending = graced ? getWithPttl(store, redisKey) : store.get(redisKey).then((raw) => [raw, undefined]);
  } catch (err) {
    pending = Promise.reject(err);
  }
  return pending.then(
    ([raw, pttl]) => {
      let judged: Entry<E> | Promise<Entry<E>>;
      try {
        judged = reader.judgeRead(operation, redisKey, raw, pttl, stale);
      } catch (err) {
        near.release(redisKey, token); // strict mode's DecodeError
        throw err;
      }
      if (judged instanceof Promise) {
        near.release(redisKey, token); // a value written with a per-call grace: not kept
        return judged;
      }
      if (pttl === undefined) keepLater(reader, near, redisKey, token, raw, judged.value);
      else keep(near, redisKey, token, raw, pttl, judged.value, sentAt);
      return judged;
    },
    (err: unknown): Entry<E> => {
      near.release(redisKey, token);
      // Redis is unavailable and the caller accepts a stale value (`get` with `allowStale`, or `getOrLoad`,
      // which then loads and falls back to it): the one kept from before the outage.
      const accepts = stale === 'serve' || stale === 'keep';
      const kept = accepts && err instanceof StoreUnavailableError ? near.outageEntry(redisKey) : undefined;
      if (kept === undefined) throw reader.failed(err, operation, redisKey);
      if (stale === 'serve') reader.ctx.stats.staleHits++; // getOrLoad counts what it serves itself
      return { value: deepCopy(kept.value) as E, state: 'stale', freshMs: 0 };
    },
  );
}

/**
 * `getMany` / `find` values through the near cache: kept entries answer, the others are read with
 * `MGET` (with their PTTLs in the same round trip for an entity with a grace period; else the PTTLs of
 * the values found follow, off the caller's path) and fill their entries. @internal
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
  const sentAt = performance.now();
  let raws: (string | null)[];
  let pttls: number[] | undefined;
  try {
    [raws, pttls] = await Promise.all([store.mget(keys), reader.graced ? Promise.all(keys.map((key) => store.pttl(key))) : undefined]);
  } catch (err) {
    keys.forEach((key, j) => near.release(key, tokens[j]!));
    throw reader.failed(err, operation, undefined);
  }
  let done = 0;
  let entries: (Entry<E> | Promise<Entry<E>>)[];
  try {
    entries = keys.map((key, j) => {
      const raw = raws[j] ?? null;
      const judged = reader.judgeRead(operation, key, raw, pttls?.[j], stale);
      done = j + 1;
      if (judged instanceof Promise) near.release(key, tokens[j]!);
      else if (pttls === undefined) keepLater(reader, near, key, tokens[j]!, raw, judged.value);
      else keep(near, key, tokens[j]!, raw, pttls[j]!, judged.value, sentAt);
      return judged;
    });
  } catch (err) {
    for (let j = done; j < keys.length; j++) near.release(keys[j]!, tokens[j]!); // strict mode's DecodeError
    throw err;
  }
  const settled = await Promise.all(entries);
  settled.forEach((entry, j) => {
    values[missing[j]!] = entry.value;
  });
  return values;
}

/** Whether `redisKey` is kept (an `exists` answered in process). @internal */
export function nearHas(near: NearCache | undefined, redisKey: string): boolean {
  if (near === undefined || near.lookup(redisKey) === undefined) return false;
  near.hits++;
  return true;
}

/** {@link nearGet}'s answer for a key the near cache does not keep. @internal */
export const NOT_KEPT: unique symbol = Symbol('not kept');

/**
 * A `get` answered by the near cache without waiting: the value of the kept entry of `redisKey` (a
 * copy), or {@link NOT_KEPT} when it is not kept (the caller then reads from Redis). @internal
 */
export function nearGet<E>(reader: NearReader<E>, near: NearCache, redisKey: string, allowStale: boolean): E | undefined | typeof NOT_KEPT {
  const kept = near.lookup(redisKey);
  if (kept === undefined) return NOT_KEPT;
  if (kept.graceMs === 0) {
    // The hot path: fresh until gone, and a get needs no fresh time left.
    near.hits++;
    reader.ctx.stats.hits++;
    return deepCopy(kept.value) as E;
  }
  return nearHit(reader, near, kept, allowStale ? 'serve' : 'skip').value;
}

/**
 * Fills the entry of a read (a copy of what the caller gets) whose PTTL came with the value, read from
 * `sentAt` on, or releases its token.
 */
function keep(near: NearCache, key: string, token: number, raw: string | null, pttl: number, value: unknown, sentAt: number): void {
  if (value === undefined || raw === null) near.release(key, token);
  else near.fill(key, token, deepCopy(value), pttl, splitGrace(raw).graceMs, Buffer.byteLength(raw), sentAt);
}

/** Asks the PTTL of a value read without it, then fills its entry (if the token is still current). */
function keepLater<E>(reader: NearReader<E>, near: NearCache, key: string, token: number, raw: string | null, value: unknown): void {
  if (value === undefined || raw === null || token === 0) {
    near.release(key, token);
    return;
  }
  const copy = deepCopy(value); // now: the caller may change its value before the PTTL arrives
  const bytes = Buffer.byteLength(raw);
  const askedAt = performance.now();
  let asked: Promise<number>;
  try {
    asked = reader.ctx.store.pttl(key);
  } catch {
    near.release(key, token);
    return;
  }
  asked.then(
    (pttl) => near.fill(key, token, copy, pttl, 0, bytes, askedAt),
    () => near.release(key, token),
  );
}
