/**
 * The stores every repository-level suite runs against: the embedded MemoryStore and real Redis; and
 * the run's Redis Cluster for the suites that also run there (`clusterBackend`).
 */
import { createCache, type Cache, type CacheOptions } from 'cacheorm';
import { inject } from 'vitest';
import { clusterUrls } from './cluster.js';
import { redisUrl, uniquePrefix } from './redis.js';

export interface Backend {
  name: 'memory' | 'redis' | 'cluster';
  /** A cache with a unique prefix on this backend. */
  cache(options?: Omit<CacheOptions, 'redis' | 'store'>): Cache;
  /** Resolves once the backend can serve (the run's cluster forms in the background); call it in `beforeAll`. */
  ready?(): Promise<void>;
}

export const backends: Backend[] = [
  { name: 'memory', cache: (options = {}) => createCache({ prefix: uniquePrefix('mem'), ...options }) },
  { name: 'redis', cache: (options = {}) => createCache({ redis: redisUrl(), prefix: uniquePrefix('redis'), ...options }) },
];

/** The run's Redis Cluster (3 masters, 3 replicas; see support/cluster.ts), through a list of node URLs. */
export const clusterBackend: Backend = {
  name: 'cluster',
  ready: async () => {
    await clusterUrls();
  },
  cache: (options = {}) => createCache({ redis: inject('clusterUrls'), prefix: uniquePrefix('cluster'), ...options }),
};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
