/** Range matchers and the comparisons behind ranges and orderBy (compare.ts), without a store. */
import { describe, expect, it } from 'vitest';
import { InvalidQueryError } from '../../src/errors/index.js';
import {
  between,
  compareOrdered,
  compareStrings,
  compareValues,
  gt,
  gte,
  inRange,
  isMatcher,
  lt,
  lte,
  oneOf,
  sortType,
  type Ordered,
} from '../../src/query/index.js';
import { MATCHER } from '../../src/query/matchers.js';

const d = (ms: number) => new Date(ms);

describe('range constructors', () => {
  it('give a frozen, branded matcher with its bounds and inclusivity', () => {
    const r = gt(18);
    expect(isMatcher(r)).toBe(true);
    expect(Object.isFrozen(r)).toBe(true);
    expect(r[MATCHER]).toBe('range');
    expect(r).toMatchObject({ op: 'gt', type: 'number', lower: { value: 18, inclusive: false }, upper: undefined });
    expect(gte(18)).toMatchObject({ op: 'gte', lower: { value: 18, inclusive: true }, upper: undefined });
    expect(lt(5n)).toMatchObject({ op: 'lt', type: 'bigint', lower: undefined, upper: { value: 5n, inclusive: false } });
    expect(lte(d(0))).toMatchObject({ op: 'lte', type: 'date', upper: { value: d(0), inclusive: true } });
    expect(between(1, 5)).toMatchObject({ op: 'between', lower: { value: 1, inclusive: true }, upper: { value: 5, inclusive: true } });
    expect(between(5, 5).lower?.value).toBe(5);
    expect(between(-Infinity, Infinity).type).toBe('number');
  });

  it('copy Date bounds, so a later change of the caller\'s Date changes nothing', () => {
    const at = d(1000);
    const r = gte(at);
    at.setTime(5000);
    expect(r.lower?.value).toEqual(d(1000));
    expect(inRange(r, d(2000))).toBe(true);
  });

  it('print as JSON in the way they are written', () => {
    expect(JSON.stringify(gt(1))).toBe('{"gt":1}');
    expect(JSON.stringify(between(1n, 2n))).toBe('{"between":["1n","2n"]}');
    expect(JSON.stringify(lt(d(0)))).toBe('{"lt":"1970-01-01T00:00:00.000Z"}');
  });

  const bad: [string, () => unknown, RegExp][] = [
    ['a string', () => gt('1' as never), /gt\(\) takes a number, a bigint or a valid Date, got a string\. For text, use prefix/],
    ['NaN', () => gte(NaN), /got NaN/],
    ['an invalid Date', () => lt(new Date('nope')), /got an invalid Date/],
    ['null', () => lte(null as never), /got null/],
    ['undefined', () => gt(undefined as never), /got undefined/],
    ['a boolean', () => gt(true as never), /got boolean/],
    ['a matcher', () => gt(gt(1) as never), /got a matcher/],
    ['an array', () => between([1] as never, 2 as never), /got an array/],
    ['mixed number and bigint', () => between(1 as never, 2n as never), /two bounds of the same type, got a number and a bigint/],
    ['mixed Date and number', () => between(d(0) as never, 2 as never), /got a date and a number/],
    ['lo > hi', () => between(5, 1), /lo <= hi, got lo 5 above hi 1\. Swap/],
    ['lo > hi (bigint)', () => between(5n, 1n), /lo 5n above hi 1n/],
    ['lo > hi (Date)', () => between(d(2), d(1)), /lo 1970-01-01T00:00:00\.002Z above/],
    ['NaN high bound', () => between(1, NaN), /got NaN/],
  ];
  it.each(bad)('reject %s with InvalidQueryError', (_, fn, message) => {
    expect(fn).toThrow(InvalidQueryError);
    expect(fn).toThrow(message);
  });

  it('cannot be mixed into oneOf', () => {
    expect(() => oneOf([1, gt(2)] as never)).toThrow(InvalidQueryError);
  });
});

