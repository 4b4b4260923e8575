/**
 * close() on real Redis: new calls are refused at once with a typed error, calls already in flight
 * (a getOrLoad's loader and its write, a find stream being consumed, queued async writes) finish, and a
 * call that never settles holds close() up no longer than its timeout.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, createCache, StoreUnavailableError, type Cache } from 'cacheorm';
import { Session, session, type SessionData } from '../support/entities.js';
import { dropKeysUnder } from '../support/keys.js';
import { redisUrl, testRedis, uniquePrefix } from '../support/redis.js';
import { failure } from '../support/rejection.js';

const redis = testRedis();
const prefixes: string[] = [];
afterAll(async () => {
  for (const p of prefixes) await dropKeysUnder(redis, p);
});

function newCache(options: Parameters<typeof createCache>[0] = {}): Cache {
  const prefix = uniquePrefix('close');
  prefixes.push(prefix);
  return createCache({ redis: redisUrl(), prefix, ...options });
}

/** A promise with its resolve function, for a loader the test releases when it wants. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function expectRefused(error: Error, operation: string): void {
  expect(error).toBeInstanceOf(StoreUnavailableError);
  expect(error).toMatchObject({ code: 'E_STORE_UNAVAILABLE', operation });
  expect(error.message).toMatch(new RegExp(`${operation.replace('.', '\\.')} was called on a closed cache\\. Create a new cache`));
}

describe('close()', () => {
  it('lets a getOrLoad whose loader is running finish: it resolves with the loaded value, which is in Redis', async () => {
    const cache = newCache();
    const repo = cache.getRepository(Session);
    const loaderStarted = deferred<void>();
    const release = deferred<SessionData>();
    const loading = repo.getOrLoad({ tenantId: 'acme', id: 'slow' }, async () => {
      loaderStarted.resolve();
      return release.promise;
    });
    await loaderStarted.promise;
    const closing = cache.close();
    expectRefused(await failure(repo.get({ tenantId: 'acme', id: 'other' })), 'get'); // refused while draining
    release.resolve(session('slow'));
    expect(await loading).toEqual(session('slow'));
    await closing;
    expect(await redis.exists(repo.keyOf({ tenantId: 'acme', id: 'slow' }))).toBe(1);
  });

  it('lets a find stream being consumed complete, and toArray() started before it', async () => {
    const cache = newCache();
    const repo = cache.getRepository(Session);
    await repo.save(Array.from({ length: 60 }, (_, i) => session(`f${i}`)));
    const whole = repo.find({ tenantId: 'acme' }, { batchSize: 7 }).toArray();
    const seen: string[] = [];
    let closing: Promise<void> | undefined;
    for await (const s of repo.find({ tenantId: 'acme' }, { batchSize: 5 })) {
      seen.push(s.id);
      closing ??= cache.close();
    }
    expect(seen).toHaveLength(60);
    expect(await whole).toHaveLength(60);
    await closing;
  });

  it('flushes async writes already queued', async () => {
    const cache = newCache({ writes: 'async' });
    const repo = cache.getRepository(Session);
    const ids = Array.from({ length: 200 }, (_, i) => `a${i}`);
    for (const id of ids) await repo.save(session(id));
    await cache.close();
    expect(await redis.exists(...ids.map((id) => repo.keyOf({ tenantId: 'acme', id })))).toBe(ids.length);
  });

  it('refuses every call made after it, with StoreUnavailableError, including a find consumed after it', async () => {
    const cache = newCache();
    const repo = cache.getRepository(Session);
    const early = repo.find({ tenantId: 'acme' });
    await cache.close();
    expectRefused(await failure(repo.save(session('late'))), 'save');
    expectRefused(await failure(repo.getOrLoad({ tenantId: 'acme', id: 'late' }, () => session('late'))), 'getOrLoad');
    expectRefused(await failure(early.toArray()), 'find.toArray');
    expectRefused(await failure(early.keys().toArray()), 'find.keys');
    expectRefused(await failure(early[Symbol.asyncIterator]().next()), 'find.iterate');
    let thrown: unknown;
    try {
      repo.find({ tenantId: 'acme' });
    } catch (err) {
      thrown = err;
    }
    expectRefused(thrown as Error, 'find');
    expect(await redis.exists(repo.keyOf({ tenantId: 'acme', id: 'late' }))).toBe(0);
  });

  it('does not wait past its timeout for a call that never settles, then closes the store', async () => {
    const cache = newCache();
    const repo = cache.getRepository(Session);
    const started = deferred<void>();
    void repo
      .getOrLoad({ tenantId: 'acme', id: 'never' }, () => {
        started.resolve();
        return new Promise<SessionData>(() => {});
      })
      .catch(() => undefined);
    await started.promise;
    await cache.close({ timeout: 100 });
    expectRefused(await failure(repo.exists({ tenantId: 'acme', id: 'never' })), 'exists');
  });

  it('rejects a timeout that is not a whole number of ms', async () => {
    const cache = newCache();
    for (const timeout of [-1, 1.5, Number.NaN, '5s']) {
      const error = await failure(cache.close({ timeout: timeout as number }));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ code: 'E_CONFIG' });
      expect(error.message).toMatch(/close: timeout must be a whole number of ms/);
    }
    await cache.close();
  });
});
