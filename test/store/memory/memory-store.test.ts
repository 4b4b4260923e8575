import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, StoreError, StoreUnavailableError } from '../../../src/errors/index.js';
import { MemoryStore } from '../../../src/store/index.js';
import { uniquePrefix } from '../../support/redis.js';
import { describeStoreContract, indexScanAll, scanAll } from 'cacheorm/testing';
import { sleep } from '../../support/backends.js';

describeStoreContract({
  name: 'MemoryStore',
  createStore: () => new MemoryStore(),
  prefix: uniquePrefix('mem'),
  indexScore: (store, index, key) => store.indexScore(index, key),
});

/** Polls `condition` until it holds or `timeoutMs` passes. */
async function eventually(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(10);
  }
}

describe('MemoryStore', () => {
  it('sweeps expired keys out of memory without anyone reading them', async () => {
    const store = new MemoryStore({ sweepIntervalMs: 20 });
    await store.write(Array.from({ length: 100 }, (_, i) => ({ key: `short:${i}`, value: 'v', ttl: 30 })));
    await store.write(Array.from({ length: 10 }, (_, i) => ({ key: `long:${i}`, value: 'v', ttl: null })));
    expect(store.size).toBe(110);
    await eventually(() => store.size === 10);
    expect(await store.mget(['long:0', 'short:0'])).toEqual(['v', null]);
    await store.close();
  });

  it('sweeps a large store in bounded steps until every expired key is gone', async () => {
    let now = 1_000_000;
    const store = new MemoryStore({ sweepIntervalMs: 5, now: () => now });
    await store.write(Array.from({ length: 30_000 }, (_, i) => ({ key: `k:${i}`, value: 'v', ttl: i % 10 === 0 ? null : 100 })));
    now += 101;
    await eventually(() => store.size === 3_000, 5_000);
    expect(await store.exists('k:0')).toBe(true);
    await store.close();
  });

  it('with sweepIntervalMs: 0 still expires keys on access, without a timer', async () => {
    const store = new MemoryStore({ sweepIntervalMs: 0 });
    await store.write([{ key: 'a', value: '1', ttl: 20 }]);
    await sleep(60);
    expect(store.size).toBe(1); // nothing swept...
    expect(await store.get('a')).toBeNull(); // ...but gone for every reader, and removed on access
    expect(store.size).toBe(0);
    await store.close();
  });

  it('follows the injected clock exactly', async () => {
    let now = 0;
    const store = new MemoryStore({ sweepIntervalMs: 0, now: () => now });
    await store.write([{ key: 'k', value: '1', ttl: 1_000 }]);
    now = 400;
    expect(await store.pttl('k')).toBe(600);
    await store.write([{ key: 'k', value: '2', ttl: 'keep', mode: 'XX' }]);
    now = 999;
    expect(await store.pttl('k')).toBe(1);
    expect(await store.get('k')).toBe('2');
    now = 1_000;
    expect(await store.pttl('k')).toBe(-2);
    expect(await store.get('k')).toBeNull();
    await store.close();
  });

  it('applies a write synchronously: a read issued right after sees it', async () => {
    const store = new MemoryStore();
    const writing = store.write([{ key: 'k', value: '1', ttl: null }]);
    const reading = store.get('k');
    expect(await reading).toBe('1');
    expect(await writing).toEqual([true]);
    await store.close();
  });

  it('yields to the event loop between scan steps', async () => {
    const store = new MemoryStore();
    await store.write(Array.from({ length: 2_000 }, (_, i) => ({ key: `k:${i}`, value: 'v', ttl: null })));
    let macrotaskRan = false;
    setImmediate(() => {
      macrotaskRan = true;
    });
    const seenBeforeEnd: boolean[] = [];
    for await (const batch of store.scan('k:*', { count: 100 })) {
      expect(batch.length).toBeLessThanOrEqual(100);
      seenBeforeEnd.push(macrotaskRan);
    }
    expect(seenBeforeEnd.length).toBe(20);
    expect(seenBeforeEnd.slice(1).every(Boolean)).toBe(true);
    await store.close();
  });

  it('yields every key present for the whole scan exactly once, even while others change', async () => {
    const store = new MemoryStore();
    const stable = Array.from({ length: 1_000 }, (_, i) => `stable:${i}`);
    await store.write(stable.map((key) => ({ key, value: 'v', ttl: null })));
    await store.write(Array.from({ length: 500 }, (_, i) => ({ key: `churn:${i}`, value: 'v', ttl: null })));
    const counts = new Map<string, number>();
    let step = 0;
    for await (const batch of store.scan('*', { count: 50 })) {
      for (const key of batch) counts.set(key, (counts.get(key) ?? 0) + 1);
      // Churn the map during the scan: delete, add, overwrite.
      await store.unlink([`churn:${step}`]);
      await store.write([
        { key: `added:${step}`, value: 'v', ttl: null },
        { key: `stable:${step}`, value: 'changed', ttl: null },
      ]);
      step++;
    }
    for (const key of stable) expect(counts.get(key)).toBe(1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    await store.close();
  });

  it('does not keep the process alive (the sweep timer is unref-ed)', async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const script = [
      "import { MemoryStore } from './src/store/memory/memory-store.ts';",
      'const store = new MemoryStore({ sweepIntervalMs: 10 });',
      "await store.write([{ key: 'k', value: 'v', ttl: 60000 }]);",
      "console.log('written');",
    ].join('\n');
    const started = Date.now();
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: root, timeout: 10_000 },
        (error, out) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: out }),
      );
    });
    expect(stdout.trim()).toBe('written');
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it('throws StoreUnavailableError once closed; close() is idempotent', async () => {
    const store = new MemoryStore();
    await store.write([{ key: 'k', value: 'v', ttl: null }]);
    await store.close();
    await store.close();
    expect(store.size).toBe(0);
    await expect(store.get('k')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.write([{ key: 'k', value: 'v', ttl: null }])).rejects.toThrow(/MemoryStore was closed/);
    await expect(scanAll(store, '*')).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('stops a scan running when the store is closed', async () => {
    const store = new MemoryStore();
    await store.write(Array.from({ length: 300 }, (_, i) => ({ key: `k:${i}`, value: 'v', ttl: null })));
    const scanning = (async () => {
      for await (const _batch of store.scan('*', { count: 100 })) await store.close();
    })();
    await expect(scanning).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('scores index members by its own clock, exactly', async () => {
    let now = 10_000;
    const store = new MemoryStore({ sweepIntervalMs: 0, now: () => now });
    await store.write([
      { key: 'k:a', value: '1', ttl: 1_000, index: 'ix' },
      { key: 'k:b', value: '1', ttl: null, index: 'ix' },
    ]);
    expect(await store.indexScore('ix', 'k:a')).toBe(11_000);
    expect(await store.indexScore('ix', 'k:b')).toBe(Number.POSITIVE_INFINITY);
    expect(await store.indexScore('ix', 'k:none')).toBeNull();
    expect(await store.indexScore('no-index', 'k:a')).toBeNull();
    now = 10_400;
    await store.expire('k:b', 600, { index: 'ix' });
    expect(await store.indexScore('ix', 'k:b')).toBe(11_000);
    now = 10_999;
    expect(await indexScanAll(store, 'ix')).toEqual(['k:a', 'k:b']);
    now = 11_000; // expiry is exclusive, like the keys themselves
    expect(await indexScanAll(store, 'ix')).toEqual([]);
    expect(await store.get('k:a')).toBeNull();
    expect(await store.indexPrune('ix')).toBe(2);
    expect(await store.exists('ix')).toBe(false);
    await expect(store.indexScore('', 'k:a')).rejects.toBeInstanceOf(StoreError);
    await store.close();
  });

  it('yields to the event loop between index scan steps', async () => {
    const store = new MemoryStore();
    await store.write(Array.from({ length: 1_000 }, (_, i) => ({ key: `k:${i}`, value: 'v', ttl: null, index: 'ix' })));
    let macrotaskRan = false;
    setImmediate(() => {
      macrotaskRan = true;
    });
    const seen: boolean[] = [];
    for await (const batch of store.indexScan('ix', { count: 100 })) {
      expect(batch.length).toBe(100);
      seen.push(macrotaskRan);
    }
    expect(seen).toHaveLength(10);
    expect(seen.slice(1).every(Boolean)).toBe(true);
    await store.close();
  });

  it('stops an index scan when the store is closed', async () => {
    const store = new MemoryStore();
    await store.write(Array.from({ length: 300 }, (_, i) => ({ key: `k:${i}`, value: 'v', ttl: null, index: 'ix' })));
    const scanning = (async () => {
      for await (const _batch of store.indexScan('ix', { count: 100 })) await store.close();
    })();
    await expect(scanning).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.indexPrune('ix')).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('rejects bad options with ConfigError', () => {
    expect(() => new MemoryStore({ sweepIntervalMs: -1 })).toThrow(ConfigError);
    expect(() => new MemoryStore({ sweepIntervalMs: Number.NaN })).toThrow(ConfigError);
    expect(() => new MemoryStore({ now: 5 as unknown as () => number })).toThrow(ConfigError);
  });
});
