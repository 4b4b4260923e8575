/**
 * Key-prefix ranges of index scans (`indexScan(index, { prefix })`), run by `describeStoreContract` for
 * every store with an index: RedisStore answers them from the index's lexicographic companion set (`ZRANGEBYLEX`),
 * MemoryStore by filtering; both must yield the same members.
 */
import { expect, it } from 'vitest';
import { StoreError } from '../errors/index.js';
import type { Store } from '../store/store.js';
import type { IndexContext } from './index-contract.js';
import { sleep } from './scans.js';

/** Every member a prefix scan yields, checking batches are non-empty and hold no duplicate. */
async function range(store: Store, index: string, prefix: string, options: { match?: string; count?: number } = {}): Promise<string[]> {
  const all: string[] = [];
  for await (const batch of store.indexScan(index, { ...options, prefix })) {
    expect(batch.length).toBeGreaterThan(0);
    all.push(...batch);
  }
  expect(new Set(all).size).toBe(all.length); // a range is read once: no repeats
  return all.sort();
}

/** Declares the index range tests. @internal */
export function indexRangeContract(context: () => IndexContext): void {
  it('index range: only members starting with the prefix, glob characters literal, across pages', async () => {
    const { store, ns } = context();
    const p = ns('range');
    const index = `${p}:index`;
    const tenants = ['acme', 'acme2', 'acm', 'a*', 'a?c', '[ab]', 'ключ', 'é'];
    const keys = tenants.flatMap((t) => Array.from({ length: 12 }, (_, i) => `${p}:${t}:${String(i).padStart(2, '0')}`));
    await store.write(keys.map((key) => ({ key, value: 'v', ttl: 60_000, index })));
    const of = (t: string) => keys.filter((k) => k.startsWith(`${p}:${t}:`)).sort();

    for (const t of tenants) {
      expect(await range(store, index, `${p}:${t}:`, { count: 5 })).toEqual(of(t));
    }
    expect(await range(store, index, `${p}:acm`, { count: 7 })).toEqual([...of('acme'), ...of('acme2'), ...of('acm')].sort());
    expect(await range(store, index, `${p}:a*`)).toEqual(of('a*'));
    // Pages that end exactly at the end of the range (12 members, pages of 12, 6 and 4).
    for (const count of [12, 6, 4]) expect(await range(store, index, `${p}:acme:`, { count })).toEqual(of('acme'));
    expect(await range(store, index, `${p}:zzz`)).toEqual([]);
    expect(await range(store, `${p}:no-such-index`, `${p}:acme:`)).toEqual([]);
    // prefix narrows, match filters the rest (Redis glob semantics).
    expect(await range(store, index, `${p}:acme:`, { match: `${p}:acme:1?`, count: 4 })).toEqual(of('acme').filter((k) => /:1\d$/.test(k)));
    expect(await range(store, index, `${p}:acme`, { match: `*:0[0-2]` })).toEqual(
      [...of('acme'), ...of('acme2')].filter((k) => /:0[0-2]$/.test(k)).sort(),
    );
  });

  it('index range: expired, deleted and pruned members are left out; expire and indexSync keep it in step', async () => {
    const { store, ns } = context();
    const p = ns('range-life');
    const index = `${p}:index`;
    const k = (id: string) => `${p}:t:${id}`;
    await store.write([
      { key: k('short'), value: 'v', ttl: 100, index },
      { key: k('long'), value: 'v', ttl: 60_000, index },
      { key: k('forever'), value: 'v', ttl: null, index },
      { key: k('gone'), value: 'v', ttl: 60_000, index },
      { key: k('cas'), value: 'old', ttl: 60_000, index },
    ]);
    expect(await range(store, index, `${p}:t:`)).toEqual(['cas', 'forever', 'gone', 'long', 'short'].map(k));
    await store.unlink([k('gone')], { index });
    expect(await store.deleteIfEquals(k('cas'), 'old', { index })).toBe(true);
    await sleep(200);
    expect(await range(store, index, `${p}:t:`)).toEqual(['forever', 'long'].map(k));
    expect(await store.indexPrune(index)).toBe(1);
    expect(await range(store, index, `${p}:t:`)).toEqual(['forever', 'long'].map(k));

    expect(await store.expire(k('long'), 100, { index })).toBe(true);
    await sleep(200);
    expect(await range(store, index, `${p}:t:`)).toEqual([k('forever')]);

    // A key written without the index is found once indexSync (reindex) lists it.
    await store.write([{ key: k('late'), value: 'v', ttl: 60_000 }]);
    expect(await range(store, index, `${p}:t:`)).toEqual([k('forever')]);
    expect(await store.indexSync(index, [k('late'), k('long')])).toBe(1);
    expect(await range(store, index, `${p}:t:`)).toEqual(['forever', 'late'].map(k));
  });

  it('index range: members added during the scan may appear, members present throughout appear once', async () => {
    const { store, ns } = context();
    const p = ns('range-live');
    const index = `${p}:index`;
    const keys = Array.from({ length: 60 }, (_, i) => `${p}:t:${String(i).padStart(3, '0')}`);
    await store.write(keys.map((key) => ({ key, value: 'v', ttl: 60_000, index })));
    const seen: string[] = [];
    let i = 0;
    for await (const batch of store.indexScan(index, { prefix: `${p}:t:`, count: 10 })) {
      seen.push(...batch);
      await store.write([{ key: `${p}:t:${String(500 + i++).padStart(3, '0')}`, value: 'v', ttl: 60_000, index }]);
      await store.unlink([`${p}:t:${String(100 + i).padStart(3, '0')}`], { index }); // absent: no effect
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const key of keys) expect(seen).toContain(key);
  });

  it('index range: a prefix must be a non-empty string', async () => {
    const { store, ns } = context();
    const index = `${ns('range-bad')}:index`;
    for (const prefix of ['', 5 as unknown as string]) {
      const error = await range(store, index, prefix).then(() => undefined, (err: unknown) => err);
      expect(error).toBeInstanceOf(StoreError);
    }
  });
}
