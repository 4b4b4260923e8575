/**
 * The call path of a cache on Redis Cluster: every store call traced once on `cacheorm:store` from inside
 * the driver (no wrapper), a cross-slot index page (read + existence check + repair) as one call, and a
 * RedisStore shared by two caches bounded by the first and wrapped by the second.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CHANNELS, createCache, defineEntity, RedisStore, type StoreTraceContext } from 'cacheorm';
import { STORE_COMMANDS } from '../../../../src/store/commands.js';
import { clusterUrls, dropClusterPrefix, openTestCluster } from '../../../support/cluster.js';
import { uniquePrefix } from '../../../support/redis.js';
import { session, Session } from '../../../support/entities.js';

let admin: Cluster;
const prefixes: string[] = [];

beforeAll(async () => {
  admin = openTestCluster(await clusterUrls());
  await admin.ping();
}, 90_000);
afterAll(async () => {
  for (const prefix of prefixes) await dropClusterPrefix(admin, prefix);
  await admin?.quit();
});

function prefixed(name: string): string {
  const prefix = uniquePrefix(name);
  prefixes.push(prefix);
  return prefix;
}

/** Completed store calls (asyncEnd) and failed ones while `action` runs. */
async function traced(action: () => Promise<unknown>): Promise<{ done: StoreTraceContext[]; started: number }> {
  const done: StoreTraceContext[] = [];
  let started = 0;
  const channel = diagnostics_channel.tracingChannel<unknown, StoreTraceContext>(CHANNELS.store);
  const handlers = {
    start: () => void started++,
    end: () => undefined,
    asyncStart: () => undefined,
    asyncEnd: (ctx: StoreTraceContext) => void done.push(ctx),
    error: () => undefined,
  };
  channel.subscribe(handlers);
  try {
    await action();
  } finally {
    channel.unsubscribe(handlers);
  }
  return { done, started };
}

const Member = defineEntity({
  name: 'member',
  key: ['team', 'id'],
  schema: z.object({ team: z.string(), id: z.string(), name: z.string() }),
  ttl: '10m',
  find: 'index',
});

describe('a cache on Redis Cluster', () => {
  it('traces each store call once, from the driver, with its key or count', async () => {
    const cache = createCache({ redis: admin, prefix: prefixed('calls') });
    try {
      const repo = cache.getRepository(Session);
      const one = repo.keyOf({ tenantId: 'acme', id: '1' });
      const { done, started } = await traced(async () => {
        await repo.save(session('1'));
        await repo.get({ tenantId: 'acme', id: '1' });
        await repo.getMany([{ tenantId: 'acme', id: '1' }, { tenantId: 'acme', id: '2' }]);
        await repo.save([session('2'), session('3')]);
        await repo.delete({ tenantId: 'acme', id: '3' });
      });
      expect(done.map((c) => [c.store, c.command, c.key ?? c.count])).toEqual([
        ['redis', 'write', one],
        ['redis', 'get', one],
        ['redis', 'mget', 2],
        ['redis', 'write', 2],
        ['redis', 'unlink', repo.keyOf({ tenantId: 'acme', id: '3' })],
      ]);
      expect(started).toBe(done.length);
    } finally {
      await cache.close();
    }
  });

  it('traces a page of an index walk across slots as one call, however many commands it takes', async () => {
    const cache = createCache({ redis: admin, prefix: prefixed('pages') });
    try {
      const repo = cache.getRepository(Member);
      await repo.save(Array.from({ length: 30 }, (_, i) => ({ team: 'red', id: String(i), name: `m${i}` })));
      // A key removed behind cacheorm's back: the page meets it, checks it, and drops it from the index.
      await admin.del(repo.keyOf({ team: 'red', id: '7' }));
      const { done } = await traced(async () => expect(await repo.find({ team: 'red' }).count()).toBe(29));
      const commands = new Set(done.map((c) => c.command));
      expect([...commands].every((command) => command in STORE_COMMANDS)).toBe(true);
      const pages = done.filter((c) => c.command === 'indexScan');
      expect(pages.length).toBeGreaterThan(0);
      expect(pages.every((c) => c.key === repo.indexKey)).toBe(true);
      expect(done.some((c) => c.command === 'indexSync')).toBe(false); // the repair ran inside the page
      expect(await admin.zscore(repo.indexKey!, repo.keyOf({ team: 'red', id: '7' }))).toBeNull();
    } finally {
      await cache.close();
    }
  });
});

describe('a RedisStore shared by two caches', () => {
  it('is bounded and traced by the first from inside, wrapped by the second, and given back on close', async () => {
    const store = new RedisStore(admin);
    const prefix = prefixed('shared');
    const first = createCache({ store, prefix, commandTimeout: 1000 });
    const second = createCache({ store, prefix, commandTimeout: 1000 });
    const key = { tenantId: 'acme', id: '1' };
    try {
      await first.getRepository(Session).save(session('1'));
      const viaFirst = await traced(() => first.getRepository(Session).get(key));
      const viaSecond = await traced(() => second.getRepository(Session).get(key));
      // Each traced once: the first inside the driver, the second by its TracingStore (same context).
      expect(viaFirst.done.map((c) => c.command)).toEqual(['get']);
      expect(viaSecond.done.map((c) => c.command)).toEqual(['get']);
      await first.close();
      const third = createCache({ store, prefix });
      try {
        expect((await traced(() => third.getRepository(Session).get(key))).done.map((c) => c.command)).toEqual(['get']);
      } finally {
        await third.close();
      }
    } finally {
      await first.close();
      await second.close();
    }
  });
});
