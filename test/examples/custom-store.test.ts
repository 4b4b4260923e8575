/**
 * examples/custom-store/: the custom store of docs/custom-store.md passes the Store contract suite (over
 * the memory store and over Redis), and its demo runs as a child process on both backends.
 */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { MemoryStore, RedisStore } from 'cacheorm';
import { describeStoreContract } from 'cacheorm/testing';
import { redisUrl, testRedis, uniquePrefix } from '../support/redis.js';
import { MeteredStore } from '../../examples/custom-store/metered-store.js';
import { leftKeys, runExample } from './run-example.js';

const redis = testRedis();

const memory = new MemoryStore();
describeStoreContract({
  name: 'MeteredStore over MemoryStore (examples/custom-store)',
  createStore: () => new MeteredStore(memory),
  prefix: uniquePrefix('metered-mem'),
  indexScore: (_store, index, key) => memory.indexScore(index, key),
});

const client = new Redis(redisUrl(), { lazyConnect: true });
describeStoreContract({
  name: 'MeteredStore over RedisStore (examples/custom-store)',
  createStore: () => new MeteredStore(new RedisStore(client)),
  prefix: uniquePrefix('metered-redis'),
  async indexScore(_store, index, key) {
    const score = await client.zscore(index, key);
    return score === null ? null : score === 'inf' ? Number.POSITIVE_INFINITY : Number(score);
  },
  async cleanup(store, prefix) {
    await store.close(); // closes the RedisStore, which leaves the client it was given open
    for (const key of await leftKeys(client, prefix)) await client.unlink(key);
    await client.quit();
  },
});

describe('MeteredStore', () => {
  it('counts the commands per method and closes the wrapped store only when it owns it', async () => {
    const inner = new MemoryStore();
    const store = new MeteredStore(inner, false);
    await store.write([{ key: 'k', value: 'v', ttl: null }]);
    await store.get('k');
    await store.get('k');
    expect(store.calls()).toEqual({ write: 1, get: 2 });
    await store.close();
    expect(await inner.get('k')).toBe('v'); // not closed
    await inner.close();
  });
});

describe.each(['memory', 'redis'] as const)('examples/custom-store/main.ts on %s', (name) => {
  it('runs a cache over the custom store, then exits on its own', async () => {
    const { code, stdout, stderr } = await runExample('custom-store/main.ts', name === 'redis' ? { name, redisUrl: redisUrl() } : { name });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`cache over a MeteredStore wrapping the ${name} store`);
    expect(stdout).toMatch(/products found: +2\n/);
    expect(stdout).toMatch(/deleted: +2\n/);
    expect(stdout).toMatch(/commands sent: +\{"write":1,"get":1,"mget":1,"scan":1,"unlink":1\}/);
    expect(stdout).toContain('cache and store closed.');
    if (name === 'redis') expect(await leftKeys(redis, 'custom-store-example')).toEqual([]);
  });
});
