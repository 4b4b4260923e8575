export { Cache, type CloseOptions } from './cache.js';
export { assertKnownOptions, CACHE_OPTION_NAMES, createCache, type CacheOptions } from './create-cache.js';
export { type CacheEventMap, type InvalidEntryEvent, type RefreshEvent, type StaleEvent } from '../repository/events.js';
export { type CacheStats } from '../repository/stats.js';
export { type NearCacheOptions } from './near-options.js';
