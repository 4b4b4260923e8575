/** Rebuilding an entity's index set (`find: 'index'`) from its keys. @internal */
import type { KeyCodec } from '../keys/index.js';
import type { Store } from '../store/store.js';
import { SeenKeys } from './seen-keys.js';

/** What {@link rebuildIndex} needs. @internal */
export interface RebuildIndexInput {
  store: Store;
  keys: KeyCodec;
  /** The index set, or undefined for `find: 'scan'` entities (then keys are only counted). */
  index: string | undefined;
  batchSize: number;
  /** Runs a store call with the repository's error handling. */
  call<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * SCANs the entity's keys and syncs each batch into the index (adding missing members with their
 * expiry), prunes expired members, then walks the index and drops members whose key is gone. Every
 * step is idempotent and safe while other clients write. Answers the number of distinct live keys seen.
 * @internal
 */
export async function rebuildIndex({ store, keys, index, batchSize, call }: RebuildIndexInput): Promise<number> {
  const seen = new SeenKeys();
  let live = 0;
  const scan = store.scan(`${keys.base}*`, { count: batchSize })[Symbol.asyncIterator]();
  for (;;) {
    const next = await call(() => scan.next());
    if (next.done) break;
    // A glob `*` also matches ':': keep only keys that decode as this entity, each once.
    const own = next.value.filter((key) => keys.decode(key) !== undefined && seen.add(key));
    if (own.length === 0) continue;
    live += index === undefined ? own.length : await call(() => store.indexSync(index, own));
  }
  if (index === undefined) return live;
  await call(() => store.indexPrune(index));
  const members = store.indexScan(index, { count: batchSize })[Symbol.asyncIterator]();
  for (;;) {
    const next = await call(() => members.next());
    if (next.done) break;
    await call(() => store.indexSync(index, next.value));
  }
  return live;
}
