export { type WriteMode } from './context.js';
export { type Loader, type ReadOptions, type WriteOptions } from './options.js';
export { type FreshnessOptions } from './freshness.js';
export { Repository } from './repository.js';
export { type GetOrLoadOptions, type LockOptions } from './lock.js';
