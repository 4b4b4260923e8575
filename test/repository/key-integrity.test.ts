/**
 * A key is derived one way on every path, and a stored value belongs to the key it is stored under:
 * - key fields whose schema rewrites values (`.trim()`, `.toLowerCase()`, `.default()`, transforms,
 *   `z.coerce`) are keyed by the schema's output on writes and on every read path alike;
 * - a stored value whose key fields give another key is invalid (miss + `invalid` event + removed, or
 *   `DecodeError` in strict mode) on get, getMany, getOrLoad and find (scan and index plans);
 * - a `-0` number key is `0` everywhere: in its key, in `keys()` and in the entities read back.
 * On the MemoryStore and on real Redis.
 */
import superjson from 'superjson';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DecodeError, defineEntity, InvalidKeyError, oneOf, type Cache, type InvalidEntryEvent } from 'cacheorm';
import { backends } from '../support/backends.js';

const strategies = ['scan', 'index'] as const;

function accountEntity(find: 'scan' | 'index') {
  return defineEntity({
    name: 'account',
    key: ['tenantId', 'email'],
    schema: z.object({
      tenantId: z.string().trim().toLowerCase(),
      email: z.email().transform((s) => s.toLowerCase()),
      name: z.string(),
    }),
    ttl: '10m',
    find,
  });
}

/** Key fields with a default, a coercion and a plain number. */
function counterEntity() {
  return defineEntity({
    name: 'counter',
    key: ['region', 'shard', 'n'],
    schema: z.object({ region: z.string().default('eu'), shard: z.coerce.number().int(), n: z.number(), hits: z.int() }),
    ttl: '10m',
  });
}

const Tenanted = defineEntity({
  name: 'tenanted',
  key: ['tenantId', 'id'],
  schema: z.object({ tenantId: z.string(), id: z.string(), body: z.string() }),
  ttl: '10m',
});

