/**
 * The clients cacheorm creates (from a URL, RedisOptions or node URLs) come from the project's ioredis, a
 * peer dependency. This repository builds against ioredis 5, so here `ioredis` resolves to the
 * `ioredis6` package for this file's whole module graph (cacheorm's sources and the test's own imports):
 * a project that installed ioredis 6, whose clients speak RESP3 by default. Redis itself is real; only
 * which ioredis package answers `import 'ioredis'` changes. Clients of either major that you pass are
 * covered by the suites over test/support/clients.ts; the consumer test runs the built package on both.
 */
import { Cluster, Redis } from 'ioredis';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createCache, type CacheOrmError } from 'cacheorm';
import { StoreError, StoreUnavailableError } from '../../../src/errors/index.js';
import { RedisStore } from '../../../src/store/index.js';
import { clusterUrls, dropClusterPrefix } from '../../support/cluster.js';
import { dropKeysUnder } from '../../support/keys.js';
import { redisUrl, uniquePrefix, zscore } from '../../support/redis.js';
import { freePort, startRedisServer } from '../../support/redis-server.js';
import { failure } from '../../support/rejection.js';
import { describeStoreContract } from 'cacheorm/testing';

vi.mock('ioredis', async () => await import('ioredis6'));


/** Which RESP version the server says `client`'s connection speaks (`CLIENT INFO`). */
async function resp(client: Redis): Promise<string | undefined> {
  return /\bresp=(\d)/.exec(String(await client.call('CLIENT', 'INFO')))?.[1];
}

it('creates ioredis 6 clients, which speak RESP3 unless told otherwise', async () => {
  const store = new RedisStore(redisUrl());
  const resp2 = new RedisStore(redisUrl(), { redisOptions: { protocol: 2 } as object });
  try {
    expect(store.client).toBeInstanceOf((await import('ioredis6')).Redis);
    expect(await resp(store.client)).toBe('3');
    expect(await resp(resp2.client)).toBe('2');
  } finally {
    await store.close();
    await resp2.close();
  }
});

describeStoreContract({
  name: 'RedisStore over a URL, ioredis 6 (RESP3)',
  createStore: () => new RedisStore(redisUrl()),
  prefix: uniquePrefix('rs6-url'),
  indexScore: (store, index, key) => zscore(store.client, index, key),
  async cleanup(store, prefix) {
    await dropKeysUnder(store.client, prefix);
    await store.close();
  },
});

describe('a cluster created from node URLs, ioredis 6 (RESP3)', () => {
  let urls: string[];
  beforeAll(async () => {
    urls = await clusterUrls();
  }, 90_000);

  it('reads, writes, scans and keeps index sets across slots', async () => {
    const store = new RedisStore<Cluster>(urls);
    const prefix = uniquePrefix('rs6-cluster');
    try {
      expect(store.client).toBeInstanceOf((await import('ioredis6')).Cluster);
      const keys = Array.from({ length: 60 }, (_, i) => `${prefix}:${i}`);
      const index = `${prefix}:{ix}`;
      expect(await store.write(keys.map((key, i) => ({ key, value: key, ttl: i % 2 ? 60_000 : null })))).toEqual(keys.map(() => true));
      expect(await store.mget(keys)).toEqual(keys);
      expect(await store.pttl(keys[0]!)).toBe(-1);
      expect(await store.pttl(keys[1]!)).toBeGreaterThan(0);
      const found: string[] = [];
      for await (const batch of store.scan(`${prefix}:*`, { count: 20 })) found.push(...batch);
      expect(found.sort()).toEqual([...keys].sort());
      const tagged = [`${prefix}:{ix}:a`, `${prefix}:{ix}:b`];
      await store.write(tagged.map((key) => ({ key, value: 'v', ttl: 60_000, index })));
      expect(await zscore(store.client, index, tagged[0]!)).toBeGreaterThan(Date.now() - 60_000);
      expect(await store.deleteIfEquals(tagged[0]!, 'v', { index })).toBe(true);
      expect(await store.unlink(keys)).toBe(60);
    } finally {
      await dropClusterPrefix(store.client, prefix);
      await store.close();
    }
  });
});

describe('failures of an ioredis 6 client cacheorm created', () => {
  it('maps an unreachable server, a refused command and a timeout like ioredis 5', async () => {
    const port = await freePort();
    const down = new RedisStore({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    const unreachable = await failure(down.get('x'));
    expect(unreachable).toBeInstanceOf(StoreUnavailableError);
    expect(unreachable.message).toMatch(new RegExp(`^Redis is unreachable \\(.+\\) for GET\\. Check that Redis is running at 127\\.0\\.0\\.1:${port}`));
    await down.close();

    const server = await startRedisServer();
    const admin = new Redis(server.url, { protocol: 2 } as object);
    const store = new RedisStore(server.url, { redisOptions: { commandTimeout: 100 } });
    try {
      await admin.rpush('list', 'x');
      const refused = await failure(store.get('list'));
      expect(refused).toBeInstanceOf(StoreError);
      expect((refused as StoreError).code).toBe('E_STORE');
      expect(refused.message).toMatch(/^Redis refused GET: WRONGTYPE/);
      await admin.client('PAUSE', 400, 'ALL');
      const timedOut = await failure(store.get('x'));
      expect(timedOut).toBeInstanceOf(StoreUnavailableError);
      expect(timedOut.message).toMatch(/^Redis is unreachable \(Command timed out\) for GET\./);
    } finally {
      await admin.client('UNPAUSE');
      await store.close();
      await admin.quit();
      await server.stop();
    }
  });

  it('reports a lost connection as an error event, and serves again once Redis is back', async () => {
    const server = await startRedisServer();
    const cache = createCache({ redis: server.url, prefix: 'lost6' });
    const errors: CacheOrmError[] = [];
    cache.on('error', (error) => errors.push(error));
    try {
      expect(await cache.store.exists('lost6:x')).toBe(false);
      await server.kill();
      await expect.poll(() => errors.some((e) => e.operation === 'connect' && /Lost the connection/.test(e.message)), { timeout: 10_000 }).toBe(true);
      expect((await failure(cache.store.get('lost6:x'))).constructor).toBe(StoreUnavailableError);
      await server.restart();
      await expect.poll(async () => cache.store.exists('lost6:x').catch(() => 'failed'), { timeout: 10_000 }).toBe(false);
    } finally {
      await cache.close();
      await server.stop();
    }
  });
});
