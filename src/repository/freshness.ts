/**
 * Freshness of entries with a grace period: how it is stored, how a read judges it, and the per-call
 * options of `getOrLoad` that use it (see docs/freshness.md).
 *
 * Storage: an entry of an entity with `grace` is written with Redis TTL = ttl + grace, and its value
 * carries the grace in a short header, `g<grace ms>;` before the codec's text (which always starts
 * with `{`). A read takes the remaining `PTTL` in the same round trip: the entry is fresh while more
 * than the grace is left, stale after. Redis' clock decides, so processes with skewed clocks agree,
 * and `update` (`KEEPTTL`), `touch` and index scores (the Redis expiry) need nothing else. A value
 * without the header (written before the entity had a grace) has a grace of 0: fresh until it expires.
 * @internal
 */
import { parseTtl, type Ttl } from '../entity/ttl.js';
import { ConfigError } from '../errors/index.js';

/** First character of the header; the codec's text always starts with `{`. */
const MARK = 103; // 'g'

/**
 * Per-call freshness options of `getOrLoad` (see docs/freshness.md).
 *
 * @example
 * await prices.getOrLoad({ sku }, fetchPrice, { grace: '1h', softTimeout: '200ms', hardTimeout: '3s', refreshAhead: 0.8 });
 */
export interface FreshnessOptions {
  /**
   * Grace period of the entry this call writes, overriding the entity's `grace` (`0`: none). Readers
   * judge an entry by the grace it was written with.
   */
  grace?: Exclude<Ttl, 'never'> | 0;
  /**
   * When a stale value exists and the loader takes longer than this, return the stale value and let
   * the load finish in the background (it caches its value when done). Ignored without a stale value.
   */
  softTimeout?: Exclude<Ttl, 'never'>;
  /**
   * When the loader takes longer than this, stop waiting: return the stale value if there is one,
   * otherwise fail with {@link LoaderTimeoutError}. The load goes on in the background either way.
   */
  hardTimeout?: Exclude<Ttl, 'never'>;
  /**
   * A fraction of the TTL, greater than 0 and less than 1 (e.g. `0.8`): a fresh entry older than this
   * is returned at once and reloaded in the background (one load per key per process; with `lock`,
   * one across processes).
   */
  refreshAhead?: number;
}

/** {@link FreshnessOptions} in ms. @internal */
export interface ResolvedFreshness {
  /** Grace of the entry a load writes. */
  readonly graceMs: number;
  readonly softMs: number | undefined;
  readonly hardMs: number | undefined;
  readonly refreshAhead: number | undefined;
}

/** How a read found an entry: fresh, stale (in its grace period) or absent. @internal */
export type EntryState = 'fresh' | 'stale' | 'miss';

/**
 * Resolves and checks the freshness options of a `getOrLoad` call. @internal
 *
 * @throws ConfigError for a duration or fraction that is not valid.
 */
export function resolveFreshness(options: FreshnessOptions | undefined, entityGraceMs: number, entity: string): ResolvedFreshness {
  const fail = (message: string): never => {
    throw new ConfigError(`getOrLoad of entity "${entity}": ${message}`, { entity, operation: 'getOrLoad' });
  };
  const ms = (value: unknown, name: string): number | undefined => {
    if (value === undefined) return undefined;
    const parsed = value === 'never' ? undefined : parseTtl(value);
    if (parsed === undefined || 'error' in parsed || parsed.ms === null) {
      return fail(`${name} must be a positive number of ms or a duration such as '500ms' or '2s', got ${JSON.stringify(value)}.`);
    }
    return parsed.ms;
  };
  const grace = options?.grace;
  const refreshAhead = options?.refreshAhead;
  if (refreshAhead !== undefined && !(typeof refreshAhead === 'number' && refreshAhead > 0 && refreshAhead < 1)) {
    fail(`refreshAhead must be a fraction of the TTL between 0 and 1 (e.g. 0.8), got ${JSON.stringify(refreshAhead)}.`);
  }
  return {
    graceMs: grace === undefined ? entityGraceMs : grace === 0 ? 0 : ms(grace, 'grace')!,
    softMs: ms(options?.softTimeout, 'softTimeout'),
    hardMs: ms(options?.hardTimeout, 'hardTimeout'),
    refreshAhead,
  };
}

/** Whether a stored value carries the grace header. @internal */
export function hasGraceHeader(raw: string): boolean {
  return raw.charCodeAt(0) === MARK;
}

/** The value to store and its Redis TTL, for an entry with `graceMs` of grace (unchanged for 0 or no expiry). @internal */
export function graceWrite<T extends number | null | 'keep'>(value: string, ttl: T, graceMs: number): { value: string; ttl: T } {
  if (graceMs === 0 || ttl === null) return { value, ttl };
  return { value: `g${graceMs};${value}`, ttl: (ttl === 'keep' ? ttl : (ttl as number) + graceMs) as T };
}

/** A stored value split into its grace (0 without a header) and the codec's text. @internal */
export function splitGrace(raw: string): { graceMs: number; payload: string } {
  if (!hasGraceHeader(raw)) return { graceMs: 0, payload: raw };
  const end = raw.indexOf(';');
  const graceMs = end > 1 ? Number(raw.slice(1, end)) : NaN;
  // A malformed header is handed to the codec whole: it fails to decode, like any corrupt value.
  return Number.isSafeInteger(graceMs) && graceMs > 0 ? { graceMs, payload: raw.slice(end + 1) } : { graceMs: 0, payload: raw };
}

/**
 * How much fresh time an entry has left, from its Redis `PTTL` and its grace: `Infinity` without
 * expiry, `0` once stale. An entry whose key vanished between `GET` and `PTTL` (`-2`) counts as at the
 * very end of its life. @internal
 */
export function freshMsLeft(pttl: number, graceMs: number): number {
  if (pttl === -1) return Infinity;
  return Math.max(0, Math.max(pttl, 0) - graceMs);
}

/** Fresh or stale, from {@link freshMsLeft}; an entry without grace is fresh until it is gone. @internal */
export function stateOf(pttl: number, graceMs: number): EntryState {
  return graceMs === 0 || freshMsLeft(pttl, graceMs) > 0 ? 'fresh' : 'stale';
}

/**
 * A decoded read with its freshness (entities with a grace period): `freshMs` is the fresh time left
 * (`Infinity` without expiry or when not measured, `0` when stale). @internal
 */
export interface Entry<E> {
  readonly value: E | undefined;
  readonly state: EntryState;
  readonly freshMs: number;
}

/**
 * What a read does with a stale entry: `skip` it (a miss), `serve` it (a stale hit), `keep` it
 * decoded and uncounted for the caller to decide (`getOrLoad`), or `peek`: skip it, and count no miss
 * at all (the lock's polling for another process's value). @internal
 */
export type StaleMode = 'skip' | 'serve' | 'keep' | 'peek';
