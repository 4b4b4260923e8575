/**
 * Field indexes (`WriteOp.fields`, `fieldScan`, `fieldSync`), run by `describeStoreContract` for every
 * store with an index: RedisStore (standalone and cluster) answers from `<index>:fields` with Lua,
 * MemoryStore from its own sorted lists; both must yield the same entries. See docs/find.md, "Field indexes".
 */
import { expect, it } from 'vitest';
import type { FieldBound, FieldScanOptions, Store, WriteOp } from '../store/store.js';
import type { IndexContext } from './index-contract.js';
import { sleep } from './scans.js';

// Encoded values are opaque text to a store, ordered byte-wise; these are order-preserving for the
// test's values: integers offset and zero-padded, text with NUL and \x01 escaped (no NUL may remain).
const num = (n: number) => String(n + 1e10).padStart(12, '0');
const str = (s: string) => s.replace(/[\0\x01]/g, (c) => (c === '\0' ? '\x01\x01' : '\x01\x02'));
const fieldTag = str;
const eq = (value: string): { min: FieldBound; max: FieldBound } => ({ min: { value, inclusive: true }, max: { value, inclusive: true } });

/** Every `[key, value]` a field scan yields, in order, checking batches are non-empty. */
async function hits(store: Store, index: string, options: FieldScanOptions): Promise<[string, string][]> {
  const all: [string, string][] = [];
  for await (const batch of store.fieldScan(index, options)) {
    expect(batch.length).toBeGreaterThan(0);
    for (const [key, value] of batch) all.push([key, value]);
  }
  return all;
}
const keysOf = async (store: Store, index: string, options: FieldScanOptions) => (await hits(store, index, options)).map(([key]) => key);

