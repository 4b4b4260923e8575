/**
 * `getOrLoad(key, loader, { lock: true })` across processes: two caches on their own connections share
 * one Redis; only one of them runs the loader for a missing entry, the other waits for its value.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CHANNELS, compileGlob, ConfigError, contains, createCache, defineEntity, prefix, StoreUnavailableError, suffix,
  type Cache, type CacheOrmError, type LockMessage,
} from 'cacheorm';
import { lockKeyOf } from '../../src/repository/lock.js';
import { freePort } from '../support/redis-server.js';
import { redisUrl, testRedis, uniquePrefix } from '../support/redis.js';
import { session, Session, type SessionData } from '../support/entities.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('getOrLoad with a cross-process lock', () => {
  const raw = testRedis();
  const caches: Cache[] = [];
  const lockEvents: LockMessage[] = [];
  const onLock = (m: unknown) => lockEvents.push(m as LockMessage);
  diagnostics_channel.subscribe(CHANNELS.lock, onLock);
  afterEach(() => {
    lockEvents.length = 0;
  });
  afterAll(async () => {
    diagnostics_channel.unsubscribe(CHANNELS.lock, onLock);
    for (const cache of caches) await cache.close();
  });

  /** Two caches, each with its own Redis connection, sharing one prefix: two "processes". */
  function twoProcesses(options: Parameters<typeof createCache>[0] = {}) {
    const shared = uniquePrefix('lock');
    const a = createCache({ redis: redisUrl(), prefix: shared, ...options });
    const b = createCache({ redis: redisUrl(), prefix: shared, ...options });
    caches.push(a, b);
    return { prefix: shared, a: a.getRepository(Session), b: b.getRepository(Session) };
  }

  it('runs the loader once for a missing entry; the other process gets the value it wrote', async () => {
    const { a, b } = twoProcesses();
    const calls = new Map<string, number>();
    const loader = async (key: { id: string }): Promise<SessionData> => {
      calls.set(key.id, (calls.get(key.id) ?? 0) + 1);
      await sleep(150);
      return session(key.id);
    };
    const ids = Array.from({ length: 20 }, (_, i) => `k${i}`);
    await Promise.all([a.exists({ tenantId: 'acme', id: 'warm-up' }), b.exists({ tenantId: 'acme', id: 'warm-up' })]); // both connected
    const results = await Promise.all(
      ids.flatMap((id) => [
        a.getOrLoad({ tenantId: 'acme', id }, loader, { lock: true }),
        b.getOrLoad({ tenantId: 'acme', id }, loader, { lock: true }),
      ]),
    );
    expect(results.map((r) => r?.id)).toEqual(ids.flatMap((id) => [id, id]));
    expect([...calls.values()]).toEqual(ids.map(() => 1));
    expect(lockEvents.filter((e) => e.event === 'acquired')).toHaveLength(ids.length);
    expect(lockEvents.filter((e) => e.event === 'waited').length).toBeGreaterThan(0);
    // Every lock was released (compare-and-delete).
    await expect.poll(() => raw.exists(...lockEvents.map((e) => e.lockKey))).toBe(0);
  });

  it('a cached entry never takes the lock', async () => {
    const { a } = twoProcesses();
    await a.save(session('cached'));
    const got = await a.getOrLoad({ tenantId: 'acme', id: 'cached' }, () => session('other'), { lock: true });
    expect(got?.id).toBe('cached');
    expect(lockEvents).toEqual([]);
  });

  it("when the holder's loader fails, the waiting process takes the lock and loads", async () => {
    const { a, b } = twoProcesses();
    let bCalls = 0;
    const failing = a.getOrLoad(
      { tenantId: 'acme', id: 'flaky' },
      async () => {
        await sleep(100);
        throw new Error('database down');
      },
      { lock: true },
    );
    await expect.poll(() => lockEvents.some((e) => e.event === 'acquired')).toBe(true);
    const waiting = b.getOrLoad({ tenantId: 'acme', id: 'flaky' }, (k) => (bCalls++, session(k.id)), { lock: true });
    await expect(failing).rejects.toThrow('database down');
    expect((await waiting)?.id).toBe('flaky');
    expect(bCalls).toBe(1);
    expect((await a.get({ tenantId: 'acme', id: 'flaky' }))?.id).toBe('flaky');
  });

  it('when the holder caches nothing (loader returned undefined), the waiter loads itself', async () => {
    const { a, b } = twoProcesses();
    const first = a.getOrLoad({ tenantId: 'acme', id: 'none' }, async () => (await sleep(100), undefined), { lock: true });
    await expect.poll(() => lockEvents.some((e) => e.event === 'acquired')).toBe(true);
    const second = b.getOrLoad({ tenantId: 'acme', id: 'none' }, (k) => session(k.id), { lock: true });
    expect(await first).toBeUndefined();
    expect((await second)?.id).toBe('none');
  });

  it('a lock left by a dead process: the waiter loads itself after `wait`, and never deletes that lock', async () => {
    const { prefix: p, a } = twoProcesses();
    const key = a.keyOf({ tenantId: 'acme', id: 'orphan' });
    const lockKey = lockKeyOf(`${p}:session:`, key);
    expect(lockKey).toBe(`${p}:session#lock:acme:orphan`);
    await raw.set(lockKey, 'token-of-a-dead-process', 'PX', 10_000);
    let calls = 0;
    const got = await a.getOrLoad({ tenantId: 'acme', id: 'orphan' }, (k) => (calls++, session(k.id)), { lock: { ttl: '10s', wait: 300 } });
    expect(got?.id).toBe('orphan');
    expect(calls).toBe(1);
    const timeout = lockEvents.find((e) => e.event === 'timeout');
    expect(timeout?.waitedMs).toBeGreaterThanOrEqual(300);
    expect(await raw.get(lockKey)).toBe('token-of-a-dead-process');
    expect((await a.get({ tenantId: 'acme', id: 'orphan' }))?.id).toBe('orphan');
    await raw.del(lockKey);
  });

  it('sets the lock with NX and the lock TTL', async () => {
    const { a } = twoProcesses();
    let pttl = -3;
    await a.getOrLoad(
      { tenantId: 'acme', id: 'ttl' },
      async () => {
        const lockKey = lockEvents.find((e) => e.event === 'acquired')!.lockKey;
        pttl = await raw.pttl(lockKey);
        return session('ttl');
      },
      { lock: { ttl: 1500 } },
    );
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(1500);
  });

  it('rejects malformed lock options with ConfigError before anything is sent', async () => {
    const { a } = twoProcesses();
    for (const lock of ['yes', 0, { ttl: 'never' }, { ttl: -5 }, { wait: 'soon' }, [], null]) {
      await expect(a.getOrLoad({ tenantId: 'acme', id: 'x' }, () => session('x'), { lock } as never)).rejects.toBeInstanceOf(ConfigError);
    }
  });

  it('with failOpen and Redis down, the loader runs without the lock', async () => {
    const cache = createCache({ redis: `redis://127.0.0.1:${await freePort()}`, prefix: 'lock-down', failOpen: true });
    caches.push(cache);
    const errors: CacheOrmError[] = [];
    cache.on('error', (e) => errors.push(e));
    const got = await cache.getRepository(Session).getOrLoad({ tenantId: 'acme', id: 'x' }, (k) => session(k.id), { lock: true });
    expect(got?.id).toBe('x');
    expect(errors.filter((e) => e.operation !== 'connect').every((e) => e instanceof StoreUnavailableError)).toBe(true);
    expect(lockEvents.some((e) => e.event === 'unavailable')).toBe(true);
  });

  it('without failOpen and Redis down, the failure is thrown', async () => {
    const cache = createCache({ redis: `redis://127.0.0.1:${await freePort()}`, prefix: 'lock-down2' });
    caches.push(cache);
    cache.on('error', () => undefined);
    const loader = () => session('x');
    await expect(cache.getRepository(Session).getOrLoad({ tenantId: 'acme', id: 'x' }, loader, { lock: true })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  });

  it('works on the embedded MemoryStore too', async () => {
    const cache = createCache({ prefix: 'lock-mem' });
    caches.push(cache);
    const repo = cache.getRepository(Session);
    let calls = 0;
    const loader = async (k: { id: string }) => (calls++, await sleep(20), session(k.id));
    const got = await Promise.all([repo.getOrLoad({ tenantId: 'acme', id: 'm' }, loader, { lock: true }), repo.getOrLoad({ tenantId: 'acme', id: 'm' }, loader, { lock: true })]);
    expect(got.map((s) => s?.id)).toEqual(['m', 'm']);
    expect(calls).toBe(1);
  });
});