describe('inRange', () => {
  it('honours inclusivity at each bound', () => {
    expect([17, 18, 19].map((v) => inRange(gt(18), v))).toEqual([false, false, true]);
    expect([17, 18, 19].map((v) => inRange(gte(18), v))).toEqual([false, true, true]);
    expect([17, 18, 19].map((v) => inRange(lt(18), v))).toEqual([true, false, false]);
    expect([17, 18, 19].map((v) => inRange(lte(18), v))).toEqual([true, true, false]);
    expect([0, 1, 3, 5, 6].map((v) => inRange(between(1, 5), v))).toEqual([false, true, true, true, false]);
  });

  it('compares bigints as integers (beyond 2^53) and Dates by time', () => {
    const big = 2n ** 64n;
    expect(inRange(gt(big), big + 1n)).toBe(true);
    expect(inRange(gt(big), big)).toBe(false);
    expect(inRange(between(d(10), d(20)), d(20))).toBe(true);
    expect(inRange(between(d(10), d(20)), d(21))).toBe(false);
    expect(inRange(gte(0), -0)).toBe(true);
    expect(inRange(lt(Infinity), Number.MAX_VALUE)).toBe(true);
  });

  it('never matches a value of another type, a missing value, NaN or an invalid Date', () => {
    for (const v of [undefined, null, NaN, new Date('x'), '5', 5n, true, [5], { value: 5 }]) expect(inRange(gt(1), v)).toBe(false);
    expect(inRange(gt(1n), 5)).toBe(false);
    expect(inRange(gt(d(0)), 5)).toBe(false);
    expect(inRange(lt(10), -Infinity)).toBe(true);
  });
});

describe('compareValues and compareStrings', () => {
  it('order each type', () => {
    expect(compareValues(2, 10)).toBeLessThan(0);
    expect(compareValues(10n, 2n)).toBeGreaterThan(0);
    expect(compareValues(d(1), d(0))).toBeGreaterThan(0);
    expect(compareValues(false, true)).toBeLessThan(0);
    expect(compareValues('b', 'a')).toBeGreaterThan(0);
    expect(compareValues(-0, 0)).toBe(0);
  });

  it('order strings by code point, like Redis orders their UTF-8 bytes', () => {
    const words = ['\u{1F600}', '\uFFFF', '\uE000', 'z', 'Z', '', 'a', 'ab', '\u00E9'];
    const byBytes = [...words].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect([...words].sort(compareStrings)).toEqual(byBytes);
    expect(compareStrings('\u{1F600}', '\uFFFF')).toBe(1); // `<` says the opposite
    expect('\u{1F600}' < '\uFFFF').toBe(true);
  });

  it('sort types apart in a union field: boolean, number, bigint, Date, string', () => {
    expect(['x', d(0), 1n, 2, true].sort(compareValues)).toEqual([true, 2, 1n, d(0), 'x']);
    expect([1, 'a', NaN, undefined, null, new Date('x'), {}].map(sortType)).toEqual(['number', 'string', undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('compareOrdered', () => {
  const items: Ordered[] = [
    { value: 2, redisKey: 'k:b' },
    { value: undefined, redisKey: 'k:z' },
    { value: 1, redisKey: 'k:c' },
    { value: 2, redisKey: 'k:a' },
    { value: null, redisKey: 'k:m' },
    { value: NaN, redisKey: 'k:a0' },
  ];
  const keys = (dir: 'asc' | 'desc') => [...items].sort(compareOrdered(dir)).map((i) => i.redisKey);

  it('asc: by value, ties by key; missing values last, by key', () => {
    expect(keys('asc')).toEqual(['k:c', 'k:a', 'k:b', 'k:a0', 'k:m', 'k:z']);
  });

  it('desc: exactly asc reversed among present values; missing values still last, by key', () => {
    expect(keys('desc')).toEqual(['k:b', 'k:a', 'k:c', 'k:a0', 'k:m', 'k:z']);
  });
});
