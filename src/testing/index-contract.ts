/**
 * The index-set part of the store contract (entities with `find: 'index'`), run by
 * `describeStoreContract` unless `supportsIndex` is false. Scores are checked with the options'
 * `indexScore` (Redis `ZSCORE`, `MemoryStore.indexScore`).
 */
import { expect, it } from 'vitest';
import type { Store } from '../store/store.js';
import { failure, indexScanAll, sleep } from './scans.js';

/** What the index tests get from the suite. @internal */
export interface IndexContext {
  store: Store;
  /** The score of `key` in the index set `index` (`Infinity` for +inf), or `null`. */
  indexScore(index: string, key: string): Promise<number | null>;
  /** A fresh namespace under the suite's prefix. */
  ns(label: string): string;
}

async function scanKeys(store: Store, match: string): Promise<string[]> {
  const seen = new Set<string>();
  for await (const batch of store.scan(match)) for (const key of batch) seen.add(key);
  return [...seen].sort();
}

/** Clock tolerance between this process and the store's clock (the test Redis runs on this machine). */
const SKEW = 250;

/** Declares the index-set tests. @internal */
export function indexContract(context: () => IndexContext): void {
  /** Expects `index` to score `key` at about now + `ttlMs` (or `Infinity` / `null`). */
  async function expectScore(index: string, key: string, ttlMs: number | null | 'absent'): Promise<void> {
    const score = await context().indexScore(index, key);
    if (ttlMs === 'absent') expect(score).toBeNull();
    else if (ttlMs === null) expect(score).toBe(Number.POSITIVE_INFINITY);
    else {
      expect(score).not.toBeNull();
      expect(Math.abs(score! - (Date.now() + ttlMs))).toBeLessThan(SKEW);
    }
  }

  it('index: a write adds the key scored by its expiry; the index set is a key of its own', async () => {
    const { store, ns } = context();
    const p = ns('ixw');
    const index = `${p}:index`;
    expect(await store.write([{ key: `${p}:k:a`, value: 'a', ttl: 60_000, index }])).toEqual([true]);
    expect(await store.write([{ key: `${p}:k:b`, value: 'b', ttl: null, index }])).toEqual([true]);
    await expectScore(index, `${p}:k:a`, 60_000);
    await expectScore(index, `${p}:k:b`, null);
    const score = (await context().indexScore(index, `${p}:k:a`))!;
    expect(Math.abs(score - (Date.now() + (await store.pttl(`${p}:k:a`))))).toBeLessThan(50);
    // Rewriting moves the score.
    await store.write([{ key: `${p}:k:a`, value: 'a2', ttl: 5_000, index }]);
    await expectScore(index, `${p}:k:a`, 5_000);
    // The index set behaves like any Redis key.
    expect(await store.exists(index)).toBe(true);
    expect(await store.pttl(index)).toBe(-1);
    // (RedisStore keeps a companion set next to it, `<index>:lex`, on Redis Cluster `<index>:lex{<index>}`
    // when the index has no hash tag; see the RedisStore tests.)
    expect((await scanKeys(store, `${p}:*`)).filter((k) => !k.startsWith(`${index}:lex`))).toEqual([index, `${p}:k:a`, `${p}:k:b`].sort());
    expect((await failure(store.get(index))).redisMessage).toMatch(/^WRONGTYPE/);
    expect(await store.mget([index, `${p}:k:b`])).toEqual([null, 'b']);
    expect(await store.unlink([index])).toBe(1);
    expect(await store.exists(index)).toBe(false);
    expect(await store.get(`${p}:k:a`)).toBe('a2');
  });

  it('index: NX/XX gate the index; keep keeps the score; null scores +inf', async () => {
    const { store, ns } = context();
    const p = ns('ixmode');
    const index = `${p}:index`;
    await store.write([{ key: `${p}:plain`, value: '1', ttl: 60_000 }]);
    expect(await store.write([{ key: `${p}:plain`, value: '2', ttl: 60_000, mode: 'NX', index }])).toEqual([false]);
    await expectScore(index, `${p}:plain`, 'absent');
    expect(await store.exists(index)).toBe(false);
    expect(await store.write([{ key: `${p}:x`, value: '1', ttl: null, mode: 'XX', index }])).toEqual([false]);
    expect(await store.exists(index)).toBe(false);

    expect(await store.write([{ key: `${p}:b`, value: '1', ttl: 30_000, mode: 'NX', index }])).toEqual([true]);
    expect(await store.write([{ key: `${p}:b`, value: '2', ttl: 90_000, mode: 'NX', index }])).toEqual([false]);
    await expectScore(index, `${p}:b`, 30_000);
    await sleep(20);
    expect(await store.write([{ key: `${p}:b`, value: '3', ttl: 'keep', mode: 'XX', index }])).toEqual([true]);
    expect(await store.get(`${p}:b`)).toBe('3');
    await expectScore(index, `${p}:b`, 30_000 - 20);
    // 'keep' adds a missing member with the expiry the key kept, or +inf when it has none.
    await store.write([
      { key: `${p}:d`, value: '1', ttl: 20_000 },
      { key: `${p}:e`, value: '1', ttl: null },
    ]);
    expect(
      await store.write([
        { key: `${p}:d`, value: '2', ttl: 'keep', mode: 'XX', index },
        { key: `${p}:e`, value: '2', ttl: 'keep', mode: 'XX', index },
        { key: `${p}:f`, value: '2', ttl: 'keep', index },
      ]),
    ).toEqual([true, true, true]);
    await expectScore(index, `${p}:d`, 20_000);
    await expectScore(index, `${p}:e`, null);
    await expectScore(index, `${p}:f`, null);
    // 'keep' leaves a member's recorded score alone (KEEPTTL does not change the expiry it records), even
    // when the key's TTL was changed behind the index's back.
    await store.write([{ key: `${p}:g`, value: '1', ttl: 30_000, index }]);
    await store.expire(`${p}:g`, 90_000);
    expect(await store.write([{ key: `${p}:g`, value: '2', ttl: 'keep', mode: 'XX', index }])).toEqual([true]);
    await expectScore(index, `${p}:g`, 30_000);
  });

  it('index: a batch applies in order, only indexing the ops that applied and have an index', async () => {
    const { store, ns } = context();
    const p = ns('ixbatch');
    const index = `${p}:index`;
    const other = `${p}:other-index`;
    expect(
      await store.write([
        { key: `${p}:k1`, value: 'first', ttl: 10_000, mode: 'NX', index },
        { key: `${p}:k1`, value: 'second', ttl: 50_000, mode: 'NX', index },
        { key: `${p}:k2`, value: 'plain', ttl: 60_000 },
        { key: `${p}:k3`, value: 'x', ttl: null, mode: 'XX', index },
        { key: `${p}:k3`, value: 'y', ttl: 40_000, index: other },
        { key: `${p}:k2`, value: 'plain2', ttl: null, mode: 'XX', index },
        { key: `${p}:ключ-🔑`, value: 'héllo 🌍 \u0000 "q" \\', ttl: null, index: other },
      ]),
    ).toEqual([true, false, true, false, true, true, true]);
    expect(await store.get(`${p}:ключ-🔑`)).toBe('héllo 🌍 \u0000 "q" \\');
    expect(await store.mget([`${p}:k1`, `${p}:k2`, `${p}:k3`])).toEqual(['first', 'plain2', 'y']);
    expect(await store.pttl(`${p}:k2`)).toBe(-1);
    expect(await indexScanAll(store, index)).toEqual([`${p}:k1`, `${p}:k2`]);
    await expectScore(index, `${p}:k1`, 10_000);
    await expectScore(index, `${p}:k2`, null);
    expect(await indexScanAll(store, other)).toEqual([`${p}:k3`, `${p}:ключ-🔑`].sort());
    await expectScore(other, `${p}:k3`, 40_000);
  });

  it('index: a batch whose index set holds a value is refused before anything is written', async () => {
    const { store, ns } = context();
    const p = ns('ixtype');
    const index = `${p}:index`;
    const notASet = `${p}:string`;
    await store.write([{ key: notASet, value: 'v', ttl: null }]);
    const error = await failure(
      store.write([
        { key: `${p}:a`, value: '1', ttl: null, index },
        { key: `${p}:b`, value: '1', ttl: null },
        { key: `${p}:c`, value: '1', ttl: null, index: notASet },
      ]),
    );
    expect(error.redisMessage).toMatch(/^WRONGTYPE/);
    expect(await store.mget([`${p}:a`, `${p}:b`, `${p}:c`])).toEqual([null, null, null]);
    expect(await store.exists(index)).toBe(false);
    expect(await store.get(notASet)).toBe('v');
    await store.write([{ key: `${p}:a`, value: '1', ttl: null }]);
    expect((await failure(store.unlink([`${p}:a`], { index: notASet }))).redisMessage).toMatch(/^WRONGTYPE/);
    expect(await store.exists(`${p}:a`)).toBe(true);
    expect((await failure(store.expire(`${p}:a`, 5_000, { index: notASet }))).redisMessage).toMatch(/^WRONGTYPE/);
    expect(await store.pttl(`${p}:a`)).toBe(-1);
    expect((await failure(indexScanAll(store, notASet))).redisMessage).toMatch(/^WRONGTYPE/);
    expect((await failure(store.indexPrune(notASet))).redisMessage).toMatch(/^WRONGTYPE/);
    expect((await failure(store.indexSync(notASet, [`${p}:a`]))).redisMessage).toMatch(/^WRONGTYPE/);
    expect(await store.unlink([], { index: notASet })).toBe(0); // nothing to do: no error either
    expect(await store.indexSync(notASet, [])).toBe(0);
  });

  it('index: unlink and deleteIfEquals remove members', async () => {
    const { store, ns } = context();
    const p = ns('ixdel');
    const index = `${p}:index`;
    await store.write(['a', 'b', 'c', 'd', 'stale'].map((s) => ({ key: `${p}:${s}`, value: s, ttl: 60_000, index })));
    expect(await store.unlink([`${p}:stale`])).toBe(1); // without the index: the member stays
    await expectScore(index, `${p}:stale`, 60_000);
    expect(await store.unlink([`${p}:a`, `${p}:missing`, `${p}:b`, `${p}:stale`], { index })).toBe(2);
    for (const gone of ['a', 'b', 'stale']) await expectScore(index, `${p}:${gone}`, 'absent');
    expect(await indexScanAll(store, index)).toEqual([`${p}:c`, `${p}:d`]);

    expect(await store.deleteIfEquals(`${p}:c`, 'nope', { index })).toBe(false);
    await expectScore(index, `${p}:c`, 60_000);
    expect(await store.deleteIfEquals(`${p}:c`, 'c', { index })).toBe(true);
    expect(await store.exists(`${p}:c`)).toBe(false);
    await expectScore(index, `${p}:c`, 'absent');
    expect(await store.deleteIfEquals(`${p}:d`, 'd')).toBe(true); // without the index: the member stays
    await expectScore(index, `${p}:d`, 60_000);
    expect(await store.unlink([`${p}:d`], { index })).toBe(0);
    // An index set that loses its last member is gone, like in Redis.
    expect(await store.exists(index)).toBe(false);
    expect(await store.unlink([], { index })).toBe(0);
  });

  it('index: expire updates the score (null: +inf) of an existing key only', async () => {
    const { store, ns } = context();
    const p = ns('ixexp');
    const index = `${p}:index`;
    const k = `${p}:k`;
    expect(await store.expire(k, 1_000, { index })).toBe(false);
    expect(await store.expire(k, null, { index })).toBe(false);
    expect(await store.exists(index)).toBe(false);
    await store.write([{ key: k, value: '1', ttl: null }]);
    expect(await store.expire(k, 8_000, { index })).toBe(true); // adds the member
    await expectScore(index, k, 8_000);
    expect(await store.pttl(k)).toBeGreaterThan(7_000);
    expect(await store.expire(k, null, { index })).toBe(true);
    await expectScore(index, k, null);
    expect(await store.pttl(k)).toBe(-1);
    expect(await store.expire(k, 60, { index })).toBe(true);
    await sleep(150);
    expect(await store.exists(k)).toBe(false);
    expect(await indexScanAll(store, index)).toEqual([]);
  });

  it('index: indexScan with and without a glob, metacharacters escaped', async () => {
    const { store, ns } = context();
    const p = ns('ixscan');
    const index = `${p}:index`;
    const names = ['user:acme:1', 'user:acme:2', 'user:acme:10', 'user:globex:1', 'user:a%2Ab:1', 'user:a%3Ab:1', 'lit:a*b', 'lit:axb', 'lit:a?b'];
    await store.write(names.map((n, i) => ({ key: `${p}:${n}`, value: n, ttl: i % 2 === 0 ? null : 60_000, index })));
    const expectScan = async (pattern: string | undefined, expected: string[]) =>
      expect(await indexScanAll(store, index, pattern === undefined ? {} : { match: `${p}:${pattern}` })).toEqual(
        expected.map((n) => `${p}:${n}`).sort(),
      );
    await expectScan(undefined, names);
    await expectScan('*', names);
    await expectScan('user:acme:?', ['user:acme:1', 'user:acme:2']);
    await expectScan('user:a%2A*', ['user:a%2Ab:1']);
    await expectScan('user:a%[23]Ab:*', ['user:a%2Ab:1', 'user:a%3Ab:1']);
    await expectScan('user:*:1', ['user:acme:1', 'user:globex:1', 'user:a%2Ab:1', 'user:a%3Ab:1']);
    await expectScan('lit:a\\*b', ['lit:a*b']);
    await expectScan('lit:a?b', ['lit:a*b', 'lit:axb', 'lit:a?b']);
    await expectScan('nothing:*', []);
    expect(await indexScanAll(store, `${p}:no-such-index`)).toEqual([]);
    expect(await indexScanAll(store, `${p}:no-such-index`, { match: '*' })).toEqual([]);
  });

  it('index: expired members are not yielded; indexPrune removes exactly them', async () => {
    const { store, ns } = context();
    const p = ns('ixttl');
    const index = `${p}:index`;
    const short = Array.from({ length: 6 }, (_, i) => `${p}:short:${i}`);
    const long = Array.from({ length: 4 }, (_, i) => `${p}:long:${i}`);
    await store.write([
      ...short.map((key) => ({ key, value: 'v', ttl: 60, index })),
      ...long.map((key) => ({ key, value: 'v', ttl: 60_000, index })),
      { key: `${p}:forever`, value: 'v', ttl: null, index },
    ]);
    expect(await indexScanAll(store, index)).toHaveLength(11);
    await sleep(150);
    const live = [...long, `${p}:forever`].sort();
    expect(await indexScanAll(store, index)).toEqual(live);
    expect(await indexScanAll(store, index, { match: `${p}:*` })).toEqual(live);
    expect(await indexScanAll(store, index, { match: `${p}:short:*` })).toEqual([]);
    await expectScore(index, short[0]!, 60 - 150); // expired members keep their score until pruned
    expect(await store.indexPrune(index)).toBe(6);
    for (const key of short) await expectScore(index, key, 'absent');
    await expectScore(index, long[0]!, 60_000);
    await expectScore(index, `${p}:forever`, null);
    expect(await store.indexPrune(index)).toBe(0);
    expect(await store.indexPrune(`${p}:no-such-index`)).toBe(0);
    // Pruning the last members removes the set.
    const lone = `${p}:lone-index`;
    await store.write([{ key: `${p}:brief`, value: 'v', ttl: 40, index: lone }]);
    await sleep(100);
    expect(await store.indexPrune(lone)).toBe(1);
    expect(await store.exists(lone)).toBe(false);
  });

  it('index: indexSync adds existing keys with their expiry and removes missing ones', async () => {
    const { store, ns } = context();
    const p = ns('ixsync');
    const index = `${p}:index`;
    await store.write([
      { key: `${p}:timed`, value: '1', ttl: 30_000 },
      { key: `${p}:forever`, value: '1', ttl: null },
      { key: `${p}:stale`, value: '1', ttl: null, index },
      { key: `${p}:moved`, value: '1', ttl: 90_000, index },
    ]);
    await store.unlink([`${p}:stale`]);
    await store.expire(`${p}:moved`, 20_000);
    const keys = ['timed', 'forever', 'stale', 'missing', 'moved'].map((s) => `${p}:${s}`);
    expect(await store.indexSync(index, keys)).toBe(3);
    await expectScore(index, `${p}:timed`, 30_000);
    await expectScore(index, `${p}:forever`, null);
    await expectScore(index, `${p}:stale`, 'absent');
    await expectScore(index, `${p}:missing`, 'absent');
    await expectScore(index, `${p}:moved`, 20_000);
    expect(await indexScanAll(store, index)).toEqual([`${p}:forever`, `${p}:moved`, `${p}:timed`]);
    expect(await store.indexSync(index, [])).toBe(0);
    expect(await store.indexSync(`${p}:fresh-index`, [`${p}:timed`])).toBe(1);
    expect(await indexScanAll(store, `${p}:fresh-index`)).toEqual([`${p}:timed`]);
  });

  it('index: rejects a malformed index or keys before doing anything', async () => {
    const { store, ns } = context();
    const p = ns('ixbad');
    for (const index of ['', 42 as unknown as string]) {
      await failure(store.write([{ key: `${p}:ok`, value: '1', ttl: null }, { key: `${p}:a`, value: '1', ttl: null, index }]));
      await failure(store.unlink([`${p}:ok`], { index }));
      await failure(store.expire(`${p}:ok`, 1_000, { index }));
      await failure(store.deleteIfEquals(`${p}:ok`, '1', { index }));
      await failure(indexScanAll(store, index));
      await failure(store.indexPrune(index));
      await failure(store.indexSync(index, []));
    }
    expect(await store.exists(`${p}:ok`)).toBe(false);
    await failure(indexScanAll(store, `${p}:index`, { count: 0 }));
    await failure(indexScanAll(store, `${p}:index`, { match: 5 as unknown as string }));
    await failure(store.indexSync(`${p}:index`, [1 as unknown as string]));
    await failure(store.indexSync(`${p}:index`, 'k' as unknown as string[]));
  });
}
