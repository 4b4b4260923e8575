/** The near cache: in-process entries kept coherent by Redis `CLIENT TRACKING` (docs/near-cache.md). */
export { NearCache, type NearCacheSettings, type NearCacheStats, type NearEntry } from './near-cache.js';
export { NearTracking, NEAR_PING_INTERVAL_MS } from './near-tracking.js';
export { NearWritesStore } from './near-writes.js';
export { deepCopy } from './copy.js';
