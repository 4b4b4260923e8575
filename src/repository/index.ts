export { type WriteMode } from './context.js';
export { type WriteOptions } from './options.js';
export { Repository, type Loader } from './repository.js';
export { type GetOrLoadOptions, type LockOptions } from './lock.js';
