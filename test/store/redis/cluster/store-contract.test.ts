/**
 * The Store contract suite (cacheorm/testing: src/testing/, with its index parts) against the run's Redis Cluster:
 * the same results as on standalone Redis, with the suite's keys spread over every slot. Once over node
 * URLs (a cluster cacheorm creates), and once over a `Cluster` of each ioredis major and protocol you
 * pass (test/support/clients.ts).
 */
import type { Cluster } from 'ioredis';
import { afterAll } from 'vitest';
import { RedisStore } from '../../../../src/store/index.js';
import { describeStoreContract } from 'cacheorm/testing';
import { clientFactories } from '../../../support/clients.js';
import { clusterNodes, clusterUrls, dropClusterPrefix, openTestCluster } from '../../../support/cluster.js';
import { uniquePrefix, zscore } from '../../../support/redis.js';

let admin: Cluster | undefined;


afterAll(async () => {
  await admin?.quit();
});

describeStoreContract({
  name: 'RedisStore over a Redis Cluster (node URLs)',
  async createStore() {
    const urls = await clusterUrls();
    admin ??= openTestCluster(urls);
    return new RedisStore(urls);
  },
  prefix: uniquePrefix('rs-cluster'),
  indexScore: (_store, index, key) => zscore(admin!, index, key),
  async cleanup(store, prefix) {
    await dropClusterPrefix(admin!, prefix);
    await store.close();
  },
});

for (const factory of clientFactories) {
  describeStoreContract({
    name: `RedisStore over an ${factory.name} Cluster you pass`,
    async createStore() {
      return new RedisStore(factory.cluster(clusterNodes(await clusterUrls()), { redisOptions: { maxRetriesPerRequest: 1 } }));
    },
    prefix: uniquePrefix('rs-cluster-client'),
    indexScore: (store, index, key) => zscore(store.client, index, key),
    async cleanup(store, prefix) {
      const client = store.client;
      await store.close(); // leaves the cluster it was given open
      await dropClusterPrefix(client, prefix);
      await client.quit();
    },
  });
}
