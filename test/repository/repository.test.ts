/** Every repository method, on the MemoryStore and on real Redis, with the same assertions. */
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DecodeError, InvalidKeyError, ValidationError, type Cache } from 'cacheorm';
import { backends, sleep } from '../support/backends.js';
import { Session, session, Token } from '../support/entities.js';

describe.each(backends)('Repository on $name', (backend) => {
  const caches: Cache[] = [];
  const newCache = (options?: Parameters<typeof backend.cache>[0]) => {
    const cache = backend.cache(options);
    caches.push(cache);
    return cache;
  };
  afterAll(async () => {
    await Promise.all(caches.map((c) => c.close()));
  });

  it('save then get round-trips Date, Map, Set, BigInt and optional fields', async () => {
    const repo = newCache().getRepository(Session);
    const s = session('s1', { note: undefined });
    await repo.save(s);
    const back = await repo.get({ tenantId: 'acme', id: 's1' });
    expect(back).toEqual(s);
    expect(back!.lastSeen).toBeInstanceOf(Date);
    expect(back!.roles).toBeInstanceOf(Set);
    expect(back!.attrs).toBeInstanceOf(Map);
    expect(typeof back!.quota).toBe('bigint');
  });

  it('get of an absent key is undefined, and counts hits and misses', async () => {
    const cache = newCache();
    const repo = cache.getRepository(Session);
    await repo.save(session('hit'));
    expect(await repo.get({ tenantId: 'acme', id: 'nope' })).toBeUndefined();
    await repo.get({ tenantId: 'acme', id: 'hit' });
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, writes: 1, errors: 0 });
  });

  it('writes under prefix:entity:parts and with the entity TTL', async () => {
    const cache = newCache();
    const repo = cache.getRepository(Session);
    await repo.save(session('a:b*', { email: 'ab@acme.test' }));
    const key = `${cache.prefix}:session:acme:a%3Ab%2A`;
    expect(repo.keyOf({ tenantId: 'acme', id: 'a:b*' })).toBe(key);
    expect(await cache.store.exists(key)).toBe(true);
    const ttl = await repo.ttl({ tenantId: 'acme', id: 'a:b*' });
    expect(ttl).toBeGreaterThan(29 * 60_000);
    expect(ttl).toBeLessThanOrEqual(30 * 60_000);
  });

  it('save of a batch writes all; an invalid item writes none and reports its index', async () => {
    const repo = newCache().getRepository(Session);
    await repo.save([session('b1'), session('b2')]);
    expect((await repo.getMany([{ tenantId: 'acme', id: 'b1' }, { tenantId: 'acme', id: 'b2' }])).map((s) => s?.id)).toEqual(['b1', 'b2']);

    const bad = [session('c1'), session('c2', { email: 'not-an-email' }), session('c3')];
    const err = await repo.save(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).index).toBe(1);
    expect((err as ValidationError).issues[0]!.path).toEqual(['email']);
    expect((err as ValidationError).message).toMatch(/item 1 of the batch.*email.*nothing was written/);
    expect(await repo.getMany(bad.map(({ tenantId, id }) => ({ tenantId, id })))).toEqual([undefined, undefined, undefined]);
  });

  it('getMany answers in input order with undefined for misses', async () => {
    const repo = newCache().getRepository(Session);
    await repo.save([session('m1'), session('m3')]);
    const got = await repo.getMany(['m3', 'm2', 'm1', 'm3'].map((id) => ({ tenantId: 'acme', id })));
    expect(got.map((s) => s?.id)).toEqual(['m3', undefined, 'm1', 'm3']);
    expect(await repo.getMany([])).toEqual([]);
  });

  it('insert writes only absent keys (NX)', async () => {
    const repo = newCache().getRepository(Session);
    expect(await repo.insert(session('i1'))).toBe(true);
    expect(await repo.insert(session('i1', { email: 'other@acme.test' }))).toBe(false);
    expect((await repo.get({ tenantId: 'acme', id: 'i1' }))!.email).toBe('i1@acme.test');
    expect(await repo.insert([session('i1'), session('i2')])).toEqual([false, true]);
  });

  it('50 parallel inserts of one key: exactly one wins', async () => {
    const repo = newCache().getRepository(Session);
    const results = await Promise.all(Array.from({ length: 50 }, (_, n) => repo.insert(session('race', { email: `n${n}@acme.test` }))));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect((await repo.get({ tenantId: 'acme', id: 'race' }))!.email).toBe(`n${winner}@acme.test`);
  });

  it('update writes only present keys (XX) and keeps the TTL unless given one', async () => {
    const repo = newCache().getRepository(Session);
    expect(await repo.update(session('u1'))).toBe(false);
    expect(await repo.get({ tenantId: 'acme', id: 'u1' })).toBeUndefined();
    await repo.save(session('u1'), { ttl: '10m' });
    expect(await repo.update(session('u1', { email: 'new@acme.test' }))).toBe(true);
    expect((await repo.get({ tenantId: 'acme', id: 'u1' }))!.email).toBe('new@acme.test');
    expect(await repo.ttl({ tenantId: 'acme', id: 'u1' })).toBeLessThanOrEqual(600_000);
    expect(await repo.update(session('u1'), { ttl: '1h' })).toBe(true);
    expect(await repo.ttl({ tenantId: 'acme', id: 'u1' })).toBeGreaterThan(600_000);
    expect(await repo.update([session('u1'), session('u2')])).toEqual([true, false]);
  });

  it('delete removes one or many and answers how many existed', async () => {
    const repo = newCache().getRepository(Session);
    await repo.save([session('d1'), session('d2'), session('d3')]);
    expect(await repo.delete({ tenantId: 'acme', id: 'd1' })).toBe(1);
    expect(await repo.delete({ tenantId: 'acme', id: 'd1' })).toBe(0);
    expect(await repo.delete([{ tenantId: 'acme', id: 'd2' }, { tenantId: 'acme', id: 'd3' }, { tenantId: 'acme', id: 'zz' }])).toBe(2);
    expect(await repo.delete([])).toBe(0);
    expect(await repo.exists({ tenantId: 'acme', id: 'd2' })).toBe(false);
  });

  it('exists, ttl and touch', async () => {
    const repo = newCache().getRepository(Session);
    const key = { tenantId: 'acme', id: 't1' };
    expect(await repo.exists(key)).toBe(false);
    expect(await repo.ttl(key)).toBeUndefined();
    expect(await repo.touch(key)).toBe(false);
    await repo.save(session('t1'), { ttl: '1m' });
    expect(await repo.exists(key)).toBe(true);
    expect(await repo.ttl(key)).toBeLessThanOrEqual(60_000);
    expect(await repo.touch(key)).toBe(true);
    expect(await repo.ttl(key)).toBeGreaterThan(60_000);
    expect(await repo.touch(key, '5s')).toBe(true);
    expect(await repo.ttl(key)).toBeLessThanOrEqual(5_000);
    expect(await repo.touch(key, 'never')).toBe(true);
    expect(await repo.ttl(key)).toBe(Infinity);
    await repo.save(session('t1'), { ttl: 'never' });
    expect(await repo.ttl(key)).toBe(Infinity);
  });

  it('entries expire after their TTL (auto purge)', async () => {
    const repo = newCache().getRepository(Token);
    await repo.save({ id: 'x', value: 'v' });
    await repo.save({ id: 'y', value: 'v' }, { ttl: 1000 });
    expect(await repo.get({ id: 'x' })).toEqual({ id: 'x', value: 'v' });
    await sleep(250);
    expect(await repo.get({ id: 'x' })).toBeUndefined();
    expect(await repo.exists({ id: 'x' })).toBe(false);
    expect(await repo.get({ id: 'y' })).toBeDefined();
  });

  it('rejects bad keys with InvalidKeyError before touching the store', async () => {
    const cache = newCache();
    const repo = cache.getRepository(Session);
    await expect(repo.get({ tenantId: 'acme' } as never)).rejects.toThrow(InvalidKeyError);
    await expect(repo.get({ tenantId: 'acme' } as never)).rejects.toThrow(/missing.*"id"/);
    await expect(repo.get({ tenantId: 'acme', id: 42 } as never)).rejects.toThrow(InvalidKeyError);
    await expect(repo.get(null as never)).rejects.toThrow(/needs a key object with tenantId, id/);
    await expect(repo.delete([{ tenantId: 'acme', id: 'ok' }, {} as never])).rejects.toThrow(InvalidKeyError);
    await expect(repo.touch({ tenantId: 'acme', id: 'x' }, '1 week' as never)).rejects.toThrow(ConfigError);
    expect(cache.stats().errors).toBe(0);
  });

  it('a value that does not decode or validate is a miss, emits invalid, and is removed', async () => {
    const cache = newCache();
    const repo = cache.getRepository(Session);
    const events: Array<{ key: string; error: DecodeError }> = [];
    cache.on('invalid', (e) => events.push(e));
    const key = repo.keyOf({ tenantId: 'acme', id: 'bad' });
    const raws = [
      'not json',
      '{"json":{"tenantId":"acme","id":"bad"}}', // decodes, fails the schema
      '{"json":{"a":1},"meta":{"values":{"a":[["custom","nope"]]}}}', // unknown superjson annotation
      '{"json":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}}}}',
    ];
    for (const raw of raws) {
      await cache.store.write([{ key, value: raw, ttl: null }]);
      expect(await repo.get({ tenantId: 'acme', id: 'bad' })).toBeUndefined();
      await expect.poll(() => cache.store.exists(key)).toBe(false);
    }
    expect(events).toHaveLength(raws.length);
    expect(events.every((e) => e.key === key && e.error instanceof DecodeError)).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(cache.stats()).toMatchObject({ invalid: raws.length, misses: raws.length, hits: 0 });
  });

  it('does not remove an invalid entry that was rewritten since it was read', async () => {
    const cache = newCache();
    const repo = cache.getRepository(Session);
    const key = repo.keyOf({ tenantId: 'acme', id: 'rw' });
    await cache.store.write([{ key, value: 'garbage', ttl: null }]);
    expect(await cache.store.deleteIfEquals(key, 'other')).toBe(false);
    expect(await cache.store.exists(key)).toBe(true);
    expect(await cache.store.deleteIfEquals(key, 'garbage')).toBe(true);
    expect(await cache.store.exists(key)).toBe(false);
  });

  it('strict mode throws DecodeError and leaves the entry for inspection', async () => {
    const cache = newCache({ strict: true });
    const repo = cache.getRepository(Session);
    const key = repo.keyOf({ tenantId: 'acme', id: 'strict' });
    await cache.store.write([{ key, value: '{"json":{"id":"strict"}}', ttl: null }]);
    const err = await repo.get({ tenantId: 'acme', id: 'strict' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).code).toBe('E_DECODE');
    expect((err as DecodeError).issues.length).toBeGreaterThan(0);
    expect(await cache.store.exists(key)).toBe(true);
  });

  it('getOrLoad: concurrent callers share one loader call, and the value is cached', async () => {
    const cache = newCache();
    const repo = cache.getRepository(Session);
    let calls = 0;
    const loader = async () => {
      calls++;
      await sleep(30);
      return session('gl');
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => repo.getOrLoad({ tenantId: 'acme', id: 'gl' }, loader)));
    expect(calls).toBe(1);
    expect(results.every((r) => r?.email === 'gl@acme.test')).toBe(true);
    expect(await repo.getOrLoad({ tenantId: 'acme', id: 'gl' }, loader)).toEqual(session('gl'));
    expect(calls).toBe(1);
    expect(await repo.ttl({ tenantId: 'acme', id: 'gl' })).toBeGreaterThan(0);
  });

  it('getOrLoad: a loader error reaches every waiter and caches nothing', async () => {
    const repo = newCache().getRepository(Session);
    let calls = 0;
    const loader = async () => {
      calls++;
      await sleep(20);
      throw new Error('database down');
    };
    const settled = await Promise.allSettled(Array.from({ length: 5 }, () => repo.getOrLoad({ tenantId: 'acme', id: 'err' }, loader)));
    expect(calls).toBe(1);
    expect(settled.every((s) => s.status === 'rejected' && (s.reason as Error).message === 'database down')).toBe(true);
    expect(await repo.exists({ tenantId: 'acme', id: 'err' })).toBe(false);
    // the next call tries again
    expect(await repo.getOrLoad({ tenantId: 'acme', id: 'err' }, () => session('err'))).toBeDefined();
  });

  it('getOrLoad: undefined caches nothing; an invalid or foreign-key value is rejected', async () => {
    const repo = newCache().getRepository(Session);
    expect(await repo.getOrLoad({ tenantId: 'acme', id: 'none' }, () => undefined)).toBeUndefined();
    expect(await repo.exists({ tenantId: 'acme', id: 'none' })).toBe(false);
    await expect(repo.getOrLoad({ tenantId: 'acme', id: 'v' }, () => session('v', { email: 'x' }))).rejects.toThrow(ValidationError);
    await expect(repo.getOrLoad({ tenantId: 'acme', id: 'v' }, () => session('other'))).rejects.toThrow(/differs from the requested one/);
    expect(await repo.exists({ tenantId: 'acme', id: 'v' })).toBe(false);
  });

  it('async writes return at once and land', async () => {
    const cache = newCache({ writes: 'async' });
    const repo = cache.getRepository(Session);
    await repo.save([session('as1'), session('as2')]);
    await expect.poll(() => repo.exists({ tenantId: 'acme', id: 'as2' })).toBe(true);
    await expect(repo.save(session('as3', { email: 'bad' }))).rejects.toThrow(ValidationError);
  });

  it('a closed cache refuses calls with a message saying what to do', async () => {
    const cache = backend.cache();
    const repo = cache.getRepository(Session);
    await cache.close();
    await cache.close();
    await expect(repo.get({ tenantId: 'acme', id: 'x' })).rejects.toThrow(/closed cache/);
  });
});
