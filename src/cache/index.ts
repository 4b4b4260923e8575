export { Cache } from './cache.js';
export { createCache, type CacheOptions } from './create-cache.js';
export { type CacheEventMap, type InvalidEntryEvent, type RefreshEvent, type StaleEvent } from './events.js';
export { type CacheStats } from './stats.js';
