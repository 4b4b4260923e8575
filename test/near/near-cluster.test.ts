/**
 * The near cache on Redis Cluster: one tracking connection per master, so a write on any master is
 * seen (the run's shared cluster, owned and passed clients); and a master killed under it (a cluster of
 * its own): the topology change flushes, and once the fresh value is read, the old one never is.
 */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCache, defineEntity, type Cache } from 'cacheorm';
import { keySlot } from '../../src/store/redis/cluster/slots.js';
import { clientFactories } from '../support/clients.js';
import { clusterNodes, clusterUrls, dropClusterPrefix, openTestCluster } from '../support/cluster.js';
import { startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster.js';
import { uniquePrefix } from '../support/redis.js';
import { until, untilServedLocally } from './support.js';

const Counter = defineEntity({ name: 'counter', key: ['id'], schema: z.object({ id: z.string(), n: z.int() }), ttl: '10m' });
const IDS = Array.from({ length: 12 }, (_, i) => `id${i}`);

async function rawWrite(cluster: Cluster, prefix: string, id: string, n: number): Promise<void> {
  await cluster.set(`${prefix}:counter:${id}`, JSON.stringify({ json: { id, n } }), 'PX', 600_000);
}

/** Every id is served locally, then a raw write of each (on every master) is seen. */
async function everyMasterTracked(cache: Cache, raw: Cluster, prefix: string): Promise<void> {
  const repo = cache.getRepository(Counter);
  for (const id of IDS) await rawWrite(raw, prefix, id, 1);
  for (const id of IDS) await untilServedLocally(cache, () => repo.get({ id }));
  for (const id of IDS) await rawWrite(raw, prefix, id, 2);
  for (const id of IDS) await until(`the write of ${id}`, async () => (await repo.get({ id }))?.n === 2);
}

describe('near cache on the shared Redis Cluster', () => {
  let urls: string[];
  let raw: Cluster;
  const prefixes: string[] = [];
  beforeAll(async () => {
    urls = await clusterUrls();
    raw = openTestCluster(urls);
    await raw.ping(); // slots known
  }, 90_000);
  afterAll(async () => {
    for (const prefix of prefixes) await dropClusterPrefix(raw, prefix);
    await raw.quit();
  });

  it('an owned cluster: tracks every master', async () => {
    const prefix = uniquePrefix('nearcl');
    prefixes.push(prefix);
    const cache = createCache({ redis: urls, prefix, nearCache: true });
    try {
      // The ids cover every master.
      const masters = new Set(IDS.map((id) => raw.slots[keySlot(`${prefix}:counter:${id}`)]![0]));
      expect(masters.size).toBe(raw.nodes('master').length);
      await everyMasterTracked(cache, raw, prefix);
    } finally {
      await cache.close();
    }
  });

  it.each(clientFactories)('a cluster you pass: $name', async (factory) => {
    const prefix = uniquePrefix('nearcl');
    prefixes.push(prefix);
    const client = factory.cluster(clusterNodes(urls), { redisOptions: { maxRetriesPerRequest: 1 } });
    const cache = createCache({ redis: client, prefix, nearCache: true });
    try {
      await everyMasterTracked(cache, raw, prefix);
    } finally {
      await cache.close();
      await client.quit();
    }
  });
});

describe('near cache: a master killed under it (cluster of its own)', () => {
  let cluster: RedisClusterHandle;
  beforeAll(async () => {
    cluster = await startRedisCluster({ nodeTimeoutMs: 1000 });
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('flushes on the failover; once the fresh value is read the old one never is', async () => {
    const prefix = 'nfo';
    const raw = new Cluster(clusterNodes(cluster.urls), { redisOptions: { maxRetriesPerRequest: 1 } });
    raw.on('error', () => undefined);
    const cache = createCache({ redis: cluster.urls, prefix, nearCache: true, commandTimeout: 1000 });
    cache.on('error', () => undefined);
    try {
      const repo = cache.getRepository(Counter);
      await rawWrite(raw, prefix, 'v', 1);
      await untilServedLocally(cache, () => repo.get({ id: 'v' }));
      const flushes = cache.stats().near!.flushes;
      const owner = raw.slots[keySlot(`${prefix}:counter:v`)]![0]!;
      const victim = cluster.nodes.find((node) => `127.0.0.1:${node.port}` === owner)!;
      await victim.kill();
      await until('the new master to take the write', () => rawWrite(raw, prefix, 'v', 2).then(() => true, () => false), 30_000);
      await until('the fresh value', async () => (await repo.get({ id: 'v' }).catch(() => undefined))?.n === 2, 30_000);
      for (let i = 0; i < 100; i++) {
        expect((await repo.get({ id: 'v' }))?.n).toBe(2);
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(cache.stats().near!.flushes).toBeGreaterThan(flushes);
      // Tracking is back on the new master: a later write is seen too.
      await untilServedLocally(cache, () => repo.get({ id: 'v' }));
      await rawWrite(raw, prefix, 'v', 3);
      await until('the write on the new master', async () => (await repo.get({ id: 'v' }))?.n === 3, 30_000);
    } finally {
      await cache.close();
      raw.disconnect();
    }
  }, 120_000);
});
