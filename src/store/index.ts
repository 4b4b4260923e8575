/**
 * Stores: where cacheorm keeps its keys. {@link RedisStore} for Redis, {@link MemoryStore} embedded in
 * the process, or your own implementation of {@link Store}.
 *
 * @example
 * import { MemoryStore, RedisStore } from 'cacheorm';
 * const store = process.env.REDIS_URL ? new RedisStore(process.env.REDIS_URL) : new MemoryStore();
 */
export type { FieldBound, FieldHit, FieldScanOptions, FieldSyncEntry, IndexOption, IndexScanOptions, ScanOptions, Store, WriteOp } from './store.js';
export { RedisStore, type RedisStoreOptions } from './redis/redis-store.js';
export type { RedisClusterConfig } from './redis/cluster/cluster.js';
export type { Durability } from './redis/durability.js';
export { MemoryStore, type MemoryStoreOptions } from './memory/memory-store.js';
export { compileGlob } from './glob.js';
export { StoreDecorator, type StoreCall, type StoreCommand } from './layers/decorator.js';
export { TracingStore } from './layers/tracing.js';
export { TimeoutStore, type TimeoutStoreOptions } from './layers/timeout.js';
export { DEFAULT_COMMAND_TIMEOUT_MS, StoreTimeoutError } from './calls/bounds.js';
export type { NearCacheStats } from './near/near-cache.js';
