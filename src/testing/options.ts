/** The options of `describeStoreContract`, and their checks. */
import { ConfigError } from '../errors/index.js';
import type { Store } from '../store/store.js';

/**
 * Options of `describeStoreContract` (`cacheorm/testing`).
 *
 * @example
 * const options: StoreContractOptions<MemoryStore> = {
 *   name: 'MemoryStore',
 *   createStore: () => new MemoryStore(),
 *   indexScore: (store, index, key) => store.indexScore(index, key),
 * };
 */
export interface StoreContractOptions<S extends Store = Store> {
  /** Shown in the suite's title: `Store contract: <name>`. */
  name: string;
  /** Creates the store under test, once for the whole suite (before its first test). */
  createStore(): S | Promise<S>;
  /**
   * Runs after the suite: delete what the suite wrote under `prefix` (on a shared server) and close what
   * `createStore` opened. Default: `store.close()`.
   */
  cleanup?(store: S, prefix: string): void | Promise<void>;
  /**
   * Every key the suite writes starts with `<prefix>:` (default: `cacheorm-contract-<random hex>`). It
   * must contain no glob metacharacter (`*`, `?`, `[`, `]`, `\`).
   */
  prefix?: string;
  /**
   * Whether to run the index-set tests (`indexScan`, `indexPrune`, `indexSync` and the `index` option of
   * writes, used by `find: 'index'` entities). Default `true`; `false` for a store whose entities all
   * use `find: 'scan'`.
   */
  supportsIndex?: boolean;
  /**
   * The score of `key` in the index set `index` (its expiry in epoch ms, `Infinity` for none), or `null`
   * when it is not a member: Redis `ZSCORE`, `MemoryStore.indexScore`. Required unless `supportsIndex`
   * is `false`.
   */
  indexScore?(store: S, index: string, key: string): Promise<number | null>;
}

/** Throws `ConfigError` for options the suite cannot run with. @internal */
export function checkOptions(options: StoreContractOptions<never>): void {
  const fail = (message: string) => {
    throw new ConfigError(`describeStoreContract: ${message}`, { operation: 'describeStoreContract' });
  };
  if (typeof options?.name !== 'string' || options.name === '') fail('`name` must be a non-empty string naming the store under test.');
  if (typeof options.createStore !== 'function') fail('`createStore` must be a function that returns the store under test (or a promise of it).');
  if (options.prefix !== undefined && (typeof options.prefix !== 'string' || options.prefix === '' || /[*?[\]\\]/.test(options.prefix))) {
    fail(`\`prefix\` must be a non-empty string without glob metacharacters (* ? [ ] \\), got ${JSON.stringify(options.prefix)}.`);
  }
  if (options.supportsIndex !== false && typeof options.indexScore !== 'function') {
    fail('`indexScore(store, index, key)` is needed to check index scores. Pass it (e.g. Redis ZSCORE), or `supportsIndex: false` to skip the index-set tests.');
  }
}

