/**
 * Field indexes end to end (docs/find.md, "Field indexes"), on the MemoryStore, real Redis and the run's
 * Redis Cluster, with plain and hash-tag keys: the plans they give, and results equal to a filter of
 * what was saved, in order when `orderBy` streams from an index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { between, createCache, defineEntity, gt, gte, lt, oneOf, prefix, type Cache } from 'cacheorm';
import { backends, clusterBackend } from '../support/backends.js';

const schema = z.object({
  tenantId: z.string(),
  id: z.int(),
  email: z.string(),
  age: z.int(),
  score: z.number().optional(),
  status: z.enum(['new', 'paid', 'void']),
  total: z.bigint(),
  at: z.date(),
  vip: z.boolean(),
  note: z.string(),
});
type Row = z.output<typeof schema>;
const indexes = ['email', 'age', 'score', 'status', 'total', 'at', 'vip'] as const;
const layouts = ['plain', 'hashTag'] as const;
const entityFor = (layout: (typeof layouts)[number]) =>
  defineEntity({ name: 'fidx', key: ['tenantId', 'id'], schema, ttl: '10m', indexes, ...(layout === 'hashTag' ? { hashTag: ['tenantId'] as const } : {}) });

const hostile = ['*', '[a-z]', '\\', '%2A', 'a:b', 'ключ', '😀', 'a\0b', "') redis.call('FLUSHALL') --"];
const rows: Row[] = Array.from({ length: 60 }, (_, i) => ({
  tenantId: i % 3 === 0 ? 'acme' : 'globex',
  id: i,
  email: i < hostile.length ? hostile[i]! : `u${i % 7}@x.test`,
  age: 18 + (i % 11),
  ...(i % 4 === 0 ? {} : { score: (i % 9) - 4.5 }),
  status: (['new', 'paid', 'void'] as const)[i % 3]!,
  total: BigInt(i - 30) * 10n ** 20n,
  at: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000),
  vip: i % 5 === 0,
  note: `n${i}`,
}));
const ids = (list: readonly { id: number }[]) => list.map((r) => r.id);
const sorted = (list: readonly { id: number }[]) => ids(list).sort((a, b) => a - b);

describe.each([...backends, clusterBackend])('field indexes on $name', (backend) => {
  beforeAll(async () => {
    await backend.ready?.();
  }, 90_000);

  describe.each(layouts)('with %s keys', (layout) => {
    let cache: Cache;
    const Fidx = entityFor(layout);
    const repo = () => cache.getRepository(Fidx);
    let live: Row[] = [...rows];

    beforeAll(async () => {
      cache = backend.cache();
      await repo().save(rows);
    });
    afterAll(() => cache.close());

    const find = async (pattern: object) => sorted(await repo().find(pattern as never).toArray());
    const brute = (test: (r: Row) => boolean) => sorted(live.filter(test));

    it('answers equality, oneOf, ranges and intersections from the field index, re-checked on values', async () => {
      const q = repo().find({ email: 'u3@x.test' });
      expect(q.plan.kind).toBe('field');
      expect(q.explain()).toMatch(/field index "email" \(equality on indexed field "email"/);
      expect(await find({ email: 'u3@x.test' })).toEqual(brute((r) => r.email === 'u3@x.test'));
      expect(await find({ status: oneOf(['void', 'new']) })).toEqual(brute((r) => r.status !== 'paid'));
      expect(await find({ age: between(20, 22) })).toEqual(brute((r) => r.age >= 20 && r.age <= 22));
      expect(await find({ score: lt(0) })).toEqual(brute((r) => r.score !== undefined && r.score < 0));
      expect(await find({ total: gte(0n) })).toEqual(brute((r) => r.total >= 0n));
      expect(await find({ at: gt(new Date(Date.UTC(2026, 0, 2))) })).toEqual(brute((r) => r.at > new Date(Date.UTC(2026, 0, 2))));
      expect(await find({ vip: true })).toEqual(brute((r) => r.vip));
      const scores = [-0.5, 0.5, 1.5, 2.5, 3.5];
      const both = repo().find({ email: oneOf(['u3@x.test', 'u4@x.test']), score: oneOf(scores), vip: false, age: gt(20), note: prefix('n') });
      expect(both.plan.kind).toBe('field');
      expect(both.explain()).toMatch(/intersect: the keys of field index "score"/);
      expect(sorted(await both.toArray())).toEqual(
        brute((r) => ['u3@x.test', 'u4@x.test'].includes(r.email) && r.score !== undefined && scores.includes(r.score) && !r.vip && r.age > 20),
      );
      const few = repo().find({ status: 'paid', vip: false, age: gt(20), note: prefix('n1') }); // booleans and small enums are not selective
      expect(few.explain()).toMatch(/field index "age" \(one-sided range/);
      expect(sorted(await few.toArray())).toEqual(brute((r) => r.status === 'paid' && !r.vip && r.age > 20 && r.note.startsWith('n1')));
      expect(await find({ tenantId: 'acme', status: 'paid' })).toEqual(brute((r) => r.tenantId === 'acme' && r.status === 'paid'));
      expect(await repo().find({ age: 25 }).count()).toBe(brute((r) => r.age === 25).length);
    });

    it('indexes what getOrLoad caches, and an insert or update', async () => {
      const loaded = { ...rows[0]!, id: 1000, email: 'loaded@x.test' };
      await repo().getOrLoad({ tenantId: loaded.tenantId, id: 1000 }, () => loaded);
      expect(await find({ email: 'loaded@x.test' })).toEqual([1000]);
      expect(await repo().insert({ ...loaded, id: 1001 })).toBe(true);
      expect(await repo().update({ ...loaded, email: 'updated@x.test' })).toBe(true);
      expect(await find({ email: 'loaded@x.test' })).toEqual([1001]);
      expect(await find({ email: 'updated@x.test' })).toEqual([1000]);
      await repo().delete([{ tenantId: loaded.tenantId, id: 1000 }, { tenantId: loaded.tenantId, id: 1001 }]);
      expect(await find({ email: oneOf(['loaded@x.test', 'updated@x.test']) })).toEqual([]);
    });

    it('finds hostile strings as themselves only', async () => {
      for (const email of hostile) expect(await find({ email }), JSON.stringify(email)).toEqual(brute((r) => r.email === email));
    });

    it('streams orderBy on an indexed field in index order, with limit, both directions', async () => {
      const q = repo().find({ age: gte(20) }, { orderBy: { age: 'desc' }, limit: 7 });
      expect(q.plan.order?.inMemory).toBe(layout === 'hashTag'); // across tags: each tag's index in turn, sorted in memory
      const expected = live
        .filter((r) => r.age >= 20)
        .sort((a, b) => b.age - a.age || (`${b.id}` < `${a.id}` ? -1 : 1));
      const got = await q.toArray();
      expect(got.map((r) => r.age)).toEqual(expected.slice(0, 7).map((r) => r.age));
      const up = await repo().find({ tenantId: 'acme' }, { orderBy: { total: 'asc' }, limit: 5 }).toArray();
      expect(up.map((r) => r.total)).toEqual(live.filter((r) => r.tenantId === 'acme').map((r) => r.total).sort((a, b) => (a < b ? -1 : 1)).slice(0, 5));
    });

    it('never finds a changed value under its old one, nor a deleted or expired entity', async () => {
      const changed = { ...rows[30]!, email: 'moved@x.test', age: 99 };
      await repo().save(changed);
      live = live.map((r) => (r.id === 30 ? changed : r));
      expect(await find({ email: rows[30]!.email })).toEqual(brute((r) => r.email === rows[30]!.email));
      expect(await find({ email: 'moved@x.test' })).toEqual([30]);
      await repo().delete({ tenantId: rows[31]!.tenantId, id: 31 });
      await repo().save({ ...rows[32]!, age: 99 }, { ttl: 50 });
      live = live.filter((r) => r.id !== 31 && r.id !== 32);
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await find({ age: 99 })).toEqual([30]);
      expect(await find({ age: rows[31]!.age })).toEqual(brute((r) => r.age === rows[31]!.age));
      expect(await repo().find({ status: 'void', vip: false }).delete()).toBe(brute((r) => r.status === 'void' && !r.vip).length);
      live = live.filter((r) => !(r.status === 'void' && !r.vip));
      expect(await find({ status: 'void' })).toEqual(brute((r) => r.status === 'void'));
    });

    it('rebuilds field indexes with reindex() after writes that bypassed them', async () => {
      // The same entity declared without field indexes (another service, an older deploy) writes new values.
      const Plain = defineEntity({ name: 'fidx', key: ['tenantId', 'id'], schema, ttl: '10m', find: 'index', ...(layout === 'hashTag' ? { hashTag: ['tenantId'] as const } : {}) });
      const bypass = live.slice(0, 10).map((r) => ({ ...r, status: 'new' as const, email: `bypass${r.id}@x.test` }));
      const other = createCache({ store: cache.store, prefix: cache.prefix });
      await other.getRepository(Plain).save(bypass);
      await other.close();
      live = live.map((r) => bypass.find((b) => b.id === r.id) ?? r);
      expect(await find({ email: 'bypass0@x.test' })).toEqual([]); // not indexed yet: the index is stale
      expect(await repo().reindex({ batchSize: 7 })).toBe(live.length);
      for (const b of bypass) expect(await find({ email: b.email })).toEqual([b.id]);
      expect(await find({ status: 'new' })).toEqual(brute((r) => r.status === 'new'));
      expect(await find({ email: rows[12]!.email })).toEqual(brute((r) => r.email === rows[12]!.email));
    });
  });
});
