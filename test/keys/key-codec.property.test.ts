import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidKeyError } from '../../src/errors/index.js';
import { decodePart, encodePart, KeyCodec, type KeyFieldSpec, type KeyScalarKind } from '../../src/keys/index.js';

const RUNS = { numRuns: 800 };
const SPECIAL = [':', '*', '?', '[', ']', '\\', '{', '}', '%', '%41', '%3a', '', 'a', 'Z', '0', '-', 'é', '🍕', ' '];

/** Unicode text of several flavours, with glob metacharacters, `%` and empty strings mixed in. */
const text: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'binary-ascii' }),
  fc.string({ unit: fc.constantFrom(...SPECIAL) }),
  fc.constantFrom(...SPECIAL),
);

/** Any UTF-16 code unit, so lone surrogates occur. */
const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });
const LONE_SURROGATE = /[\uD800-\uDFFF]/u; // with the u flag, matches unpaired surrogates only

/** A `%XX` escape of any byte: escaped safe characters and invalid UTF-8 sequences occur often. */
const escape = fc.integer({ min: 0, max: 255 }).map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0'));

const CANONICAL_PART = /^(?:[A-Za-z0-9._~-]|%[0-9A-F]{2})*$/;
const FORBIDDEN = /[:*?[\]\\{}]/;

const stringCodec = (n: number, options: { prefix?: string; entity?: string; version?: number } = {}) =>
  new KeyCodec({
    prefix: options.prefix ?? 'cache',
    entity: options.entity ?? 'thing',
    ...(options.version === undefined ? {} : { version: options.version }),
    fields: Array.from({ length: n }, (_, i) => ({ name: `f${i}`, kind: 'string' as const })),
  });

const asValues = (tuple: readonly unknown[]) => Object.fromEntries(tuple.map((v, i) => [`f${i}`, v]));
const tuples = fc.integer({ min: 1, max: 4 }).chain((n) => fc.array(text, { minLength: n, maxLength: n }));

describe('encodePart / decodePart properties', () => {
  it('round-trips and is glob-safe for any well-formed text', () => {
    fc.assert(
      fc.property(text, (t) => {
        const part = encodePart(t);
        expect(part).toMatch(CANONICAL_PART);
        expect(part).not.toMatch(FORBIDDEN);
        expect(decodePart(part)).toBe(t);
      }),
      RUNS,
    );
  });

  it('throws InvalidKeyError exactly for text with a lone surrogate', () => {
    fc.assert(
      fc.property(codeUnits, (t) => {
        if (LONE_SURROGATE.test(t)) {
          expect(() => encodePart(t)).toThrow(InvalidKeyError);
        } else {
          expect(decodePart(encodePart(t))).toBe(t);
        }
      }),
      RUNS,
    );
  });

  it('decodePart never throws and only accepts canonical parts', () => {
    const partLike = fc.oneof(
      codeUnits,
      fc.string({ unit: fc.oneof(escape, fc.constantFrom('%', '%3a', 'a', 'Z', '7', '~', ':', '*', 'é')) }),
    );
    fc.assert(
      fc.property(partLike, (p) => {
        const t = decodePart(p);
        if (t !== undefined) expect(encodePart(t)).toBe(p);
      }),
      RUNS,
    );
  });
});

