/**
 * The seed's OOM behaviour, on a redis-server of its own (the shared one is never reconfigured):
 * with `maxmemory` tiny, Redis refuses writes; sync writes throw StoreError with Redis' OOM text, async
 * writes report it as an `error` event, nothing crashes, and reads keep working.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, StoreError, type Cache, type CacheOrmError } from 'cacheorm';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { session, Session } from '../support/entities.js';

describe('Redis out of memory', () => {
  let server: RedisServerHandle;
  let admin: Redis;
  let cache: Cache;

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
    cache = createCache({ redis: server.url, prefix: 'oom' });
    await cache.getRepository(Session).save(session('before'));
    await admin.config('SET', 'maxmemory', '10');
  });
  afterAll(async () => {
    await cache?.close();
    admin?.disconnect();
    await server?.stop();
  });

  it('sync writes throw StoreError carrying the OOM message; nothing of a batch is written', async () => {
    const repo = cache.getRepository(Session);
    const err = await repo.save(session('one')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('E_STORE');
    expect((err as StoreError).redisMessage).toMatch(/OOM/);
    const batch = await repo.save([session('b1'), session('b2')]).catch((e: unknown) => e);
    expect(batch).toBeInstanceOf(StoreError);
    expect((batch as StoreError).redisMessage).toMatch(/OOM/);
    expect(await admin.exists('oom:session:acme:b1', 'oom:session:acme:b2')).toBe(0);
    expect(cache.stats().errors).toBeGreaterThanOrEqual(2);
  });

  it('reads keep working', async () => {
    expect((await cache.getRepository(Session).get({ tenantId: 'acme', id: 'before' }))?.id).toBe('before');
  });

  it('async writes report the OOM error as an error event, not swallowed, not crashing', async () => {
    const asyncCache = createCache({ redis: server.url, prefix: 'oom-async', writes: 'async' });
    const errors: CacheOrmError[] = [];
    asyncCache.on('error', (e) => errors.push(e));
    await asyncCache.getRepository(Session).save(session('async'));
    await expect.poll(() => errors.length).toBe(1);
    expect(errors[0]).toBeInstanceOf(StoreError);
    expect((errors[0] as StoreError).redisMessage).toMatch(/OOM/);
    expect(errors[0]!.entity).toBe('session');
    await asyncCache.close();
  });

  it('without an error listener, async failures become process warnings', async () => {
    const asyncCache = createCache({ redis: server.url, prefix: 'oom-warn', writes: 'async' });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      await asyncCache.getRepository(Session).save(session('warn'));
      await asyncCache.close(); // waits for the background write
      await expect.poll(() => warnings.length).toBeGreaterThan(0);
      expect(warnings[0]!.name).toBe('CacheOrmWarning');
      expect(warnings[0]!.message).toMatch(/OOM/);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('insert, update and getOrLoad fills are refused too (sync mode throws StoreError)', async () => {
    const repo = cache.getRepository(Session);
    for (const attempt of [
      repo.insert(session('ins')),
      repo.update(session('before')),
      repo.getOrLoad({ tenantId: 'acme', id: 'gol' }, (k) => session(k.id)),
    ]) {
      const err = await attempt.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).redisMessage).toMatch(/^OOM/);
    }
    expect((await repo.get({ tenantId: 'acme', id: 'before' }))?.id).toBe('before');
  });

  it('failOpen: writes are dropped and reported, getOrLoad returns the loaded value, reads keep working', async () => {
    const open = createCache({ redis: server.url, prefix: 'oom', failOpen: true });
    const errors: CacheOrmError[] = [];
    open.on('error', (e) => errors.push(e));
    const repo = open.getRepository(Session);
    await expect(repo.save(session('open'))).resolves.toBeUndefined();
    expect(await repo.insert(session('open-ins'))).toBe(false);
    expect((await repo.getOrLoad({ tenantId: 'acme', id: 'open-gol' }, (k) => session(k.id)))?.id).toBe('open-gol');
    expect((await repo.get({ tenantId: 'acme', id: 'before' }))?.id).toBe('before');
    expect(errors).toHaveLength(3);
    expect(errors.every((e) => e instanceof StoreError && /^OOM/.test(e.redisMessage) && e.entity === 'session')).toBe(true);
    expect(open.stats()).toMatchObject({ failedOpen: 3, errors: 3, writes: 0 });
    await open.close();
  });

  it('writes work again once memory is available, on the same cache', async () => {
    await admin.config('SET', 'maxmemory', '0');
    const repo = cache.getRepository(Session);
    await repo.save(session('after'));
    expect((await repo.get({ tenantId: 'acme', id: 'after' }))?.id).toBe('after');
  });
});
