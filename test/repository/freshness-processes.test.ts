/**
 * Freshness across app instances (two caches in one process, each with its own Redis connection),
 * what it costs entities without grace (MONITOR: the same commands and values as before), and
 * `failOpen` while Redis is down.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCache, defineEntity, type Cache, type CacheOrmError } from 'cacheorm';
import { freePort } from '../support/redis-server.js';
import { redisUrl, uniquePrefix } from '../support/redis.js';
import { failure } from '../support/rejection.js';

const schema = z.object({ sym: z.string(), price: z.number() });
const Quote = defineEntity({ name: 'quote', key: ['sym'], schema, ttl: '1m', grace: '1h' });
const Plain = defineEntity({ name: 'plain', key: ['sym'], schema, ttl: 1000 });
type QuoteData = z.output<typeof schema>;
const q = (sym: string, price: number): QuoteData => ({ sym, price });

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

const caches: Cache[] = [];
afterAll(async () => {
  await Promise.all(caches.map((c) => c.close()));
});

/** Two caches on their own connections, sharing one prefix: two instances of an app. */
function twoInstances() {
  const prefix = uniquePrefix('fresh');
  const a = createCache({ redis: redisUrl(), prefix });
  const b = createCache({ redis: redisUrl(), prefix });
  caches.push(a, b);
  return { a: a.getRepository(Quote), b: b.getRepository(Quote), caches: [a, b] };
}

describe('freshness across two app instances', () => {
  it('softTimeout with lock: both serve the stale value, one loader runs across both, both then read the new value', async () => {
    const { a, b } = twoInstances();
    await a.save(q('S', 1), { ttl: 1 });
    await expect.poll(() => a.get({ sym: 'S' })).toBeUndefined();
    const upstream = deferred<QuoteData>();
    let calls = 0;
    const slow = () => {
      calls++;
      return upstream.promise;
    };
    const options = { softTimeout: 30, lock: { ttl: '10s', wait: '10s' } } as const;
    expect(await a.getOrLoad({ sym: 'S' }, slow, options)).toEqual(q('S', 1));
    expect(await b.getOrLoad({ sym: 'S' }, slow, options)).toEqual(q('S', 1));
    upstream.resolve(q('S', 2));
    await expect.poll(() => b.get({ sym: 'S' })).toEqual(q('S', 2));
    expect(await a.get({ sym: 'S' })).toEqual(q('S', 2));
    expect(calls).toBe(1);
  });

  it('refreshAhead with lock: one background load across both instances', async () => {
    const { a, b, caches: [ca, cb] } = twoInstances();
    await a.save(q('R', 1), { ttl: 60_000 });
    const upstream = deferred<QuoteData>();
    let calls = 0;
    const slow = () => {
      calls++;
      return upstream.promise;
    };
    const past = { ttl: 120_000, refreshAhead: 0.5, lock: true } as const; // written with half the TTL: past the point
    expect(await a.getOrLoad({ sym: 'R' }, slow, past)).toEqual(q('R', 1));
    expect(await b.getOrLoad({ sym: 'R' }, slow, past)).toEqual(q('R', 1));
    upstream.resolve(q('R', 2));
    await expect.poll(() => b.get({ sym: 'R' })).toEqual(q('R', 2));
    expect(calls).toBe(1);
    expect(ca!.stats().refreshes + cb!.stats().refreshes).toBe(1);
  });

  it('a stale entry one instance reloads is fresh for the other', async () => {
    const { a, b } = twoInstances();
    await a.save(q('X', 1), { ttl: 1 });
    await expect.poll(() => b.get({ sym: 'X' })).toBeUndefined();
    expect(await b.get({ sym: 'X' }, { allowStale: true })).toEqual(q('X', 1));
    await a.getOrLoad({ sym: 'X' }, () => q('X', 2));
    expect(await b.get({ sym: 'X' })).toEqual(q('X', 2));
  });
});

