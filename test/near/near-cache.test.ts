/**
 * The near cache against the run's Redis: what is served in process, that every other writer (another
 * cache, raw ioredis, redis-cli, EXPIRE) is seen, that a process reads its own writes at once, copies,
 * options and stats. Faults are in near-faults.test.ts, several processes in near-processes.test.ts.
 */
import { spawnSync } from 'node:child_process';
import diagnostics_channel from 'node:diagnostics_channel';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CHANNELS, ConfigError, createCache, defineEntity, EntityDefinitionError, type NearCacheMessage } from 'cacheorm';
import { Session, session } from '../support/entities.js';
import { dropKeysUnder } from '../support/keys.js';
import { redisUrl, testRedis, uniquePrefix } from '../support/redis.js';
import { clientFactories } from '../support/clients.js';
import { until, untilServedLocally } from './support.js';

const Counter = defineEntity({ name: 'counter', key: ['id'], schema: z.object({ id: z.string(), n: z.int() }), ttl: '10m' });
const Uncached = defineEntity({ name: 'uncached', key: ['id'], schema: z.object({ id: z.string(), n: z.int() }), ttl: '10m', nearCache: false });
const Graced = defineEntity({ name: 'graced', key: ['id'], schema: z.object({ id: z.string(), n: z.int() }), ttl: 300, grace: '1m' });

const raw = testRedis();
const prefixes: string[] = [];

function nearCache(extra: Parameters<typeof createCache>[0] = {}) {
  const prefix = uniquePrefix('near');
  prefixes.push(prefix);
  const cache = createCache({ redis: redisUrl(), prefix, nearCache: true, ...extra });
  afterAll(() => cache.close());
  return { cache, prefix };
}

afterAll(async () => {
  for (const prefix of prefixes) await dropKeysUnder(raw, prefix);
});

