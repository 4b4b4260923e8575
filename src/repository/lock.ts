/**
 * Stampede protection across processes for `getOrLoad(key, loader, { lock: true })`: one short
 * `SET <lock> <token> NX PX <ttl>` lock per entry, so only one process runs the loader while the others
 * wait (bounded) for the value it writes.
 */
import { randomUUID } from 'node:crypto';
import { publishLock, type LockMessage } from '../diagnostics/channels.js';
import { parseTtl, type Ttl } from '../entity/ttl.js';
import { ConfigError } from '../errors/index.js';
import type { EntityIO } from './entity-io.js';
import { isStoreFailure } from '../store/layers/fail-open.js';
import { reportFailOpen } from './fail-open.js';
import type { FreshnessOptions } from './freshness.js';
import type { WriteOptions } from './options.js';
import { toCacheOrmError } from './store-errors.js';

/**
 * The `lock` option of `getOrLoad`.
 *
 * @example
 * await reports.getOrLoad(key, loadReport, { lock: { ttl: '30s', wait: '10s' } });
 */
export interface LockOptions {
  /**
   * How long the lock lives if its holder never releases it (e.g. the process died): a number of ms or
   * a duration string (`'5s'`). Default 5000 ms. Keep it above the loader's usual duration: once it
   * expires, another process may start loading too.
   */
  ttl?: Exclude<Ttl, 'never'>;
  /**
   * How long a process waits for the holder's value before it runs the loader itself (without the
   * lock): ms or a duration string. Default: the lock's `ttl`.
   */
  wait?: Exclude<Ttl, 'never'>;
}

/**
 * Options of `getOrLoad`: the write options of the entry it caches, its freshness options (grace,
 * soft and hard loader timeouts, refresh-ahead: see docs/freshness.md), and the cross-process `lock`.
 *
 * @example
 * await users.getOrLoad({ id }, (k) => db.users.findById(k.id), { ttl: '10m', lock: true });
 * await prices.getOrLoad({ sku }, fetchPrice, { softTimeout: '200ms', hardTimeout: '2s', refreshAhead: 0.8 });
 */
export interface GetOrLoadOptions extends WriteOptions, FreshnessOptions {
  /**
   * `true` (or {@link LockOptions}) to let only one process run the loader for a missing entry: the
   * others poll for the value it writes, up to `wait`, then load it themselves. Default `false`: only
   * callers in this process share one loader call.
   */
  lock?: boolean | LockOptions;
}

/** A lock option with its durations in ms. @internal */
export interface ResolvedLock {
  readonly ttlMs: number;
  readonly waitMs: number;
}

/** Default lock TTL and wait, in ms. @internal */
export const DEFAULT_LOCK_TTL_MS = 5000;
/** Polling delays while waiting: doubling from the first to the last, with up to 25% jitter. */
const POLL_FIRST_MS = 10;
const POLL_MAX_MS = 100;

/**
 * The lock option in ms, `undefined` for no lock. @internal
 *
 * @throws ConfigError for anything but a boolean or `{ ttl?, wait? }` with valid durations.
 */
export function resolveLock(lock: unknown, entity: string): ResolvedLock | undefined {
  if (lock === undefined || lock === false) return undefined;
  if (lock === true) return { ttlMs: DEFAULT_LOCK_TTL_MS, waitMs: DEFAULT_LOCK_TTL_MS };
  if (typeof lock !== 'object' || lock === null || Array.isArray(lock)) {
    throw new ConfigError(`getOrLoad of entity "${entity}": the lock option must be true, false or { ttl?, wait? }, got ${JSON.stringify(lock)}.`, {
      entity,
      operation: 'getOrLoad',
    });
  }
  const { ttl, wait } = lock as LockOptions;
  const ttlMs = ttl === undefined ? DEFAULT_LOCK_TTL_MS : duration(ttl, 'ttl', entity);
  const waitMs = wait === undefined ? ttlMs : duration(wait, 'wait', entity);
  return { ttlMs, waitMs };
}

function duration(value: unknown, name: string, entity: string): number {
  const parsed = parseTtl(value);
  if ('ms' in parsed && parsed.ms !== null) return parsed.ms;
  throw new ConfigError(
    `getOrLoad of entity "${entity}": lock.${name} must be a positive number of ms or a duration such as '5s', got ${JSON.stringify(value)}.`,
    { entity, operation: 'getOrLoad' },
  );
}

