/**
 * Field indexes under faults, each on a dedicated server: `maxmemory` eviction (entities vanish without
 * their index entries: every find and the index itself agree with the entities left) and OOM refusals
 * (a refused write changes neither the value nor its index entries). See docs/find.md, "Field indexes".
 */
import { Redis } from 'ioredis';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, defineEntity, StoreError, type Cache } from 'cacheorm';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';

const Doc = defineEntity({
  name: 'doc',
  key: ['id'],
  schema: z.object({ id: z.int(), group: z.int(), body: z.string() }),
  ttl: '1h',
  indexes: ['group'],
});
const body = 'x'.repeat(1000);

describe('field indexes on a Redis that evicts (volatile-lru)', () => {
  let server: RedisServerHandle;
  let raw: Redis;
  let cache: Cache;
  beforeAll(async () => {
    server = await startRedisServer({ args: ['--maxmemory', '4mb', '--maxmemory-policy', 'volatile-lru', '--maxmemory-samples', '10'] });
    raw = new Redis(server.url);
    cache = createCache({ redis: server.url, prefix: 'fe' });
  });
  afterAll(async () => {
    await cache?.close();
    raw?.disconnect();
    await server?.stop();
  });

  it('finds only the entities left, and the reads remove the evicted ones from the field index', { timeout: 60_000 }, async () => {
    const repo = cache.getRepository(Doc);
    for (let i = 0; i < 6000; i += 100) await repo.save(Array.from({ length: 100 }, (_, j) => ({ id: i + j, group: (i + j) % 7, body })));
    expect(Number(/evicted_keys:(\d+)/.exec(await raw.info('stats'))?.[1])).toBeGreaterThan(0);
    await raw.config('SET', 'maxmemory', '0'); // the pressure is over
    const all = await repo.getMany(Array.from({ length: 6000 }, (_, id) => ({ id })));
    const left = all.filter((d) => d !== undefined);
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(6000);
    for (let group = 0; group < 7; group++) {
      const found = (await repo.find({ group }).toArray()).map((d) => d.id).sort((a, b) => a - b);
      expect(found).toEqual(left.filter((d) => d.group === group).map((d) => d.id));
    }
    // Every field walk met the evicted entries and removed them: the index lists exactly the entities left.
    expect(await raw.hlen('fe:doc#index:fvals')).toBe(left.length);
    expect(await raw.zcard('fe:doc#index:fields')).toBe(left.length);
  });
});

describe('field indexes when Redis refuses writes (OOM, noeviction)', () => {
  let server: RedisServerHandle;
  let raw: Redis;
  let cache: Cache;
  beforeAll(async () => {
    server = await startRedisServer({ args: ['--maxmemory', '3mb', '--maxmemory-policy', 'noeviction'] });
    raw = new Redis(server.url);
    cache = createCache({ redis: server.url, prefix: 'fo' });
  });
  afterAll(async () => {
    await cache?.close();
    raw?.disconnect();
    await server?.stop();
  });

  it('a refused write leaves the value and its index entries as they were', { timeout: 60_000 }, async () => {
    const repo = cache.getRepository(Doc);
    await repo.save({ id: 1, group: 1, body: 'first' });
    let refused: unknown;
    for (let i = 2; refused === undefined && i < 100_000; i += 50) {
      await repo.save(Array.from({ length: 50 }, (_, j) => ({ id: i + j, group: 5, body }))).catch((err: unknown) => (refused = err));
    }
    expect(refused).toBeInstanceOf(StoreError);
    const change = await repo.save({ id: 1, group: 2, body: 'changed' }).catch((err: unknown) => err);
    expect(change).toBeInstanceOf(StoreError);
    expect((await repo.get({ id: 1 }))?.group).toBe(1);
    expect((await repo.find({ group: 1 }).toArray()).map((d) => d.id)).toEqual([1]);
    expect(await repo.find({ group: 2 }).count()).toBe(0);
    expect(await raw.hget('fo:doc#index:fvals', 'fo:doc:1')).toMatch(/^group\0/);
    await raw.config('SET', 'maxmemory', '0');
    await repo.save({ id: 1, group: 2, body: 'changed' });
    expect(await repo.find({ group: 1 }).count()).toBe(0);
    expect((await repo.find({ group: 2 }).toArray()).map((d) => d.body)).toEqual(['changed']);
  });
});
