/**
 * The streams around a `Query`: the reads of a walking plan (SCAN, one index set or every tag's set, a
 * field index), and `ResultStream`, what `keys()` answers.
 */
import type { FieldHit, IndexScanOptions, Store } from '../store/store.js';
import { fieldPlanHits } from './field-walk.js';
import type { QueryPlan } from './plan.js';

/**
 * An async stream with a `toArray()` shortcut.
 *
 * @example
 * for await (const key of repo.find({ tenantId: 'acme' }).keys()) console.log(key.id);
 * const all = await repo.find({ tenantId: 'acme' }).keys().toArray();
 */
export interface ResultStream<T> extends AsyncIterable<T> {
  /** Collects the whole stream (mind the size of the result). */
  toArray(): Promise<T[]>;
}

/** Reads a whole stream into an array. @internal */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** The `indexScan` options of an index plan. @internal */
export function indexScanOptions(plan: Extract<QueryPlan, { kind: 'index' }>): IndexScanOptions {
  return {
    ...(plan.match === undefined ? {} : { match: plan.match }),
    ...(plan.prefix === undefined ? {} : { prefix: plan.prefix }),
    count: plan.count,
  };
}

/**
 * Members of every index set the registry `registry` lists (hash-tag entities, a pattern that does not
 * fix the tag): each set is pruned, then scanned with `options`, one after the other. @internal
 */
export async function* eachTagIndex(store: Store, registry: string, options: IndexScanOptions): AsyncGenerator<string[]> {
  const done = new Set<string>();
  for await (const sets of store.indexScan(registry, { count: options.count ?? 1000 })) {
    for (const index of sets) {
      if (done.has(index)) continue;
      done.add(index);
      await store.indexPrune(index);
      yield* store.indexScan(index, options);
    }
  }
}

/** Adds `key` to `set`; answers whether it was new. @internal */
export function addNew(set: Set<string>, key: string): boolean {
  if (set.has(key)) return false;
  set.add(key);
  return true;
}

/**
 * The raw stream of a walking plan: batches of keys (`scan`, `index`) or of `[key, listed value]`
 * (`field`). May repeat keys. @internal
 *
 * @example
 * for await (const batch of planStream(store, plan)) console.log(batch.length);
 */
export function planStream(store: Store, plan: Extract<QueryPlan, { kind: 'scan' | 'index' | 'field' }>): AsyncIterable<readonly (string | FieldHit)[]> {
  if (plan.kind === 'field') return fieldPlanHits(store, plan);
  if (plan.kind === 'scan') return store.scan(plan.match, { count: plan.count });
  return plan.perTag ? eachTagIndex(store, plan.index, indexScanOptions(plan)) : store.indexScan(plan.index, indexScanOptions(plan));
}
