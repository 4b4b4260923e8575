/**
 * The connection tracker on Redis Cluster: an owned cluster publishes its changes and its nodes' on
 * `cacheorm:connection`, a cluster you pass publishes nothing, and losing every node is reported once
 * per outage (on a dedicated 3-master cluster whose nodes are killed and restarted).
 */
import diagnostics_channel from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, createCache, StoreUnavailableError, type CacheOrmError, type ConnectionMessage } from 'cacheorm';
import { clusterUrls, openTestCluster } from '../../../support/cluster.js';
import { uniquePrefix } from '../../../support/redis.js';
import { failure } from '../../../support/rejection.js';
import { freePort } from '../../../support/redis-server.js';
import { startRedisCluster, waitForClusterState, type RedisClusterHandle } from '../../../support/redis-cluster.js';

function recordConnection() {
  const messages: ConnectionMessage[] = [];
  const onMessage = (m: unknown) => messages.push(m as ConnectionMessage);
  diagnostics_channel.subscribe(CHANNELS.connection, onMessage);
  return { messages, stop: () => diagnostics_channel.unsubscribe(CHANNELS.connection, onMessage) };
}

describe('cacheorm:connection on the shared cluster', () => {
  let urls: string[];
  beforeAll(async () => {
    urls = await clusterUrls();
  }, 90_000);

  it('publishes the cluster becoming ready, each node connection, and the end, for a cluster cacheorm creates', async () => {
    const recorder = recordConnection();
    try {
      const prefix = uniquePrefix();
      const cache = createCache({ redis: urls, prefix });
      expect(await cache.store.get(`${prefix}:x`)).toBeNull();
      const cluster = recorder.messages.filter((m) => m.node === undefined);
      expect(cluster.map((m) => m.state)).toContain('ready');
      expect(cluster[0]!.address).toMatch(/^Redis Cluster 127\.0\.0\.1:\d+/);
      const nodes = recorder.messages.filter((m) => m.node !== undefined && m.state === 'ready');
      expect(nodes.length).toBeGreaterThan(0);
      for (const m of nodes) expect(m.node).toMatch(/^127\.0\.0\.1:\d+$/);
      await cache.close();
      await expect.poll(() => recorder.messages.filter((m) => m.node === undefined).at(-1)?.state).toBe('end');
    } finally {
      recorder.stop();
    }
  });

  it('publishes nothing for a Cluster you pass', async () => {
    const recorder = recordConnection();
    const client = openTestCluster(urls);
    try {
      const cache = createCache({ redis: client, prefix: uniquePrefix() });
      expect(await cache.store.exists('x')).toBe(false);
      await cache.close();
      expect(recorder.messages).toEqual([]);
    } finally {
      recorder.stop();
      await client.quit();
    }
  });
});

describe('a cluster that cannot be reached', () => {
  it('reports that it could not connect once, and fails calls at once between attempts', async () => {
    const recorder = recordConnection();
    const port = await freePort();
    const cache = createCache({ redis: [`redis://:pa55word@127.0.0.1:${port}`], prefix: 'down' });
    const errors: CacheOrmError[] = [];
    cache.on('error', (error) => errors.push(error));
    try {
      await expect.poll(() => recorder.messages.filter((m) => m.node === undefined && m.state === 'reconnecting').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      const outages = errors.filter((e) => e.operation === 'connect');
      expect(outages).toHaveLength(1);
      expect(outages[0]).toBeInstanceOf(StoreUnavailableError);
      expect(outages[0]!.code).toBe('E_STORE_UNAVAILABLE');
      expect(outages[0]!.message).toMatch(new RegExp(`^Could not connect to the Redis Cluster 127\\.0\\.0\\.1:${port} \\(`));
      await expect
        .poll(async () => (await failure(cache.store.get('down:x'))).message, { timeout: 10_000 })
        .toMatch(new RegExp(`^The Redis Cluster 127\\.0\\.0\\.1:${port} is unreachable \\(reconnecting; last connection error: .+\\) for GET\\. .*Nothing was sent\\.$`));
      const failed = await failure(cache.store.get('down:x'));
      expect(failed).toBeInstanceOf(StoreUnavailableError);
      expect((failed as StoreUnavailableError).code).toBe('E_STORE_UNAVAILABLE');
      expect(recorder.messages.find((m) => m.node !== undefined && m.state === 'error')).toMatchObject({ node: `127.0.0.1:${port}`, error: expect.any(String) });
      expect(JSON.stringify([recorder.messages, errors.map((e) => e.message)])).not.toContain('pa55word');
    } finally {
      await cache.close();
      recorder.stop();
    }
  });
});

describe('a cluster losing every node', () => {
  let cluster: RedisClusterHandle;
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('is reported once per outage, and serves again once the nodes are back', { timeout: 90_000 }, async () => {
    const recorder = recordConnection();
    const cache = createCache({ redis: cluster.urls, prefix: 'outage' });
    const errors: CacheOrmError[] = [];
    cache.on('error', (error) => errors.push(error));
    const outages = () => errors.filter((e) => e.operation === 'connect');
    const outage = async (n: number) => {
      await Promise.all(cluster.nodes.map((node) => node.kill()));
      await expect.poll(() => outages().length, { timeout: 20_000 }).toBe(n);
      // Calls meanwhile fail (each one makes the client try the nodes again); still one error for this outage.
      for (let i = 0; i < 2; i++) {
        const failed = await failure(cache.store.get('outage:x'));
        expect(failed).toBeInstanceOf(StoreUnavailableError);
        expect((failed as StoreUnavailableError).code).toBe('E_STORE_UNAVAILABLE');
        expect(failed.message).toMatch(/Redis Cluster 127\.0\.0\.1:\d+/);
      }
      expect(outages()).toHaveLength(n);
      await Promise.all(cluster.nodes.map((node) => node.restart()));
      await Promise.all(cluster.nodes.map((node) => waitForClusterState(node.port, 'ok', 30_000)));
      await expect.poll(async () => cache.store.exists('outage:x').catch(() => 'failed'), { timeout: 30_000 }).toBe(false);
    };
    try {
      expect(await cache.store.exists('outage:x')).toBe(false);
      await outage(1);
      const [lost] = outages();
      expect(lost).toBeInstanceOf(StoreUnavailableError);
      expect(lost!.code).toBe('E_STORE_UNAVAILABLE');
      expect(lost!.message).toMatch(/^Lost the connection to the Redis Cluster 127\.0\.0\.1:\d+.* cacheorm reconnects in the background/);
      const closedNode = recorder.messages.find((m) => m.node !== undefined && m.state === 'close');
      expect(closedNode).toMatchObject({ address: expect.stringMatching(/^Redis Cluster /), node: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
      expect(recorder.messages.some((m) => m.node !== undefined && m.state === 'error' && /ECONNREFUSED/.test(m.error ?? ''))).toBe(true);

      // The nodes came back: the next outage is reported again.
      await outage(2);
    } finally {
      await cache.close();
      recorder.stop();
    }
  });
});
