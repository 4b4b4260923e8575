import { inspect } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, StoreError, StoreUnavailableError } from '../../../src/errors/index.js';
import { RedisStore } from '../../../src/store/index.js';
import { uniquePrefix, redisUrl, testRedis, zscore } from '../../support/redis.js';
import { freePort, startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';
import { describeStoreContract, scanAll } from 'cacheorm/testing';
import { dropKeysUnder } from '../../support/keys.js';
import { failure } from '../../support/rejection.js';
import { clientFactories } from '../../support/clients.js';


/** A client that fails fast instead of queueing commands while disconnected. */
const FAIL_FAST = { maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null } as const;

for (const factory of clientFactories) {
  describeStoreContract({
    name: `RedisStore over an ${factory.name} client`,
    createStore: () => new RedisStore(factory.redis(redisUrl())),
    prefix: uniquePrefix('rs-client'),
    indexScore: (store, index, key) => zscore(store.client, index, key),
    async cleanup(store, prefix) {
      const client = store.client;
      await store.close(); // leaves the client it was given open
      await dropKeysUnder(client, prefix);
      await client.quit();
    },
  });
}

describeStoreContract({
  name: 'RedisStore over a URL',
  createStore: () => new RedisStore(redisUrl()),
  prefix: uniquePrefix('rs-url'),
  indexScore: (store, index, key) => zscore(store.client, index, key),
  async cleanup(store, prefix) {
    await dropKeysUnder(store.client, prefix);
    await store.close();
  },
});

describe.each(clientFactories)('RedisStore over an $name client you pass', (factory) => {
  it('maps a refused command to StoreError and a client closed under its feet to StoreUnavailableError', async () => {
    const client = factory.redis(redisUrl());
    const store = new RedisStore(client);
    const key = `${uniquePrefix('rs-type')}:list`;
    await client.rpush(key, 'x');
    const refused = await failure(store.get(key));
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as StoreError).code).toBe('E_STORE');
    expect(refused.message).toMatch(/^Redis refused GET: WRONGTYPE .*dedicated prefix/);
    await client.unlink(key);
    await client.quit();
    const closed = await failure(store.get('x'));
    expect(closed).toBeInstanceOf(StoreUnavailableError);
    expect(closed.message).toMatch(/Redis is unreachable \(Connection is closed\) for GET/);
    await store.close();
  });
});

