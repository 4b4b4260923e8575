export { Cache } from './cache.js';
export { createCache, type CacheOptions } from './create-cache.js';
export { type CacheEventMap, type InvalidEntryEvent } from '../repository/events.js';
export { type CacheStats } from '../repository/stats.js';
