/**
 * Running a field-index plan (`kind: 'field'`): the entries of its ranges, index set by index set,
 * kept to the keys of its intersected conditions. See docs/find.md, "Field indexes". @internal
 */
import type { FieldHit, Store } from '../store/store.js';
import type { FieldProbe, QueryPlan } from './plan.js';

/** The most keys an intersected condition may list; beyond it the walk does without it (the values re-check it). */
export const MAX_INTERSECT_KEYS = 100_000;

type FieldPlan = Extract<QueryPlan, { kind: 'field' }>;

/** The index sets a plan reads: its own (pruned first), or every set the registry lists (each pruned when reached). */
async function* indexSets(store: Store, plan: FieldPlan): AsyncGenerator<string> {
  if (!plan.perTag) {
    await store.indexPrune(plan.index);
    yield plan.index;
    return;
  }
  const done = new Set<string>();
  for await (const sets of store.indexScan(plan.index, { count: plan.count })) {
    for (const index of sets) {
      if (done.has(index)) continue;
      done.add(index);
      await store.indexPrune(index);
      yield index;
    }
  }
}

/** Every entry of `probe` in `index`, in range order. */
async function* entries(store: Store, index: string, probe: FieldProbe, reverse: boolean, count: number): AsyncGenerator<FieldHit[]> {
  for (const { min, max } of probe.ranges) {
    yield* store.fieldScan(index, { field: probe.tag, ...(min ? { min } : {}), ...(max ? { max } : {}), reverse, count });
  }
}

/** The keys listed under `probe` across `sets`, or `undefined` once more than {@link MAX_INTERSECT_KEYS}. */
async function keysOf(store: Store, sets: readonly string[], probe: FieldProbe, count: number): Promise<Set<string> | undefined> {
  const out = new Set<string>();
  for (const index of sets) {
    for await (const hits of entries(store, index, probe, false, count)) {
      for (const [key] of hits) out.add(key);
      if (out.size > MAX_INTERSECT_KEYS) return undefined;
    }
  }
  return out;
}

/**
 * The entries of a field plan: for each index set, each range in order (descending with `reverse`),
 * keeping only keys listed by every intersected condition. Batches may be empty-free but keys may
 * repeat across ranges or sets (callers de-duplicate).
 *
 * @example
 * for await (const hits of fieldPlanHits(store, plan)) console.log(hits.map(([key]) => key));
 */
export async function* fieldPlanHits(store: Store, plan: FieldPlan): AsyncGenerator<FieldHit[]> {
  let sets: AsyncIterable<string> | string[] = indexSets(store, plan);
  let only: Set<string>[] = [];
  if (plan.intersect.length > 0) {
    const listed: string[] = [];
    for await (const index of sets) listed.push(index);
    sets = listed;
    for (const probe of plan.intersect) {
      const keys = await keysOf(store, listed, probe, plan.count);
      if (keys !== undefined) only.push(keys);
    }
    only = only.sort((a, b) => a.size - b.size);
  }
  for await (const index of sets) {
    for await (const hits of entries(store, index, plan, plan.reverse, plan.count)) {
      const kept = only.length === 0 ? hits : hits.filter(([key]) => only.every((set) => set.has(key)));
      if (kept.length > 0) yield kept;
    }
  }
}
