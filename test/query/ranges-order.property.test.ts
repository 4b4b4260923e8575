/**
 * Ranges + orderBy + limit against a brute-force filter and sort over the same random data, on the
 * MemoryStore (both strategies), on Redis and on Redis Cluster: zero differences. The oracle here is
 * written independently of src/query/compare.ts (strings by their UTF-8 bytes, ties by Redis key).
 *
 * PROPERTY_RUNS=2000 npx vitest run test/query/ranges-order.property.test.ts for a longer search.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { between, defineEntity, gt, gte, lt, lte, type Cache, type Range, type RangeValue } from 'cacheorm';
import { rangeSchema, type RangeRow } from '../support/entities.js';
import { backends, clusterBackend, type Backend } from '../support/backends.js';

type Row = RangeRow;
type Field = 'seq' | 'age' | 'total' | 'at' | 'name';

const BASE = 2n ** 60n;
const names = ['', 'a', 'b', 'ab', 'é', '\uFFFF', '\u{1F600}', 'Z'];
const row = fc.record({
  age: fc.option(fc.integer({ min: -4, max: 4 }), { nil: undefined }),
  total: fc.bigInt({ min: -4n, max: 4n }).map((n) => BASE + n),
  at: fc.integer({ min: 0, max: 5 }).map((d) => new Date(Date.UTC(2026, 0, 1 + d))),
  name: fc.constantFrom(...names),
});
const rowsArb = fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 25 }).chain((seqs) =>
  fc.tuple(...seqs.map((seq) => row.map((r) => ({ seq, ...r })))),
);

/** A range as data: the matcher is built from it, and the oracle tests it on its own. */
type RangeSpec<T> = { op: 'gt' | 'gte' | 'lt' | 'lte'; v: T } | { op: 'between'; lo: T; hi: T };
function rangeArb<T>(value: fc.Arbitrary<T>, le: (a: T, b: T) => boolean): fc.Arbitrary<RangeSpec<T>> {
  return fc.oneof(
    fc.record({ op: fc.constantFrom('gt' as const, 'gte' as const, 'lt' as const, 'lte' as const), v: value }),
    fc.tuple(value, value).map(([a, b]) => (le(a, b) ? { op: 'between' as const, lo: a, hi: b } : { op: 'between' as const, lo: b, hi: a })),
  );
}
const num = (t: RangeValue) => (t instanceof Date ? t.getTime() : t);
function matcher(spec: RangeSpec<RangeValue>): Range<RangeValue> {
  const make = { gt, gte, lt, lte } as unknown as Record<string, (v: RangeValue) => Range<RangeValue>>;
  return spec.op === 'between' ? (between as unknown as (a: RangeValue, b: RangeValue) => Range<RangeValue>)(spec.lo, spec.hi) : make[spec.op]!(spec.v);
}
function holds(spec: RangeSpec<RangeValue>, value: unknown): boolean {
  if (value === undefined) return false;
  const v = num(value as RangeValue);
  switch (spec.op) {
    case 'gt': return v > num(spec.v);
    case 'gte': return v >= num(spec.v);
    case 'lt': return v < num(spec.v);
    case 'lte': return v <= num(spec.v);
    case 'between': return v >= num(spec.lo) && v <= num(spec.hi);
  }
}

const date = fc.integer({ min: -1, max: 6 }).map((d) => new Date(Date.UTC(2026, 0, 1 + d)));
/** Each condition is present one time in three, so most queries keep some rows (and several often combine). */
const sometimes = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
const queryArb = fc
  .record({
    seq: sometimes(rangeArb(fc.integer({ min: -1, max: 41 }), (a, b) => a <= b)),
    age: sometimes(rangeArb(fc.integer({ min: -5, max: 5 }), (a, b) => a <= b)),
    total: sometimes(rangeArb(fc.bigInt({ min: -5n, max: 5n }).map((n) => BASE + n), (a, b) => a <= b)),
    at: sometimes(rangeArb(date, (a, b) => a.getTime() <= b.getTime())),
  })
  .map((q) => Object.fromEntries(Object.entries(q).filter(([, spec]) => spec !== undefined)) as Record<string, RangeSpec<RangeValue>>);
