/**
 * The contract every {@link Store} honours, as a vitest suite: cacheorm runs it against MemoryStore,
 * RedisStore (standalone and cluster) and the custom store example; you run it against your own store.
 * Atomicity of a refused batch is store-specific and not part of it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../errors/index.js';
import type { Store } from '../store/store.js';
import { indexConsistencyContract } from './index-consistency-contract.js';
import { indexContract } from './index-contract.js';
import { checkOptions, type StoreContractOptions } from './options.js';
import { fieldIndexContract } from './field-index-contract.js';
import { indexRangeContract } from './index-range-contract.js';
import { scanAll, sleep } from './scans.js';

/**
 * Declares the Store contract suite (a vitest `describe` block) for your store: values, NX/XX,
 * `'keep'` TTLs, expiry, `mget` order, `unlink` counts, compare-and-delete, Redis globs in `scan`,
 * validation of malformed writes (a {@link StoreError} whose `redisMessage` reads like Redis'), concurrent
 * `NX`, and with `supportsIndex` the index sets. Call it at the top level of a test file; it needs
 * vitest (an optional peer dependency of cacheorm). Throws `ConfigError` (`E_CONFIG`) for invalid options.
 *
 * @example
 * // test/my-store.test.ts
 * import { describeStoreContract } from 'cacheorm/testing';
 * import { MyStore } from '../src/my-store.js';
 *
 * describeStoreContract({
 *   name: 'MyStore',
 *   createStore: () => new MyStore(process.env.MY_URL!),
 *   indexScore: (store, index, key) => store.rawScore(index, key),
 *   cleanup: async (store, prefix) => {
 *     await store.deleteUnder(prefix);
 *     await store.close();
 *   },
 * });
 */