describe.each(backends)('key integrity on $name', (backend) => {
  const caches: Cache[] = [];
  const newCache = (options?: Parameters<typeof backend.cache>[0]) => {
    const cache = backend.cache(options);
    caches.push(cache);
    return cache;
  };
  afterAll(async () => {
    await Promise.all(caches.map((c) => c.close()));
  });

  describe.each(strategies)('key fields whose schema rewrites values (find: %s)', (find) => {
    it('save keys by the schema output, and get/exists/keyOf/getMany/ttl/touch/delete derive the same key from raw input', async () => {
      const cache = newCache();
      const repo = cache.getRepository(accountEntity(find));
      await repo.save({ tenantId: '  ACME ', email: 'Ann@Example.COM', name: 'Ann' });
      const raw = { tenantId: 'Acme', email: 'ANN@example.com' };
      const key = `${cache.prefix}:account:acme:ann%40example.com`;
      expect(repo.keyOf(raw)).toBe(key);
      expect(await cache.store.exists(key)).toBe(true);
      expect(await repo.get(raw)).toEqual({ tenantId: 'acme', email: 'ann@example.com', name: 'Ann' });
      expect(await repo.exists({ tenantId: ' acme', email: 'ann@EXAMPLE.com' })).toBe(true);
      expect((await repo.getMany([raw, { tenantId: 'ACME', email: 'nobody@example.com' }])).map((a) => a?.name)).toEqual(['Ann', undefined]);
      expect(await repo.ttl(raw)).toBeGreaterThan(0);
      expect(await repo.touch(raw)).toBe(true);
      expect(await repo.delete(raw)).toBe(1);
      expect(await repo.get({ tenantId: 'acme', email: 'ann@example.com' })).toBeUndefined();
    });

    it('getOrLoad accepts a loader returning exactly the requested (un-normalized) key, and caches it', async () => {
      const cache = newCache();
      const repo = cache.getRepository(accountEntity(find));
      const requested = { tenantId: 'ACME', email: 'Bob@Example.com' };
      let calls = 0;
      const loaded = await repo.getOrLoad(requested, (k) => {
        calls++;
        return { ...k, name: 'Bob' };
      });
      expect(loaded).toEqual({ tenantId: 'acme', email: 'bob@example.com', name: 'Bob' });
      expect(await repo.getOrLoad({ tenantId: 'acme ', email: 'bob@example.com' }, () => undefined)).toEqual(loaded);
      expect(calls).toBe(1);
      await expect(repo.getOrLoad(requested, () => ({ tenantId: 'other', email: 'bob@example.com', name: 'Bob' }))).resolves.toEqual(loaded);
    });

    it('find literals (GET, MGET, scan or index plans) match what save wrote from un-normalized input', async () => {
      const cache = newCache();
      const repo = cache.getRepository(accountEntity(find));
      await repo.save([
        { tenantId: 'ACME', email: 'a@x.io', name: 'A' },
        { tenantId: 'Acme', email: 'B@x.io', name: 'B' },
        { tenantId: 'globex', email: 'c@x.io', name: 'C' },
      ]);
      const names = async (pattern: Parameters<typeof repo.find>[0]) => (await repo.find(pattern).toArray()).map((a) => a.name).sort();
      expect(await names({ tenantId: ' ACME ', email: 'A@X.IO' })).toEqual(['A']);
      expect(repo.find({ tenantId: ' ACME ', email: 'A@X.IO' }).plan.kind).toBe('get');
      expect(await names({ tenantId: oneOf(['acme', 'GLOBEX']), email: oneOf(['a@x.io', 'C@x.io']) })).toEqual(['A', 'C']);
      expect(await names({ tenantId: 'ACME' })).toEqual(['A', 'B']);
      expect(repo.find({ tenantId: 'ACME' }).plan.kind).toBe(find);
      expect(await names({ email: 'B@X.IO' })).toEqual(['B']);
      expect(await names({ email: oneOf(['B@X.IO', 'C@X.IO']), name: oneOf(['B', 'C']) })).toEqual(['B', 'C']);
      expect(await repo.find({ tenantId: 'ACME' }).keys().toArray()).toEqual(
        expect.arrayContaining([{ tenantId: 'acme', email: 'a@x.io' }, { tenantId: 'acme', email: 'b@x.io' }]),
      );
      expect(await repo.find({ tenantId: 'Acme ' }).delete()).toBe(2);
      expect(await repo.find({}).count()).toBe(1);
    });
  });

  it('defaults and coercions in key fields: an omitted or coerced key field gives the key save wrote', async () => {
    const cache = newCache();
    const repo = cache.getRepository(counterEntity());
    await repo.save({ shard: '7' as unknown as number, n: 1, hits: 3 } as never);
    const key = `${cache.prefix}:counter:eu:7:1`;
    expect(await cache.store.exists(key)).toBe(true);
    expect(repo.keyOf({ shard: 7, n: 1 } as never)).toBe(key);
    expect(await repo.get({ shard: '7', n: 1 } as never)).toEqual({ region: 'eu', shard: 7, n: 1, hits: 3 });
    expect((await repo.find({ region: 'eu', shard: '7' as never }).toArray()).map((c) => c.hits)).toEqual([3]);
    const err = await Promise.resolve()
      .then(() => repo.get({ region: 'eu', shard: 'x', n: 1 } as never))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidKeyError);
    expect((err as InvalidKeyError).code).toBe('E_INVALID_KEY');
    expect((err as InvalidKeyError).message).toMatch(/Key field "shard" of entity "counter" is not valid/);
    await expect(repo.get({ region: 'eu', n: 1 } as never)).rejects.toThrow(/missing field "shard"/);
  });

  describe('a stored value whose key fields contradict its key', () => {
    const foreign = (tenantId: string, id: string) => superjson.stringify({ tenantId, id, body: 'planted' });

    it.each(strategies)('is a miss with an invalid event, and removed, on get, getMany, getOrLoad and find (%s)', async (find) => {
      const cache = newCache();
      const Entity = defineEntity({ ...Tenanted, key: ['tenantId', 'id'], schema: Tenanted.schema, ttl: '10m', find, name: `tenanted-${find}` });
      const repo = cache.getRepository(Entity);
      const events: InvalidEntryEvent[] = [];
      cache.on('invalid', (e) => events.push(e));
      const plant = async (id: string) => {
        await repo.save({ tenantId: 'acme', id, body: 'real' }); // registers the key in the index too
        const key = repo.keyOf({ tenantId: 'acme', id });
        await cache.store.write([{ key, value: foreign('evil', '999'), ttl: null }]);
        return key;
      };
      const reads: Array<[string, (id: string) => Promise<unknown>]> = [
        ['get', (id) => repo.get({ tenantId: 'acme', id })],
        ['getMany', async (id) => (await repo.getMany([{ tenantId: 'acme', id }]))[0]],
        ['getOrLoad', (id) => repo.getOrLoad({ tenantId: 'acme', id }, () => undefined)],
        ['find (get plan)', (id) => repo.find({ tenantId: 'acme', id }).first()],
        ['find (scan/index plan)', async () => (await repo.find({ tenantId: 'acme' }).toArray())[0]],
      ];
      for (const [label, read] of reads) {
        const id = `p-${label.length}`;
        const key = await plant(id);
        expect(await read(id), label).toBeUndefined();
        await expect.poll(() => cache.store.exists(key), { message: label }).toBe(false);
      }
      expect(events).toHaveLength(reads.length);
      for (const e of events) {
        expect(e.error).toBeInstanceOf(DecodeError);
        expect(e.error.code).toBe('E_DECODE');
        expect(e.error.message).toMatch(/holds the key fields of another entry .* "[^"]*:evil:999"/);
      }
      expect(await repo.find({ tenantId: 'evil' }).toArray()).toEqual([]);
    });

    it('throws DecodeError in strict mode and leaves the entry', async () => {
      const cache = newCache({ strict: true });
      const repo = cache.getRepository(Tenanted);
      const key = repo.keyOf({ tenantId: 'acme', id: '1' });
      await cache.store.write([{ key, value: foreign('evil', '999'), ttl: null }]);
      const err = await repo.get({ tenantId: 'acme', id: '1' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DecodeError);
      expect((err as DecodeError).code).toBe('E_DECODE');
      expect((err as DecodeError).key).toBe(key);
      await expect(repo.find({ tenantId: 'acme' }).toArray()).rejects.toThrow(DecodeError);
      expect(await cache.store.exists(key)).toBe(true);
    });

    it('a value whose key fields match (a normalized rewriting key included) stays a hit', async () => {
      const cache = newCache();
      const repo = cache.getRepository(accountEntity('scan'));
      const key = repo.keyOf({ tenantId: 'ACME', email: 'a@x.io' });
      await cache.store.write([{ key, value: superjson.stringify({ tenantId: 'acme', email: 'a@x.io', name: 'A' }), ttl: null }]);
      expect(await repo.get({ tenantId: 'acme', email: 'a@x.io' })).toEqual({ tenantId: 'acme', email: 'a@x.io', name: 'A' });
      await cache.store.write([{ key, value: superjson.stringify({ tenantId: 'ACME', email: 'a@x.io', name: 'A' }), ttl: null }]);
      expect(await repo.get({ tenantId: 'acme', email: 'a@x.io' })).toBeUndefined(); // not what save writes
    });
  });

  it('a -0 number key is 0 in its key, in keys() and in the entities read back', async () => {
    const cache = newCache();
    const repo = cache.getRepository(counterEntity());
    await repo.save({ region: 'eu', shard: -0, n: -0, hits: 1 });
    expect(repo.keyOf({ region: 'eu', shard: 0, n: -0 })).toBe(`${cache.prefix}:counter:eu:0:0`);
    const [fromKeys] = await repo.find({ region: 'eu' }).keys().toArray();
    const [fromValues] = await repo.find({ region: 'eu' }).toArray();
    const got = await repo.get({ region: 'eu', shard: -0, n: -0 });
    for (const entity of [fromKeys, fromValues, got]) {
      expect(Object.is(entity!.shard, 0)).toBe(true);
      expect(Object.is(entity!.n, 0)).toBe(true);
    }
    // an entry written with -0 in its body (by an older version) reads back as 0 too
    await cache.store.write([{ key: repo.keyOf({ region: 'eu', shard: 0, n: 0 }), value: superjson.stringify({ region: 'eu', shard: -0, n: -0, hits: 2 }), ttl: null }]);
    const old = await repo.get({ region: 'eu', shard: 0, n: 0 });
    expect(old?.hits).toBe(2);
    expect(Object.is(old!.n, 0)).toBe(true);
    const loaded = await repo.getOrLoad({ region: 'eu', shard: 0, n: 5 }, () => ({ region: 'eu', shard: -0, n: 5, hits: 1 }));
    expect(Object.is(loaded!.shard, 0)).toBe(true);
  });
});
