/**
 * Freshness (docs/freshness.md) on the MemoryStore, real Redis and the Redis Cluster: grace periods,
 * allowStale reads, getOrLoad serving stale values, soft and hard loader timeouts, refresh-ahead.
 * Fake loaders fail, are slow (settled by the test) or never settle; expiry is polled, never timed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CacheEntity, ConfigError, defineEntity, EntityDefinitionError, Field, getEntityMetadata, Key, LoaderTimeoutError,
  type Cache, type RefreshEvent, type StaleEvent,
} from 'cacheorm';
import { backends, clusterBackend } from '../support/backends.js';
import { failure } from '../support/rejection.js';

/** A quote with a long TTL and grace: tests make entries stale by writing them with `ttl: 1`. */
const Quote = defineEntity({
  name: 'quote',
  key: ['sym'],
  schema: z.object({ sym: z.string(), price: z.number() }),
  ttl: '1m',
  grace: '1h',
});
/** Short TTL and grace, for the timeline. */
const Tick = defineEntity({
  name: 'tick',
  key: ['sym'],
  schema: z.object({ sym: z.string(), price: z.number() }),
  ttl: 1000,
  grace: 1000,
  find: 'index',
});
/** No grace: the pay-nothing path. */
const Plain = defineEntity({ name: 'plain', key: ['sym'], schema: z.object({ sym: z.string(), price: z.number() }), ttl: 1000 });

