/**
 * RedisStore on the run's Redis Cluster beyond the contract suite: slots agree with Redis, clients you
 * pass stay yours, SCAN of a fixed hash tag hits one master, hash-tagged index sets live (and are written
 * atomically) in their keys' slot, the registry of tag index sets, reindex, and configuration errors.
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, createCache, defineEntity, prefix, RedisStore, type Cache } from 'cacheorm';
import { clusterLexKeyOf } from '../../../../src/store/redis/cluster/cluster-index.js';
import { keySlot } from '../../../../src/store/redis/cluster/slots.js';
import { clientFactories } from '../../../support/clients.js';
import { clusterNodes, clusterUrls, openTestCluster } from '../../../support/cluster.js';
import { uniquePrefix } from '../../../support/redis.js';

let urls: string[];
let admin: Cluster;

beforeAll(async () => {
  urls = await clusterUrls();
  admin = openTestCluster(urls);
  await admin.ping();
}, 90_000);
afterAll(async () => {
  await admin?.quit();
});

/**
 * Runs `action` while MONITOR-ing every master; answers, per master port, the commands clients sent it
 * (not those run inside Lua scripts) whose arguments mention `needle`.
 */
async function monitored(needle: string, action: () => Promise<void>): Promise<Map<number, string[][]>> {
  const seen = new Map<number, string[][]>();
  const marker = `monitor-marker-${Math.random().toString(36).slice(2)}`;
  const monitors = await Promise.all(
    admin.nodes('master').map(async (node) => {
      const port = Number(node.options.port);
      // The feed is a duplicate of `connection`, which never connects itself (lazyConnect): its ready
      // check (INFO) racing the feed's MONITOR could reach ioredis in the same chunk as MONITOR's OK,
      // before ioredis switches to monitoring ("Command queue state error").
      const connection = new Redis(port, '127.0.0.1', { lazyConnect: true });
      const feed = await connection.monitor();
      seen.set(port, []);
      let caughtUp: () => void = () => undefined;
      const marked = new Promise<void>((resolve) => (caughtUp = resolve));
      feed.on('monitor', (_time: string, args: string[], source: string) => {
        if (String(args[0]).toLowerCase() === 'echo' && args[1] === marker) caughtUp();
        else if (source !== 'lua' && args.some((arg) => String(arg).includes(needle))) seen.get(port)!.push(args.map(String));
      });
      return { connection, feed, node, marked };
    }),
  );
  try {
    await action();
    // The feeds catch up: once a master's feed shows the marker sent after the action, it has shown
    // every command that master ran before it (MONITOR reports in execution order).
    await Promise.all(monitors.map(({ node, marked }) => node.call('ECHO', marker).then(() => marked)));
  } finally {
    for (const { connection, feed } of monitors) {
      feed.disconnect();
      connection.disconnect();
    }
  }
  return seen;
}

