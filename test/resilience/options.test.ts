/**
 * The resilience options of createCache: validation, `maxValueBytes` on the write and read paths, and
 * `failOpen` on every repository method while Redis is down.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigError, createCache, DecodeError, InvalidKeyError, StoreUnavailableError, ValidationError, ValueTooLargeError,
  type Cache, type CacheOrmError, type InvalidEntryEvent,
} from 'cacheorm';
import { backends } from '../support/backends.js';
import { freePort } from '../support/redis-server.js';
import { redisUrl, uniquePrefix } from '../support/redis.js';
import { session, Session } from '../support/entities.js';

describe('createCache resilience options', () => {
  it('rejects bad values with ConfigError', () => {
    for (const commandTimeout of [-1, 1.5, '2000', Infinity, 2 ** 31, null]) {
      expect(() => createCache({ commandTimeout } as never)).toThrow(ConfigError);
    }
    expect(() => createCache({ failOpen: 'yes' } as never)).toThrow(/failOpen must be a boolean/);
    for (const maxValueBytes of [0, -5, 1.5, '1kb']) {
      expect(() => createCache({ maxValueBytes } as never)).toThrow(/maxValueBytes must be a positive whole number/);
    }
  });

  it('accepts commandTimeout 0 (no bound) and the defaults', async () => {
    const caches = [createCache({ commandTimeout: 0 }), createCache({ redis: redisUrl(), commandTimeout: 0, prefix: uniquePrefix() }), createCache()];
    for (const cache of caches) {
      await cache.getRepository(Session).save(session('x'));
      expect(cache.stats()).toMatchObject({ writes: 1, timeouts: 0, failedOpen: 0 });
      await cache.close();
    }
  });
});

describe.each(backends)('maxValueBytes ($name)', (backend) => {
  const caches: Cache[] = [];
  afterAll(async () => {
    for (const cache of caches) await cache.close();
  });
  const big = (id: string) => session(id, { note: 'x'.repeat(5000) });

  it('refuses to write a value over the limit: ValueTooLargeError, nothing of a batch written', async () => {
    const cache = backend.cache({ maxValueBytes: 2000 });
    caches.push(cache);
    const repo = cache.getRepository(Session);
    const err = await repo.save(big('big')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValueTooLargeError);
    expect(err).toMatchObject({ code: 'E_VALUE_TOO_LARGE', limit: 2000, index: 0, entity: 'session', operation: 'save' });
    expect((err as ValueTooLargeError).bytes).toBeGreaterThan(5000);
    expect((err as Error).message).toMatch(/serializes to \d+ bytes, over the cache's maxValueBytes of 2000\. .*nothing was written\.$/);
    const batch = await repo.save([session('small'), big('big2')]).catch((e: unknown) => e);
    expect(batch).toMatchObject({ code: 'E_VALUE_TOO_LARGE', index: 1 });
    await expect(repo.insert(big('big3'))).rejects.toBeInstanceOf(ValueTooLargeError);
    await expect(repo.update(big('small'))).rejects.toBeInstanceOf(ValueTooLargeError);
    expect(await repo.exists({ tenantId: 'acme', id: 'small' })).toBe(false);
    expect(await repo.exists({ tenantId: 'acme', id: 'big' })).toBe(false);
    expect(cache.stats().writes).toBe(0);
    // Multi-byte characters count as their UTF-8 bytes.
    await expect(repo.save(session('utf8', { note: 'é'.repeat(900) }))).rejects.toBeInstanceOf(ValueTooLargeError);
    await repo.save(session('utf8', { note: 'e'.repeat(900) }));
  });

  it('getOrLoad returns a too-large loaded value without caching it, and reports it', async () => {
    const cache = backend.cache({ maxValueBytes: 2000 });
    caches.push(cache);
    const errors: CacheOrmError[] = [];
    cache.on('error', (e) => errors.push(e));
    const repo = cache.getRepository(Session);
    expect((await repo.getOrLoad({ tenantId: 'acme', id: 'big' }, (k) => big(k.id)))?.note).toHaveLength(5000);
    expect(await repo.exists({ tenantId: 'acme', id: 'big' })).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ValueTooLargeError);
  });

  it('treats a stored value over the limit as invalid: a miss with an invalid event, DecodeError in strict mode', async () => {
    const writer = backend.cache();
    caches.push(writer);
    const prefix = writer.prefix;
    await writer.getRepository(Session).save(big('stored'));
    const options = { maxValueBytes: 2000, prefix };
    const reader = backend.name === 'memory' ? createCache({ store: writer.store, ...options }) : createCache({ redis: redisUrl(), ...options });
    const strict = backend.name === 'memory' ? createCache({ store: writer.store, ...options, strict: true }) : createCache({ redis: redisUrl(), ...options, strict: true });
    caches.push(reader, strict);
    const invalid: InvalidEntryEvent[] = [];
    reader.on('invalid', (e) => invalid.push(e));
    const strictError = await strict.getRepository(Session).get({ tenantId: 'acme', id: 'stored' }).catch((e: unknown) => e);
    expect(strictError).toBeInstanceOf(DecodeError);
    expect((strictError as Error).message).toMatch(/over the cache's maxValueBytes of 2000, so it was not decoded/);
    expect(await reader.getRepository(Session).get({ tenantId: 'acme', id: 'stored' })).toBeUndefined();
    expect(invalid).toHaveLength(1);
    expect(reader.stats()).toMatchObject({ invalid: 1, misses: 1 });
  });
});

describe('failOpen while Redis is down', () => {
  let cache: Cache;
  const errors: CacheOrmError[] = [];
  afterAll(async () => {
    await cache?.close();
  });

  it('every method answers like an empty cache that drops writes, and reports each failure', async () => {
    cache = createCache({ redis: `redis://127.0.0.1:${await freePort()}`, prefix: 'open', failOpen: true });
    cache.on('error', (e) => errors.push(e));
    const repo = cache.getRepository(Session);
    const key = { tenantId: 'acme', id: '1' };
    expect(await repo.get(key)).toBeUndefined();
    expect(await repo.getMany([key, { tenantId: 'acme', id: '2' }])).toEqual([undefined, undefined]);
    expect(await repo.find({ tenantId: 'acme' }).toArray()).toEqual([]);
    expect(await repo.find({ tenantId: 'acme' }).count()).toBe(0);
    expect(await repo.find({ tenantId: 'acme' }).first()).toBeUndefined();
    expect((await repo.getOrLoad(key, (k) => session(k.id)))?.id).toBe('1');
    await expect(repo.save(session('1'))).resolves.toBeUndefined();
    expect(await repo.insert(session('1'))).toBe(false);
    expect(await repo.update([session('1'), session('2')])).toEqual([false, false]);
    expect(await repo.delete(key)).toBe(0);
    expect(await repo.exists(key)).toBe(false);
    expect(await repo.ttl(key)).toBeUndefined();
    expect(await repo.touch(key)).toBe(false);
    expect(await repo.find({ tenantId: 'acme' }).delete()).toBe(0);

    const failures = errors.filter((e) => e.operation !== 'connect');
    // At least one absorbed failure per call above (getOrLoad: its read and its write).
    expect(failures.length).toBeGreaterThanOrEqual(15);
    expect(failures.every((e) => e instanceof StoreUnavailableError && e.entity === 'session')).toBe(true);
    expect(cache.stats()).toMatchObject({ failedOpen: failures.length, hits: 0, writes: 0 });
    expect(cache.stats().misses).toBeGreaterThanOrEqual(4);
  });

  it("still throws the caller's own mistakes", async () => {
    const repo = cache.getRepository(Session);
    await expect(repo.save({ ...session('1'), email: 'not-an-email' })).rejects.toBeInstanceOf(ValidationError);
    await expect(repo.get({ tenantId: 'acme' } as never)).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(repo.getOrLoad({ tenantId: 'acme', id: '1' }, () => session('2'))).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('without failOpen the same calls throw StoreUnavailableError', async () => {
    const closed = createCache({ redis: `redis://127.0.0.1:${await freePort()}`, prefix: 'closed' });
    closed.on('error', () => undefined);
    const repo = closed.getRepository(Session);
    await expect(repo.get({ tenantId: 'acme', id: '1' })).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(repo.find({ tenantId: 'acme' }).toArray()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(repo.getOrLoad({ tenantId: 'acme', id: '1' }, (k) => session(k.id))).rejects.toBeInstanceOf(StoreUnavailableError);
    await closed.close();
  });

  it('in async write mode, failOpen reports one error per dropped write', async () => {
    const port = await freePort();
    const asyncCache = createCache({ redis: `redis://127.0.0.1:${port}`, prefix: 'open-async', failOpen: true, writes: 'async' });
    const asyncErrors: CacheOrmError[] = [];
    asyncCache.on('error', (e) => asyncErrors.push(e));
    await asyncCache.getRepository(Session).save(session('a'));
    await asyncCache.close();
    expect(asyncErrors.filter((e) => e.operation !== 'connect')).toHaveLength(1);
  });
});