describe('what freshness costs', () => {
  /** The commands naming keys under `prefix` while `action` runs (MONITOR on the suite's Redis). */
  async function commandsOf(prefix: string, action: () => Promise<void>): Promise<string[][]> {
    const monitor = new Redis(redisUrl(), { lazyConnect: true }); // only its MONITOR duplicate connects
    const feed = await monitor.monitor();
    const seen: string[][] = [];
    feed.on('monitor', (_time: string, args: string[]) => {
      if (args.some((a) => a.includes(prefix))) seen.push(args.map((a, i) => (i === 0 ? a.toLowerCase() : a)));
    });
    try {
      await action();
      await expect.poll(() => seen.at(-1)?.[0]).toBe('echo'); // the end marker: everything before it was seen
      return seen.slice(0, -1);
    } finally {
      feed.disconnect();
      monitor.disconnect();
    }
  }

  it('an entity without grace sends the same commands and stores the same values as before', async () => {
    const prefix = uniquePrefix('cost');
    const cache = createCache({ redis: redisUrl(), prefix });
    caches.push(cache);
    const marker = new Redis(redisUrl());
    const plain = cache.getRepository(Plain);
    await plain.exists({ sym: 'warm-up' });
    const key = (sym: string) => `${prefix}:plain:${sym}`;
    const commands = await commandsOf(prefix, async () => {
      await plain.save(q('a', 1));
      await plain.get({ sym: 'a' });
      await plain.getMany([{ sym: 'a' }]);
      await plain.getOrLoad({ sym: 'b' }, () => q('b', 2));
      await plain.getOrLoad({ sym: 'b' }, () => q('b', 3));
      await marker.echo(`${prefix}:end`);
    });
    marker.disconnect();
    expect(commands).toEqual([
      ['set', key('a'), '{"json":{"sym":"a","price":1}}', 'PX', '1000'],
      ['get', key('a')],
      ['mget', key('a')],
      ['get', key('b')],
      ['set', key('b'), '{"json":{"sym":"b","price":2}}', 'PX', '1000'],
      ['get', key('b')],
    ]);
  });

  it('an entity with grace stores ttl + grace with a grace header, and reads GET and PTTL in one script call', async () => {
    const prefix = uniquePrefix('cost');
    const cache = createCache({ redis: redisUrl(), prefix });
    caches.push(cache);
    const marker = new Redis(redisUrl());
    const quotes = cache.getRepository(Quote);
    await quotes.exists({ sym: 'warm-up' });
    const key = `${prefix}:quote:a`;
    const commands = await commandsOf(prefix, async () => {
      await quotes.save(q('a', 1));
      await quotes.get({ sym: 'a' });
      await marker.echo(`${prefix}:end`);
    });
    marker.disconnect();
    expect(commands[0]).toEqual(['set', key, 'g3600000;{"json":{"sym":"a","price":1}}', 'PX', String(60_000 + 3_600_000)]);
    // One EVALSHA (re-sent as EVAL if the server did not have the script yet), running GET and PTTL inside.
    const read = commands.slice(1);
    expect(read[0]?.[0]).toBe('evalsha');
    expect(read.filter(([name]) => !name!.startsWith('eval'))).toEqual([['get', key], ['pttl', key]]);
  });
});

describe('freshness with failOpen while Redis is down', () => {
  it('reads are misses, getOrLoad loads (timeouts included), a failing loader reaches the caller; nothing throws from the store', async () => {
    const cache = createCache({ redis: `redis://127.0.0.1:${await freePort()}`, prefix: 'open', failOpen: true, commandTimeout: 200 });
    caches.push(cache);
    const errors: CacheOrmError[] = [];
    cache.on('error', (e) => errors.push(e));
    const quotes = cache.getRepository(Quote);
    expect(await quotes.get({ sym: 'A' }, { allowStale: true })).toBeUndefined();
    expect(await quotes.getMany([{ sym: 'A' }], { allowStale: true })).toEqual([undefined]);
    expect(await quotes.find({ sym: 'A' }).toArray()).toEqual([]);
    expect(await quotes.ttl({ sym: 'A' })).toBeUndefined();
    const options = { softTimeout: 10, hardTimeout: 1000, refreshAhead: 0.5 } as const;
    expect(await quotes.getOrLoad({ sym: 'A' }, async () => q('A', 1), options)).toEqual(q('A', 1));
    const boom = new Error('upstream down too');
    expect(await failure(quotes.getOrLoad({ sym: 'B' }, () => Promise.reject(boom), options))).toBe(boom);
    expect(errors.length).toBeGreaterThan(0);
    expect(cache.stats().staleHits).toBe(0);
  });
});