describe('near cache: served in process, coherent with every writer', () => {
  it('serves get, getMany and exists from process memory once read', async () => {
    const { cache } = nearCache();
    const sessions = cache.getRepository(Session);
    await sessions.save([session('a'), session('b')]);
    await untilServedLocally(cache, () => sessions.get({ tenantId: 'acme', id: 'a' }));
    await sessions.getMany([{ tenantId: 'acme', id: 'a' }, { tenantId: 'acme', id: 'b' }]); // 'b' is kept once its PTTL arrived
    await until('b kept', () => cache.stats().near!.entries === 2);
    const before = cache.stats().near!;
    expect((await sessions.get({ tenantId: 'acme', id: 'a' }))?.email).toBe('a@acme.test');
    const [a, b] = await sessions.getMany([{ tenantId: 'acme', id: 'a' }, { tenantId: 'acme', id: 'b' }]);
    expect([a?.id, b?.id]).toEqual(['a', 'b']);
    expect(await sessions.exists({ tenantId: 'acme', id: 'b' })).toBe(true);
    const after = cache.stats().near!;
    expect(after.hits - before.hits).toBe(4); // get 1 + getMany 2 + exists 1
    expect(after.misses).toBe(before.misses);
    expect(after.entries).toBe(2);
    expect(after.bytes).toBeGreaterThan(0);
  });

  it('sees writes of another cache, raw ioredis, redis-cli and EXPIRE', async () => {
    const { cache, prefix } = nearCache();
    const other = createCache({ redis: redisUrl(), prefix });
    afterAll(() => other.close());
    const mine = cache.getRepository(Counter);
    const theirs = other.getRepository(Counter);
    await theirs.save({ id: 'x', n: 1 });
    await untilServedLocally(cache, () => mine.get({ id: 'x' }));

    await theirs.save({ id: 'x', n: 2 });
    await until('another cache\'s write', async () => (await mine.get({ id: 'x' }))?.n === 2);

    const key = `${prefix}:counter:x`;
    const text = (await raw.get(key))!;
    await raw.set(key, text.replace('"n":2', '"n":3'), 'KEEPTTL');
    await until('a raw ioredis write', async () => (await mine.get({ id: 'x' }))?.n === 3);

    const port = new URL(redisUrl()).port || '6379';
    const host = new URL(redisUrl()).hostname;
    const cli = spawnSync('redis-cli', ['-h', host, '-p', port, 'SET', key, text.replace('"n":2', '"n":4'), 'KEEPTTL'], { encoding: 'utf8' });
    expect(cli.status).toBe(0);
    await until('a redis-cli write', async () => (await mine.get({ id: 'x' }))?.n === 4);

    await raw.pexpire(key, 1);
    await until('EXPIRE', async () => (await mine.get({ id: 'x' })) === undefined);
    expect(cache.stats().near!.invalidations).toBeGreaterThan(0);
  });

  it('reads its own writes at once (save, update, delete, touch)', async () => {
    const { cache } = nearCache();
    const counters = cache.getRepository(Counter);
    await counters.save({ id: 'o', n: 1 });
    await untilServedLocally(cache, () => counters.get({ id: 'o' }));
    await counters.save({ id: 'o', n: 2 });
    expect((await counters.get({ id: 'o' }))?.n).toBe(2);
    await counters.update({ id: 'o', n: 3 });
    expect((await counters.get({ id: 'o' }))?.n).toBe(3);
    await counters.delete({ id: 'o' });
    expect(await counters.get({ id: 'o' })).toBeUndefined();
    expect(await counters.exists({ id: 'o' })).toBe(false);
  });

  it('a caller mutating what it got does not change what the next caller reads', async () => {
    const { cache } = nearCache();
    const sessions = cache.getRepository(Session);
    await sessions.save(session('m'));
    await untilServedLocally(cache, () => sessions.get({ tenantId: 'acme', id: 'm' }));
    const first = (await sessions.get({ tenantId: 'acme', id: 'm' }))!;
    first.roles.add('root');
    first.attrs.set('logins', 99);
    first.lastSeen.setTime(0);
    first.email = 'changed@acme.test';
    const second = (await sessions.get({ tenantId: 'acme', id: 'm' }))!;
    expect(second).toEqual(session('m'));
    expect(second.lastSeen).not.toBe(first.lastSeen);
  });

  it('an entity with nearCache: false is always read from Redis', async () => {
    const { cache } = nearCache();
    const uncached = cache.getRepository(Uncached);
    await uncached.save({ id: 'u', n: 1 });
    for (let i = 0; i < 5; i++) await uncached.get({ id: 'u' });
    expect(cache.stats().near!.hits).toBe(0);
    expect(cache.stats().near!.entries).toBe(0);
  });

  it('keeps entries through their grace period and judges them stale locally', async () => {
    const { cache } = nearCache();
    const graced = cache.getRepository(Graced);
    await graced.save({ id: 'g', n: 1 });
    await untilServedLocally(cache, () => graced.get({ id: 'g' }, { allowStale: true }));
    await until('the entry to go stale', async () => (await graced.get({ id: 'g' })) === undefined);
    const hits = cache.stats().near!.hits;
    expect((await graced.get({ id: 'g' }, { allowStale: true }))?.n).toBe(1);
    expect(cache.stats().near!.hits).toBe(hits + 1);
  });

  it('getOrLoad reads through it, and refreshAhead still sees the entry age', async () => {
    const { cache } = nearCache();
    const counters = cache.getRepository(Counter);
    await counters.save({ id: 'r', n: 1 }, { ttl: 1500 });
    await untilServedLocally(cache, () => counters.get({ id: 'r' }));
    let loads = 0;
    const loader = async ({ id }: { id: string }) => ({ id, n: 100 + ++loads });
    const hits = cache.stats().near!.hits;
    expect((await counters.getOrLoad({ id: 'r' }, loader, { ttl: 1500 }))?.n).toBe(1);
    expect(cache.stats().near!.hits).toBe(hits + 1);
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect((await counters.getOrLoad({ id: 'r' }, loader, { ttl: 1500, refreshAhead: 0.5 }))?.n).toBe(1);
    await until('the background refresh', () => cache.stats().refreshes === 1);
    expect(loads).toBe(1);
    await until('the refreshed value', async () => (await counters.get({ id: 'r' }))?.n === 101);
  });

  it('closing the cache flushes, and each flush is published on cacheorm:near', async () => {
    const { cache, prefix } = nearCache();
    const messages: NearCacheMessage[] = [];
    const listener = (m: unknown) => {
      if ((m as NearCacheMessage).prefix === prefix) messages.push(m as NearCacheMessage);
    };
    diagnostics_channel.subscribe(CHANNELS.near, listener);
    try {
      const counters = cache.getRepository(Counter);
      await counters.save({ id: 'f', n: 1 });
      await untilServedLocally(cache, () => counters.get({ id: 'f' }));
      await cache.close();
      expect(messages.map((m) => m.reason)).toContain('close');
      expect(cache.stats().near!.flushes).toBeGreaterThan(0);
    } finally {
      diagnostics_channel.unsubscribe(CHANNELS.near, listener);
    }
  });

  it('a settled get, read through or kept, leaves nothing in flight: close() does not wait for it', async () => {
    const { cache } = nearCache();
    const counters = cache.getRepository(Counter);
    await counters.save({ id: 'c', n: 1 });
    await counters.get({ id: 'c' }); // read through Redis (fills the entry)
    await counters.get({ id: 'absent' }); // a miss
    await untilServedLocally(cache, () => counters.get({ id: 'c' })); // kept
    // With a get still counted as in flight, close() would wait for the whole timeout (and the test time out).
    await cache.close({ timeout: 600_000 });
  }, 20_000);

  describe.each(clientFactories)('with a client you pass: $name', (factory) => {
    it('serves locally and sees another connection\'s write', async () => {
      const client = factory.redis(redisUrl());
      afterAll(() => client.quit().catch(() => client.disconnect()));
      const prefix = uniquePrefix('nearc');
      prefixes.push(prefix);
      const cache = createCache({ redis: client, prefix, nearCache: { maxEntries: 100 } });
      afterAll(() => cache.close());
      const counters = cache.getRepository(Counter);
      await counters.save({ id: 'c', n: 1 });
      await untilServedLocally(cache, () => counters.get({ id: 'c' }));
      const key = `${prefix}:counter:c`;
      await raw.set(key, (await raw.get(key))!.replace('"n":1', '"n":2'), 'KEEPTTL');
      await until('the raw write', async () => (await counters.get({ id: 'c' }))?.n === 2);
    });
  });
});

