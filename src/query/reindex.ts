/** Rebuilding an entity's index sets (`find: 'index'`) from its keys. @internal */
import type { KeyCodec } from '../keys/index.js';
import type { FieldSyncEntry, Store } from '../store/store.js';
import type { IndexLayout } from './index-layout.js';
import { SeenKeys } from './seen-keys.js';

export type { IndexLayout };

/** What {@link rebuildIndex} needs. @internal */
export interface RebuildIndexInput {
  store: Store;
  keys: KeyCodec;
  /** The entity's index sets (none for `find: 'scan'` entities: then keys are only counted). */
  indexes: IndexLayout;
  batchSize: number;
  /** Runs a store call with the repository's error handling. */
  call<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Entities with field indexes: reads `redisKeys` and answers each decodable one's stored value and
   * field entries, which are then written with `fieldSync` (only where the key still holds that value).
   */
  fieldEntries?(redisKeys: readonly string[]): Promise<FieldSyncEntry[]>;
}

/**
 * SCANs the entity's keys and syncs each batch into its index set (adding missing members with their
 * expiry) and, with field indexes, rewrites each key's field entries from its current value; then, for every index set (the entity's one, or every set the registry lists plus those the
 * scan used), prunes expired members and drops members whose key is gone; with a hash tag, finally
 * brings the registry in line (sets that no longer exist leave it). Every step is idempotent and safe
 * while other clients write. Answers the number of distinct live keys seen.
 * @internal
 */
export async function rebuildIndex({ store, keys, indexes, batchSize, call, fieldEntries }: RebuildIndexInput): Promise<number> {
  const seen = new SeenKeys();
  const used = new Set<string>();
  let live = 0;
  const scan = store.scan(`${keys.base}*`, { count: batchSize })[Symbol.asyncIterator]();
  for (;;) {
    const next = await call(() => scan.next());
    if (next.done) break;
    // A glob `*` also matches ':': keep only keys that decode as this entity, each once.
    const own = next.value.filter((key) => keys.decode(key) !== undefined && seen.add(key));
    if (own.length === 0) continue;
    const groups = new Map<string | undefined, string[]>();
    for (const key of own) {
      const index = indexes.indexOf(key);
      const group = groups.get(index);
      if (group) group.push(key);
      else groups.set(index, [key]);
    }
    for (const [index, group] of groups) {
      if (index === undefined) {
        live += group.length;
        continue;
      }
      used.add(index);
      live += await call(() => store.indexSync(index, group));
      if (fieldEntries !== undefined) {
        const entries = await call(() => fieldEntries(group));
        if (entries.length > 0) await call(() => store.fieldSync(index, entries));
      }
    }
  }
  const { single, registry } = indexes;
  if (single === undefined && registry === undefined) return live;
  const sets = new Set(used);
  if (single !== undefined) sets.add(single);
  if (registry !== undefined) {
    for (const chunk of chunks([...used], batchSize)) await call(() => store.indexSync(registry, chunk));
    const listed = store.indexScan(registry, { count: batchSize })[Symbol.asyncIterator]();
    for (;;) {
      const next = await call(() => listed.next());
      if (next.done) break;
      for (const index of next.value) sets.add(index);
    }
  }
  for (const index of sets) {
    await call(() => store.indexPrune(index));
    // In key order (a range over the entity's base): the syncs below move scores, which would shift an
    // expiry-order walk under itself.
    const members = store.indexScan(index, { prefix: keys.base, count: batchSize })[Symbol.asyncIterator]();
    for (;;) {
      const next = await call(() => members.next());
      if (next.done) break;
      await call(() => store.indexSync(index, next.value));
    }
  }
  if (registry !== undefined) {
    for (const chunk of chunks([...sets], batchSize)) await call(() => store.indexSync(registry, chunk));
  }
  return live;
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
