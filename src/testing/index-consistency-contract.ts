/**
 * The index-set contract under concurrent change (part of `describeStoreContract` unless
 * `supportsIndex` is false): large sets paged with a small COUNT, walks while others write, members
 * whose key was removed behind the index, and writes that register their index set.
 */
import { expect, it } from 'vitest';
import type { Store } from '../store/store.js';
import type { IndexContext } from './index-contract.js';
import { failure, indexScanAll } from './scans.js';

/** Declares the index tests about consistency while the set changes. @internal */
export function indexConsistencyContract(context: () => IndexContext): void {
  it('index: a large index set yields every member with a small COUNT', async () => {
    const { store, ns } = context();
    const p = ns('ixbig');
    const index = `${p}:index`;
    const keys = Array.from({ length: 3_000 }, (_, i) => `${p}:k:${i}`);
    // Mixed expiries, many ties (+inf and equal TTLs), so pages resume inside runs of equal scores.
    await store.write(keys.map((key, i) => ({ key, value: '1', ttl: i % 3 === 0 ? null : 60_000, index })));
    let batches = 0;
    const counts = new Map<string, number>();
    for await (const batch of store.indexScan(index, { count: 100 })) {
      batches++;
      expect(batch.length).toBeLessThanOrEqual(100);
      for (const key of batch) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([...keys].sort());
    expect(batches).toBeGreaterThanOrEqual(30);
    expect(await indexScanAll(store, index, { match: `${p}:k:*`, count: 100 })).toEqual([...keys].sort());
    expect(await indexScanAll(store, index, { match: `${p}:k:2?9`, count: 100 })).toEqual(
      Array.from({ length: 10 }, (_, i) => `${p}:k:2${i}9`),
    );
    expect(await indexSyncAndUnlink(store, index, keys)).toBe(3_000);
    expect(await store.exists(index)).toBe(false);
  });

  it('index: a scan yields every member present throughout, while others come and go', async () => {
    const { store, ns } = context();
    const p = ns('ixchurn');
    const index = `${p}:index`;
    const stable = Array.from({ length: 600 }, (_, i) => `${p}:stable:${i}`);
    await store.write(stable.map((key, i) => ({ key, value: 'v', ttl: i % 2 === 0 ? null : 60_000, index })));
    await store.write(Array.from({ length: 300 }, (_, i) => ({ key: `${p}:churn:${i}`, value: 'v', ttl: 60_000, index })));
    for (const match of [undefined, `${p}:*`]) {
      const seen = new Set<string>();
      let step = 0;
      for await (const batch of store.indexScan(index, { count: 50, ...(match ? { match } : {}) })) {
        for (const key of batch) seen.add(key);
        await store.unlink([`${p}:churn:${step}`, `${p}:stable-extra:${step - 1}`], { index });
        await store.write([
          { key: `${p}:added:${step}`, value: 'v', ttl: 30_000, index },
          { key: stable[(step * 7) % stable.length]!, value: 'changed', ttl: 'keep', mode: 'XX', index },
        ]);
        step++;
      }
      for (const key of stable) expect(seen.has(key)).toBe(true);
    }
  });

  it('index: members whose key is gone (deleted behind the index, +inf or not) are not yielded, and are removed when met', async () => {
    const { store, ns, indexScore } = context();
    // Untagged names (on a cluster the keys spread over slots) and names sharing one hash tag.
    for (const p of [ns('ixgone'), `${ns('ixgonetag')}:{t}`]) {
      const index = `${p}:index`;
      const keys = Array.from({ length: 40 }, (_, i) => `${p}:k:${String(i).padStart(2, '0')}`);
      await store.write(keys.map((key, i) => ({ key, value: 'v', ttl: i % 2 === 0 ? null : 60_000, index })));
      const gone = keys.filter((_, i) => i % 3 === 0);
      expect(await store.unlink(gone)).toBe(gone.length); // no index option: the members stay behind
      const alive = keys.filter((key) => !gone.includes(key)).sort();
      for (const options of [{ count: 7 }, { match: `${p}:k:*`, count: 7 }, { prefix: `${p}:k:`, count: 7 }]) {
        expect(await indexScanAll(store, index, options)).toEqual(alive);
      }
      for (const key of gone) expect(await indexScore(index, key)).toBeNull();
      for (const key of alive) expect(await indexScore(index, key)).not.toBeNull();
      // The lexicographic side lost them too: a prefix range of only gone keys yields nothing.
      expect(await indexScanAll(store, index, { prefix: `${p}:k:00` })).toEqual([]);
    }
  });

  it('index: a write with a registry lists its index set there (+inf), also after the set was emptied and created again', async () => {
    const { store, ns, indexScore } = context();
    for (const p of [ns('ixreg'), `${ns('ixregtag')}:{t}`]) {
      const index = `${p}:index`;
      const registry = `${ns('ixreg')}:registry`;
      expect(await store.write([{ key: `${p}:k:1`, value: 'v', ttl: 60_000, index, registry }])).toEqual([true]);
      expect(await indexScore(registry, index)).toBe(Number.POSITIVE_INFINITY);
      // Emptied (the set is gone), its entry dropped, then written again: listed again.
      expect(await store.unlink([`${p}:k:1`], { index })).toBe(1);
      expect(await store.exists(index)).toBe(false);
      expect(await store.indexSync(registry, [index])).toBe(0);
      expect(await indexScore(registry, index)).toBeNull();
      expect(await store.write([{ key: `${p}:k:2`, value: 'v', ttl: null, index, registry }])).toEqual([true]);
      expect(await indexScore(registry, index)).toBe(Number.POSITIVE_INFINITY);
      // An op that does not apply lists nothing.
      const other = `${p}:other`;
      expect(await store.write([{ key: `${p}:k:2`, value: 'w', ttl: null, mode: 'NX', index: other, registry }])).toEqual([false]);
      expect(await indexScore(registry, other)).toBeNull();
      expect(await indexScanAll(store, registry)).toContain(index);
    }
    const p = ns('ixregbad');
    const error = await failure(store.write([{ key: `${p}:k`, value: 'v', ttl: null, registry: `${p}:registry` }]));
    expect(error.message).toMatch(/registry .*together with index/);
    expect(await store.exists(`${p}:k`)).toBe(false);
  });
}

/** Unlinks `keys` with their index set; answers how many existed. */
async function indexSyncAndUnlink(store: Store, index: string, keys: string[]): Promise<number> {
  expect(await store.indexSync(index, keys)).toBe(keys.length);
  return store.unlink(keys, { index });
}
