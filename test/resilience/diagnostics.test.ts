/**
 * diagnostics_channel tracing: every repository operation on `cacheorm:repository`, every store call on
 * `cacheorm:store`, connection changes on `cacheorm:connection`.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CHANNELS, createCache, MemoryStore, StoreUnavailableError, TracingStore,
  type Cache, type ConnectionMessage, type RepositoryTraceContext, type StoreTraceContext,
} from 'cacheorm';
import { backends } from '../support/backends.js';
import { freePort, startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { session, Session } from '../support/entities.js';

type Phase = 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error';
interface Seen<C> {
  phase: Phase;
  ctx: C;
}

function record<C extends object>(name: string) {
  const seen: Seen<C>[] = [];
  const channel = diagnostics_channel.tracingChannel<unknown, C>(name);
  const handlers = {
    start: (ctx: C) => seen.push({ phase: 'start', ctx }),
    end: (ctx: C) => seen.push({ phase: 'end', ctx }),
    asyncStart: (ctx: C) => seen.push({ phase: 'asyncStart', ctx }),
    asyncEnd: (ctx: C) => seen.push({ phase: 'asyncEnd', ctx }),
    error: (ctx: C) => seen.push({ phase: 'error', ctx }),
  };
  return {
    seen,
    subscribe: () => channel.subscribe(handlers),
    unsubscribe: () => channel.unsubscribe(handlers),
    /** The contexts that completed (asyncEnd), in order. */
    done: () => seen.filter((s) => s.phase === 'asyncEnd').map((s) => s.ctx),
    clear: () => (seen.length = 0),
  };
}

describe('channel names', () => {
  it('are stable', () => {
    expect(CHANNELS).toEqual({
      repository: 'cacheorm:repository',
      store: 'cacheorm:store',
      lock: 'cacheorm:lock',
      connection: 'cacheorm:connection',
      near: 'cacheorm:near',
    });
  });
});