/** Declares the field index tests. @internal */
export function fieldIndexContract(context: () => IndexContext): void {
  it('field index: equality and ranges in value order, both directions, across pages', async () => {
    const { store, ns } = context();
    const p = ns('fields');
    const index = `${p}:index`;
    const ages = [-5, 0, 3, 3, 10, 42, 42, 42, 99, 1e9];
    const ops: WriteOp[] = ages.map((age, i) => ({
      key: `${p}:k${i}`, value: `v${i}`, ttl: 60_000, index, fields: `age\0${num(age)}\0name\0${str(`n${i % 3}`)}\0`,
    }));
    await store.write(ops);
    const byAge = (pred: (a: number) => boolean) => ages.map((a, i) => [a, i] as const).filter(([a]) => pred(a)).map(([, i]) => `${p}:k${i}`);
    expect(await keysOf(store, index, { field: 'age', ...eq(num(42)), count: 2 })).toEqual(byAge((a) => a === 42).sort());
    expect(await keysOf(store, index, { field: 'age', min: { value: num(3), inclusive: false }, max: { value: num(42), inclusive: true }, count: 3 })).toEqual(
      [`${p}:k4`, `${p}:k5`, `${p}:k6`, `${p}:k7`],
    );
    const all = await hits(store, index, { field: 'age', count: 4 });
    expect(all.map(([key]) => key)).toHaveLength(ages.length);
    expect(all.map(([, value]) => value)).toEqual(ages.map(num)); // ages are sorted: value order
    const down = await keysOf(store, index, { field: 'age', reverse: true, count: 3 });
    expect(down).toEqual(all.map(([key]) => key).reverse());
    // Pages ending exactly at the end of the range (10 entries, pages of 5 and 10), both directions.
    for (const count of [5, 10]) {
      expect(await keysOf(store, index, { field: 'age', count })).toEqual(all.map(([key]) => key));
      expect(await keysOf(store, index, { field: 'age', count, reverse: true })).toEqual(down);
    }
    expect(await keysOf(store, index, { field: 'age', max: { value: num(0), inclusive: false } })).toEqual([`${p}:k0`]);
    expect(await keysOf(store, index, { field: 'name', ...eq(str('n1')) })).toEqual(byAge(() => true).filter((_, i) => i % 3 === 1).sort());
    expect(await keysOf(store, index, { field: 'nope' })).toEqual([]);
    expect(await keysOf(store, `${p}:no-such-index`, { field: 'age' })).toEqual([]);
    await store.unlink(ops.map((op) => op.key), { index });
  });

  it('field index: a changed value is not found under its old one; unlink, compare-and-delete, expiry and raw deletes drop entries', async () => {
    const { store, ns } = context();
    const p = ns('fields-life');
    const index = `${p}:index`;
    const k = (id: string) => `${p}:${id}`;
    const w = (id: string, age: number, ttl: number | null = 60_000, extra: Partial<WriteOp> = {}): WriteOp => ({
      key: k(id), value: `${id}:${age}`, ttl, index, fields: `age\0${num(age)}\0`, ...extra,
    });
    await store.write([w('a', 1), w('b', 1), w('c', 1), w('d', 1), w('e', 1, 150), w('f', 1, null)]);
    await store.write([w('a', 2)]);
    expect(await keysOf(store, index, { field: 'age', ...eq(num(1)) })).toEqual(['b', 'c', 'd', 'e', 'f'].map(k));
    expect(await keysOf(store, index, { field: 'age', ...eq(num(2)) })).toEqual([k('a')]);
    // A write that does not apply (NX on an existing key, XX on a missing one) changes nothing.
    expect(await store.write([w('a', 3, 60_000, { mode: 'NX' }), w('zz', 3, 60_000, { mode: 'XX' })])).toEqual([false, false]);
    expect(await keysOf(store, index, { field: 'age', ...eq(num(3)) })).toEqual([]);
    // No indexed value: the key leaves the field index.
    await store.write([w('d', 1, 60_000, { fields: '' })]);
    expect(await store.unlink([k('b')], { index })).toBe(1);
    expect(await store.deleteIfEquals(k('c'), 'c:1', { index })).toBe(true);
    await store.unlink([k('f')]); // raw: without the index
    await sleep(250); // e expires
    expect(await store.indexPrune(index)).toBe(1);
    expect(await keysOf(store, index, { field: 'age', ...eq(num(1)) })).toEqual([]);
    // The raw-deleted key was removed by the scan that met it: rewriting it without entries leaves it out.
    await store.write([{ key: k('f'), value: 'f', ttl: 60_000, index }]);
    expect(await keysOf(store, index, { field: 'age' })).toEqual([k('a')]);
    await store.unlink([k('a'), k('d'), k('f')], { index });
  });

  it('field index: hostile values are data (*, [, \\, %, :, unicode, NUL) and find only themselves', async () => {
    const { store, ns } = context();
    const p = ns('fields-hostile');
    const index = `${p}:index`;
    const values = ['*', '[a-z]', '\\', '%2A', 'a:b', 'ключ', '😀', '\0', 'a\0b', '\x01', "'; return redis.call('FLUSHALL') --", ''];
    await store.write(values.map((v, i) => ({ key: `${p}:${i}`, value: 'x', ttl: 60_000, index, fields: `${fieldTag('s\0f')}\0${str(v)}\0` })));
    for (const [i, v] of values.entries()) {
      expect(await keysOf(store, index, { field: fieldTag('s\0f'), ...eq(str(v)) }), JSON.stringify(v)).toEqual([`${p}:${i}`]);
    }
    await store.unlink(values.map((_, i) => `${p}:${i}`), { index });
  });

  it('field index: fieldSync writes entries only for keys still holding the value, and drops gone keys', async () => {
    const { store, ns } = context();
    const p = ns('fields-sync');
    const index = `${p}:index`;
    await store.write([
      { key: `${p}:same`, value: 'v1', ttl: 60_000, index },
      { key: `${p}:moved`, value: 'v2', ttl: 60_000, index, fields: `age\0${num(2)}\0` },
      { key: `${p}:gone`, value: 'v1', ttl: 60_000, index, fields: `age\0${num(1)}\0` },
    ]);
    await store.unlink([`${p}:gone`]);
    const written = await store.fieldSync(index, [
      { key: `${p}:same`, value: 'v1', fields: `age\0${num(1)}\0` },
      { key: `${p}:moved`, value: 'v1', fields: `age\0${num(1)}\0` },
      { key: `${p}:gone`, value: 'v1', fields: `age\0${num(1)}\0` },
    ]);
    expect(written).toBe(1);
    expect(await keysOf(store, index, { field: 'age' })).toEqual([`${p}:same`, `${p}:moved`]);
    await store.unlink([`${p}:same`, `${p}:moved`], { index });
  });
}