/**
 * The lock key of an entity key: `<prefix>:<entity>[~v<n>]#lock:<key parts>`. `#` never appears in an
 * entity key, and every find glob starts with the literal `<prefix>:<entity>[~v<n>]:`, so no find can
 * match a lock key (and a cluster hash tag in the parts keeps the lock in the entry's slot).
 *
 * @example
 * lockKeyOf('app:session:', 'app:session:acme:42'); // 'app:session#lock:acme:42'
 */
export function lockKeyOf(base: string, redisKey: string): string {
  return `${base.slice(0, -1)}#lock:${redisKey.slice(base.length)}`;
}

/** What {@link loadWithLock} needs from the repository. @internal */
export interface LockedLoad<E> {
  readonly io: EntityIO<E>;
  readonly redisKey: string;
  readonly lock: ResolvedLock;
  /** Runs the loader and caches its value, waiting for the write (waiters poll for it). */
  load(awaitWrite: boolean): Promise<E | undefined>;
  /** Reads the entry without counting a miss: a fresh value (another process wrote it), or `undefined`. */
  peek(): Promise<E | undefined>;
  /**
   * When another process holds the lock: `wait` for its value (default), or `skip`, answering
   * `undefined` at once (a background refresh that another process is already doing).
   */
  ifBusy?: 'wait' | 'skip';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The locked load, after a read found no fresh value: `SET lock NX PX`; the holder re-checks, loads, writes,
 * then releases with compare-and-delete; the others poll for the value (doubling delays, 10 to 100 ms)
 * and take the lock if it frees up, until `wait` runs out: then they load without the lock.
 * When the store fails during the protocol: with `failOpen`, the loader runs without the lock;
 * otherwise the failure is thrown. @internal
 */
export async function loadWithLock<E>({ io, redisKey, lock, load, peek, ifBusy = 'wait' }: LockedLoad<E>): Promise<E | undefined> {
  const { ctx, metadata } = io;
  const entity = metadata.name;
  const lockKey = lockKeyOf(io.keys.base, redisKey);
  const event = (name: LockMessage['event'], extra: Partial<LockMessage> = {}) => publishLock({ event: name, entity, key: redisKey, lockKey, ...extra });

  /** Runs a lock command on the real store: its answer, or `undefined` when failOpen absorbed a failure. */
  const direct = async <T>(fn: () => Promise<T>): Promise<{ value: T } | undefined> => {
    try {
      return { value: await fn() };
    } catch (err) {
      if (ctx.failOpen && isStoreFailure(err)) {
        reportFailOpen(ctx, entity, err, 'getOrLoad');
        event('unavailable');
        return undefined;
      }
      ctx.stats.errors++;
      throw toCacheOrmError(err, { entity, operation: 'getOrLoad', key: lockKey, store: ctx.directStore.kind });
    }
  };

  const token = randomUUID();
  const release = (): Promise<void> =>
    ctx.directStore.deleteIfEquals(lockKey, token).then(
      () => event('released'),
      (err: unknown) => {
        // The caller has its value; the lock expires on its own. Report, never throw.
        ctx.stats.errors++;
        ctx.events.emitError(toCacheOrmError(err, { entity, operation: 'getOrLoad', key: lockKey, store: ctx.directStore.kind }));
      },
    );

  const started = performance.now();
  for (let attempt = 0; ; attempt++) {
    const acquired = await direct(() => ctx.directStore.write([{ key: lockKey, value: token, ttl: lock.ttlMs, mode: 'NX' }]));
    if (acquired === undefined) return load(false);
    if (acquired.value[0] === true) {
      event('acquired');
      try {
        return (await peek()) ?? (await load(true));
      } finally {
        ctx.track(release());
      }
    }
    if (attempt === 0) event('busy');
    if (ifBusy === 'skip') return undefined;
    const left = lock.waitMs - (performance.now() - started);
    if (left <= 0) {
      event('timeout', { waitedMs: Math.round(performance.now() - started) });
      return load(false);
    }
    const delay = Math.min(POLL_FIRST_MS * 2 ** attempt, POLL_MAX_MS) * (1 + Math.random() / 4);
    await sleep(Math.min(delay, left));
    const value = await peek();
    if (value !== undefined) {
      event('waited', { waitedMs: Math.round(performance.now() - started) });
      return value;
    }
  }
}