type QuoteData = { sym: string; price: number };
const q = (sym: string, price: number): QuoteData => ({ sym, price });

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe.each([...backends, clusterBackend])('freshness on $name', (backend) => {
  const caches: Cache[] = [];
  beforeAll(async () => {
    await backend.ready?.();
  });
  afterAll(async () => {
    await Promise.all(caches.map((c) => c.close()));
  });
  function setup(options?: Parameters<typeof backend.cache>[0]) {
    const cache = backend.cache(options);
    caches.push(cache);
    const stale: StaleEvent[] = [];
    const refreshed: RefreshEvent[] = [];
    cache.on('stale', (e) => stale.push(e)).on('refresh', (e) => refreshed.push(e));
    return { cache, quotes: cache.getRepository(Quote), stale, refreshed };
  }
  /** Writes `value` so that it is stale at once (TTL 1 ms, then the entity's grace). */
  async function makeStale(repo: ReturnType<typeof setup>['quotes'], value: QuoteData) {
    await repo.save(value, { ttl: 1 });
    await expect.poll(() => repo.get({ sym: value.sym })).toBeUndefined();
  }

  it('timeline: fresh, then stale (only allowStale reads see it, find skips it), then gone', async () => {
    const cache = backend.cache();
    caches.push(cache);
    const ticks = cache.getRepository(Tick);
    const key = { sym: 'ACME' };
    await ticks.save(q('ACME', 1));
    expect(await ticks.get(key)).toEqual(q('ACME', 1));
    expect(await cache.store.pttl(ticks.keyOf(key))).toBeGreaterThan(1000); // Redis TTL = ttl + grace
    const fresh = await ticks.ttl(key);
    expect(fresh).toBeGreaterThan(0);
    expect(fresh).toBeLessThanOrEqual(1000);

    await expect.poll(() => ticks.get(key), { timeout: 5000 }).toBeUndefined();
    expect(await ticks.get(key, { allowStale: true })).toEqual(q('ACME', 1));
    expect(await ticks.getMany([key], { allowStale: true })).toEqual([q('ACME', 1)]);
    expect(await ticks.getMany([key])).toEqual([undefined]);
    expect(await ticks.find({ sym: 'ACME' }).toArray()).toEqual([]);
    expect(await ticks.find({}).count()).toBe(0);
    expect(await ticks.find({}).keys().toArray()).toEqual([]);
    // The index set scores members by the Redis expiry (ttl + grace): stale members are not pruned.
    expect(await ticks.find({}, { allowStale: true }).toArray()).toEqual([q('ACME', 1)]);
    expect(await ticks.find({}, { allowStale: true }).count()).toBe(1);
    expect(await ticks.ttl(key)).toBe(0);
    expect(await ticks.exists(key)).toBe(true);
    expect(cache.stats().staleHits).toBeGreaterThanOrEqual(3);

    await expect.poll(() => ticks.get(key, { allowStale: true }), { timeout: 5000 }).toBeUndefined();
    expect(await ticks.ttl(key)).toBeUndefined();
    expect(await ticks.find({}, { allowStale: true }).toArray()).toEqual([]);
  });

  it('touch makes a stale entry fresh; update keeps its staleness (KEEPTTL) unless given a ttl; insert sees it', async () => {
    const { quotes } = setup();
    await makeStale(quotes, q('T', 1));
    expect(await quotes.update(q('T', 2))).toBe(true);
    expect(await quotes.get({ sym: 'T' })).toBeUndefined();
    expect(await quotes.get({ sym: 'T' }, { allowStale: true })).toEqual(q('T', 2));
    expect(await quotes.insert(q('T', 3))).toBe(false); // NX: a stale entry is still an entry
    expect(await quotes.touch({ sym: 'T' })).toBe(true);
    expect(await quotes.get({ sym: 'T' })).toEqual(q('T', 2));
    await makeStale(quotes, q('U', 1));
    expect(await quotes.update(q('U', 2), { ttl: '1m' })).toBe(true);
    expect(await quotes.get({ sym: 'U' })).toEqual(q('U', 2));
  });

  it('getOrLoad reloads a stale entry; a failing loader gets the stale value served, with a stale event', async () => {
    const { cache, quotes, stale } = setup();
    await makeStale(quotes, q('A', 1));
    expect(await quotes.getOrLoad({ sym: 'A' }, () => q('A', 2))).toEqual(q('A', 2));
    expect(await quotes.get({ sym: 'A' })).toEqual(q('A', 2));

    await makeStale(quotes, q('B', 1));
    const boom = new Error('upstream down');
    expect(await quotes.getOrLoad({ sym: 'B' }, () => Promise.reject(boom))).toEqual(q('B', 1));
    expect(await quotes.getOrLoad({ sym: 'B' }, () => { throw boom; })).toEqual(q('B', 1));
    expect(stale).toEqual([
      { entity: 'quote', key: quotes.keyOf({ sym: 'B' }), reason: 'error', error: boom },
      { entity: 'quote', key: quotes.keyOf({ sym: 'B' }), reason: 'error', error: boom },
    ]);
    expect(cache.stats().staleHits).toBe(2);
    // Without a stale value the loader's error reaches the caller, as without grace.
    expect(await failure(quotes.getOrLoad({ sym: 'C' }, () => Promise.reject(boom)))).toBe(boom);
  });

  it('softTimeout: serves the stale value at once, the load finishes in the background (one per key) and is cached', async () => {
    const { cache, quotes, stale, refreshed } = setup();
    await makeStale(quotes, q('S', 1));
    const upstream = deferred<QuoteData>();
    let calls = 0;
    const slow = () => {
      calls++;
      return upstream.promise;
    };
    expect(await quotes.getOrLoad({ sym: 'S' }, slow, { softTimeout: 20 })).toEqual(q('S', 1));
    // While the load runs, more calls serve the stale value too and never start a second load.
    expect(await quotes.getOrLoad({ sym: 'S' }, slow, { softTimeout: 20 })).toEqual(q('S', 1));
    expect(calls).toBe(1);
    expect(stale.map((e) => e.reason)).toEqual(['softTimeout', 'softTimeout']);
    upstream.resolve(q('S', 2));
    await expect.poll(() => quotes.get({ sym: 'S' })).toEqual(q('S', 2));
    await expect.poll(() => refreshed).toEqual([{ entity: 'quote', key: quotes.keyOf({ sym: 'S' }), ok: true }]);
    expect(cache.stats()).toMatchObject({ refreshes: 1, refreshFailures: 0, staleHits: 2 });
    // softTimeout without a stale value waits for the loader.
    expect(await quotes.getOrLoad({ sym: 'N' }, async () => q('N', 1), { softTimeout: 1 })).toEqual(q('N', 1));
  });

  it('a background load that fails is a refresh failure, never an unhandled rejection', async () => {
    const { cache, quotes, refreshed } = setup();
    await makeStale(quotes, q('F', 1));
    const upstream = deferred<QuoteData>();
    expect(await quotes.getOrLoad({ sym: 'F' }, () => upstream.promise, { softTimeout: 10 })).toEqual(q('F', 1));
    const boom = new Error('late failure');
    upstream.reject(boom);
    await expect.poll(() => refreshed).toEqual([{ entity: 'quote', key: quotes.keyOf({ sym: 'F' }), ok: false, error: boom }]);
    expect(cache.stats().refreshFailures).toBe(1);
    expect(await quotes.get({ sym: 'F' }, { allowStale: true })).toEqual(q('F', 1));
  });

  it('hardTimeout: LoaderTimeoutError without a stale value, the stale value with one; the load still caches its value', async () => {
    const { quotes, stale } = setup();
    const upstream = deferred<QuoteData>();
    const err = await failure(quotes.getOrLoad({ sym: 'H' }, () => upstream.promise, { hardTimeout: 20 }));
    expect(err).toBeInstanceOf(LoaderTimeoutError);
    expect(err).toMatchObject({ code: 'E_LOADER_TIMEOUT', timeoutMs: 20, entity: 'quote', operation: 'getOrLoad', key: quotes.keyOf({ sym: 'H' }) });
    expect(err.message).toMatch(/did not settle within the hardTimeout of 20 ms.*raise hardTimeout, or give the entity a grace period/);
    upstream.resolve(q('H', 1));
    await expect.poll(() => quotes.get({ sym: 'H' })).toEqual(q('H', 1));

    await makeStale(quotes, q('I', 1));
    const never = () => new Promise<QuoteData>(() => {});
    expect(await quotes.getOrLoad({ sym: 'I' }, never, { hardTimeout: 20 })).toEqual(q('I', 1));
    expect(await quotes.getOrLoad({ sym: 'I' }, never, { softTimeout: 50, hardTimeout: 10 })).toEqual(q('I', 1));
    expect(stale.map((e) => e.reason)).toEqual(['hardTimeout', 'hardTimeout']);
  });

  it('refreshAhead: a fresh entry past the fraction is returned at once and reloaded in the background, once', async () => {
    const { cache, quotes, refreshed } = setup();
    let calls = 0;
    const loader = async () => {
      calls++;
      return q('R', calls + 1);
    };
    await quotes.save(q('R', 1), { ttl: 60_000 });
    expect(await quotes.getOrLoad({ sym: 'R' }, loader, { ttl: 60_000, refreshAhead: 0.5 })).toEqual(q('R', 1));
    expect(calls).toBe(0); // not yet half way through its TTL
    await quotes.save(q('R', 1), { ttl: 1000 });
    // Polled until half of the 1000 ms TTL has passed: the old value is returned, the load runs behind it.
    await expect.poll(() => quotes.getOrLoad({ sym: 'R' }, loader, { ttl: 1000, refreshAhead: 0.5 }).then(() => calls), { timeout: 5000 }).toBe(1);
    await expect.poll(() => quotes.get({ sym: 'R' })).toEqual(q('R', 2));
    await expect.poll(() => refreshed.length).toBe(1);

    // Many concurrent callers past the point: one background load.
    const upstream = deferred<QuoteData>();
    let slowCalls = 0;
    const slow = () => {
      slowCalls++;
      return upstream.promise;
    };
    // Written with half the TTL the calls name: past their refresh point from the start.
    await quotes.save(q('P', 1), { ttl: 60_000 });
    const past = { ttl: 120_000, refreshAhead: 0.5 } as const;
    const got = await Promise.all(Array.from({ length: 10 }, () => quotes.getOrLoad({ sym: 'P' }, slow, past)));
    expect(got).toEqual(Array.from({ length: 10 }, () => q('P', 1)));
    expect(await quotes.getOrLoad({ sym: 'P' }, slow, past)).toEqual(q('P', 1));
    expect(slowCalls).toBe(1);
    upstream.resolve(q('P', 2));
    await expect.poll(() => quotes.get({ sym: 'P' })).toEqual(q('P', 2));
    expect(cache.stats().refreshes).toBe(2);
  });

  it('per-call grace: an entity without grace gets a stale period for what getOrLoad writes', async () => {
    const cache = backend.cache();
    caches.push(cache);
    const plain = cache.getRepository(Plain);
    await plain.getOrLoad({ sym: 'G' }, () => q('G', 1), { ttl: 1, grace: '1h' });
    await expect.poll(() => plain.get({ sym: 'G' })).toBeUndefined();
    expect(await plain.get({ sym: 'G' }, { allowStale: true })).toEqual(q('G', 1));
    expect(await plain.getOrLoad({ sym: 'G' }, () => Promise.reject(new Error('down')))).toEqual(q('G', 1));
    // grace: 0 turns the entity's grace off for one write.
    const quotes = cache.getRepository(Quote);
    await quotes.getOrLoad({ sym: 'Z' }, () => q('Z', 1), { grace: 0 });
    expect(await cache.store.pttl(quotes.keyOf({ sym: 'Z' }))).toBeLessThanOrEqual(60_000);
    expect(await quotes.get({ sym: 'Z' })).toEqual(q('Z', 1));
  });

  it('an entry written before the entity had a grace reads as fresh until it expires', async () => {
    const cache = backend.cache();
    caches.push(cache);
    const quotes = cache.getRepository(Quote);
    const key = quotes.keyOf({ sym: 'OLD' });
    await cache.store.write([{ key, value: '{"json":{"sym":"OLD","price":7}}', ttl: 60_000 }]);
    expect(await quotes.get({ sym: 'OLD' })).toEqual(q('OLD', 7));
    expect(await quotes.ttl({ sym: 'OLD' })).toBeGreaterThan(50_000);
  });

  it('works with async writes: the background load writes, close() waits for it', async () => {
    const { cache, quotes } = setup({ writes: 'async' });
    await makeStale(quotes, q('W', 1));
    await cache.store.pttl(quotes.keyOf({ sym: 'W' }));
    const upstream = deferred<QuoteData>();
    expect(await quotes.getOrLoad({ sym: 'W' }, () => upstream.promise, { softTimeout: 10 })).toEqual(q('W', 1));
    upstream.resolve(q('W', 2));
    await expect.poll(() => quotes.get({ sym: 'W' })).toEqual(q('W', 2));
  });

  it('close() gives up on a background loader that has not settled, and writes nothing for it', async () => {
    const cache = backend.cache();
    const quotes = cache.getRepository(Quote);
    await makeStale(quotes, q('X', 1));
    const upstream = deferred<QuoteData>();
    expect(await quotes.getOrLoad({ sym: 'X' }, () => upstream.promise, { softTimeout: 10 })).toEqual(q('X', 1));
    const never = () => new Promise<QuoteData>(() => {});
    await failure(quotes.getOrLoad({ sym: 'Y' }, never, { hardTimeout: 10 }));
    await cache.close(); // resolves although one loader never settles
    upstream.resolve(q('X', 2));
    await new Promise((resolve) => setImmediate(resolve));
    expect(cache.stats().refreshes).toBe(0);
  });
});

