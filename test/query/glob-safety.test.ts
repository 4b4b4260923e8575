/**
 * Security: user text in a pattern can never widen a query. For tenants full of glob and separator
 * characters, the SCAN glob plus decode plus keyFilter (what Query runs) accepts exactly the intended
 * keys, checked with the Redis glob matcher of src/store/glob.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEntity } from '../../src/entity/define-entity.js';
import { getEntityMetadata } from '../../src/entity/metadata.js';
import { KeyCodec } from '../../src/keys/index.js';
import { contains, oneOf, planFind, prefix, suffix } from '../../src/query/index.js';
import { compileGlob } from '../../src/store/glob.js';

const Session = defineEntity({
  name: 'session',
  key: ['tenantId', 'id'],
  schema: z.object({ tenantId: z.string(), id: z.string(), email: z.string() }),
  ttl: '10m',
});
const metadata = getEntityMetadata(Session);
const keys = new KeyCodec({ prefix: 'app', entity: 'session', fields: metadata.keyFields });

const HOSTILE = ['*', 'a?c', '[ab]', 'x\\', 'a:b', '{t}', '%41', '%2A', '?', '[', ']', '\\', ':', '', 'a*', '*a', 'a%3Ab'];
const TENANTS = [...HOSTILE, 'a', 'abc', 'ab', 'b', 'x', 'A', 'acb', 'a:b:c', 'x\\\\', 't', 'é', 'a b', 'a%', '**', 'ac', 'b:a'];
const IDS = ['s0', 's1', 'x', '', '*', 'a:b', 'b'];

type Row = { redisKey: string; tenantId: string; id: string };
const rows: Row[] = TENANTS.flatMap((tenantId) => IDS.map((id) => ({ redisKey: keys.encode({ tenantId, id }), tenantId, id })));
// Keys that look alike but belong to no entity row: wrong part count, other entity, raw unencoded text.
const foreign = ['app:session:*', 'app:session:*:*', 'app:session:a:b:c', 'app:session2:a:s0', 'app:session:a?c:s0', 'app:session:[ab]:s0', 'app:session:x\\:s0'];

/** What Query keeps of a SCAN result: glob match, then decode, then keyFilter. */
function found(pattern: Record<string, unknown>, candidates: readonly string[] = [...rows.map((r) => r.redisKey), ...foreign]): string[] {
  const plan = planFind({ metadata, keys, pattern });
  if (plan.kind !== 'scan') throw new Error(`expected a scan plan, got ${plan.kind}`);
  const glob = compileGlob(plan.match);
  return candidates.filter((redisKey) => {
    if (!glob(redisKey)) return false;
    const key = keys.decode(redisKey);
    return key !== undefined && (plan.keyFilter === undefined || plan.keyFilter(key));
  });
}

const keysWhere = (test: (row: Row) => boolean) => rows.filter(test).map((r) => r.redisKey);

describe('find never widens: literals and matchers are literal text', () => {
  it.each(HOSTILE)('tenant %j matches only itself', (tenant) => {
    expect(found({ tenantId: tenant })).toEqual(keysWhere((r) => r.tenantId === tenant));
    expect(found({ tenantId: tenant, id: prefix('s') })).toEqual(keysWhere((r) => r.tenantId === tenant && r.id.startsWith('s')));
    expect(found({ tenantId: tenant, email: contains('@') })).toEqual(keysWhere((r) => r.tenantId === tenant)); // residual only
  });

  it.each(HOSTILE)('the glob alone already excludes other tenants for %j', (tenant) => {
    const plan = planFind({ metadata, keys, pattern: { tenantId: tenant } });
    const glob = compileGlob(plan.kind === 'scan' ? plan.match : '');
    const passing = rows.filter((r) => glob(r.redisKey));
    expect(passing.every((r) => r.tenantId === tenant)).toBe(true);
    expect(foreign.filter(glob)).toEqual([]);
  });

  it.each(TENANTS)('prefix/suffix/contains(%j) on tenantId follow the decoded text', (text) => {
    expect(found({ tenantId: prefix(text) })).toEqual(keysWhere((r) => r.tenantId.startsWith(text)));
    expect(found({ tenantId: suffix(text) })).toEqual(keysWhere((r) => r.tenantId.endsWith(text)));
    expect(found({ tenantId: contains(text) })).toEqual(keysWhere((r) => r.tenantId.includes(text)));
    expect(found({ id: contains(text) })).toEqual(keysWhere((r) => r.id.includes(text)));
  });

  it('prefix("a*") matches the literal a*, not every tenant starting with a', () => {
    expect(found({ tenantId: prefix('a*') })).toEqual(keysWhere((r) => r.tenantId === 'a*'));
  });

  it('oneOf beyond the MGET cap scans, and still matches only its values', () => {
    const plan = planFind({ metadata, keys, pattern: { tenantId: oneOf(['*', 'a?c']), id: oneOf(IDS) }, maxMgetKeys: 2 });
    expect(plan.kind).toBe('scan');
    const glob = compileGlob(plan.kind === 'scan' ? plan.match : '');
    const hits = rows.filter((r) => glob(r.redisKey) && plan.keyFilter!(keys.decode(r.redisKey)!));
    expect(hits.map((r) => r.redisKey)).toEqual(keysWhere((r) => r.tenantId === '*' || r.tenantId === 'a?c'));
  });
});

describe('property: keys of another tenant never pass', () => {
  const SPECIAL = ['*', '?', '[', ']', '\\', ':', '{', '}', '%', '%41', '^', '-', 'a', 'b', 'é', '🍕', ' '];
  const tenant = fc.oneof(
    fc.string({ maxLength: 6 }),
    fc.string({ unit: fc.constantFrom(...SPECIAL), maxLength: 6 }),
    fc.string({ unit: 'grapheme', maxLength: 4 }),
  );

  it('find({ tenantId: t }) and find({ tenantId: t, id: prefix(p) })', () => {
    fc.assert(
      fc.property(tenant, fc.array(tenant, { minLength: 1, maxLength: 8 }), tenant, fc.string({ maxLength: 3 }), (t, others, id, p) => {
        const candidates = [t, ...others].map((u) => keys.encode({ tenantId: u, id }));
        const own = keys.encode({ tenantId: t, id });
        expect(found({ tenantId: t }, candidates).every((k) => k === own)).toBe(true);
        expect(found({ tenantId: t }, candidates)).toContain(own);
        const withPrefix = found({ tenantId: t, id: prefix(p) }, candidates);
        expect(withPrefix.every((k) => k === own)).toBe(true);
        expect(withPrefix.length > 0).toBe(id.startsWith(p));
      }),
      { numRuns: 1000 },
    );
  });

  it('prefix(t) on tenantId accepts exactly the tenants that start with t', () => {
    fc.assert(
      fc.property(tenant, fc.array(tenant, { maxLength: 8 }), (t, others) => {
        const candidates = [t + 'x', ...others].map((u) => ({ u, k: keys.encode({ tenantId: u, id: 'i' }) }));
        const got = new Set(found({ tenantId: prefix(t) }, candidates.map((c) => c.k)));
        for (const { u, k } of candidates) expect(got.has(k)).toBe(u.startsWith(t));
      }),
      { numRuns: 1000 },
    );
  });
});