describe.each(backends)('tracing ($name)', (backend) => {
  const repository = record<RepositoryTraceContext>(CHANNELS.repository);
  const store = record<StoreTraceContext>(CHANNELS.store);
  let cache: Cache;
  beforeEach(() => {
    cache = backend.cache();
    repository.subscribe();
    store.subscribe();
  });
  afterEach(async () => {
    repository.unsubscribe();
    store.unsubscribe();
    repository.clear();
    store.clear();
    await cache.close();
  });

  it('traces each repository operation once, with its entity, operation and key', async () => {
    const repo = cache.getRepository(Session);
    const key = repo.keyOf({ tenantId: 'acme', id: '1' });
    await repo.save(session('1'));
    await repo.save([session('2'), session('3')]);
    await repo.get({ tenantId: 'acme', id: '1' });
    await repo.getMany([{ tenantId: 'acme', id: '1' }, { tenantId: 'acme', id: '9' }]);
    await repo.exists({ tenantId: 'acme', id: '1' });
    await repo.getOrLoad({ tenantId: 'acme', id: '4' }, (k) => session(k.id));
    await repo.delete({ tenantId: 'acme', id: '4' });
    expect(repository.done().map((c) => [c.entity, c.operation, c.key ?? c.count])).toEqual([
      ['session', 'save', key],
      ['session', 'save', 2],
      ['session', 'get', key],
      ['session', 'getMany', 2],
      ['session', 'exists', key],
      ['session', 'getOrLoad', repo.keyOf({ tenantId: 'acme', id: '4' })],
      ['session', 'delete', repo.keyOf({ tenantId: 'acme', id: '4' })],
    ]);
    const get = repository.done()[2]!;
    expect((get.result as { id: string }).id).toBe('1');
    // Each operation: start, end, asyncStart, asyncEnd.
    expect(repository.seen.slice(0, 4).map((s) => s.phase)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
  });

  it('traces the store calls behind them, with the store kind and key', async () => {
    const repo = cache.getRepository(Session);
    await repo.save(session('1'));
    await repo.get({ tenantId: 'acme', id: '1' });
    await repo.getMany([{ tenantId: 'acme', id: '1' }, { tenantId: 'acme', id: '2' }]);
    expect(store.done().map((c) => [c.store, c.command, c.key ?? c.count])).toEqual([
      [backend.name, 'write', repo.keyOf({ tenantId: 'acme', id: '1' })],
      [backend.name, 'get', repo.keyOf({ tenantId: 'acme', id: '1' })],
      [backend.name, 'mget', 2],
    ]);
  });

  it('traces every way of consuming a find query, and each scan page', async () => {
    const repo = cache.getRepository(Session);
    await repo.save([session('1'), session('2')]);
    repository.clear();
    store.clear();
    const q = repo.find({ tenantId: 'acme' });
    expect(await q.toArray()).toHaveLength(2);
    expect(await q.count()).toBe(2);
    expect((await q.first())?.tenantId).toBe('acme');
    expect(await q.keys().toArray()).toHaveLength(2);
    let n = 0;
    for await (const _ of q.limit(5)) n++;
    expect(n).toBe(2);
    for await (const _ of q) break;
    expect(repository.done().map((c) => [c.operation, c.plan, c.result])).toEqual([
      ['find.toArray', 'scan', expect.any(Array)],
      ['find.count', 'scan', 2],
      ['find.first', 'scan', expect.anything()],
      ['find.keys', 'scan', expect.any(Array)],
      ['find.iterate', 'scan', 2],
      ['find.iterate', 'scan', 1],
    ]);
    expect(store.done().some((c) => c.command === 'scan' && c.key === `${cache.prefix}:session:acme:*`)).toBe(true);
  });
});

describe('tracing failures', () => {
  const repository = record<RepositoryTraceContext>(CHANNELS.repository);
  const store = record<StoreTraceContext>(CHANNELS.store);
  afterEach(() => {
    repository.unsubscribe();
    store.unsubscribe();
    repository.clear();
    store.clear();
  });

  it('publishes the error of a failed operation and of the store call behind it', async () => {
    const cache = createCache({ redis: `redis://127.0.0.1:${await freePort()}`, prefix: 'trace-down' });
    cache.on('error', () => undefined);
    repository.subscribe();
    store.subscribe();
    await expect(cache.getRepository(Session).get({ tenantId: 'acme', id: '1' })).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(repository.seen.filter((s) => s.phase === 'error').map((s) => [s.ctx.operation, s.ctx.error instanceof StoreUnavailableError])).toEqual([
      ['get', true],
    ]);
    expect(store.seen.filter((s) => s.phase === 'error').map((s) => [s.ctx.command, s.ctx.error instanceof StoreUnavailableError])).toEqual([
      ['get', true],
    ]);
    await cache.close();
  });

  it('TracingStore traces a store used outside a cache too', async () => {
    store.subscribe();
    const traced = new TracingStore(new MemoryStore());
    await traced.write([{ key: 'k', value: 'v', ttl: null }]);
    expect(await traced.get('k')).toBe('v');
    expect(store.seen.filter((s) => s.phase === 'asyncEnd').map((s) => s.ctx.command)).toEqual(['write', 'get']);
    await traced.close();
  });
});

describe('connection channel', () => {
  let server: RedisServerHandle | undefined;
  const messages: ConnectionMessage[] = [];
  const onMessage = (m: unknown) => messages.push(m as ConnectionMessage);
  afterAll(async () => {
    diagnostics_channel.unsubscribe(CHANNELS.connection, onMessage);
    await server?.stop();
  });

  it('publishes connection errors, reconnection attempts and the connection becoming ready', async () => {
    diagnostics_channel.subscribe(CHANNELS.connection, onMessage);
    const port = await freePort();
    const cache = createCache({ redis: `redis://:pa55word@127.0.0.1:${port}`, prefix: 'conn' });
    cache.on('error', () => undefined);
    await expect.poll(() => messages.some((m) => m.state === 'reconnecting')).toBe(true);
    const error = messages.find((m) => m.state === 'error')!;
    expect(error).toMatchObject({ address: `127.0.0.1:${port}`, error: expect.stringMatching(/ECONNREFUSED/) });
    expect(messages.find((m) => m.state === 'reconnecting')!.delayMs).toBeGreaterThan(0);
    server = await startRedisServer({ port, args: ['--requirepass', 'pa55word'] });
    await expect.poll(() => messages.some((m) => m.state === 'ready'), { timeout: 15_000 }).toBe(true);
    await cache.close();
    expect(messages.at(-1)!.state).toBe('end');
    expect(JSON.stringify(messages)).not.toContain('pa55word');
  });
});
