/**
 * The registry of a hash-tag `find: 'index'` entity (one index set per tag, listed in `<entity>#tags`)
 * racing deletes: process A's first save for a tenant lands, process B deletes that key (emptying, so
 * removing, the tenant's index set) before A registers the set. Later saves of A for that tenant must
 * still be found by a find across tenants. The interleaving is made deterministic by a store
 * decorator on A that runs B's delete right after A's write returns from Redis, before A goes on.
 * On standalone Redis and on the run's Redis Cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCache, defineEntity, RedisStore, StoreDecorator, type Cache, type StoreCall } from 'cacheorm';
import type { Cluster, Redis } from 'ioredis';
import { clusterUrls, dropClusterPrefix, openTestCluster } from '../support/cluster.js';
import { dropKeysUnder } from '../support/keys.js';
import { redisUrl, testRedis, uniquePrefix } from '../support/redis.js';

const Session = defineEntity({
  name: 'session',
  key: ['tenantId', 'id'],
  schema: z.object({ tenantId: z.string(), id: z.string() }),
  ttl: '10m',
  find: 'index',
  hashTag: ['tenantId'],
});

/** Runs `after()` once, right after the next `write` call settled (before its caller goes on). */
class AfterWrite extends StoreDecorator {
  after: (() => Promise<void>) | undefined;
  protected around<T>(call: StoreCall<T>, run: () => Promise<T>): Promise<T> {
    const after = call.command === 'write' ? this.after : undefined;
    if (after === undefined) return run();
    this.after = undefined;
    return run().then(async (result) => {
      await after();
      return result;
    });
  }
}

interface Target {
  name: string;
  open(): Promise<{ raw: Redis | Cluster; redis: () => RedisStore<Redis | Cluster> }>;
  drop(raw: Redis | Cluster, prefix: string): Promise<void>;
}

const targets: Target[] = [
  {
    name: 'redis',
    open: async () => ({ raw: testRedis(), redis: () => new RedisStore(redisUrl()) }),
    drop: (raw, p) => dropKeysUnder(raw as Redis, p),
  },
  {
    name: 'cluster',
    open: async () => {
      const urls = await clusterUrls();
      return { raw: openTestCluster(urls), redis: () => new RedisStore(urls) };
    },
    drop: (raw, p) => dropClusterPrefix(raw as Cluster, p),
  },
];

describe.each(targets)('hash-tag index registry racing a delete, on $name', (target) => {
  let raw: Redis | Cluster;
  let p: string;
  const caches: Cache[] = [];
  let open: () => RedisStore<Redis | Cluster>;
  beforeAll(async () => {
    const opened = await target.open();
    raw = opened.raw;
    open = opened.redis;
    p = uniquePrefix('race');
  }, 90_000);
  afterAll(async () => {
    await Promise.all(caches.map((c) => c.close()));
    await target.drop(raw, p);
    await raw?.quit();
  });

  it("a tenant's first save racing a delete of the same key: later saves are still found across tenants", async () => {
    for (let round = 0; round < 5; round++) {
      const racing = new AfterWrite(open());
      const a = createCache({ store: racing, prefix: p }); // process A
      const b = createCache({ store: open(), prefix: p }); // process B
      caches.push(a, b);
      const tenant = `t${round}`;
      racing.after = async () => {
        expect(await b.getRepository(Session).delete({ tenantId: tenant, id: 'first' })).toBe(1);
      };
      await a.getRepository(Session).save({ tenantId: tenant, id: 'first' });
      expect(racing.after).toBeUndefined(); // the delete ran in between
      await a.getRepository(Session).save({ tenantId: tenant, id: 'second' });

      // A find that does not fix the tenant reads every tenant's index set through the registry.
      const everywhere = (cache: Cache) => cache.getRepository(Session).find({ id: 'second' }).toArray();
      expect((await everywhere(a)).map((s) => s.tenantId)).toContain(tenant);
      expect((await everywhere(b)).map((s) => s.tenantId)).toContain(tenant);
      expect(await a.getRepository(Session).find({}).count()).toBe(round + 1);
    }
  });

  it('many rounds of concurrent first saves and deletes of one key never leave a live tenant out of the registry', async () => {
    const a = createCache({ store: open(), prefix: `${p}-many` });
    const b = createCache({ store: open(), prefix: `${p}-many` });
    caches.push(a, b);
    const ra = a.getRepository(Session);
    const rb = b.getRepository(Session);
    for (let round = 0; round < 40; round++) {
      const tenant = `m${round}`;
      await Promise.all([ra.save({ tenantId: tenant, id: 'first' }), rb.delete({ tenantId: tenant, id: 'first' })]);
      await ra.save({ tenantId: tenant, id: 'second' });
    }
    const found = new Set((await rb.find({ id: 'second' }).toArray()).map((s) => s.tenantId));
    expect(found.size).toBe(40);
  });
});
