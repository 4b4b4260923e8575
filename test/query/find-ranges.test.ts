/**
 * Range matchers and orderBy end to end, on the MemoryStore, on real Redis and on the run's Redis
 * Cluster, with both strategies (scan, index) and both key layouts (plain, `hashTag: ['tenantId']`):
 * the same pattern gives the same results, in the same order, everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { between, defineEntity, gt, gte, InvalidQueryError, lt, lte, MAX_IN_MEMORY_ORDER, oneOf, prefix, type Cache } from 'cacheorm';
import { rangeSchema, type RangeRow } from '../support/entities.js';
import { backends, clusterBackend } from '../support/backends.js';

type Row = RangeRow;

const strategies = ['scan', 'index'] as const;
const layouts = ['plain', 'hashTag'] as const;

const entityFor = (find: 'scan' | 'index', layout: (typeof layouts)[number]) =>
  defineEntity({ name: 'rng', key: ['tenantId', 'seq'], schema: rangeSchema, ttl: '10m', find, ...(layout === 'hashTag' ? { hashTag: ['tenantId'] as const } : {}) });

const day = 86_400_000;
// seq 1..12: ages repeat (ties), two ages missing, totals beyond 2^53, dates a day apart.
const rows: Row[] = Array.from({ length: 12 }, (_, i) => ({
  tenantId: 't',
  seq: i + 1,
  ...(i % 5 === 4 ? {} : { age: 20 + (i % 4) * 10 }),
  total: 2n ** 60n + BigInt(i * 7 - 30),
  at: new Date(Date.UTC(2026, 0, 1) + i * day),
  name: `n${String.fromCharCode(97 + ((i * 5) % 12))}`,
}));
const seqs = (list: readonly { seq: number }[]) => list.map((r) => r.seq);

describe.each([...backends, clusterBackend])('ranges and orderBy on $name', (backend) => {
  beforeAll(async () => {
    await backend.ready?.();
  }, 90_000);

  describe.each(strategies.flatMap((s) => layouts.map((l) => [s, l] as const)))('with find: %s, %s keys', (strategy, layout) => {
    let cache: Cache;
    const Rng = entityFor(strategy, layout);
    const repo = () => cache.getRepository(Rng);

    beforeAll(async () => {
      cache = backend.cache();
      await repo().save(rows);
      await repo().save({ ...rows[0]!, tenantId: 'other' }); // another tenant, never in the results
    });
    afterAll(() => cache.close());

    const found = async (pattern: object) => seqs(await repo().find({ tenantId: 't', ...pattern } as never).toArray()).sort((a, b) => a - b);
    const brute = (test: (r: Row) => boolean) => seqs(rows.filter(test));

    it('ranges on number, bigint and Date fields, bounds included or not', async () => {
      expect(await found({ age: gt(30) })).toEqual(brute((r) => r.age !== undefined && r.age > 30));
      expect(await found({ age: gte(30) })).toEqual(brute((r) => r.age !== undefined && r.age >= 30));
      expect(await found({ age: lt(30) })).toEqual(brute((r) => r.age !== undefined && r.age < 30));
      expect(await found({ age: lte(30) })).toEqual(brute((r) => r.age !== undefined && r.age <= 30));
      expect(await found({ age: between(30, 40) })).toEqual(brute((r) => r.age !== undefined && r.age >= 30 && r.age <= 40));
      const big = 2n ** 60n;
      expect(await found({ total: between(big - 2n, big + 12n) })).toEqual(brute((r) => r.total >= big - 2n && r.total <= big + 12n));
      expect(await found({ total: gt(big) })).toEqual(brute((r) => r.total > big));
      const from = new Date(Date.UTC(2026, 0, 4));
      expect(await found({ at: gte(from) })).toEqual(brute((r) => r.at >= from));
      expect(await found({ at: lt(from) })).toEqual([1, 2, 3]);
      expect(await found({ age: between(1000, 2000) })).toEqual([]);
    });

    it('ranges on a key field (a wildcard part re-checked on the key), with other conditions', async () => {
      expect(await found({ seq: between(3, 7) })).toEqual([3, 4, 5, 6, 7]);
      expect(await found({ seq: gt(10) })).toEqual([11, 12]);
      expect(await found({ seq: lte(4), age: gte(30) })).toEqual(brute((r) => r.seq <= 4 && r.age !== undefined && r.age >= 30));
      expect(await found({ seq: gte(2), name: prefix('n'), age: oneOf([20, 50]) })).toEqual(brute((r) => r.seq >= 2 && (r.age === 20 || r.age === 50)));
      expect(await repo().find({ tenantId: 't', seq: between(3, 7) }).count()).toBe(5);
      expect((await repo().find({ seq: gt(0) }).keys().toArray()).length).toBe(13);
    });

    it('orderBy asc/desc with limit: ties by key in the direction, missing values last', async () => {
      const asc = seqs(await repo().find({ tenantId: 't' }, { orderBy: { age: 'asc' } }).toArray());
      const present = rows.filter((r) => r.age !== undefined);
      const byKey = (a: Row, b: Row) => (repo().keyOf(a) < repo().keyOf(b) ? -1 : 1);
      const expectedAsc = [...present].sort((a, b) => a.age! - b.age! || byKey(a, b));
      const missing = rows.filter((r) => r.age === undefined).sort(byKey);
      expect(asc).toEqual(seqs([...expectedAsc, ...missing]));
      const desc = seqs(await repo().find({ tenantId: 't' }, { orderBy: { age: 'desc' } }).toArray());
      expect(desc).toEqual(seqs([...[...expectedAsc].reverse(), ...missing]));
      expect(seqs(await repo().find({ tenantId: 't' }, { orderBy: { age: 'desc' }, limit: 3 }).toArray())).toEqual(desc.slice(0, 3));
      expect(seqs(await repo().find({ tenantId: 't' }, { orderBy: { age: 'desc' } }).limit(4).toArray())).toEqual(desc.slice(0, 4));
      expect((await repo().find({ tenantId: 't' }, { orderBy: { age: 'asc' } }).first())?.seq).toBe(asc[0]);
      const iterated: number[] = [];
      for await (const r of repo().find({ tenantId: 't', age: gte(30) }, { orderBy: { at: 'desc' }, limit: 5 })) iterated.push(r.seq);
      expect(iterated).toEqual(seqs(rows.filter((r) => r.age !== undefined && r.age >= 30).sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, 5)));
    });

    it('orderBy on bigint, string and key fields; keys() follows the order, count() ignores it', async () => {
      expect(seqs(await repo().find({ tenantId: 't' }, { orderBy: { total: 'desc' }, limit: 2 }).toArray())).toEqual([12, 11]);
      const byName = [...rows].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : byKeyText(a, b)));
      expect(seqs(await repo().find({ tenantId: 't' }, { orderBy: { name: 'asc' } }).toArray())).toEqual(seqs(byName));
      expect(seqs(await repo().find({ tenantId: 't' }, { orderBy: { seq: 'desc' } }).keys().toArray())).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
      expect(seqs(await repo().find({ tenantId: 't', seq: gt(6) }, { orderBy: { seq: 'asc' }, limit: 2 }).keys().toArray())).toEqual([7, 8]);
      expect(seqs(await repo().find({ tenantId: 't' }, { orderBy: { age: 'asc' }, limit: 3 }).keys().toArray())).toEqual(
        seqs(await repo().find({ tenantId: 't' }, { orderBy: { age: 'asc' }, limit: 3 }).toArray()),
      );
      expect(await repo().find({ tenantId: 't' }, { orderBy: { age: 'asc' }, limit: 3 }).count()).toBe(3);
      expect(await repo().find({ tenantId: 't' }, { orderBy: { age: 'asc' } }).count()).toBe(12);
      function byKeyText(a: Row, b: Row) {
        return repo().keyOf(a) < repo().keyOf(b) ? -1 : 1;
      }
    });

    it('explain() shows the ranges and the in-memory order', () => {
      const text = repo().find({ tenantId: 't', seq: gt(3), age: between(20, 40) }, { orderBy: { age: 'desc' }, limit: 5 }).explain();
      expect(text).toMatch(/key filter: tenantId = "t"; seq > 3/);
      expect(text).toMatch(/residual: age between 20 and 40 \(inclusive\)/);
      expect(text).toMatch(/order: age desc, .*sorted in memory/);
      expect(text).toMatch(/limit: 5$/);
    });

    it('delete() with orderBy and limit removes the first matches in order; without a limit, every match', async () => {
      const extra = [1, 2, 3, 4, 5].map((i) => ({ ...rows[0]!, tenantId: 'del', seq: i, age: 10 * (6 - i) }));
      await repo().save(extra);
      expect(await repo().find({ tenantId: 'del' }, { orderBy: { age: 'asc' }, limit: 2 }).delete()).toBe(2);
      expect(seqs(await repo().find({ tenantId: 'del' }, { orderBy: { seq: 'asc' } }).toArray())).toEqual([1, 2, 3]);
      expect(await repo().find({ tenantId: 'del', seq: gte(2) }, { orderBy: { age: 'desc' } }).delete()).toBe(2);
      expect(seqs(await repo().find({ tenantId: 'del' }).toArray())).toEqual([1]);
      expect(await repo().find({ tenantId: 'del' }, { orderBy: { seq: 'desc' }, limit: 5 }).delete()).toBe(1);
    });

    it('rejects bad ranges, orderBy and limit with InvalidQueryError before sending anything', () => {
      expect(() => repo().find({ name: gt(1) } as never)).toThrow(InvalidQueryError);
      expect(() => repo().find({ age: gt(1n) } as never)).toThrow(/holds number values/);
      expect(() => repo().find({ tenantId: lt(1) } as never)).toThrow(InvalidQueryError);
      expect(() => repo().find({}, { orderBy: { nope: 'asc' } } as never)).toThrow(InvalidQueryError);
      expect(() => repo().find({}, { limit: 0 })).toThrow(/limit 0\. Pass a positive integer/);
      expect(() => repo().find({}, { limit: 1.5 })).toThrow(InvalidQueryError);
      expect(() => repo().find({}).limit(-1)).toThrow(InvalidQueryError);
    });
  });

  it(`orders in memory up to MAX_IN_MEMORY_ORDER matches, and beyond it says how to index`, async () => {
    const cache = backend.cache();
    const repo = cache.getRepository(entityFor('index', 'plain'));
    const many = Array.from({ length: MAX_IN_MEMORY_ORDER + 1 }, (_, i) => ({ ...rows[0]!, tenantId: 'many', seq: i, age: i % 100 }));
    for (let i = 0; i < many.length; i += 1000) await repo.save(many.slice(i, i + 1000));
    const error = await repo.find({ tenantId: 'many' }, { orderBy: { age: 'desc' }, limit: 10 }).toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidQueryError);
    expect((error as Error).message).toMatch(/orders by "age" in memory .* more than 10000 entities .*@Field\(schema, \{ index: true \}\) on "age", or defineEntity\(\{ \.\.\., indexes: \['age'\] \}\)/);
    await expect(repo.find({ tenantId: 'many' }, { orderBy: { seq: 'asc' } }).keys().toArray()).rejects.toThrow(/Key fields are not kept in value order/);
    // At the cap itself it sorts; count() and an unlimited delete() ignore the order and never hit it.
    const top = await repo.find({ tenantId: 'many', seq: gte(1) }, { orderBy: { age: 'desc' }, limit: 3 }).toArray();
    expect(top.map((r) => r.age)).toEqual([99, 99, 99]);
    expect(await repo.find({ tenantId: 'many' }, { orderBy: { age: 'desc' } }).count()).toBe(MAX_IN_MEMORY_ORDER + 1);
    expect(await repo.find({ tenantId: 'many' }, { orderBy: { age: 'desc' } }).delete()).toBe(MAX_IN_MEMORY_ORDER + 1);
    await cache.close();
  }, 60_000);
});
