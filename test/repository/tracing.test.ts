/**
 * Tracing is part of the code that runs: a repository's methods and a query's consumptions are the
 * prototype's own (no per-instance redefinitions, no Proxy), and they still trace every operation,
 * including the ones that fail before reaching the store.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNELS, createCache, InvalidKeyError, MemoryStore, Query, Repository, type RepositoryTraceContext } from 'cacheorm';
import { session, Session } from '../support/entities.js';

describe('repository tracing', () => {
  const errors: RepositoryTraceContext[] = [];
  const done: RepositoryTraceContext[] = [];
  const handlers = {
    start() {},
    end() {},
    asyncStart() {},
    asyncEnd: (ctx: RepositoryTraceContext) => done.push(ctx),
    error: (ctx: RepositoryTraceContext) => errors.push(ctx),
  };
  const channel = diagnostics_channel.tracingChannel<unknown, RepositoryTraceContext>(CHANNELS.repository);
  afterEach(() => {
    channel.unsubscribe(handlers);
    errors.length = 0;
    done.length = 0;
  });

  it('runs the methods you read: nothing is redefined on the repository or proxied on the query', async () => {
    const cache = createCache({ store: new MemoryStore(), prefix: 'trace-own' });
    const repo = cache.getRepository(Session);
    expect(Object.getOwnPropertyNames(repo).filter((name) => typeof (repo as unknown as Record<string, unknown>)[name] === 'function')).toEqual([]);
    expect(repo.get).toBe(Repository.prototype.get);
    const query = repo.find({ tenantId: 'acme' });
    expect(query.toArray).toBe(Query.prototype.toArray);
    expect(query.limit(2).count).toBe(Query.prototype.count);
    await cache.close();
  });

  it('traces an operation that fails before any store call, and a rejected one without a subscriber', async () => {
    const cache = createCache({ store: new MemoryStore(), prefix: 'trace-bad' });
    const repo = cache.getRepository(Session);
    // Without a subscriber a bad key still rejects (never throws synchronously).
    const unsubscribed = repo.get({ tenantId: 'acme' } as never);
    await expect(unsubscribed).rejects.toBeInstanceOf(InvalidKeyError);
    channel.subscribe(handlers);
    await expect(repo.get({ tenantId: 'acme' } as never)).rejects.toMatchObject({ code: 'E_INVALID_KEY', message: expect.stringMatching(/^get: /) });
    await expect(repo.exists({ tenantId: 'acme' } as never)).rejects.toBeInstanceOf(InvalidKeyError);
    await repo.save(session('1'));
    expect(errors.map((c) => [c.operation, c.key, c.error instanceof InvalidKeyError])).toEqual([
      ['get', undefined, true],
      ['exists', undefined, true],
    ]);
    expect(done.map((c) => c.operation)).toEqual(['get', 'exists', 'save']);
    await cache.close();
  });

  it('traces find.delete with its plan and result', async () => {
    const cache = createCache({ store: new MemoryStore(), prefix: 'trace-find' });
    const repo = cache.getRepository(Session);
    await repo.save([session('1'), session('2')]);
    channel.subscribe(handlers);
    expect(await repo.find({ tenantId: 'acme' }).delete()).toBe(2);
    expect(done.map((c) => [c.entity, c.operation, c.plan, c.result])).toEqual([['session', 'find.delete', 'scan', 2]]);
    await cache.close();
  });
});
