/** valueEquals: deep value equality over the types superjson round-trips. */
import fc from 'fast-check';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { valueEquals } from '../../src/query/index.js';

const same = (a: unknown, b: unknown) => {
  expect(valueEquals(a, b)).toBe(true);
  expect(valueEquals(b, a)).toBe(true);
};
const differ = (a: unknown, b: unknown) => {
  expect(valueEquals(a, b)).toBe(false);
  expect(valueEquals(b, a)).toBe(false);
};

describe('valueEquals', () => {
  it('primitives', () => {
    same(1, 1);
    same('a', 'a');
    same(true, true);
    same(null, null);
    same(undefined, undefined);
    same(NaN, NaN);
    same(0, -0);
    same(10n, 10n);
    same(2n ** 70n, 2n ** 70n);
    differ(1, '1');
    differ(1n, 1);
    differ(null, undefined);
    differ(0, false);
    differ('', undefined);
    differ(NaN, 'NaN');
    differ(Symbol('a'), Symbol('a'));
  });

  it('Date by time', () => {
    same(new Date(0), new Date(0));
    same(new Date('x'), new Date('y')); // two invalid dates
    differ(new Date(0), new Date(1));
    differ(new Date(0), 0);
    differ(new Date(0), {});
    differ(new Date('2026-01-01T00:00:00.000Z'), '2026-01-01T00:00:00.000Z');
  });

  it('RegExp by source and flags, URL by href, Error by name and message', () => {
    same(/a+/gi, /a+/gi);
    differ(/a+/g, /a+/i);
    differ(/a/, /b/);
    same(new URL('https://x.test/a'), new URL('https://x.test/a'));
    differ(new URL('https://x.test/a'), new URL('https://x.test/b'));
    same(new Error('boom'), new Error('boom'));
    differ(new Error('boom'), new TypeError('boom'));
  });

  it('arrays in order', () => {
    same([1, [2, 3]], [1, [2, 3]]);
    same([], []);
    differ([1, 2], [2, 1]);
    differ([1], [1, undefined]);
    differ([1], { 0: 1, length: 1 });
    same([undefined], [,]); // eslint-disable-line no-sparse-arrays
  });

  it('Set by content, in any order', () => {
    same(new Set(['a', 'b']), new Set(['b', 'a']));
    same(new Set([NaN, 1n]), new Set([1n, NaN]));
    same(new Set([{ a: 1 }, { a: 2 }]), new Set([{ a: 2 }, { a: 1 }]));
    same(new Set([new Date(5), [1]]), new Set([[1], new Date(5)]));
    differ(new Set(['a']), new Set(['a', 'b']));
    differ(new Set(['a', 'b']), new Set(['a', 'c']));
    differ(new Set([{ a: 1 }, { a: 1 }]), new Set([{ a: 1 }, { a: 2 }]));
    differ(new Set([1, { a: 1 }]), new Set([1, 2]));
    differ(new Set([1, 2]), [1, 2]);
    differ(new Set([1]), new Map([[1, 1]]));
  });

  it('Map by entries, in any order; object keys compared deeply', () => {
    same(new Map([['a', 1], ['b', 2]]), new Map([['b', 2], ['a', 1]]));
    same(new Map([[1n, new Set([1])]]), new Map([[1n, new Set([1])]]));
    same(new Map([[{ k: 1 }, 'x'], [{ k: 2 }, 'y']]), new Map([[{ k: 2 }, 'y'], [{ k: 1 }, 'x']]));
    differ(new Map([['a', 1]]), new Map([['a', 2]]));
    differ(new Map([['a', 1]]), new Map([['b', 1]]));
    differ(new Map([[{ k: 1 }, 'x']]), new Map([[{ k: 1 }, 'y']]));
    differ(new Map<unknown, unknown>([[{ k: 1 }, 'x'], ['p', 1]]), new Map<unknown, unknown>([[{ k: 1 }, 'x'], [{ k: 2 }, 1]]));
    differ(new Map([['a', 1]]), { a: 1 });
    differ(new Map([['a', undefined]]), new Map());
  });

  it('plain objects: same keys and values; undefined-valued properties count as missing', () => {
    same({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 });
    same({ a: 1, b: undefined }, { a: 1 });
    same(Object.assign(Object.create(null) as object, { a: 1 }), { a: 1 });
    differ({ a: 1 }, { a: 1, b: 2 });
    differ({ a: 1 }, { a: 2 });
    differ({ a: undefined }, { a: null });
    differ({}, []);
    class Point {
      constructor(readonly x: number) {}
    }
    same(new Point(1), new Point(1));
    differ(new Point(1), { x: 1 });
    differ(new Point(1), new Point(2));
  });

  it('nested superjson values survive a round trip', () => {
    const value = {
      at: new Date('2026-01-01T00:00:00.000Z'),
      roles: new Set(['admin', 'user']),
      attrs: new Map<string, unknown>([['logins', 3], ['last', new Date(7)]]),
      quota: 12345678901234567890n,
      list: [1, 'two', { three: 3n }],
      re: /x/g,
      missing: undefined,
      nan: NaN,
    };
    const copy = superjson.parse(superjson.stringify(value));
    same(copy, value);
    differ(copy, { ...value, quota: 1n });
    differ(copy, { ...value, roles: new Set(['admin']) });
    differ(copy, { ...value, attrs: new Map([['logins', 3]]) });
  });

  it('property: equal to a superjson copy of itself, and an equivalence', () => {
    const leaf = fc.oneof(
      fc.integer(),
      fc.double(),
      fc.bigInt(),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.date({ noInvalidDate: false }),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 4 }), tie('node'), { maxKeys: 4 }),
        fc.array(tie('node'), { maxLength: 4 }).map((items) => new Set(items)),
        fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 3 }), fc.integer()), tie('node')), { maxLength: 4 }).map((entries) => new Map(entries)),
      ),
    })).node;
    fc.assert(
      fc.property(tree, tree, (a, b) => {
        expect(valueEquals(a, superjson.parse(superjson.stringify(a)))).toBe(true);
        expect(valueEquals(a, b)).toBe(valueEquals(b, a));
      }),
      { numRuns: 300 },
    );
  });
});
