/** The stores every repository-level suite runs against: the embedded MemoryStore and real Redis. */
import { createCache, type Cache, type CacheOptions } from 'cacheorm';
import { redisUrl, uniquePrefix } from './redis.js';

export interface Backend {
  name: 'memory' | 'redis';
  /** A cache with a unique prefix on this backend. */
  cache(options?: Omit<CacheOptions, 'redis' | 'store'>): Cache;
}

export const backends: Backend[] = [
  { name: 'memory', cache: (options = {}) => createCache({ prefix: uniquePrefix('mem'), ...options }) },
  { name: 'redis', cache: (options = {}) => createCache({ redis: redisUrl(), prefix: uniquePrefix('redis'), ...options }) },
];

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
