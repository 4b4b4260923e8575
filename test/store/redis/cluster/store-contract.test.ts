/**
 * The Store contract suite (test/store/contract.ts, with its index parts) against the run's Redis Cluster:
 * the same results as on standalone Redis, with the suite's keys spread over every slot.
 */
import type { Cluster } from 'ioredis';
import { afterAll } from 'vitest';
import { RedisStore } from '../../../../src/store/index.js';
import { storeContract } from '../../contract.js';
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

storeContract('RedisStore over a Redis Cluster (node URLs)', async () => {
  const urls = await clusterUrls();
  admin ??= openTestCluster(urls);
  const client = admin;
  const store = new RedisStore(urls);
  const prefix = uniquePrefix('rs-cluster');
  return {
    store,
    prefix,
    indexScore: (index, key) => zscore(client, index, key),
    async cleanup() {
      await dropClusterPrefix(client, prefix);
      await store.close();
    },
  };
});
