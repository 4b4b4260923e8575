/**
 * How find() plans on hash-tagged entities (no Redis needed: plans are pure): the glob carries the
 * literal `{tag}` a cluster routes by, and index plans pick the tag's own set or every tag's set.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contains, createCache, defineEntity, oneOf, prefix } from 'cacheorm';

const schema = z.object({ tenantId: z.string(), region: z.string(), id: z.string(), note: z.string() });
const cache = createCache({ prefix: 'app' });
afterAll(() => cache.close());

const Scan = defineEntity({ name: 'scanned', key: ['tenantId', 'id'], schema, ttl: '1m', hashTag: ['tenantId'] });
const Indexed = defineEntity({ name: 'indexed', key: ['tenantId', 'region', 'id'], schema, ttl: '1m', find: 'index', hashTag: ['tenantId', 'region'] });

describe('hash-tagged find plans', () => {
  it('scan: the glob fixes the tag, and explain says one master is scanned', () => {
    const q = cache.getRepository(Scan).find({ tenantId: 'acme', id: prefix('a1') });
    expect(q.plan).toMatchObject({ kind: 'scan', match: 'app:scanned:{acme}:a1*' });
    expect(q.explain()).toContain('hash tag {acme} is fixed: one slot, so on Redis Cluster only the master owning it is scanned');
    const across = cache.getRepository(Scan).find({ id: 'a1' });
    expect(across.plan).toMatchObject({ kind: 'scan', match: 'app:scanned:{*}:a1' });
    expect(across.explain()).not.toContain('hash tag');
    expect(cache.getRepository(Scan).find({ tenantId: '*' }).plan).toMatchObject({ match: 'app:scanned:{%2A}:*' });
  });

  it('get and mget plans write the braces', () => {
    expect(cache.getRepository(Scan).find({ tenantId: 'acme', id: '1' }).plan).toMatchObject({ kind: 'get', key: 'app:scanned:{acme}:1' });
    expect(cache.getRepository(Scan).find({ tenantId: oneOf(['a', 'b']), id: '1' }).plan).toMatchObject({
      kind: 'mget',
      keys: ['app:scanned:{a}:1', 'app:scanned:{b}:1'],
    });
  });

  it('index: the tag fixed reads its own set; otherwise every set the registry lists', () => {
    const repo = cache.getRepository(Indexed);
    expect(repo.indexKey).toBeUndefined();
    expect(repo.indexKeyOf({ tenantId: 'acme', region: 'eu', id: '1' })).toBe('app:indexed#index:{acme:eu}');
    expect(repo.indexKeyOf({ tenantId: '', region: '', id: '1' })).toBe('app:indexed#index:{:}');
    expect(repo.find({ tenantId: 'acme', region: 'eu' }).plan).toMatchObject({
      kind: 'index',
      index: 'app:indexed#index:{acme:eu}',
      prefix: 'app:indexed:{acme:eu}:',
      match: undefined,
    });
    expect(repo.find({ tenantId: 'acme', region: 'eu', id: contains('x') }).plan).toMatchObject({
      index: 'app:indexed#index:{acme:eu}',
      match: 'app:indexed:{acme:eu}:*x*',
    });
    const partial = repo.find({ tenantId: 'acme' }); // the tag is tenantId and region: not fixed
    expect(partial.plan).toMatchObject({ kind: 'index', index: 'app:indexed#tags', perTag: true, prefix: 'app:indexed:{acme:' });
    expect(partial.explain()).toMatch(/index across hash tags[\s\S]*ZRANGE app:indexed#tags <now> \+inf BYSCORE[\s\S]*ZRANGEBYLEX <set>:lex \[app:indexed:\{acme:/);
    expect(JSON.parse(JSON.stringify(repo.find({ id: '1' }).plan))).toMatchObject({ kind: 'index', index: 'app:indexed#tags', perTag: true });
  });

  it('an entity with one empty tag value uses the untagged set (`{}` is no hash tag)', () => {
    const Single = defineEntity({ name: 'single', key: ['tenantId', 'id'], schema, ttl: '1m', find: 'index', hashTag: ['tenantId'] });
    const repo = cache.getRepository(Single);
    expect(repo.indexKeyOf({ tenantId: '', id: '1' })).toBe('app:single#index');
    expect(repo.find({ tenantId: '' }).plan).toMatchObject({ kind: 'index', index: 'app:single#index', prefix: 'app:single:{}:' });
  });
});

describe('hash-tagged entities on the memory store', () => {
  it('save, find, delete and reindex work the same (registry included)', async () => {
    const repo = cache.getRepository(Indexed);
    await repo.save([
      { tenantId: 'acme', region: 'eu', id: '1', note: 'x' },
      { tenantId: 'acme', region: 'us', id: '2', note: 'y' },
      { tenantId: 'globex', region: 'eu', id: '3', note: 'x' },
    ]);
    expect((await repo.find({ tenantId: 'acme' }).toArray()).map((e) => e.id).sort()).toEqual(['1', '2']);
    expect((await repo.find({ note: 'x' }).toArray()).map((e) => e.id).sort()).toEqual(['1', '3']);
    expect(await repo.delete({ tenantId: 'acme', region: 'us', id: '2' })).toBe(1);
    expect(await repo.find({ tenantId: 'acme' }).count()).toBe(1);
    expect(await repo.reindex()).toBe(2);
    expect(await repo.find({ region: 'eu' }).count()).toBe(2);
  });
});