describe('hash slots', () => {
  it('keySlot agrees with CLUSTER KEYSLOT, hash tags and UTF-8 included', async () => {
    const key = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.tuple(fc.string({ maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 8 }), fc.string({ maxLength: 8 })).map(([a, b, c]) => `${a}{${b}}${c}`),
      fc.constantFrom('{}', '{}{a}', 'a{', '}a{b}', '{{a}}', 'app:session:{acme}:42'),
    );
    await fc.assert(
      fc.asyncProperty(key, async (k) => {
        expect(keySlot(k)).toBe(Number(await admin.call('CLUSTER', 'KEYSLOT', k)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('RedisStore over a Cluster you pass', () => {
  it('groups MGET, batches and UNLINK by slot over every master, and never quits your client', async () => {
    const store = new RedisStore(admin, { maxKeysPerCommand: 7 });
    expect(store.client).toBe(admin);
    const p = uniquePrefix('cs');
    const keys = Array.from({ length: 300 }, (_, i) => `${p}:${i}`);
    const masters = new Set(keys.map((k) => admin.slots[keySlot(k)]![0]));
    expect(masters.size).toBe(3);
    expect(await store.write(keys.map((key) => ({ key, value: key, ttl: 60_000 })))).toEqual(keys.map(() => true));
    expect(await store.mget([...keys, `${p}:none`, keys[5]!])).toEqual([...keys, null, keys[5]]);
    const tagged = Array.from({ length: 20 }, (_, i) => `${p}:{t}:${i}`);
    expect(await store.write(tagged.map((key, i) => ({ key, value: 'v', ttl: null, mode: i % 2 ? 'NX' : 'XX' } as const)))).toEqual(tagged.map((_, i) => i % 2 === 1));
    expect(await store.unlink([...keys, ...tagged])).toBe(310);
    await store.close();
    expect(admin.status).toBe('ready');
    expect(await admin.ping()).toBe('PONG');
  });

  it('scans only the master owning a hash tag the glob fixes, and every master otherwise', async () => {
    const store = new RedisStore(admin);
    const p = uniquePrefix('scan');
    await store.write(Array.from({ length: 30 }, (_, i) => ({ key: `${p}:{t${i % 3}}:${i}`, value: 'v', ttl: 60_000 })));
    const scanned = async (match: string) => {
      const found: string[] = [];
      const seen = await monitored(match, async () => {
        for await (const batch of store.scan(match, { count: 50 })) found.push(...batch);
      });
      const ports = [...seen].filter(([, commands]) => commands.some((c) => c[0]?.toLowerCase() === 'scan')).map(([port]) => port);
      return { found: found.sort(), ports };
    };
    const one = await scanned(`${p}:{t1}:*`);
    expect(one.found).toHaveLength(10);
    expect(one.ports).toEqual([Number(admin.slots[keySlot('t1')]![0]!.split(':')[1])]);
    const all = await scanned(`${p}:*`);
    expect(all.found).toHaveLength(30);
    expect(all.ports).toHaveLength(3);
    await store.unlink(all.found);
  });
});

describe.each(clientFactories)('RedisStore over an $name Cluster you pass', (factory) => {
  it('groups a batch, MGET and UNLINK by slot, follows a hash tag, and never quits your client', async () => {
    const client = factory.cluster(clusterNodes(urls), { redisOptions: { maxRetriesPerRequest: 1 } });
    const store = new RedisStore(client, { maxKeysPerCommand: 7 });
    const p = uniquePrefix('cs-major');
    const keys = [...Array.from({ length: 40 }, (_, i) => `${p}:${i}`), ...Array.from({ length: 5 }, (_, i) => `${p}:{t}:${i}`)];
    try {
      expect(await store.write(keys.map((key) => ({ key, value: key, ttl: 60_000 })))).toEqual(keys.map(() => true));
      expect(await store.mget([...keys, `${p}:none`])).toEqual([...keys, null]);
      const tagged: string[] = [];
      for await (const batch of store.scan(`${p}:{t}:*`)) tagged.push(...batch);
      expect(tagged.sort()).toEqual(keys.slice(40).sort());
      expect(await store.unlink(keys)).toBe(45);
      await store.close();
      expect(await client.ping()).toBe('PONG');
    } finally {
      await client.quit();
    }
  });
});

describe('hash-tagged entities with find: index', () => {
  const Session = defineEntity({
    name: 'session',
    key: ['tenantId', 'id'],
    schema: z.object({ tenantId: z.string(), id: z.string(), email: z.string() }),
    ttl: '10m',
    find: 'index',
    hashTag: ['tenantId'],
  });
  let cache: Cache;

  beforeAll(() => {
    cache = createCache({ redis: admin, prefix: uniquePrefix('tag') });
    return () => cache.close();
  });

  it('keeps one index set per tag in the slot of its keys, written atomically with them', async () => {
    const repo = cache.getRepository(Session);
    const key = { tenantId: 'acme', id: '1' };
    expect(repo.keyOf(key)).toBe(`${cache.prefix}:session:{acme}:1`);
    const index = repo.indexKeyOf(key)!;
    expect(index).toBe(`${cache.prefix}:session#index:{acme}`);
    expect(repo.indexKey).toBeUndefined();
    for (const name of [index, clusterLexKeyOf(index)]) {
      expect(Number(await admin.call('CLUSTER', 'KEYSLOT', name))).toBe(keySlot(repo.keyOf(key)));
    }
    await repo.save({ tenantId: 'acme', id: '0', email: 'warm@acme.test' }); // the master caches the script
    await repo.delete({ tenantId: 'acme', id: '0' });
    const seen = await monitored(cache.prefix, () => repo.save(['1', '2', '3'].map((id) => ({ tenantId: 'acme', id, email: `${id}@acme.test` }))));
    const owner = Number(admin.slots[keySlot('acme')]![0]!.split(':')[1]);
    // Only the commands on the tag's keys: the registry (no hash tag) may live on the same master
    // (its script names the index set in an argument, not a key).
    const commands = seen.get(owner)!.filter((c) => (/^eval/i.test(c[0]!) ? c[3] : c[1])?.includes('{acme}')).map((c) => c[0]!.toLowerCase());
    expect(commands.filter((c) => c.startsWith('eval'))).toEqual(['evalsha']); // one script: the 3 SETs and their ZADDs together
    expect(commands.filter((c) => c === 'set' || c === 'zadd' || c === 'multi')).toEqual([]);
    expect(await admin.zrange(index, 0, -1)).toEqual(['1', '2', '3'].map((id) => `${cache.prefix}:session:{acme}:${id}`));
  });

  it('plans a tag-scoped find on that tag\'s set, and a cross-tag find on every set the registry lists', async () => {
    const repo = cache.getRepository(Session);
    await repo.save([{ tenantId: 'globex', id: '9', email: 'g@globex.test' }, { tenantId: 'acme', id: '4', email: 'x@acme.test' }]);
    const scoped = repo.find({ tenantId: 'acme', id: prefix('') });
    expect(scoped.plan).toMatchObject({ kind: 'index', index: `${cache.prefix}:session#index:{acme}`, prefix: `${cache.prefix}:session:{acme}:` });
    expect(scoped.plan).not.toHaveProperty('perTag');
    const across = repo.find({ id: '9' });
    expect(across.plan).toMatchObject({ kind: 'index', index: `${cache.prefix}:session#tags`, perTag: true });
    expect(across.explain()).toMatch(/index across hash tags/);
    expect((await across.toArray()).map((s) => s.tenantId)).toEqual(['globex']);
    expect((await admin.zrange(`${cache.prefix}:session#tags`, 0, -1)).sort()).toEqual([
      `${cache.prefix}:session#index:{acme}`,
      `${cache.prefix}:session#index:{globex}`,
    ]);
    expect(await repo.find({ tenantId: prefix('') }).count()).toBe(5);
  });

  it('reindex() rebuilds every tag\'s set and the registry', async () => {
    const repo = cache.getRepository(Session);
    await admin.unlink(`${cache.prefix}:session#tags`);
    await admin.unlink(`${cache.prefix}:session#index:{globex}`);
    expect(await repo.find({ id: '9' }).count()).toBe(0);
    await admin.zadd(`${cache.prefix}:session#tags`, 'inf', `${cache.prefix}:session#index:{gone}`); // a set that no longer exists
    expect(await repo.reindex()).toBe(5);
    expect(await repo.find({ id: '9' }).count()).toBe(1);
    expect(await repo.find({ tenantId: 'globex' }).count()).toBe(1);
    expect((await admin.zrange(`${cache.prefix}:session#tags`, 0, -1)).sort()).toEqual([
      `${cache.prefix}:session#index:{acme}`,
      `${cache.prefix}:session#index:{globex}`,
    ]);
  });

  it('keeps an untagged index set and its companion in one slot', async () => {
    const index = `${cache.prefix}:plain#index`;
    expect(Number(await admin.call('CLUSTER', 'KEYSLOT', clusterLexKeyOf(index)))).toBe(keySlot(index));
  });
});

describe('cluster configuration', () => {
  it('creates and owns a cluster from node URLs or { cluster, clusterOptions }, and leaves one you pass open', async () => {
    const Counter = defineEntity({ name: 'n', key: ['id'], schema: z.object({ id: z.int() }), ttl: '1m' });
    for (const redis of [urls, { cluster: urls.slice(0, 1), clusterOptions: { slotsRefreshInterval: 1000 } }]) {
      const store = new RedisStore<Cluster>(redis);
      const repo = createCache({ store, prefix: uniquePrefix('own') }).getRepository(Counter);
      await repo.save([{ id: 1 }, { id: 2 }, { id: 3 }]);
      expect(await repo.getMany([{ id: 3 }, { id: 1 }])).toEqual([{ id: 3 }, { id: 1 }]);
      await store.close();
      expect(store.client.status).toBe('end');
    }
    const owned = createCache({ redis: urls, prefix: uniquePrefix('owned') });
    await owned.getRepository(Counter).save({ id: 7 });
    expect(await owned.getRepository(Counter).get({ id: 7 })).toEqual({ id: 7 });
    await owned.close();
    const passed = createCache({ redis: admin, prefix: uniquePrefix('passed') });
    await passed.getRepository(Counter).save({ id: 8 });
    await passed.close();
    expect(admin.status).toBe('ready');
  });

  it('parses node URLs (credentials, TLS) and never shows a password', () => {
    const store = new RedisStore<Cluster>(['redis://app:s3cret-pw@10.0.0.1:7000', 'redis://app:s3cret-pw@10.0.0.2:7001'], {
      clusterOptions: { lazyConnect: true },
    });
    expect(store.client.options.redisOptions).toMatchObject({ username: 'app', password: 's3cret-pw' });
    expect(clusterNodes(['redis://10.0.0.2:7001'])).toEqual([{ host: '10.0.0.2', port: 7001 }]);
    const tls = new RedisStore<Cluster>(['rediss://10.0.0.1:7000'], { clusterOptions: { lazyConnect: true } });
    expect(tls.client.options.redisOptions?.tls).toEqual({});
    const bad = (redis: unknown, options?: object) => () => new RedisStore(redis as string[], options);
    expect(bad(['redis://10.0.0.1:7000/1'])).toThrow(/only database 0/);
    expect(bad(['redis://a:x@10.0.0.1:7000', 'redis://a:y@10.0.0.2:7000'])).toThrow(/different credentials/);
    expect(bad([])).toThrow(ConfigError);
    expect(bad({ cluster: 'redis://10.0.0.1:7000' })).toThrow(/at least one node/);
    expect(bad(['http://:pw-in-url@10.0.0.1:7000'])).toThrow(ConfigError);
    const error = (() => {
      try {
        bad(['http://user:pw-in-url@host:1'])();
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(inspect(error)).not.toContain('pw-in-url');
    expect(bad(admin, { clusterOptions: { scaleReads: 'master' } })).toThrow(/only applies to a cluster the store creates/);
    expect(bad(urls, { redisOptions: { db: 1 } })).toThrow(/clusterOptions/);
    expect(bad(urls, { durability: { replicas: 0, timeoutMs: 100 } })).toThrow(/durability must be/);
    store.client.disconnect();
    tls.client.disconnect();
  });
});
