/**
 * find() end to end, on the MemoryStore, on real Redis and on the run's Redis Cluster, with both
 * strategies (scan, index) and both key layouts (plain, and `hashTag: ['tenantId']`, which writes
 * `{tenant}` and keeps one index set per tenant): the same pattern gives the same results everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contains, createCache, defineEntity, InvalidQueryError, oneOf, prefix, suffix, type Cache, type EntityTarget } from 'cacheorm';
import { backends, clusterBackend, sleep } from '../support/backends.js';

const schema = z.object({
  tenantId: z.string(),
  id: z.string(),
  userId: z.int(),
  email: z.string(),
  lastSeen: z.date(),
  roles: z.set(z.string()),
});

const strategies = ['scan', 'index'] as const;
const layouts = ['plain', 'hashTag'] as const;
type Layout = (typeof layouts)[number];

function makeEntities(find: 'scan' | 'index', layout: Layout = 'plain') {
  const hashTag = layout === 'hashTag' ? { hashTag: ['tenantId'] as const } : {};
  return {
    Session: defineEntity({ name: 'session', key: ['tenantId', 'id'], schema, ttl: '10m', find, ...hashTag }),
    // Another entity whose keys share the keyspace and look alike.
    Other: defineEntity({ name: 'session2', key: ['tenantId', 'id'], schema, ttl: '10m', find, ...hashTag }),
  };
}

/** How a tenant's key part is written in a layout: `acme`, or `{acme}` inside a hash tag. */
const tenantPart = (layout: Layout, encoded: string) => (layout === 'hashTag' ? `{${encoded}}` : encoded);

type SessionData = z.output<typeof schema>;
const at = new Date('2026-11-01T00:00:00.000Z');
const row = (tenantId: string, id: string, userId = 1, email = `${id}@acme.test`): SessionData => ({
  tenantId,
  id,
  userId,
  email,
  lastSeen: at,
  roles: new Set(['user']),
});

const tenants = ['acme', 'acme2', 'ac', '*', 'a?c', 'abc', '[ab]', 'a', 'b', 'x\\', 'x', 'a:b', '{t}', '%41', 'A', ''];

