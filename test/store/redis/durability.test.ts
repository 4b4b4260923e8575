/**
 * The durability option (`WAIT replicas timeoutMs` after each change) on standalone Redis with a
 * replica: changes are acknowledged once replicated, refused when no replica confirms in time, and
 * concurrent writes share their WAIT rounds. (On Redis Cluster: test/store/redis/cluster/failover.test.ts.)
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, StoreUnavailableError } from '../../../src/errors/index.js';
import { RedisStore } from '../../../src/store/index.js';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';

describe('RedisStore durability on standalone Redis with a replica', () => {
  let master: RedisServerHandle;
  let replica: RedisServerHandle;
  let admin: Redis;

  beforeAll(async () => {
    master = await startRedisServer({ args: ['--repl-diskless-sync-delay', '0'] });
    replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
    admin = new Redis(master.url);
    const probe = new Redis(replica.url);
    try {
      while (!/master_link_status:up/.test(String(await probe.call('INFO', 'replication')))) await new Promise((r) => setTimeout(r, 20));
    } finally {
      probe.disconnect();
    }
  }, 30_000);
  afterAll(async () => {
    admin?.disconnect();
    await replica?.stop();
    await master?.stop();
  });

  it('acknowledges writes, deletes and expiries once a replica has them', async () => {
    const store = new RedisStore(master.url, { durability: { replicas: 1, timeoutMs: 1000 } });
    try {
      expect(await store.write([{ key: 'd:a', value: '1', ttl: null }, { key: 'd:b', value: '2', ttl: 60_000 }])).toEqual([true, true]);
      expect(await store.expire('d:a', 30_000)).toBe(true);
      expect(await store.deleteIfEquals('d:b', '2')).toBe(true);
      expect(await store.unlink(['d:a'])).toBe(1);
      const replicated = new Redis(replica.url);
      expect(await replicated.exists('d:a', 'd:b')).toBe(0);
      replicated.disconnect();
    } finally {
      await store.close();
    }
  });

  it('shares one WAIT among the writes that finish together', async () => {
    const store = new RedisStore(master.url, { durability: { replicas: 1, timeoutMs: 1000 } });
    try {
      await admin.config('RESETSTAT');
      const writes = await Promise.all(Array.from({ length: 200 }, (_, i) => store.write([{ key: `g:${i}`, value: 'v', ttl: 60_000 }])));
      expect(writes.flat().every(Boolean)).toBe(true);
      const waits = Number(/cmdstat_wait:calls=(\d+)/.exec(String(await admin.call('INFO', 'commandstats')))?.[1] ?? 0);
      expect(waits).toBeGreaterThan(0);
      expect(waits).toBeLessThan(100);
    } finally {
      await store.close();
    }
  });

  it('refuses a change no replica confirms within the timeout, saying it may be lost', async () => {
    const store = new RedisStore(master.url, { durability: { replicas: 1, timeoutMs: 150 } });
    replica.pause();
    try {
      const error = await store.write([{ key: 'd:frozen', value: 'v', ttl: null }]).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/Redis applied SET, but only 0 of the 1 replica\(s\) the durability option asks for confirmed it within 150 ms/);
      expect(await admin.get('d:frozen')).toBe('v'); // applied on the master, not acknowledged
      await expect(store.unlink(['d:frozen'])).rejects.toThrow(/Redis applied UNLINK, but only 0 of the 1/);
    } finally {
      replica.resume();
      await store.close();
    }
  });

  it('sends no WAIT after reads: getWithPttl (a Lua script, like compare-and-delete) is a read in the command table', async () => {
    const store = new RedisStore(master.url, { durability: { replicas: 2, timeoutMs: 100 } }); // one replica: every WAIT falls short
    try {
      await admin.set('d:read', 'v', 'PX', 60_000);
      const [value, pttl] = await store.getWithPttl('d:read');
      expect(value).toBe('v');
      expect(pttl).toBeGreaterThan(0);
      expect(await store.get('d:read')).toBe('v');
      await expect(store.expire('d:read', 30_000)).rejects.toThrow(/Redis applied PEXPIRE, but only 1 of the 2/);
    } finally {
      await store.close();
    }
  });

  it('rejects a malformed durability option', () => {
    expect(() => new RedisStore(master.url, { durability: { replicas: 1, timeoutMs: 0 } })).toThrow(ConfigError);
    expect(() => new RedisStore(master.url, { durability: { replicas: 1.5, timeoutMs: 100 } })).toThrow(/positive whole numbers/);
    expect(() => new RedisStore(master.url, { durability: null as never })).toThrow(ConfigError);
  });
});
