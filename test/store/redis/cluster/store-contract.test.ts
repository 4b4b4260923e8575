/**
 * The Store contract suite (cacheorm/testing: src/testing/, with its index parts) against the run's Redis Cluster:
 * the same results as on standalone Redis, with the suite's keys spread over every slot.
 */
import type { Cluster } from 'ioredis';
import { afterAll } from 'vitest';
import { RedisStore } from '../../../../src/store/index.js';
import { describeStoreContract } from 'cacheorm/testing';
import { clusterUrls, dropClusterPrefix, openTestCluster } from '../../../support/cluster.js';
import { uniquePrefix } from '../../../support/redis.js';

let admin: Cluster | undefined;

/** Redis `ZSCORE` as a number (`Infinity` for +inf), or `null`. */
async function zscore(client: Cluster, index: string, key: string): Promise<number | null> {
  const score = await client.zscore(index, key);
  return score === null ? null : score === 'inf' ? Number.POSITIVE_INFINITY : Number(score);
}

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