describe('KeyCodec properties', () => {
  it('(a) round-trips random tuples of unicode strings', () => {
    fc.assert(
      fc.property(tuples, (tuple) => {
        const codec = stringCodec(tuple.length);
        expect(codec.decode(codec.encode(asValues(tuple)))).toEqual(asValues(tuple));
      }),
      RUNS,
    );
  });

  it('(b) distinct tuples give distinct keys', () => {
    const sets = fc.integer({ min: 1, max: 3 }).chain((n) =>
      fc.uniqueArray(fc.array(text, { minLength: n, maxLength: n }), {
        minLength: 2,
        maxLength: 20,
        selector: (t) => JSON.stringify(t),
      }),
    );
    fc.assert(
      fc.property(sets, (list) => {
        const codec = stringCodec(list[0]!.length);
        const keys = new Set(list.map((t) => codec.encode(asValues(t))));
        expect(keys.size).toBe(list.length);
      }),
      RUNS,
    );
  });

  it('(c) no encoded part contains ":" or a glob metacharacter', () => {
    fc.assert(
      fc.property(tuples, (tuple) => {
        const codec = stringCodec(tuple.length);
        const key = codec.encode(asValues(tuple));
        expect(key.startsWith(codec.base)).toBe(true);
        const parts = key.slice(codec.base.length).split(':');
        expect(parts).toHaveLength(tuple.length);
        for (const [i, part] of parts.entries()) {
          expect(part).not.toMatch(FORBIDDEN);
          expect(part).toMatch(CANONICAL_PART);
          expect(codec.encodeLiteral(`f${i}`, tuple[i])).toBe(part);
        }
      }),
      RUNS,
    );
  });

  it('(d) round-trips random mixed-kind tuples', () => {
    const valueOf: Record<KeyScalarKind, fc.Arbitrary<unknown>> = {
      string: text,
      number: fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        fc.constantFrom(-0, 0.1, -1.5, 1e21, -1e21, 1e-7, Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER),
      ),
      bigint: fc.oneof(fc.bigInt(), fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n })),
      boolean: fc.boolean(),
    };
    const kinds = fc.array(fc.constantFrom<KeyScalarKind>('string', 'number', 'bigint', 'boolean'), {
      minLength: 1,
      maxLength: 5,
    });
    const cases = kinds.chain((ks) => fc.tuple(fc.constant(ks), fc.tuple(...ks.map((k) => valueOf[k]))));
    fc.assert(
      fc.property(cases, ([ks, values]) => {
        const fields: KeyFieldSpec[] = ks.map((kind, i) => ({ name: `f${i}`, kind }));
        const codec = new KeyCodec({ prefix: 'p.q', entity: 'mixed', version: 3, fields });
        const expected = asValues(values.map((v) => (v === 0 ? 0 : v))); // -0 is written as 0
        const decoded = codec.decode(codec.encode(asValues(values)));
        expect(decoded).toBeDefined();
        for (const [name, v] of Object.entries(expected)) expect(Object.is(decoded![name], v)).toBe(true);
        expect(Object.keys(decoded!)).toEqual(Object.keys(expected));
      }),
      RUNS,
    );
  });

  it('(e) decode never throws; a decoded key re-encodes to itself', () => {
    const codec = new KeyCodec({
      prefix: 'cache',
      entity: 'thing',
      fields: [
        { name: 'f0', kind: 'string' },
        { name: 'f1', kind: 'number' },
      ],
    });
    const noise = fc.string({
      unit: fc.oneof(escape, fc.constantFrom('%', 'a', ':', '*', '1', '0', '.', 'e', '-', '+', '%2B', 'é')),
    });
    const numberish = fc.oneof(fc.double().map(String), fc.integer().map(String), noise);
    const candidates = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      codeUnits,
      noise.map((s) => codec.base + s),
      // near-valid keys: about 1 in 10 decodes
      fc.tuple(noise, numberish).map(([a, b]) => `${codec.base}${a}:${b}`),
    );
    fc.assert(
      fc.property(candidates, (key) => {
        const decoded = codec.decode(key);
        if (decoded !== undefined) expect(codec.encode(decoded)).toBe(key);
      }),
      RUNS,
    );
  });

  it('(e) rejects keys of another prefix, entity, version or part count', () => {
    fc.assert(
      fc.property(tuples, (tuple) => {
        const n = tuple.length;
        const key = stringCodec(n, { version: 2 }).encode(asValues(tuple));
        expect(stringCodec(n, { version: 2 }).decode(key)).toEqual(asValues(tuple));
        expect(stringCodec(n, { version: 2, prefix: 'other' }).decode(key)).toBeUndefined();
        expect(stringCodec(n, { version: 2, entity: 'thing2' }).decode(key)).toBeUndefined();
        expect(stringCodec(n, { version: 2, entity: 'thin' }).decode(key)).toBeUndefined();
        expect(stringCodec(n, { version: 3 }).decode(key)).toBeUndefined();
        expect(stringCodec(n).decode(key)).toBeUndefined(); // unversioned: one part too many
        expect(stringCodec(n + 1, { version: 2 }).decode(key)).toBeUndefined();
        if (n > 1) expect(stringCodec(n - 1, { version: 2 }).decode(key)).toBeUndefined();
      }),
      RUNS,
    );
  });
});
