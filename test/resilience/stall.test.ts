/**
 * A stalled server (SIGSTOP, DEBUG SLEEP) keeps its connections open but answers nothing: every call
 * times out after commandTimeout with StoreUnavailableError, and calls succeed again once it resumes,
 * without recreating anything.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, StoreTimeoutError, StoreUnavailableError, type Cache, type CacheOrmError, type RedisStore } from 'cacheorm';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { session, Session } from '../support/entities.js';
import { failure } from '../support/rejection.js';

/** Polls `probe` until it resolves (Redis answers again). */
async function recovered(probe: () => Promise<unknown>): Promise<void> {
  await expect.poll(() => probe().then(() => true, () => false), { timeout: 15_000, interval: 50 }).toBe(true);
}

describe('a stalled server', () => {
  let server: RedisServerHandle;
  let admin: Redis;
  let cache: Cache;
  let open: Cache;
  const openErrors: CacheOrmError[] = [];

  beforeAll(async () => {
    server = await startRedisServer({ args: ['--enable-debug-command', 'yes'] });
    admin = new Redis(server.url, { maxRetriesPerRequest: 0 });
    admin.on('error', () => undefined);
    cache = createCache({ redis: server.url, prefix: 'stall', commandTimeout: 300 });
    cache.on('error', () => undefined);
    open = createCache({ redis: server.url, prefix: 'stall-open', commandTimeout: 300, failOpen: true });
    open.on('error', (e) => openErrors.push(e));
    await cache.getRepository(Session).save(session('kept'));
    await open.getRepository(Session).save(session('kept'));
  });
  afterAll(async () => {
    server?.resume();
    await cache?.close();
    await open?.close();
    admin?.disconnect();
    await server?.stop();
  });

  it('SIGSTOP: calls time out with StoreUnavailableError, a timed-out write is "unknown", then all works again', async () => {
    const repo = cache.getRepository(Session);
    const before = cache.stats().timeouts;
    await server.pause();
    try {
      const read = await failure(repo.get({ tenantId: 'acme', id: 'kept' }));
      expect(read).toBeInstanceOf(StoreUnavailableError);
      expect(read.message).toMatch(/^The redis store did not answer GET within 300 ms \(commandTimeout\)/);
      expect(read.cause).toBeInstanceOf(StoreTimeoutError);
      expect((read as StoreUnavailableError).entity).toBe('session');
      expect((read as StoreUnavailableError).operation).toBe('get');

      const write = await failure(repo.save(session('during-stall')));
      expect(write).toBeInstanceOf(StoreUnavailableError);
      expect(write.message).toMatch(/The outcome of this write is unknown/);

      const found = await failure(repo.find({ tenantId: 'acme' }).toArray());
      expect(found).toBeInstanceOf(StoreUnavailableError);
      expect(cache.stats().timeouts - before).toBeGreaterThanOrEqual(3);
    } finally {
      server.resume();
    }
    await recovered(() => repo.get({ tenantId: 'acme', id: 'kept' }));
    expect((await repo.get({ tenantId: 'acme', id: 'kept' }))?.id).toBe('kept');
    // The write was already on the wire: Redis applied it when it resumed. "Unknown" means exactly this.
    await expect.poll(async () => (await repo.get({ tenantId: 'acme', id: 'during-stall' }))?.id).toBe('during-stall');
    await repo.save(session('after-stall'));
    expect(await repo.exists({ tenantId: 'acme', id: 'after-stall' })).toBe(true);
  });

  it('DEBUG SLEEP: calls time out while Redis is busy, and succeed once it is done', async () => {
    const repo = cache.getRepository(Session);
    const sleeping = admin.call('DEBUG', 'SLEEP', '2');
    // Wait until Redis is actually busy: a probe's PING stops being answered.
    const probe = new Redis(server.url, { commandTimeout: 100, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    await expect.poll(() => probe.ping().then(() => 'answered', () => 'busy'), { interval: 10 }).toBe('busy');
    probe.disconnect();
    const read = await failure(repo.get({ tenantId: 'acme', id: 'kept' }));
    expect(read).toBeInstanceOf(StoreUnavailableError);
    expect(read.cause).toBeInstanceOf(StoreTimeoutError);
    await sleeping;
    await recovered(() => repo.get({ tenantId: 'acme', id: 'kept' }));
    expect((await repo.get({ tenantId: 'acme', id: 'kept' }))?.id).toBe('kept');
  });

  it('a server frozen before the cache connects: calls fail within commandTimeout, nothing piles up, then it connects', async () => {
    await server.pause();
    const late = createCache({ redis: server.url, prefix: 'stall-late', commandTimeout: 300 });
    late.on('error', () => undefined);
    const repo = late.getRepository(Session);
    const client = (late.store as RedisStore).client as unknown as { offlineQueue: { length: number } };
    try {
      const errors: Error[] = [];
      for (let i = 0; i < 12; i++) {
        errors.push(await failure(repo.get({ tenantId: 'acme', id: 'kept' })));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(errors.every((e) => e instanceof StoreUnavailableError)).toBe(true);
      // Past the first commandTimeout without a ready connection, calls fail at once instead of queuing.
      expect(errors.some((e) => /Nothing was sent/.test(e.message))).toBe(true);
      expect(client.offlineQueue.length).toBe(0);
    } finally {
      server.resume();
    }
    await recovered(() => repo.get({ tenantId: 'acme', id: 'kept' }));
    await late.close();
  });

  it('failOpen: reads are misses, getOrLoad loads, writes are dropped, all reported as error events', async () => {
    const repo = open.getRepository(Session);
    openErrors.length = 0;
    await server.pause();
    try {
      expect(await repo.get({ tenantId: 'acme', id: 'kept' })).toBeUndefined();
      expect(await repo.getMany([{ tenantId: 'acme', id: 'kept' }])).toEqual([undefined]);
      expect(await repo.find({ tenantId: 'acme' }).toArray()).toEqual([]);
      const loaded = await repo.getOrLoad({ tenantId: 'acme', id: 'loaded' }, (k) => session(k.id));
      expect(loaded?.id).toBe('loaded');
      await expect(repo.save(session('dropped'))).resolves.toBeUndefined();
    } finally {
      server.resume();
    }
    expect(openErrors.length).toBeGreaterThanOrEqual(6);
    expect(openErrors.every((e) => e instanceof StoreUnavailableError)).toBe(true);
    expect(openErrors.every((e) => e.entity === 'session')).toBe(true);
    expect(open.stats().failedOpen).toBe(openErrors.length);
    await recovered(() => admin.ping());
    await expect.poll(async () => (await repo.get({ tenantId: 'acme', id: 'kept' }))?.id, { timeout: 15_000 }).toBe('kept');
  });
});
