/**
 * RedisStore index sets against dedicated servers: a flushed script cache, and a cluster-mode node
 * (scripts must declare every key they touch, so hash-tagged keys and their index share a slot).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../../../src/errors/index.js';
import { RedisStore } from '../../../../src/store/index.js';
import { startRedisServer, type RedisServerHandle } from '../../../support/redis-server.js';
import { indexScanAll } from 'cacheorm/testing';

describe('RedisStore index sets after SCRIPT FLUSH', () => {
  let server: RedisServerHandle;
  let admin: Redis;
  let store: RedisStore;

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
    store = new RedisStore(server.url, { maxKeysPerCommand: 3 }); // several scripts per unlink / indexSync
  });
  afterAll(async () => {
    await store?.close();
    await admin?.quit();
    await server?.stop();
  });

  it('keeps every operation working, and atomic, when the server lost its scripts', async () => {
    const index = 'flush:index';
    const keys = Array.from({ length: 10 }, (_, i) => `flush:k:${i}`);
    const write = (from: number, to: number) =>
      store.write(keys.slice(from, to).map((key, i) => ({ key, value: key, ttl: i % 2 ? 60_000 : null, index })));

    expect(await write(0, 2)).toEqual([true, true]);
    await admin.script('FLUSH');
    expect(await write(2, 6)).toEqual([true, true, true, true]); // batch: NOSCRIPT, then EVAL
    await admin.script('FLUSH');
    expect(await store.write([{ key: keys[6]!, value: 'v', ttl: 5_000, index }])).toEqual([true]);
    await admin.script('FLUSH');
    expect(await store.write([{ key: keys[7]!, value: 'v', ttl: 'keep', index }, { key: keys[8]!, value: 'v', ttl: null }])).toEqual([true, true]);
    expect((await admin.zrange(index, 0, -1)).sort()).toEqual(keys.slice(0, 8).sort());

    await admin.script('FLUSH');
    expect(await indexScanAll(store, index, { count: 3 })).toEqual(keys.slice(0, 8).sort());
    await admin.script('FLUSH');
    expect(await indexScanAll(store, index, { match: 'flush:k:[0-3]' })).toEqual(keys.slice(0, 4));
    await admin.script('FLUSH');
    expect(await store.expire(keys[0]!, 30_000, { index })).toBe(true);
    expect(Number(await admin.zscore(index, keys[0]!))).toBeGreaterThan(Date.now() + 29_000);
    await admin.script('FLUSH');
    expect(await store.deleteIfEquals(keys[1]!, keys[1]!, { index })).toBe(true);
    await admin.script('FLUSH');
    expect(await store.indexSync(index, keys)).toBe(8); // keys 0, 2..8 exist; 1 and 9 do not (4 scripts)
    await admin.script('FLUSH');
    expect(await store.indexPrune(index)).toBe(0);
    await admin.script('FLUSH');
    expect(await store.unlink(keys, { index })).toBe(8); // 4 scripts in one pipeline
    expect(await admin.exists(index, ...keys)).toBe(0);
  });

  it('keeps the lexicographic companion set (<index>:lex) in step with the expiry set', async () => {
    const index = 'lex:index';
    const lex = `${index}:lex`;
    const keys = Array.from({ length: 8 }, (_, i) => `lex:k:${i}`);
    const inStep = async () => {
      const members = (await admin.zrange(index, 0, -1)).sort();
      expect(await admin.zrange(lex, 0, -1)).toEqual(members); // all scores 0: lexicographic order
      expect(new Set((await admin.zrange(lex, 0, -1, 'WITHSCORES')).filter((_, i) => i % 2 === 1))).toEqual(new Set(members.length ? ['0'] : []));
      return members;
    };
    await store.write(keys.map((key, i) => ({ key, value: key, ttl: i < 2 ? 50 : 60_000, index })));
    expect(await inStep()).toEqual(keys);
    await store.write([{ key: keys[2]!, value: 'x', ttl: 'keep', mode: 'XX', index }, { key: 'lex:k:new', value: 'n', ttl: null, mode: 'NX', index }]);
    await store.unlink([keys[3]!], { index });
    await store.deleteIfEquals(keys[4]!, keys[4]!, { index });
    await store.expire(keys[5]!, null, { index });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await store.indexPrune(index)).toBe(2);
    expect(await inStep()).toEqual([keys[2], keys[5], keys[6], keys[7], 'lex:k:new'].sort());
    await admin.zrem(lex, keys[6]!); // drift (e.g. a hand edit): indexSync repairs it
    await admin.del(keys[7]!);
    expect(await store.indexSync(index, [...keys, 'lex:k:new'])).toBe(4);
    expect(await inStep()).toEqual([keys[2], keys[5], keys[6], 'lex:k:new'].sort());
    // A companion of the wrong type refuses the write before anything is written.
    await admin.set(`wrong:index:lex`, 'not a set');
    const error = await store.write([{ key: 'wrong:k', value: 'v', ttl: null, index: 'wrong:index' }]).catch((err: unknown) => err);
    expect((error as StoreError).redisMessage).toMatch(/^WRONGTYPE/);
    expect(await admin.exists('wrong:k', 'wrong:index')).toBe(0);
  });

  it('sends EVALSHA, and EVAL only once after a flush', async () => {
    const monitor = new Redis(server.url, { lazyConnect: true }); // only its MONITOR duplicate connects
    try {
      const commands: string[] = [];
      const feed = await monitor.monitor();
      feed.on('monitor', (_time: string, args: string[]) => commands.push(String(args[0]).toLowerCase()));
      await admin.script('FLUSH');
      await store.write([{ key: 'mon:a', value: 'v', ttl: null, index: 'mon:index' }]);
      await store.write([{ key: 'mon:b', value: 'v', ttl: null, index: 'mon:index' }]);
      await expect.poll(() => commands.filter((c) => c.startsWith('eval'))).toEqual(['evalsha', 'eval', 'evalsha']);
      expect(commands).not.toContain('multi');
      feed.disconnect();
    } finally {
      monitor.disconnect();
    }
  });
});

describe('RedisStore index sets on a cluster-mode node', () => {
  let server: RedisServerHandle;
  let client: Redis;
  let store: RedisStore;

  beforeAll(async () => {
    server = await startRedisServer({ args: ['--cluster-enabled', 'yes'] }); // nodes.conf goes to its own temp dir
    client = new Redis(server.url);
    await client.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    const deadline = Date.now() + 10_000;
    while (!/cluster_state:ok/.test(String(await client.call('CLUSTER', 'INFO')))) {
      if (Date.now() > deadline) throw new Error('the cluster-mode node did not reach cluster_state:ok');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    store = new RedisStore(client);
  });
  afterAll(async () => {
    await store?.close();
    await client?.quit();
    await server?.stop();
  });

  it('runs every index operation when keys and index share a hash tag', async () => {
    const index = '{acme}:session#index';
    const keys = ['{acme}:session:1', '{acme}:session:2', '{acme}:session:3'];
    expect(await store.write(keys.map((key, i) => ({ key, value: 'v', ttl: i === 0 ? null : 60_000, index })))).toEqual([true, true, true]);
    expect(await store.write([{ key: keys[1]!, value: 'w', ttl: 'keep', mode: 'XX', index }])).toEqual([true]);
    expect(await indexScanAll(store, index)).toEqual(keys);
    expect(await indexScanAll(store, index, { match: '{acme}:session:[12]' })).toEqual(keys.slice(0, 2));
    expect(await indexScanAll(store, index, { prefix: '{acme}:session:', count: 2 })).toEqual(keys);
    expect(await store.expire(keys[0]!, 10_000, { index })).toBe(true);
    expect(await store.indexSync(index, keys)).toBe(3);
    expect(await store.indexPrune(index)).toBe(0);
    expect(await store.deleteIfEquals(keys[2]!, 'v', { index })).toBe(true);
    expect(await store.unlink(keys, { index })).toBe(2);
    expect(await client.exists(index)).toBe(0);
  });

  it('declares every key it touches: an index in another slot is refused (CROSSSLOT)', async () => {
    const error = await store.write([{ key: '{a}:k', value: 'v', ttl: null, index: '{b}:index' }]).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).redisMessage).toMatch(/^CROSSSLOT/);
    expect(await client.exists('{a}:k')).toBe(0);
  });
});
