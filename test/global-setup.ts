/**
 * Vitest global setup: starts one redis-server for the whole run (unless REDIS_URL is set) and hands its
 * URL to the tests through `inject('redisUrl')`; and one Redis Cluster (3 masters, 3 replicas, unless
 * REDIS_CLUSTER_URLS is set), formed in the background, for `clusterUrls()` (see support/cluster.ts).
 * Stops them after the run.
 */
import type { TestProject } from 'vitest/node';
import { startSharedCluster, stopSharedCluster } from './support/cluster-setup.js';
import { startRedisServer, type RedisServerHandle } from './support/redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    redisOwned: boolean;
  }
}

let server: RedisServerHandle | undefined;

export async function setup(project: TestProject): Promise<void> {
  await startSharedCluster(project);
  const external = process.env.REDIS_URL;
  if (external) {
    project.provide('redisUrl', external);
    project.provide('redisOwned', false);
    return;
  }
  server = await startRedisServer();
  project.provide('redisUrl', server.url);
  project.provide('redisOwned', true);
}

export async function teardown(): Promise<void> {
  await Promise.all([server?.stop(), stopSharedCluster()]);
}
