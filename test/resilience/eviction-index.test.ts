/**
 * `find: 'index'` entities on a Redis that evicts (a dedicated server with a small `maxmemory`):
 * - `volatile-lru` (what docs/resilience.md recommends): only keys with a TTL are evicted, so the index
 *   sets (no TTL) stay whole; evicted entities leave dangling members, which every view of a find skips
 *   and prunes, so `count`, `keys` and `toArray` agree with the entities still in Redis.
 * - `allkeys-lru`: Redis may evict the index sets themselves, and finds miss live entities; `reindex()`
 *   is the repair.
 */
import { Redis } from 'ioredis';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, defineEntity, type Cache } from 'cacheorm';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';

const Doc = defineEntity({
  name: 'doc',
  key: ['tenantId', 'id'],
  schema: z.object({ tenantId: z.string(), id: z.string(), body: z.string() }),
  ttl: '1h',
  find: 'index',
});
const body = 'x'.repeat(1000);

/** How many keys of the entity are in Redis (SCAN, skipping the index sets, whose names hold a `#`). */
async function liveKeys(raw: Redis, prefix: string): Promise<number> {
  let n = 0;
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}:doc:*`, 'COUNT', 1000);
    cursor = next;
    n += keys.filter((k) => !k.includes('#')).length;
  } while (cursor !== '0');
  return n;
}

async function fill(cache: Cache, total: number): Promise<void> {
  const repo = cache.getRepository(Doc);
  for (let i = 0; i < total; i += 100) {
    await repo.save(Array.from({ length: 100 }, (_, j) => ({ tenantId: `t${(i + j) % 3}`, id: `d${i + j}`, body })));
  }
}

async function evictedKeys(raw: Redis): Promise<number> {
  return Number(/evicted_keys:(\d+)/.exec(await raw.info('stats'))?.[1] ?? 0);
}

describe.each(['volatile-lru', 'allkeys-lru'] as const)('index entities under maxmemory-policy %s', (policy) => {
  let server: RedisServerHandle;
  let raw: Redis;
  let cache: Cache;
  beforeAll(async () => {
    server = await startRedisServer({ args: ['--maxmemory', '4mb', '--maxmemory-policy', policy, '--maxmemory-samples', '10'] });
    raw = new Redis(server.url);
    cache = createCache({ redis: server.url, prefix: 'ev' });
  });
  afterAll(async () => {
    await cache?.close();
    raw?.disconnect();
    await server?.stop();
  });

  it('count, keys and toArray agree with the live entities (volatile-*), or reindex() repairs (allkeys-*)', { timeout: 60_000 }, async () => {
    await fill(cache, 8000);
    expect(await evictedKeys(raw)).toBeGreaterThan(0);
    // The pressure is over: nothing is evicted from here on (a find's own replies would evict more).
    await raw.config('SET', 'maxmemory', '0');
    const repo = cache.getRepository(Doc);
    const live = await liveKeys(raw, 'ev');
    expect(live).toBeGreaterThan(0);
    expect(live).toBeLessThan(8000);

    if (policy === 'volatile-lru') {
      expect(await raw.exists('ev:doc#index', 'ev:doc#index:lex')).toBe(2); // no TTL: never evicted
      const q = repo.find({});
      const values = await q.toArray();
      expect(values.length).toBe(live);
      expect(await q.count()).toBe(live);
      expect((await q.keys().toArray()).length).toBe(live);
      // The dangling members were pruned: the index lists exactly the live entities now.
      expect(await raw.zcard('ev:doc#index')).toBe(live);
      expect(await repo.find({ tenantId: 't1' }).count()).toBe(values.filter((d) => d.tenantId === 't1').length);
      return;
    }

    // allkeys-lru: once Redis evicts an index set, finds answer from what is left of it.
    const before = await repo.find({}).count();
    expect(before).toBeLessThanOrEqual(live);
    expect(await repo.reindex()).toBe(live);
    const q = repo.find({});
    expect((await q.toArray()).length).toBe(live);
    expect(await q.count()).toBe(live);
    expect((await q.keys().toArray()).length).toBe(live);
  });
});