describe('near cache: options', () => {
  it('is accepted and does nothing on the memory store', async () => {
    const cache = createCache({ nearCache: true });
    const counters = cache.getRepository(Counter);
    await counters.save({ id: 'm', n: 1 });
    expect((await counters.get({ id: 'm' }))?.n).toBe(1);
    expect(cache.stats().near).toBeUndefined();
    await cache.close();
  });

  it('bounds entries and bytes', async () => {
    const { cache } = nearCache({ nearCache: { maxEntries: 3, maxBytes: '1kb', ttl: '1m' } });
    const counters = cache.getRepository(Counter);
    await counters.save(Array.from({ length: 10 }, (_, i) => ({ id: `b${i}`, n: i })));
    await untilServedLocally(cache, () => counters.get({ id: 'b0' }));
    for (let i = 0; i < 10; i++) await counters.get({ id: `b${i}` });
    expect(cache.stats().near!.entries).toBeLessThanOrEqual(3);
    expect(cache.stats().near!.bytes).toBeLessThanOrEqual(1024);
  });

  it.each([
    [{ maxEntries: 0 }, /maxEntries/],
    [{ maxEntries: 1.5 }, /maxEntries/],
    [{ maxBytes: '12 parsecs' }, /maxBytes/],
    [{ maxBytes: -1 }, /maxBytes/],
    [{ ttl: 'never' }, /ttl/],
    [{ ttl: 'soon' }, /ttl/],
    [{ maxEntrys: 5 }, /Did you mean "maxEntries"/],
    ['yes', /nearCache must be true, false or an object/],
  ])('nearCache %j is a ConfigError', (option, message) => {
    expect(() => createCache({ nearCache: option as never })).toThrow(ConfigError);
    expect(() => createCache({ nearCache: option as never })).toThrow(message);
  });

  it('needs Redis with a store of your own', () => {
    const store = { kind: 'mine' } as never;
    expect(() => createCache({ store, nearCache: true })).toThrow(ConfigError);
  });

  it('the entity option is checked: a typo is named, a non-boolean refused', () => {
    const base = { key: ['id'] as const, schema: z.object({ id: z.string() }), ttl: '1m' as const };
    expect(() => defineEntity({ name: 'typo', ...base, nearcache: false } as never)).toThrow(/Did you mean "nearCache"/);
    expect(() => defineEntity({ name: 'nonbool', ...base, nearCache: 'no' } as never)).toThrow(EntityDefinitionError);
  });
});
