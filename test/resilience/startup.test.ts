/**
 * Bounded waits when Redis is not there: a cache created while Redis is down does not crash the process,
 * fails fast with StoreUnavailableError (nothing piles up in ioredis' offline queue), reports the outage
 * once as an `error` event, and serves as soon as Redis starts on that port, without being recreated.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createCache, StoreTimeoutError, StoreUnavailableError, type Cache, type CacheOrmError, type RedisStore } from 'cacheorm';
import { freePort, startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { session, Session } from '../support/entities.js';
import { failure } from '../support/rejection.js';

describe('startup with Redis down', () => {
  const servers: RedisServerHandle[] = [];
  const caches: Cache[] = [];
  afterAll(async () => {
    for (const cache of caches) await cache.close();
    for (const server of servers) await server.stop();
  });

  it('createCache returns, calls fail fast, and the cache connects once Redis comes up', async () => {
    const port = await freePort();
    // A long commandTimeout: failing fast must come from knowing the connection is down, not from the timer.
    const cache = createCache({ redis: `redis://127.0.0.1:${port}`, prefix: 'startup', commandTimeout: 15_000 });
    caches.push(cache);
    const errors: CacheOrmError[] = [];
    cache.on('error', (e) => errors.push(e));
    const repo = cache.getRepository(Session);

    const started = Date.now();
    const error = await failure(repo.get({ tenantId: 'acme', id: '1' }));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toMatch(/^Redis is unreachable \(.+\) for GET\. Check that Redis is running at 127\.0\.0\.1:\d+/);
    expect(error.cause).not.toBeInstanceOf(StoreTimeoutError);
    expect(Date.now() - started).toBeLessThan(15_000);

    const write = await failure(repo.save(session('1')));
    expect(write).toBeInstanceOf(StoreUnavailableError);
    expect((write as StoreUnavailableError).code).toBe('E_STORE_UNAVAILABLE');

    // The outage is reported once as an error event (not once per reconnection attempt).
    await expect.poll(() => errors.filter((e) => e.operation === 'connect').length).toBe(1);
    expect(errors.find((e) => e.operation === 'connect')!.message).toMatch(/^Could not connect to Redis at 127\.0\.0\.1:\d+ \(connect ECONNREFUSED/);

    servers.push(await startRedisServer({ port }));
    await expect
      .poll(async () => repo.save(session('1')).then(() => 'saved', (e: Error) => e.message), { timeout: 15_000, interval: 50 })
      .toBe('saved');
    expect((await repo.get({ tenantId: 'acme', id: '1' }))?.id).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(errors.filter((e) => e.operation === 'connect')).toHaveLength(1);
  });

  it('does not queue commands while Redis is down: the offline queue stays empty', async () => {
    const port = await freePort();
    const cache = createCache({ redis: `redis://127.0.0.1:${port}`, prefix: 'queue', commandTimeout: 15_000 });
    caches.push(cache);
    cache.on('error', () => undefined);
    const repo = cache.getRepository(Session);
    await failure(repo.get({ tenantId: 'acme', id: 'warm' }));
    const client = (cache.store as RedisStore).client as unknown as { offlineQueue: { length: number } };
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, client.offlineQueue.length)), 1);
    const errors = await Promise.all(Array.from({ length: 500 }, (_, i) => failure(repo.get({ tenantId: 'acme', id: String(i) }))));
    clearInterval(sampler);
    expect(errors.every((e) => e instanceof StoreUnavailableError)).toBe(true);
    // Between reconnection attempts nothing is even sent to ioredis ...
    expect(errors.some((e) => /Nothing was sent/.test(e.message))).toBe(true);
    // ... and whatever an attempt in progress queued was failed with it: nothing is left waiting.
    expect(most).toBeLessThan(500);
    expect(client.offlineQueue.length).toBe(0);
  });

  it('bounds calls on a client you pass (whose own offline queue would wait) by commandTimeout', async () => {
    const port = await freePort();
    const client = new Redis({ host: '127.0.0.1', port, retryStrategy: () => 200 }); // ioredis defaults: queue, 20 retries
    client.on('error', () => undefined);
    const cache = createCache({ redis: client, prefix: 'passed', commandTimeout: 300 });
    caches.push(cache);
    const repo = cache.getRepository(Session);
    const read = await failure(repo.get({ tenantId: 'acme', id: '1' }));
    expect(read).toBeInstanceOf(StoreUnavailableError);
    expect(read.message).toMatch(/^The redis store did not answer GET within 300 ms \(commandTimeout\)/);
    expect(read.cause).toBeInstanceOf(StoreTimeoutError);
    const write = await failure(repo.save(session('1')));
    expect(write.message).toMatch(/The outcome of this write is unknown/);
    expect(cache.stats()).toMatchObject({ timeouts: 2, errors: 2 });
    await cache.close();
    client.disconnect();
  });
});
