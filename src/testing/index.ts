/**
 * `cacheorm/testing`: the Store contract suite for people who write their own store, runnable with
 * vitest (an optional peer dependency: only this entry point imports it).
 *
 * @example
 * import { describeStoreContract } from 'cacheorm/testing';
 * import { MemoryStore } from 'cacheorm';
 *
 * describeStoreContract({
 *   name: 'MemoryStore',
 *   createStore: () => new MemoryStore(),
 *   indexScore: (store, index, key) => store.indexScore(index, key),
 * });
 *
 * @packageDocumentation
 * @module cacheorm/testing
 */
export { describeStoreContract } from './store-contract.js';
export type { StoreContractOptions } from './options.js';
export { indexScanAll, scanAll } from './scans.js';
