/**
 * The command table (src/store/commands.ts): it has a row for every Store method, and the decorators,
 * the timeout layer and the Redis error mapping read their facts from it.
 */
import { describe, expect, it } from 'vitest';
import { StoreError, StoreUnavailableError } from '../../src/errors/index.js';
import { STORE_COMMANDS, WRITE_REDIS_COMMANDS, WRONGTYPE_REPLY, type StoreCommand } from '../../src/store/commands.js';
import { MemoryStore, StoreDecorator, TimeoutStore, type StoreCall } from '../../src/store/index.js';
import { toClusterFailure } from '../../src/store/redis/cluster/cluster.js';
import { toStoreFailure } from '../../src/store/redis/errors.js';
import type { Store } from '../../src/store/store.js';

class Recording extends StoreDecorator {
  readonly calls: StoreCall<unknown>[] = [];
  protected around<T>(call: StoreCall<T>, run: () => Promise<T>): Promise<T> {
    this.calls.push(call);
    return run();
  }
}

/** A store that never answers, so every call of a TimeoutStore over it times out. */
class Silent extends StoreDecorator {
  protected around<T>(): Promise<T> {
    return new Promise<T>(() => {});
  }
}

const target = { address: '127.0.0.1:1' };

describe('the command table', () => {
  it('has one row per Store method (every method of StoreDecorator but close)', () => {
    const methods = Object.getOwnPropertyNames(StoreDecorator.prototype).filter((name) => !['constructor', 'close', 'finishPages', 'pages'].includes(name));
    expect(Object.keys(STORE_COMMANDS).sort()).toEqual(methods.sort());
  });

  it('gives every call a decorator sees its write flag and empty answer', async () => {
    const store = new Recording(new MemoryStore());
    await store.get('k');
    await store.getWithPttl('k');
    await store.mget(['a', 'b']);
    await store.write([{ key: 'a', value: '1', ttl: null }, { key: 'b', value: '2', ttl: null }]);
    await store.unlink(['a']);
    await store.deleteIfEquals('b', '2');
    await store.exists('k');
    await store.pttl('k');
    await store.expire('k', 1000);
    for await (const page of store.scan('*')) void page;
    for await (const page of store.indexScan('i#index')) void page;
    await store.indexPrune('i#index');
    await store.indexSync('i#index', ['a']);
    for await (const page of store.fieldScan('i#index', { field: 'age' })) void page;
    await store.fieldSync('i#index', [{ key: 'a', value: '1', fields: '' }]);
    await store.close();
    const seen = new Set<StoreCommand>();
    for (const call of store.calls) {
      const facts = STORE_COMMANDS[call.command];
      seen.add(call.command);
      expect(call.write, call.command).toBe(facts.write);
      expect(call.empty, call.command).toEqual(facts.empty(call.count ?? 1));
    }
    expect(seen.size).toBe(Object.keys(STORE_COMMANDS).length);
    expect(store.calls.find((call) => call.command === 'mget')?.empty).toEqual([null, null]);
    expect(store.calls.find((call) => call.command === 'write')?.empty).toEqual([false, false]);
  });

  it('names each call in the timeout message by its label, and says a write outcome is unknown', async () => {
    const store = new TimeoutStore(new Silent(new MemoryStore()), { timeoutMs: 20 });
    const prune = await store.indexPrune('i#index').catch((err: unknown) => err);
    expect(prune).toBeInstanceOf(StoreUnavailableError);
    expect((prune as StoreUnavailableError).code).toBe('E_STORE_UNAVAILABLE');
    expect((prune as Error).message).toMatch(/did not answer ZREMRANGEBYSCORE within 20 ms .*outcome of this write is unknown/);
    const read = await store.getWithPttl('k').catch((err: unknown) => err);
    expect((read as Error).message).toMatch(/did not answer EVALSHA within 20 ms/);
    expect((read as Error).message).not.toMatch(/outcome/);
  });

  it('makes the Redis error mapping call every write command a write, on standalone and cluster alike', () => {
    expect([...WRITE_REDIS_COMMANDS].sort()).toEqual(['EVALSHA', 'HSET', 'MULTI/EXEC', 'PERSIST', 'PEXPIRE', 'SET', 'UNLINK', 'ZADD', 'ZREM', 'ZREMRANGEBYSCORE']);
    const gaveUp = new Error('Too many Cluster redirections. Last error: Error: Connection is closed.');
    const cluster = toClusterFailure(gaveUp, { command: 'ZREMRANGEBYSCORE', key: 'i#index', target });
    expect(cluster).toBeInstanceOf(StoreUnavailableError);
    expect(cluster.message).toMatch(/could not serve ZREMRANGEBYSCORE.*outcome of this write is unknown/);
    const closed = new Error('Connection is closed.');
    expect(toStoreFailure(closed, { command: 'ZREMRANGEBYSCORE', target }).message).toMatch(/outcome of this write is unknown/);
    // A Lua read (getWithPttl's EVALSHA) is a read when the driver says which Store method sent it.
    expect(toStoreFailure(closed, { command: 'EVALSHA', target, write: STORE_COMMANDS.getWithPttl.write }).message).not.toMatch(/outcome/);
    expect(toStoreFailure(closed, { command: 'EVALSHA', target, write: STORE_COMMANDS.deleteIfEquals.write }).message).toMatch(/outcome of this write is unknown/);
  });

  it('is the one WRONGTYPE text the memory store answers with', async () => {
    const store = new MemoryStore();
    await store.write([{ key: 'app:s#index', value: 'not a set', ttl: null }]);
    const error = await store.indexPrune('app:s#index').catch((err: unknown) => err);
    expect((error as StoreError).redisMessage).toBe(WRONGTYPE_REPLY);
    expect((error as StoreError).code).toBe('E_STORE');
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain(WRONGTYPE_REPLY);
    await store.close();
  });
});