const orderArb = fc.option(fc.record({ field: fc.constantFrom<Field>('seq', 'age', 'total', 'at', 'name'), dir: fc.constantFrom('asc' as const, 'desc' as const) }), { nil: undefined });
const limitArb = fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined });

const bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
function compareField(a: unknown, b: unknown): number {
  if (typeof a === 'string') return bytes(a, b as string);
  const x = num(a as RangeValue);
  const y = num(b as RangeValue);
  return x < y ? -1 : x > y ? 1 : 0;
}
/** The documented order: values in the direction, ties by Redis key in the direction, missing values last by key. */
function oracleSort(rows: Row[], field: Field, dir: 'asc' | 'desc', keyOf: (r: Row) => string): Row[] {
  const sign = dir === 'asc' ? 1 : -1;
  const present = rows.filter((r) => r[field] !== undefined).sort((a, b) => sign * (compareField(a[field], b[field]) || bytes(keyOf(a), keyOf(b))));
  const missing = rows.filter((r) => r[field] === undefined).sort((a, b) => bytes(keyOf(a), keyOf(b)));
  return [...present, ...missing];
}

const RUNS = Number(process.env.PROPERTY_RUNS ?? 0);
const configs: { backend: Backend; find: 'scan' | 'index'; hashTag: boolean; runs: number }[] = [
  { backend: backends[0]!, find: 'scan', hashTag: false, runs: RUNS || 300 },
  { backend: backends[0]!, find: 'index', hashTag: true, runs: RUNS || 150 },
  { backend: backends[1]!, find: 'index', hashTag: false, runs: RUNS || 80 },
  { backend: clusterBackend, find: 'index', hashTag: true, runs: RUNS || 50 },
];

describe.each(configs)('ranges + orderBy + limit ≡ brute force on $backend.name (find: $find, hashTag: $hashTag)', ({ backend, find, hashTag, runs }) => {
  let cache: Cache;
  const Entity = defineEntity({ name: 'prop', key: ['tenantId', 'seq'], schema: rangeSchema, ttl: '10m', find, ...(hashTag ? { hashTag: ['tenantId'] as const } : {}) });
  beforeAll(async () => {
    await backend.ready?.();
    cache = backend.cache();
  }, 90_000);
  afterAll(() => cache.close());

  it('returns exactly the brute-force results, in the brute-force order', async () => {
    const repo = cache.getRepository(Entity);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(rowsArb, queryArb, orderArb, limitArb, async (generated, query, order, limit) => {
        const tenantId = `t${run++}`;
        const rows: Row[] = generated.map((r) => ({ tenantId, ...r }));
        await repo.save(rows);
        const pattern = Object.fromEntries(Object.entries(query).map(([f, spec]) => [f, matcher(spec)]));
        const options = { ...(order ? { orderBy: { [order.field]: order.dir } } : {}), ...(limit === undefined ? {} : { limit }) };
        const q = repo.find({ tenantId, ...pattern } as never, options as never);

        const matching = rows.filter((r) => Object.entries(query).every(([f, spec]) => holds(spec, r[f as Field])));
        const seqsOf = (list: readonly { seq: number }[]) => list.map((r) => r.seq);
        const got = seqsOf(await q.toArray());
        const gotKeys = seqsOf(await q.keys().toArray());
        const count = await q.count();
        const want = Math.min(matching.length, limit ?? Infinity);
        expect(count).toBe(want);
        if (order) {
          const expected = seqsOf(oracleSort(matching, order.field, order.dir, (r) => repo.keyOf(r)).slice(0, want));
          expect(got).toEqual(expected);
          expect(gotKeys).toEqual(expected);
          expect((await q.first())?.seq).toBe(expected[0]);
        } else {
          const all = new Set(seqsOf(matching));
          expect(got).toHaveLength(want);
          expect(got.every((s) => all.has(s))).toBe(true);
          expect(new Set(got).size).toBe(got.length);
          expect(gotKeys).toHaveLength(want);
          if (limit === undefined) expect([...got].sort((a, b) => a - b)).toEqual([...all].sort((a, b) => a - b));
        }
      }),
      { numRuns: runs },
    );
  }, 300_000);
});
