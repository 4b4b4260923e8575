/**
 * Observability: cacheorm's `node:diagnostics_channel` channels and the store decorator that traces
 * store calls.
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
  type RepositoryTraceContext,
  type StoreTraceContext,
} from './channels.js';
export { TracingStore } from './tracing-store.js';