describe.each([...backends, clusterBackend])('find on $name', (backend) => {
  beforeAll(async () => {
    await backend.ready?.();
  }, 90_000);

  describe.each(strategies.flatMap((strategy) => layouts.map((layout) => [strategy, layout] as const)))('with find: %s, %s keys', (strategy, layout) => {
    let cache: Cache;
    const { Session, Other } = makeEntities(strategy, layout);
    const repo = () => cache.getRepository(Session);

    beforeAll(async () => {
      cache = backend.cache();
      const rows: SessionData[] = [];
      for (const t of tenants) for (let i = 0; i < 3; i++) rows.push(row(t, `s${i}`, i));
      rows.push(row('acme', 'a1x', 7, 'boss@corp.test'), row('acme', 'a1y', 7), row('acme', 'b1', 8, 'eve@corp.test'));
      await repo().save(rows);
      await cache.getRepository(Other).save([row('acme', 'zz'), row('*', 'zz')]);
      // A foreign key under the same prefix and entity segment, with the wrong part count.
      await cache.store.write([{ key: `${cache.prefix}:session:${tenantPart(layout, 'acme')}:s9:extra`, value: 'x', ttl: 60_000 }]);
    });
    afterAll(() => cache.close());

    const ids = async (pattern: Parameters<ReturnType<typeof repo>['find']>[0]) =>
      (await repo().find(pattern).toArray()).map((s) => `${s.tenantId}/${s.id}`).sort();

    it('all key fields literal: GET', async () => {
      const q = repo().find({ tenantId: 'acme', id: 's1' });
      expect(q.plan.kind).toBe('get');
      expect(await q.toArray()).toEqual([row('acme', 's1', 1)]);
      expect(await repo().find({ tenantId: 'acme', id: 'nope' }).toArray()).toEqual([]);
    });

    it('literals and oneOf: MGET of the product', async () => {
      const q = repo().find({ tenantId: oneOf(['acme', 'b']), id: oneOf(['s0', 's2', 'nope']) });
      expect(q.plan.kind).toBe('mget');
      expect((await q.toArray()).map((s) => `${s.tenantId}/${s.id}`).sort()).toEqual(['acme/s0', 'acme/s2', 'b/s0', 'b/s2']);
    });

    it('one tenant: SCAN MATCH (or index) and nothing of other tenants, entities or prefixes', async () => {
      const q = repo().find({ tenantId: 'acme' });
      expect(q.plan.kind).toBe(strategy);
      expect(await ids({ tenantId: 'acme' })).toEqual(['acme/a1x', 'acme/a1y', 'acme/b1', 'acme/s0', 'acme/s1', 'acme/s2']);
    });

    it.each(tenants)('tenant %j matches only itself', async (tenant) => {
      const found = await repo().find({ tenantId: tenant }).toArray();
      expect(found.length).toBeGreaterThanOrEqual(3);
      expect(found.every((s) => s.tenantId === tenant)).toBe(true);
      const viaPrefix = await repo().find({ tenantId: tenant, id: prefix('s') }).toArray();
      expect(viaPrefix.map((s) => s.id).sort()).toEqual(['s0', 's1', 's2']);
    });

    it('matchers on key fields are literal text, never globs', async () => {
      expect(await ids({ tenantId: prefix('a*') })).toEqual([]);
      expect(await ids({ tenantId: prefix('a?') })).toEqual(['a?c/s0', 'a?c/s1', 'a?c/s2']);
      expect(await ids({ tenantId: suffix('\\') })).toEqual(['x\\/s0', 'x\\/s1', 'x\\/s2']);
      expect(await ids({ tenantId: contains(':') })).toEqual(['a:b/s0', 'a:b/s1', 'a:b/s2']);
      expect(await ids({ tenantId: 'acme', id: prefix('a1') })).toEqual(['acme/a1x', 'acme/a1y']);
    });

    it('residual filters on non-key fields, by value for Date and Set', async () => {
      expect(await ids({ tenantId: 'acme', email: contains('@corp') })).toEqual(['acme/a1x', 'acme/b1']);
      expect(await ids({ tenantId: 'acme', userId: 7 })).toEqual(['acme/a1x', 'acme/a1y']);
      expect(await ids({ tenantId: 'acme', userId: oneOf([7, 8]) })).toEqual(['acme/a1x', 'acme/a1y', 'acme/b1']);
      expect((await ids({ tenantId: 'b', lastSeen: new Date(at.getTime()) })).length).toBe(3);
      expect((await ids({ tenantId: 'b', roles: new Set(['user']) })).length).toBe(3);
      expect(await ids({ tenantId: 'b', lastSeen: new Date(0) })).toEqual([]);
    });

    it('first, count, limit, keys', async () => {
      expect((await repo().find({ tenantId: 'acme' }).first())?.tenantId).toBe('acme');
      expect(await repo().find({ tenantId: 'nobody' }).first()).toBeUndefined();
      expect(await repo().find({ tenantId: 'acme' }).count()).toBe(6);
      expect(await repo().find({ tenantId: 'acme', email: contains('@corp') }).count()).toBe(2);
      expect(await repo().find({ tenantId: 'acme' }).limit(4).toArray()).toHaveLength(4);
      expect(await repo().find({ tenantId: 'acme' }, { limit: 2, batchSize: 1 }).toArray()).toHaveLength(2);
      const keys = await repo().find({ tenantId: 'acme', id: prefix('a1') }).keys().toArray();
      expect(keys.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
        { tenantId: 'acme', id: 'a1x' },
        { tenantId: 'acme', id: 'a1y' },
      ]);
    });

    it('explain() names the plan', () => {
      const text = repo().find({ tenantId: 'acme', id: prefix('a1'), email: contains('@corp') }).explain();
      expect(text).toContain(`${cache.prefix}:session:${tenantPart(layout, 'acme')}:a1`);
      expect(text).toMatch(/email/);
    });

    it('delete() removes only the matches and answers the count', async () => {
      await repo().save([row('gone', 'g1'), row('gone', 'g2'), row('gone', 'k1', 1, 'keep@corp.test')]);
      expect(await repo().find({ tenantId: 'gone', email: contains('@acme') }).delete()).toBe(2);
      expect(await ids({ tenantId: 'gone' })).toEqual(['gone/k1']);
      expect(await repo().find({ tenantId: 'gone' }).delete()).toBe(1);
      expect(await repo().find({ tenantId: 'gone' }).count()).toBe(0);
    });

    it('skips keys that expire between listing and fetching', async () => {
      await repo().save([row('short', 'e1'), row('short', 'e2')], { ttl: 100 });
      await repo().save(row('short', 'keep'));
      await sleep(200);
      expect(await ids({ tenantId: 'short' })).toEqual(['short/keep']);
    });

    it('rejects a pattern that cannot run with InvalidQueryError', () => {
      expect(() => repo().find({ nope: 1 } as never)).toThrow(InvalidQueryError);
      expect(() => repo().find({ userId: prefix('1') } as never)).toThrow(InvalidQueryError);
      expect(() => repo().find({ tenantId: 42 } as never)).toThrow(InvalidQueryError);
    });
  });

  it('streams big results in batches and de-duplicates', async () => {
    const cache = backend.cache();
    const { Session } = makeEntities('scan');
    const repo = cache.getRepository(Session);
    const rows = Array.from({ length: 2500 }, (_, i) => row('big', `k${i}`));
    for (let i = 0; i < rows.length; i += 500) await repo.save(rows.slice(i, i + 500));
    let n = 0;
    const seen = new Set<string>();
    for await (const s of repo.find({ tenantId: 'big' }, { batchSize: 100 })) {
      n++;
      seen.add(s.id);
    }
    expect(n).toBe(2500);
    expect(seen.size).toBe(2500);
    expect(await repo.find({ tenantId: 'big' }).delete()).toBe(2500);
    await cache.close();
  });

  it.each(layouts)('index strategy (%s keys): delete removes members, expired members are pruned, reindex rebuilds', async (layout) => {
    const cache = backend.cache();
    const { Session } = makeEntities('index', layout);
    const repo = cache.getRepository(Session);
    await repo.save([row('t', 'a'), row('t', 'b'), row('t', 'c')]);
    await repo.save(row('t', 'short'), { ttl: 80 });
    await repo.delete({ tenantId: 't', id: 'b' });
    await sleep(150);
    expect(await ids(repo, { tenantId: 't' })).toEqual(['t/a', 't/c']);
    // keys written behind the index's back (another tool) are found again after reindex
    const { Session: Plain } = makeEntities('scan', layout);
    await createSibling(cache, Plain).save(row('t', 'd'));
    expect(await ids(repo, { tenantId: 't' })).toEqual(['t/a', 't/c']);
    expect(await repo.reindex()).toBe(3);
    expect(await ids(repo, { tenantId: 't' })).toEqual(['t/a', 't/c', 't/d']);
    await cache.close();
  });
});

async function ids(repo: { find(p: never): { toArray(): Promise<SessionData[]> } }, pattern: object): Promise<string[]> {
  return (await repo.find(pattern as never).toArray()).map((s) => `${s.tenantId}/${s.id}`).sort();
}

/** A repository of a scan-strategy twin of the entity, on the same store and prefix (writes skip the index). */
function createSibling(cache: Cache, entity: EntityTarget) {
  return createCache({ store: cache.store, prefix: cache.prefix }).getRepository(entity as never) as unknown as {
    save(e: SessionData): Promise<void>;
  };
}
