/**
 * The near cache through faults, on servers of its own: CLIENT KILL of the tracking connection and of
 * the cache's connection, SIGSTOP, a restart, FLUSHALL, maxmemory eviction. In each, once a read has
 * answered the fresh value (or the absence), no later read answers the old one.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CHANNELS, createCache, defineEntity, type Cache, type NearCacheMessage } from 'cacheorm';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { until, untilServedLocally } from './support.js';

const Counter = defineEntity({ name: 'counter', key: ['id'], schema: z.object({ id: z.string(), n: z.int() }), ttl: '10m' });
const Graced = defineEntity({ name: 'graced', key: ['id'], schema: z.object({ id: z.string(), n: z.int() }), ttl: '10m', grace: '1h' });

/** Writes `n` for `id` from outside the cache (raw ioredis), keeping the TTL. */
async function rawWrite(admin: Redis, prefix: string, id: string, n: number): Promise<void> {
  await admin.set(`${prefix}:counter:${id}`, JSON.stringify({ json: { id, n } }), 'PX', 600_000);
}

/** Reads `id` `times` times and fails if any read answers something else than `n`. */
async function readsStay(cache: Cache, id: string, n: number | undefined, times = 50): Promise<void> {
  const repo = cache.getRepository(Counter);
  for (let i = 0; i < times; i++) {
    expect((await repo.get({ id }))?.n).toBe(n);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The client ids of the connections named `name` (or, with `name` '', unnamed normal ones but `skip`). */
async function clientIds(admin: Redis, name: string, skip: readonly number[] = []): Promise<string[]> {
  const list = String(await admin.client('LIST'));
  return list
    .split('\n')
    .filter((line) => line.includes(` name=${name} `))
    .map((line) => /id=(\d+)/.exec(line)![1]!)
    .filter((id) => !skip.includes(Number(id)));
}

describe('near cache: faults', () => {
  let server: RedisServerHandle;
  let admin: Redis;
  let cache: Cache;
  const prefix = 'nf';
  const flushes: NearCacheMessage[] = [];
  const listener = (m: unknown) => {
    if ((m as NearCacheMessage).prefix === prefix) flushes.push(m as NearCacheMessage);
  };

  beforeAll(async () => {
    server = await startRedisServer({ args: ['--maxmemory', '8mb', '--maxmemory-policy', 'allkeys-lru'] });
    admin = new Redis(server.url, { maxRetriesPerRequest: 0 });
    admin.on('error', () => undefined);
    diagnostics_channel.subscribe(CHANNELS.near, listener);
    cache = createCache({ redis: server.url, prefix, nearCache: true, commandTimeout: 500 });
    cache.on('error', () => undefined);
  });
  afterAll(async () => {
    diagnostics_channel.unsubscribe(CHANNELS.near, listener);
    server?.resume();
    await cache?.close();
    admin?.disconnect();
    await server?.stop();
  });

  const counters = () => cache.getRepository(Counter);

  it('CLIENT KILL of the tracking connection: flushes, tracks again, and the next write is seen', async () => {
    await rawWrite(admin, prefix, 'k', 1);
    await untilServedLocally(cache, () => counters().get({ id: 'k' }));
    const before = cache.stats().near!.flushes;
    const ids = await clientIds(admin, 'cacheorm-near');
    expect(ids).toHaveLength(1);
    await admin.client('KILL', 'ID', ids[0]!);
    await rawWrite(admin, prefix, 'k', 2);
    await until('the fresh value', async () => (await counters().get({ id: 'k' }))?.n === 2);
    await readsStay(cache, 'k', 2);
    expect(cache.stats().near!.flushes).toBeGreaterThan(before);
    expect(flushes.map((f) => f.reason)).toContain('disconnect');
    await untilServedLocally(cache, () => counters().get({ id: 'k' }));
    await rawWrite(admin, prefix, 'k', 3);
    await until('the write after re-tracking', async () => (await counters().get({ id: 'k' }))?.n === 3);
    await readsStay(cache, 'k', 3);
  });

  it('CLIENT KILL of the cache\'s own connection: reads recover, writes are still seen', async () => {
    await rawWrite(admin, prefix, 'd', 1);
    await untilServedLocally(cache, () => counters().get({ id: 'd' }));
    const adminId = Number(await admin.client('ID'));
    for (const id of await clientIds(admin, '', [adminId])) await admin.client('KILL', 'ID', id);
    await rawWrite(admin, prefix, 'd', 2);
    await until('the fresh value', async () => (await counters().get({ id: 'd' }).catch(() => undefined))?.n === 2);
    await readsStay(cache, 'd', 2);
  });

  it('SIGSTOP: an unanswered PING flushes; after SIGCONT the next write is seen', async () => {
    await rawWrite(admin, prefix, 's', 1);
    await untilServedLocally(cache, () => counters().get({ id: 's' }));
    await server.pause();
    try {
      await until('a ping-timeout flush', () => flushes.some((f) => f.reason === 'ping-timeout'), 15_000);
      // Not serving: the read goes to the stopped server and times out.
      await expect(counters().get({ id: 's' })).rejects.toThrow();
    } finally {
      server.resume();
    }
    await rawWrite(admin, prefix, 's', 2);
    await until('the fresh value', async () => (await counters().get({ id: 's' }).catch(() => undefined))?.n === 2, 15_000);
    await readsStay(cache, 's', 2);
  });

  it('FLUSHALL: the null invalidation flushes everything', async () => {
    await rawWrite(admin, prefix, 'f', 1);
    await untilServedLocally(cache, () => counters().get({ id: 'f' }));
    await admin.flushall();
    await until('the flush', async () => (await counters().get({ id: 'f' })) === undefined);
    await readsStay(cache, 'f', undefined);
    expect(flushes.map((f) => f.reason)).toContain('invalidate-all');
  });

  it('maxmemory eviction is seen', async () => {
    await rawWrite(admin, prefix, 'e', 1);
    await untilServedLocally(cache, () => counters().get({ id: 'e' }));
    const filler = 'x'.repeat(10_000);
    for (let i = 0; i < 2000 && (await admin.exists(`${prefix}:counter:e`)) === 1; i++) {
      const p = admin.pipeline();
      for (let j = 0; j < 20; j++) p.set(`nf-filler:${i}:${j}`, filler);
      await p.exec().catch(() => undefined);
    }
    expect(await admin.exists(`${prefix}:counter:e`)).toBe(0);
    await until('the eviction', async () => (await counters().get({ id: 'e' })) === undefined);
    await readsStay(cache, 'e', undefined);
  });

  it('a restart: the value written before is never served once the absence was observed; grace entries serve an outage', async () => {
    const graced = cache.getRepository(Graced);
    await graced.save({ id: 'g', n: 7 });
    await rawWrite(admin, prefix, 'r', 1);
    await untilServedLocally(cache, () => counters().get({ id: 'r' }));
    await untilServedLocally(cache, () => graced.get({ id: 'g' }));
    await server.kill();
    await until('the disconnect flush', () => cache.stats().near!.entries === 0);
    // Redis is down: a grace entity's kept value is served as stale to a caller that accepts one.
    expect((await graced.get({ id: 'g' }, { allowStale: true }))?.n).toBe(7);
    // getOrLoad too: it loads, and serves the kept value when the load fails.
    expect((await graced.getOrLoad({ id: 'g' }, () => Promise.reject(new Error('source down'))))?.n).toBe(7);
    await expect(counters().get({ id: 'r' })).rejects.toThrow();
    await server.restart();
    await until('the absence', async () => (await counters().get({ id: 'r' }).catch(() => 'error')) === undefined, 20_000);
    await readsStay(cache, 'r', undefined);
    expect(await graced.get({ id: 'g' }, { allowStale: true })).toBeUndefined();
  });
});