export function describeStoreContract<S extends Store>(options: StoreContractOptions<S>): void {
  checkOptions(options as StoreContractOptions<never>);
  const prefix = options.prefix ?? `cacheorm-contract-${randomBytes(6).toString('hex')}`;
  describe(`Store contract: ${options.name}`, () => {
    let subject: S | undefined;
    let store: S;
    let counter = 0;
    /** A fresh namespace under the prefix, one per test. */
    const ns = (label: string): string => `${prefix}:${label}${++counter}`;

    beforeAll(async () => {
      subject = await options.createStore();
      store = subject;
    });
    afterAll(async () => {
      if (subject === undefined) return;
      if (options.cleanup) await options.cleanup(subject, prefix);
      else await subject.close();
    });

    it('round-trips values and answers null for absent keys', async () => {
      const p = ns('rt');
      expect(await store.write([{ key: `${p}:a`, value: 'hello', ttl: null }])).toEqual([true]);
      expect(await store.get(`${p}:a`)).toBe('hello');
      expect(await store.get(`${p}:missing`)).toBeNull();
      expect(await store.write([{ key: `${p}:empty`, value: '', ttl: null }])).toEqual([true]);
      expect(await store.get(`${p}:empty`)).toBe('');
      expect(await store.write([{ key: `${p}:a`, value: 'again', ttl: 60_000 }])).toEqual([true]);
      expect(await store.get(`${p}:a`)).toBe('again');
      expect(await store.write([])).toEqual([]);
    });

    it('round-trips unicode keys and values byte for byte', async () => {
      const p = ns('uni');
      const value = 'héllo wörld 🌍 \u0000 中文 \r\n "quoted" \\ \u{1F600}';
      const key = `${p}:ключ-🔑`;
      await store.write([{ key, value, ttl: null }]);
      expect(await store.get(key)).toBe(value);
      expect(await store.mget([key])).toEqual([value]);
      expect(await scanAll(store, `${p}:*`)).toEqual([key]);
    });

    it('honours NX and XX', async () => {
      const p = ns('mode');
      expect(await store.write([{ key: `${p}:a`, value: '1', ttl: null, mode: 'NX' }])).toEqual([true]);
      expect(await store.write([{ key: `${p}:a`, value: '2', ttl: null, mode: 'NX' }])).toEqual([false]);
      expect(await store.get(`${p}:a`)).toBe('1');
      expect(await store.write([{ key: `${p}:b`, value: '1', ttl: null, mode: 'XX' }])).toEqual([false]);
      expect(await store.exists(`${p}:b`)).toBe(false);
      expect(await store.write([{ key: `${p}:a`, value: '3', ttl: null, mode: 'XX' }])).toEqual([true]);
      expect(await store.get(`${p}:a`)).toBe('3');
    });

    it('applies a batch in order, each NX/XX seeing the ops before it', async () => {
      const p = ns('batch');
      const k = `${p}:k`;
      expect(
        await store.write([
          { key: k, value: 'first', ttl: null, mode: 'NX' },
          { key: k, value: 'second', ttl: null, mode: 'NX' },
        ]),
      ).toEqual([true, false]);
      expect(await store.get(k)).toBe('first');
      const j = `${p}:j`;
      expect(
        await store.write([
          { key: j, value: 'x', ttl: null, mode: 'XX' },
          { key: j, value: 'y', ttl: null, mode: 'NX' },
          { key: j, value: 'z', ttl: null, mode: 'XX' },
          { key: `${p}:other`, value: 'o', ttl: 60_000 },
        ]),
      ).toEqual([false, true, true, true]);
      expect(await store.mget([j, `${p}:other`])).toEqual(['z', 'o']);
    });

    it("keeps the TTL with 'keep' and removes it with null", async () => {
      const p = ns('keep');
      const k = `${p}:k`;
      await store.write([{ key: k, value: '1', ttl: 10_000 }]);
      expect(await store.write([{ key: k, value: '2', ttl: 'keep', mode: 'XX' }])).toEqual([true]);
      expect(await store.get(k)).toBe('2');
      const kept = await store.pttl(k);
      expect(kept).toBeGreaterThan(5_000);
      expect(kept).toBeLessThanOrEqual(10_000);
      await store.write([{ key: k, value: '3', ttl: null }]);
      expect(await store.pttl(k)).toBe(-1);
      // 'keep' on an absent key writes it without expiry, like Redis KEEPTTL.
      await store.write([{ key: `${p}:fresh`, value: '1', ttl: 'keep' }]);
      expect(await store.pttl(`${p}:fresh`)).toBe(-1);
    });

    it('expires keys after their TTL, for every method', async () => {
      const p = ns('ttl');
      const k = `${p}:short`;
      await store.write([
        { key: k, value: 'v', ttl: 60 },
        { key: `${p}:long`, value: 'v', ttl: 60_000 },
      ]);
      expect(await store.get(k)).toBe('v');
      await sleep(150);
      expect(await store.get(k)).toBeNull();
      expect(await store.mget([k, `${p}:long`])).toEqual([null, 'v']);
      expect(await store.exists(k)).toBe(false);
      expect(await store.pttl(k)).toBe(-2);
      expect(await store.expire(k, 1_000)).toBe(false);
      expect(await store.write([{ key: k, value: 'w', ttl: null, mode: 'XX' }])).toEqual([false]);
      expect(await store.write([{ key: k, value: 'w', ttl: null, mode: 'NX' }])).toEqual([true]);
    });

    it('answers mget in input order with nulls, duplicates included', async () => {
      const p = ns('mget');
      await store.write([
        { key: `${p}:a`, value: 'A', ttl: null },
        { key: `${p}:c`, value: 'C', ttl: null },
      ]);
      expect(await store.mget([`${p}:c`, `${p}:b`, `${p}:a`, `${p}:c`])).toEqual(['C', null, 'A', 'C']);
      expect(await store.mget([])).toEqual([]);
    });

    it('reads and deletes thousands of keys in order', async () => {
      const p = ns('many');
      const keys = Array.from({ length: 2_500 }, (_, i) => `${p}:${i}`);
      const ops = keys.filter((_, i) => i % 3 !== 0).map((key) => ({ key, value: key.slice(p.length + 1), ttl: 60_000 }));
      expect(await store.write(ops)).toEqual(ops.map(() => true));
      const values = await store.mget(keys);
      expect(values).toEqual(keys.map((_, i) => (i % 3 === 0 ? null : String(i))));
      expect(await store.unlink(keys)).toBe(ops.length);
      expect(await store.mget(keys.slice(0, 10))).toEqual(Array(10).fill(null));
    });

    it('counts what unlink removed', async () => {
      const p = ns('unlink');
      await store.write(['a', 'b', 'c'].map((s) => ({ key: `${p}:${s}`, value: s, ttl: null })));
      await store.write([{ key: `${p}:gone`, value: 'x', ttl: 30 }]);
      await sleep(80);
      expect(await store.unlink([`${p}:a`, `${p}:missing`, `${p}:b`, `${p}:a`, `${p}:gone`])).toBe(2);
      expect(await store.exists(`${p}:a`)).toBe(false);
      expect(await store.exists(`${p}:c`)).toBe(true);
      expect(await store.unlink([])).toBe(0);
    });

    it('deletes a key only while it holds the expected value (deleteIfEquals)', async () => {
      const p = ns('cad');
      const k = `${p}:k`;
      expect(await store.deleteIfEquals(k, 'v')).toBe(false);
      await store.write([{ key: k, value: 'v1 é🌍', ttl: null }]);
      expect(await store.deleteIfEquals(k, 'v1')).toBe(false);
      expect(await store.deleteIfEquals(k, 'v1 é🌍 ')).toBe(false);
      expect(await store.get(k)).toBe('v1 é🌍');
      expect(await store.deleteIfEquals(k, 'v1 é🌍')).toBe(true);
      expect(await store.exists(k)).toBe(false);
      expect(await store.deleteIfEquals(k, 'v1 é🌍')).toBe(false);
      await store.write([{ key: `${p}:empty`, value: '', ttl: null }]);
      expect(await store.deleteIfEquals(`${p}:empty`, '')).toBe(true);
      await store.write([{ key: `${p}:short`, value: 'x', ttl: 30 }]);
      await sleep(80);
      expect(await store.deleteIfEquals(`${p}:short`, 'x')).toBe(false);
    });

    it('answers getWithPttl (when the store has it) as get and pttl together', async () => {
      if (store.getWithPttl === undefined) return;
      const p = ns('gwp');
      expect(await store.getWithPttl(`${p}:missing`)).toEqual([null, -2]);
      await store.write([
        { key: `${p}:forever`, value: 'f', ttl: null },
        { key: `${p}:timed`, value: 't', ttl: 5_000 },
      ]);
      expect(await store.getWithPttl(`${p}:forever`)).toEqual(['f', -1]);
      const [value, pttl] = await store.getWithPttl(`${p}:timed`);
      expect(value).toBe('t');
      expect(pttl).toBeGreaterThan(4_000);
      expect(pttl).toBeLessThanOrEqual(5_000);
    });

    it('answers pttl -2 / -1 / remaining ms', async () => {
      const p = ns('pttl');
      expect(await store.pttl(`${p}:missing`)).toBe(-2);
      await store.write([
        { key: `${p}:forever`, value: '1', ttl: null },
        { key: `${p}:timed`, value: '1', ttl: 5_000 },
      ]);
      expect(await store.pttl(`${p}:forever`)).toBe(-1);
      const remaining = await store.pttl(`${p}:timed`);
      expect(remaining).toBeGreaterThan(4_000);
      expect(remaining).toBeLessThanOrEqual(5_000);
      expect(Number.isInteger(remaining)).toBe(true);
    });

    it('sets and removes expiry with expire()', async () => {
      const p = ns('expire');
      const k = `${p}:k`;
      expect(await store.expire(k, 1_000)).toBe(false);
      expect(await store.expire(k, null)).toBe(false);
      await store.write([{ key: k, value: '1', ttl: null }]);
      expect(await store.expire(k, null)).toBe(true); // existed, had no TTL: still true
      expect(await store.expire(k, 8_000)).toBe(true);
      expect(await store.pttl(k)).toBeGreaterThan(7_000);
      expect(await store.expire(k, null)).toBe(true);
      expect(await store.pttl(k)).toBe(-1);
      expect(await store.expire(k, 50)).toBe(true);
      await sleep(120);
      expect(await store.exists(k)).toBe(false);
    });

    it('rejects malformed writes and TTLs before writing anything', async () => {
      const p = ns('invalid');
      for (const ttl of [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '100' as unknown as number]) {
        const ops = [
          { key: `${p}:ok`, value: '1', ttl: null },
          { key: `${p}:bad`, value: '1', ttl },
        ];
        const error = await store.write(ops).catch((err: unknown) => err);
        expect(error).toBeInstanceOf(StoreError);
        expect((error as StoreError).redisMessage).toMatch(/invalid expire time/);
      }
      await expect(store.write([{ key: `${p}:ok`, value: 1 as unknown as string, ttl: null }])).rejects.toBeInstanceOf(StoreError);
      await expect(
        store.write([{ key: `${p}:ok`, value: '1', ttl: null, mode: 'XY' as unknown as 'NX' }]),
      ).rejects.toBeInstanceOf(StoreError);
      expect(await store.exists(`${p}:ok`)).toBe(false);
      await store.write([{ key: `${p}:k`, value: '1', ttl: null }]);
      await expect(store.expire(`${p}:k`, 0)).rejects.toBeInstanceOf(StoreError);
      await expect(store.expire(`${p}:k`, 2.5)).rejects.toBeInstanceOf(StoreError);
      expect(await store.pttl(`${p}:k`)).toBe(-1);
      await expect(scanAll(store, `${p}:*`, 0)).rejects.toBeInstanceOf(StoreError);
    });

    it('scans with Redis globs: *, ?, classes, ranges, negation, escapes', async () => {
      const p = ns('glob');
      const names = [
        'user:acme:1', 'user:acme:2', 'user:acme:10', 'user:globex:1', 'user:a%3Ab:1', 'user:a%2Ab:1',
        'lit:a*b', 'lit:axb', 'lit:a?b', 'lit:a[b]', 'lit:a\\b', 'lit:ab',
      ];
      await store.write(names.map((n) => ({ key: `${p}:${n}`, value: n, ttl: 60_000 })));
      const expectScan = async (pattern: string, expected: string[]) =>
        expect(await scanAll(store, `${p}:${pattern}`)).toEqual(expected.map((n) => `${p}:${n}`).sort());

      await expectScan('*', names);
      await expectScan('user:*', names.filter((n) => n.startsWith('user:')));
      await expectScan('user:acme:?', ['user:acme:1', 'user:acme:2']);
      await expectScan('user:*:1', ['user:acme:1', 'user:globex:1', 'user:a%3Ab:1', 'user:a%2Ab:1']);
      await expectScan('user:a%2A*', ['user:a%2Ab:1']);
      await expectScan('user:a%[23]Ab:*', ['user:a%3Ab:1', 'user:a%2Ab:1']);
      await expectScan('user:acme:[^1]', ['user:acme:2']);
      await expectScan('user:acme:[0-1]*', ['user:acme:1', 'user:acme:10']);
      await expectScan('user:acme:[2-1]', ['user:acme:1', 'user:acme:2']);
      await expectScan('lit:a\\*b', ['lit:a*b']);
      await expectScan('lit:a\\?b', ['lit:a?b']);
      await expectScan('lit:a?b', ['lit:a*b', 'lit:axb', 'lit:a?b', 'lit:a\\b']);
      await expectScan('lit:a\\[b\\]', ['lit:a[b]']);
      await expectScan('lit:a\\\\b', ['lit:a\\b']);
      await expectScan('lit:a[\\]*?]b', ['lit:a*b', 'lit:a?b']);
      await expectScan('nothing:*', []);
    });

    it('skips expired keys when scanning', async () => {
      const p = ns('scanttl');
      await store.write(
        Array.from({ length: 10 }, (_, i) => ({ key: `${p}:${i}`, value: 'v', ttl: i % 2 === 0 ? 40 : 60_000 })),
      );
      await sleep(120);
      expect(await scanAll(store, `${p}:*`)).toEqual(['1', '3', '5', '7', '9'].map((i) => `${p}:${i}`));
    });

    it('finds every key of a large keyspace with a small COUNT', async () => {
      const p = ns('big');
      const keys = Array.from({ length: 5_000 }, (_, i) => `${p}:${i}`);
      await store.write(keys.map((key) => ({ key, value: '1', ttl: 60_000 })));
      const found = await scanAll(store, `${p}:*`, 100);
      expect(found).toEqual([...keys].sort());
      expect(await scanAll(store, `${p}:4?9`)).toEqual(Array.from({ length: 10 }, (_, i) => `${p}:4${i}9`));
      expect(await store.unlink(keys)).toBe(5_000);
    });

    it('lets exactly one of 50 concurrent NX writes win', async () => {
      const p = ns('race');
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.write([{ key: `${p}:lock`, value: String(i), ttl: 10_000, mode: 'NX' }])),
      );
      const winners = results.map(([won], i) => (won ? i : -1)).filter((i) => i >= 0);
      expect(winners).toHaveLength(1);
      expect(await store.get(`${p}:lock`)).toBe(String(winners[0]));
    });

    if (options.supportsIndex !== false) {
      const context = () => ({ store, ns, indexScore: (index: string, key: string) => options.indexScore!(store, index, key) });
      indexContract(context);
      indexConsistencyContract(context);
      indexRangeContract(context);
      fieldIndexContract(context);
    }
  });
}
