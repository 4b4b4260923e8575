/**
 * Observability: cacheorm's `node:diagnostics_channel` channels (a leaf: it imports nothing of
 * cacheorm's own; the store layer that traces calls is `TracingStore` in `store/layers/`).
 *
 * @example
 * import diagnostics_channel from 'node:diagnostics_channel';
 * import { CHANNELS } from 'cacheorm';
 * diagnostics_channel.subscribe(CHANNELS.connection, (message) => console.log(message));
 */
export {
  CHANNELS,
  type ConnectionMessage,
  type LockMessage,
  type NearCacheMessage,
  type RepositoryTraceContext,
  type StoreTraceContext,
} from './channels.js';