describe('RedisStore', () => {
  const redis = testRedis();

  it('splits big MGET / UNLINK into several commands and keeps the order', async () => {
    const prefix = uniquePrefix('rs-chunk');
    const store = new RedisStore(redis, { maxKeysPerCommand: 7 });
    const keys = Array.from({ length: 50 }, (_, i) => `${prefix}:${i}`);
    await store.write(keys.filter((_, i) => i % 2 === 0).map((key) => ({ key, value: key, ttl: 60_000 })));
    expect(await store.mget(keys)).toEqual(keys.map((key, i) => (i % 2 === 0 ? key : null)));
    expect(await store.unlink(keys)).toBe(25);
    expect(() => new RedisStore(redis, { maxKeysPerCommand: 0 })).toThrow(ConfigError);
  });

  it('runs deleteIfEquals through EVALSHA, loading the script with EVAL on first use', async () => {
    const server = await startRedisServer();
    const store = new RedisStore(server.url);
    const monitor = new Redis(server.url, { lazyConnect: true }); // only its MONITOR duplicate connects
    try {
      await store.exists('warm-up'); // connected: its handshake cannot race the MONITOR below
      const commands: string[] = [];
      const feed = await monitor.monitor();
      feed.on('monitor', (_time: string, args: string[]) => commands.push(String(args[0]).toLowerCase()));
      await store.write([{ key: 'k', value: 'v', ttl: null }]);
      expect(await store.deleteIfEquals('k', 'nope')).toBe(false); // NOSCRIPT, then EVAL
      expect(await store.deleteIfEquals('k', 'v')).toBe(true); // cached: EVALSHA only
      await expect.poll(() => commands.filter((c) => c.startsWith('eval'))).toEqual(['evalsha', 'eval', 'evalsha']);
      feed.disconnect();
    } finally {
      await store.close();
      monitor.disconnect();
      await server.stop();
    }
  });

  it('leaves a client it was given open on close()', async () => {
    const client = new Redis(redisUrl());
    const store = new RedisStore(client);
    expect(store.client).toBe(client);
    await store.get(`${uniquePrefix()}:x`);
    await store.close();
    await store.close();
    expect(await client.ping()).toBe('PONG');
    expect(client.status).toBe('ready');
    await expect(store.get('x')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.get('x')).rejects.toThrow(/RedisStore was closed/);
    await client.quit();
  });

  it('quits the client it created on close()', async () => {
    const store = new RedisStore(redisUrl());
    await store.exists(`${uniquePrefix()}:x`);
    await store.close();
    expect(store.client.status).toBe('end');
    await expect(store.exists('x')).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('closes an owned client that never connected', async () => {
    const store = new RedisStore({ host: '127.0.0.1', port: await freePort(), ...FAIL_FAST });
    await store.close();
    expect(store.client.status).toBe('end');
  });

  it('creates a client from RedisOptions', async () => {
    const { hostname, port } = new URL(redisUrl());
    const store = new RedisStore({ host: hostname, port: Number(port) }, { redisOptions: { connectionName: 'cacheorm-test' } });
    expect(store.client.options.connectionName).toBe('cacheorm-test');
    expect(await store.pttl(`${uniquePrefix()}:x`)).toBe(-2);
    await store.close();
  });

  it('accepts a Cluster (tested in test/store/redis/cluster/) and rejects malformed URLs with ConfigError', async () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: await freePort() }], { lazyConnect: true });
    try {
      const store = new RedisStore(cluster);
      expect(store.client).toBe(cluster);
      await store.close(); // a client you pass stays yours: never connected, never quit
      expect(cluster.status).toBe('wait');
    } finally {
      cluster.disconnect();
    }
    expect(() => new RedisStore('localhost:6379')).toThrow(ConfigError);
    expect(() => new RedisStore('http://:pw@localhost')).toThrow(/redis:\/\//);
    expect(() => new RedisStore(42 as unknown as string)).toThrow(ConfigError);
    expect(() => new RedisStore(redis, { redisOptions: { commandTimeout: 100 } })).toThrow(/only applies to a client the store creates/);
  });

  it('maps a refused command to StoreError naming the command and the key', async () => {
    const key = `${uniquePrefix('rs-type')}:list`;
    await redis.rpush(key, 'x');
    const store = new RedisStore(redis);
    const error = await failure(store.get(key));
    expect(error).toBeInstanceOf(StoreError);
    const storeError = error as StoreError;
    expect(storeError.redisMessage).toMatch(/^WRONGTYPE/);
    expect(storeError.command).toBe('GET');
    expect(storeError.key).toBe(key);
    expect(storeError.message).toMatch(/^Redis refused GET: WRONGTYPE .*dedicated prefix/);
    await redis.unlink(key);
  });

  it('maps a client closed under its feet to StoreUnavailableError', async () => {
    const client = new Redis(redisUrl());
    const store = new RedisStore(client);
    await client.quit();
    const error = await failure(store.get('x'));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toMatch(/Redis is unreachable \(Connection is closed\) for GET/);
  });

  describe('against a server out of memory', () => {
    let server: RedisServerHandle;
    let admin: Redis;
    let store: RedisStore;

    beforeAll(async () => {
      server = await startRedisServer();
      admin = new Redis(server.url);
      store = new RedisStore(server.url);
      await admin.config('SET', 'maxmemory', '1');
    });
    afterAll(async () => {
      await store?.close();
      await admin?.quit();
      await server?.stop();
    });

    it('throws StoreError with the OOM text for a single write', async () => {
      const error = await failure(store.write([{ key: 'oom:a', value: 'secret-value-1', ttl: 1_000 }]));
      expect(error).toBeInstanceOf(StoreError);
      const storeError = error as StoreError;
      expect(storeError.redisMessage).toMatch(/^OOM command not allowed/);
      expect(storeError.command).toBe('SET');
      expect(storeError.message).toMatch(/^Redis refused SET: OOM .*maxmemory.*eviction policy/);
      expect(inspect(storeError, { depth: 10 })).not.toContain('secret-value-1');
    });

    it('throws StoreError with the OOM text for a batch and writes nothing', async () => {
      const ops = ['a', 'b', 'c'].map((s) => ({ key: `oom:batch:${s}`, value: `secret-value-${s}`, ttl: null }));
      const error = await failure(store.write(ops));
      expect(error).toBeInstanceOf(StoreError);
      const storeError = error as StoreError;
      expect(storeError.redisMessage).toMatch(/^OOM command not allowed/);
      expect(storeError.message).not.toMatch(/EXECABORT/);
      expect(storeError.message).toMatch(/nothing was written/);
      expect(inspect(storeError, { depth: 10 })).not.toMatch(/secret-value/);
      await admin.config('SET', 'maxmemory', '0');
      expect(await admin.exists(...ops.map((op) => op.key))).toBe(0);
      await admin.config('SET', 'maxmemory', '1');
    });

    it('refuses a batch with index sets and writes neither keys nor members, script cached or not', async () => {
      const index = 'oom:index';
      const ops = ['a', 'b', 'c'].map((s, i) => ({
        key: `oom:ix:${s}`,
        value: `secret-value-${s}`,
        ttl: i === 0 ? null : 60_000,
        ...(i === 1 ? {} : { index }),
      }));
      const expectRefused = async (members: string[]) => {
        const error = await failure(store.write(ops));
        expect(error).toBeInstanceOf(StoreError);
        const storeError = error as StoreError;
        expect(storeError.redisMessage).toMatch(/^OOM command not allowed/);
        expect(storeError.command).toBe('SET');
        expect(storeError.message).toMatch(/^Redis refused SET: OOM .*nothing was written\..*maxmemory/);
        expect(inspect(storeError, { depth: 10 })).not.toMatch(/secret-value/);
        const single = await failure(store.write([ops[0]!]));
        expect(single.message).toMatch(/^Redis refused SET: OOM/);
        await admin.config('SET', 'maxmemory', '0');
        expect(await admin.exists(...ops.map((op) => op.key))).toBe(0);
        expect(await admin.zrange(index, 0, -1)).toEqual(members);
      };
      await admin.script('FLUSH');
      await expectRefused([]); // NOSCRIPT, then EVAL refused
      // Cache the script, keep one indexed key, then refuse again (EVALSHA refused).
      expect(await store.write([{ key: 'oom:ix:kept', value: 'v', ttl: 60_000, index }])).toEqual([true]);
      await admin.config('SET', 'maxmemory', '1');
      await expectRefused(['oom:ix:kept']); // EVALSHA refused
      await admin.config('SET', 'maxmemory', '1');
    });

    it('still removes and prunes index members', async () => {
      await admin.config('SET', 'maxmemory', '0');
      const index = 'oom:rm-index';
      await store.write(['a', 'b', 'c'].map((s) => ({ key: `oom:rm:${s}`, value: s, ttl: s === 'c' ? 30 : null, index })));
      await admin.config('SET', 'maxmemory', '1');
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect(await store.indexPrune(index)).toBe(1);
      expect(await store.unlink(['oom:rm:a'], { index })).toBe(1);
      expect(await store.deleteIfEquals('oom:rm:b', 'b', { index })).toBe(true);
      expect(await admin.exists(index, 'oom:rm:a', 'oom:rm:b')).toBe(0);
    });

    it('still serves reads', async () => {
      expect(await store.get('oom:a')).toBeNull();
      expect(await scanAll(store, 'oom:batch:*')).toEqual([]);
      expect(await store.indexScan('oom:index')[Symbol.asyncIterator]().next()).toEqual({ done: false, value: ['oom:ix:kept'] });
    });
  });

  describe('when Redis is unreachable', () => {
    it('throws StoreUnavailableError naming the address', async () => {
      const port = await freePort();
      const store = new RedisStore({ host: '127.0.0.1', port, ...FAIL_FAST });
      for (const attempt of [store.get('x'), store.write([{ key: 'x', value: 'v', ttl: null }]), scanAll(store, '*')]) {
        const error = await failure(attempt);
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect(error.message).toMatch(new RegExp(`^Redis is unreachable \\(.+\\) for \\w+\\. Check that Redis is running at 127\\.0\\.0\\.1:${port}`));
      }
      await store.close();
    });

    it('reports the last connection error after retries, without the password', async () => {
      const port = await freePort();
      const secret = 'unreachable-Pa55word';
      const store = new RedisStore(`redis://app:${secret}@127.0.0.1:${port}`, {
        redisOptions: { maxRetriesPerRequest: 1, retryStrategy: () => 10 },
      });
      const error = await failure(store.get('x'));
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error.message).toMatch(/^Redis is unreachable \(connect ECONNREFUSED [\d.:]+; gave up after 1 retries, see the maxRetriesPerRequest option\) for GET\./);
      expect(inspect(error, { depth: 10 })).not.toContain(secret);
      await store.close();
    });
  });

  it('maps a command timeout to StoreUnavailableError', async () => {
    const server = await startRedisServer();
    const admin = new Redis(server.url);
    const store = new RedisStore(server.url, { redisOptions: { commandTimeout: 100 } });
    try {
      await store.get('warm-up');
      await admin.client('PAUSE', 400, 'ALL');
      const error = await failure(store.get('x'));
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error.message).toMatch(/^Redis is unreachable \(Command timed out\) for GET\./);
    } finally {
      await admin.client('UNPAUSE');
      await store.close();
      await admin.quit();
      await server.stop();
    }
  });

  describe('against a server with a password', () => {
    const secret = 'Sup3r-s3cret-pw';
    let server: RedisServerHandle;

    beforeAll(async () => {
      server = await startRedisServer();
      const admin = new Redis(server.url);
      await admin.config('SET', 'requirepass', secret);
      await admin.quit();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('works with the right password in the URL', async () => {
      const store = new RedisStore(`redis://:${secret}@127.0.0.1:${server.port}`);
      expect(await store.write([{ key: 'pw:k', value: 'v', ttl: 10_000 }])).toEqual([true]);
      expect(await store.get('pw:k')).toBe('v');
      await store.close();
    });

    it('never puts a wrong password into the error', async () => {
      const wrong = 'Wr0ng-pa55word-xyz';
      const given = () => {
        const client = new Redis(`redis://default:${wrong}@127.0.0.1:${server.port}`, { maxRetriesPerRequest: 1 });
        client.on('error', () => undefined); // the test's own client: silence ioredis' unhandled-error log
        return new RedisStore(client);
      };
      const owned = () => new RedisStore(`redis://:${wrong}@127.0.0.1:${server.port}`, { redisOptions: { maxRetriesPerRequest: 1 } });
      for (const store of [owned(), given()]) {
        const error = await failure(store.get('pw:k'));
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect(error.message).toMatch(/rejected the connection's credentials \(WRONGPASS/);
        expect(error.message).toMatch(/Check the username and password/);
        expect(inspect(error, { depth: 10 })).not.toContain(wrong);
        await store.close();
        store.client.disconnect();
      }
    });

    it('reports a missing password as StoreUnavailableError', async () => {
      const store = new RedisStore(`redis://127.0.0.1:${server.port}`, { redisOptions: { maxRetriesPerRequest: 1 } });
      const error = await failure(store.get('pw:k'));
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error.message).toMatch(/NOAUTH/);
      await store.close();
    });
  });
});