describe('lock keys and find', () => {
  it('no find glob can match a lock key', () => {
    const cache = createCache({ prefix: 'app.cache' });
    const repo = cache.getRepository(Session);
    const text = fc.string({ unit: 'binary', maxLength: 8 });
    const condition = fc.oneof(
      fc.constant(undefined),
      text,
      text.map((t) => prefix(t)),
      text.map((t) => suffix(t)),
      text.map((t) => contains(t)),
    );
    fc.assert(
      fc.property(condition, condition, text, text, (tenantId, id, t, i) => {
        const pattern = Object.fromEntries(Object.entries({ tenantId, id }).filter(([, v]) => v !== undefined));
        const plan = repo.find(pattern as never).plan;
        if (plan.kind !== 'scan') return;
        const lockKey = lockKeyOf('app:cache:session:', repo.keyOf({ tenantId: t, id: i }));
        expect(compileGlob(plan.match)(lockKey)).toBe(false);
        // ... while it does match the entity keys it is meant for.
        if (typeof tenantId !== 'object' && typeof id !== 'object') {
          const own = repo.keyOf({ tenantId: tenantId ?? t, id: id ?? i });
          expect(compileGlob(plan.match)(own)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a hash-tagged entry keeps its tag in the lock key (same cluster slot), still out of every find glob', () => {
    const Tagged = defineEntity({
      name: 'tagged',
      key: ['tenantId', 'id'],
      hashTag: ['tenantId'],
      schema: z.object({ tenantId: z.string(), id: z.string() }),
      ttl: '1m',
    });
    const repo = createCache({ prefix: 'app' }).getRepository(Tagged);
    const key = repo.keyOf({ tenantId: 'acme', id: '42' });
    expect(key).toBe('app:tagged:{acme}:42');
    const lockKey = lockKeyOf('app:tagged:', key);
    expect(lockKey).toBe('app:tagged#lock:{acme}:42');
    for (const pattern of [{}, { tenantId: 'acme' }, { tenantId: prefix('a') }, { id: suffix('2') }]) {
      const plan = repo.find(pattern as never).plan;
      if (plan.kind === 'scan') expect(compileGlob(plan.match)(lockKey)).toBe(false);
    }
  });

  it('a held lock is invisible to find, count and keys', async () => {
    const cache = createCache({ redis: redisUrl(), prefix: uniquePrefix('lockfind') });
    const repo = cache.getRepository(Session);
    await repo.save(session('a'));
    let counted = -1;
    let listed: unknown[] = [];
    await repo.getOrLoad(
      { tenantId: 'acme', id: 'b' },
      async () => {
        counted = await repo.find({ tenantId: 'acme' }).count();
        listed = await repo.find({}).keys().toArray();
        return session('b');
      },
      { lock: true },
    );
    expect(counted).toBe(1);
    expect(listed).toEqual([{ tenantId: 'acme', id: 'a' }]);
    await cache.close();
  });
});
