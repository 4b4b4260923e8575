/**
 * Index entities whose keys were removed behind cacheorm's back (a raw `DEL`, another tool, eviction):
 * `count()`, `keys()`, `toArray()` and `delete()` of one find agree, whatever the TTL (`ttl: 'never'`
 * members are scored `+inf` and never expire out of the index), and the dangling members are pruned
 * from the index sets as the walk meets them. On standalone Redis and on the run's Redis Cluster, with
 * one index set per entity and with one per hash tag.
 */
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCache, defineEntity, prefix, suffix, type Cache } from 'cacheorm';
import { clusterUrls, dropClusterPrefix, openTestCluster } from '../support/cluster.js';
import { dropKeysUnder } from '../support/keys.js';
import { redisUrl, testRedis, uniquePrefix } from '../support/redis.js';

const schema = z.object({ tenantId: z.string(), id: z.string(), n: z.int() });

interface Target {
  name: string;
  open(): Promise<{ raw: Redis | Cluster; redis: string | string[] }>;
  drop(raw: Redis | Cluster, prefix: string): Promise<void>;
}

const targets: Target[] = [
  {
    name: 'redis',
    open: async () => ({ raw: testRedis(), redis: redisUrl() }),
    drop: (raw, p) => dropKeysUnder(raw as Redis, p),
  },
  {
    name: 'cluster',
    open: async () => {
      const urls = await clusterUrls();
      return { raw: openTestCluster(urls), redis: urls };
    },
    drop: (raw, p) => dropClusterPrefix(raw as Cluster, p),
  },
];

describe.each(targets)('index entities with keys removed behind their back, on $name', (target) => {
  let raw: Redis | Cluster;
  let cache: Cache;
  let p: string;
  beforeAll(async () => {
    const opened = await target.open();
    raw = opened.raw;
    p = uniquePrefix('gone');
    cache = createCache({ redis: opened.redis, prefix: p });
  }, 90_000);
  afterAll(async () => {
    await cache?.close();
    await target.drop(raw, p);
    await raw?.quit();
  });

  describe.each([
    ['plain', {}],
    ['hashTag', { hashTag: ['tenantId'] as const }],
  ] as const)('%s keys', (layout, tag) => {
    for (const ttl of ['10m', 'never'] as const) {
      it(`ttl ${ttl}: count, keys, toArray and delete agree, and the dangling members are pruned`, async () => {
        const Entity = defineEntity({ name: `e-${layout}-${ttl}`, key: ['tenantId', 'id'], schema, ttl, find: 'index', ...tag });
        const repo = cache.getRepository(Entity);
        const rows = Array.from({ length: 20 }, (_, n) => ({ tenantId: n % 2 === 0 ? 'acme' : 'beta', id: `i${String(n).padStart(2, '0')}`, n }));
        await repo.save(rows);
        const removed = rows.filter((r) => r.n % 4 === 0); // 5 keys DEL-ed straight in Redis
        for (const r of removed) expect(await raw.del(repo.keyOf(r))).toBe(1);
        const live = rows.filter((r) => r.n % 4 !== 0);

        for (const [label, pattern, want] of [
          ['every entity (expiry-order walk)', {}, live],
          ['a tenant (key-prefix range)', { tenantId: 'acme' }, live.filter((r) => r.tenantId === 'acme')],
          ['a glob (ZSCAN MATCH)', { id: suffix('2') }, live.filter((r) => r.id.endsWith('2'))],
          ['a prefix glob', { tenantId: prefix('ac') }, live.filter((r) => r.tenantId === 'acme')],
        ] as const) {
          const q = repo.find(pattern);
          const ids = (await q.toArray()).map((e) => e.id).sort();
          const wanted = want.map((r) => r.id).sort();
          expect(ids, label).toEqual(wanted);
          expect(await q.count(), label).toBe(wanted.length);
          expect((await q.keys().toArray()).map((k) => k.id).sort(), label).toEqual(wanted);
        }
        // Nothing dangles any more: every member of the entity's index set(s) is a live key.
        for (const r of removed) {
          const index = repo.indexKeyOf(r)!;
          expect(await raw.zscore(index, repo.keyOf(r))).toBeNull();
        }
        // delete() removes exactly the live ones, and afterwards every view says 0.
        expect(await repo.find({}).delete()).toBe(live.length);
        expect(await repo.find({}).count()).toBe(0);
        expect(await repo.find({}).keys().toArray()).toEqual([]);
        expect(await repo.find({}).toArray()).toEqual([]);
      });
    }
  });
});

describe.each(targets)('an index find with no key condition while others re-save entities, on $name', (target) => {
  let raw: Redis | Cluster;
  let cache: Cache;
  let p: string;
  beforeAll(async () => {
    const opened = await target.open();
    raw = opened.raw;
    p = uniquePrefix('walk');
    cache = createCache({ redis: opened.redis, prefix: p });
  }, 90_000);
  afterAll(async () => {
    await cache?.close();
    await target.drop(raw, p);
    await raw?.quit();
  });

  it('returns every entity present for the whole walk, also those re-saved with a shorter TTL meanwhile', { timeout: 60_000 }, async () => {
    const Entity = defineEntity({ name: 'w', key: ['tenantId', 'id'], schema, ttl: '10m', find: 'index' });
    const repo = cache.getRepository(Entity);
    const total = 3000;
    const rows = Array.from({ length: total }, (_, n) => ({ tenantId: `t${n % 5}`, id: `i${n}`, n }));
    for (let i = 0; i < total; i += 500) await repo.save(rows.slice(i, i + 500));
    const seen = new Set<string>();
    let resaved = 0;
    let step = 0;
    for await (const e of repo.find({}, { batchSize: 100 })) {
      seen.add(e.id);
      if (++step % 100 === 0) {
        // Re-save entities from all over the set with a shorter TTL: their expiry moves earlier.
        const some = Array.from({ length: 40 }, (_, j) => rows[(step * 7 + j * 73) % total]!);
        await repo.save(some, { ttl: (1 + (step % 5)) * 60_000 });
        resaved += some.length;
      }
    }
    expect(resaved).toBeGreaterThanOrEqual(1000);
    expect(rows.filter((r) => !seen.has(r.id)).map((r) => r.id)).toEqual([]);
    expect(seen.size).toBe(total);
  });
});