describe('freshness options are checked', () => {
  const schema = z.object({ id: z.string() });
  it('takes grace from @CacheEntity as from defineEntity (0 without it)', async () => {
    @CacheEntity({ name: 'rate', ttl: '5m', grace: '30m' })
    class Rate {
      @Key(z.string()) pair!: string;
      @Field(z.number()) value!: number;
    }
    expect(getEntityMetadata(Rate).graceMs).toBe(30 * 60_000);
    expect(getEntityMetadata(Quote).graceMs).toBe(3_600_000);
    expect(getEntityMetadata(Plain).graceMs).toBe(0);
    const cache = backends[0]!.cache();
    const rates = cache.getRepository(Rate);
    await rates.save({ pair: 'EURUSD', value: 1 }, { ttl: 1 });
    await expect.poll(() => rates.get({ pair: 'EURUSD' })).toBeUndefined();
    expect(await rates.get({ pair: 'EURUSD' }, { allowStale: true })).toMatchObject({ pair: 'EURUSD', value: 1 });
    await cache.close();
  });

  it('rejects a bad entity grace at definition time', () => {
    const define = (extra: object) => () => defineEntity({ name: 'g', key: ['id'], schema, ttl: '1m', ...extra } as never);
    for (const grace of [0, -5, 'soon', 'never']) {
      expect(define({ grace })).toThrow(EntityDefinitionError);
      expect(define({ grace })).toThrow(/Entity "g" has the invalid grace .*Use a positive number of ms or a duration/);
    }
    expect(define({ ttl: 'never', grace: '1m' })).toThrow(/grace period but ttl: 'never'.*Give it a TTL, or remove grace/);
  });

  it('rejects bad getOrLoad options with ConfigError before calling the loader', async () => {
    const cache = backends[0]!.cache();
    const quotes = cache.getRepository(Quote);
    const loader = () => q('A', 1);
    for (const [options, message] of [
      [{ softTimeout: 0 }, /softTimeout must be a positive number of ms/],
      [{ hardTimeout: 'later' }, /hardTimeout must be a positive number of ms/],
      [{ grace: 'never' }, /grace must be a positive number of ms/],
      [{ refreshAhead: 1 }, /refreshAhead must be a fraction of the TTL between 0 and 1/],
      [{ refreshAhead: '0.5' }, /refreshAhead must be a fraction/],
    ] as const) {
      const err = await failure(quotes.getOrLoad({ sym: 'A' }, loader, options as never));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err).toMatchObject({ code: 'E_CONFIG', entity: 'quote', operation: 'getOrLoad' });
      expect(err.message).toMatch(message);
    }
    expect(await quotes.get({ sym: 'A' })).toBeUndefined();
    await cache.close();
  });
});
