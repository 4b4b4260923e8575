/**
 * The compiled superjson codec, type by type: the exact text superjson writes, the same value back,
 * and which path (compiled, general reader, superjson itself) did the work.
 */
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileSuperjsonCodec, type SuperjsonCodecStats } from '../../src/codec/index.js';
import { decoderSource } from '../../src/codec/decoder.js';
import { compile } from '../../src/codec/encoder.js';
import { encoderSource } from '../../src/codec/encoder-codegen.js';
import { readSchema } from '../../src/codec/schema-nodes.js';
import { expectSame } from './arbitraries.js';

type Paths = Partial<Record<keyof SuperjsonCodecStats, number>>;

/**
 * Parses `input` with the object schema `{ v: field }`, then checks that the codec writes superjson's
 * text and reads it back as superjson does; `paths` are the expected counts of one write and one read.
 */
function check(field: z.ZodType, input: unknown, paths: Paths = { encodeCompiled: 1, decodeCompiled: 1 }): string {
  const schema = z.object({ v: field });
  const value = schema.parse({ v: input });
  const codec = compileSuperjsonCodec(schema);
  const text = codec.stringify(value);
  expect(text).toBe(superjson.stringify(value));
  expectSame(codec.parse(text), superjson.parse(text));
  expect(codec.stats).toEqual({ encodeCompiled: 0, encodeFallback: 0, decodeCompiled: 0, decodeGeneric: 0, decodeFallback: 0, ...paths });
  return text;
}

describe('compiled codec: scalars', () => {
  it('strings, with everything JSON escapes', () => {
    for (const s of ['', 'plain', 'quote " and \\ backslash', 'line\nbreak\t\u0001', '\u2028\u2029', 'é 😀', 'lone \ud800 surrogate', 'a.b']) {
      check(z.string(), s);
    }
    check(z.email(), 'a@b.co');
    check(z.enum(['a', 'b.c']), 'b.c');
  });

  it('numbers: finite as JSON, -0 / NaN / Infinity as annotated strings', () => {
    for (const n of [0, 1.5, -2, 1e21, 5e-324, Number.MAX_SAFE_INTEGER]) expect(check(z.number(), n)).not.toContain('"meta"');
    expect(check(z.number(), -0)).toBe('{"json":{"v":"-0"},"meta":{"values":{"v":["number"]},"v":1}}');
    check(z.nan(), NaN);
    // Under `any` the decoder cannot know a string "Infinity" is a number: the general reader reads it.
    check(z.any(), Infinity, { encodeCompiled: 1, decodeGeneric: 1 });
    check(z.any(), -Infinity, { encodeCompiled: 1, decodeGeneric: 1 });
  });

  it('booleans, null, bigints', () => {
    check(z.boolean(), false);
    check(z.null(), null);
    expect(check(z.bigint(), -12345678901234567890n)).toBe('{"json":{"v":"-12345678901234567890"},"meta":{"values":{"v":["bigint"]},"v":1}}');
  });

  it('dates, including years before 0 and after 9999', () => {
    for (const ms of [0, -1, 1_700_000_000_123, -62_167_219_200_000, -62_167_219_200_001, 253_402_300_800_000, 8.64e15, -8.64e15]) {
      check(z.date(), new Date(ms));
    }
  });

  it('undefined: a present key written as null + annotation, an absent key not written', () => {
    expect(check(z.string().optional(), undefined)).toBe('{"json":{"v":null},"meta":{"values":{"v":["undefined"]},"v":1}}');
    const schema = z.object({ a: z.string().optional(), b: z.number() });
    const codec = compileSuperjsonCodec(schema);
    const absent = schema.parse({ b: 1 });
    expect(codec.stringify(absent)).toBe('{"json":{"b":1}}');
    expectSame(codec.parse('{"json":{"b":1}}'), { b: 1 });
  });

  it('nullable, nullish, default, catch, readonly, literal mixes', () => {
    check(z.date().nullable(), null);
    // A JSON null where both null and undefined are allowed is read as null first; undefined is read
    // by the general reader.
    check(z.date().nullish(), null);
    check(z.date().nullish(), undefined, { encodeCompiled: 1, decodeGeneric: 1 });
    check(z.date().default(new Date(5)), undefined);
    check(z.date().catch(new Date(6)), 'not a date');
    check(z.array(z.bigint()).readonly(), [1n, 2n]);
    check(z.literal([1, 'one', undefined]), undefined);
    check(z.literal([1, 'one', null, undefined]), undefined, { encodeCompiled: 1, decodeGeneric: 1 });
    check(z.literal(5n), 5n);
  });
});

describe('compiled codec: containers', () => {
  it('arrays and tuples', () => {
    check(z.array(z.date()), []);
    check(z.array(z.array(z.date())), [[new Date(1)], [], [new Date(2), new Date(3)]]);
    check(z.tuple([z.string(), z.bigint()]), ['a', 1n]);
    check(z.tuple([z.date()], z.bigint()), [new Date(0), 1n, 2n]);
  });

  it('records, with keys superjson escapes in paths and JSON escapes in text', () => {
    const text = check(z.record(z.string(), z.date()), { 'a.b': new Date(1), 'c\\d': new Date(2), 'q"q': new Date(3), '': new Date(4), '7': new Date(5) });
    expect(text).toContain('"v.a\\\\.b":["Date"]');
  });

  it('maps and sets, with annotations inside', () => {
    expect(check(z.set(z.date()), new Set([new Date(0), new Date(1)]))).toBe(
      '{"json":{"v":["1970-01-01T00:00:00.000Z","1970-01-01T00:00:00.001Z"]},"meta":{"values":{"v":["set",{"0":["Date"],"1":["Date"]}]},"v":1}}',
    );
    check(z.set(z.string()), new Set(['a', 'b']));
    check(z.map(z.string(), z.bigint()), new Map([['a', 1n]]));
    check(z.map(z.date(), z.set(z.bigint())), new Map([[new Date(0), new Set([1n])]]));
    check(z.map(z.object({ d: z.date() }), z.array(z.date())), new Map([[{ d: new Date(0) }, [new Date(1)]]]));
  });

  it('nested, strict and loose objects', () => {
    check(z.object({ a: z.object({ b: z.object({ c: z.date() }) }) }), { a: { b: { c: new Date(0) } } });
    check(z.strictObject({ a: z.date() }), { a: new Date(0) });
    check(z.looseObject({ a: z.date() }), { a: new Date(0), extra: 'x' });
    // Undeclared keys are `unknown`: the decoder cannot know their annotations, the general reader can.
    check(z.looseObject({ a: z.date() }), { a: new Date(0), extra: new Date(1), more: { m: new Map([[1, 2n]]) } }, { encodeCompiled: 1, decodeGeneric: 1 });
  });

  it('puts annotations of index keys first, as superjson (a JavaScript object) does', () => {
    // The decoder expects the walk's order; texts in this other order are read by the general reader.
    const reordered = { encodeCompiled: 1, decodeGeneric: 1 };
    const text = check(z.array(z.union([z.date(), z.object({ d: z.date() })]).optional()), [{ d: new Date(0) }, undefined, new Date(2)], reordered);
    expect(text).toContain('"values":{"v.1":["undefined"],"v.2":["Date"],"v.0.d":["Date"]}');
    check(z.object({ '1': z.object({ x: z.date() }), '2': z.date(), b: z.date() }), { '1': { x: new Date(1) }, '2': new Date(2), b: new Date(3) }, reordered);
    check(z.set(z.union([z.date(), z.object({ d: z.date() })])), new Set([{ d: new Date(0) }, new Date(1)]), reordered);
    check(z.map(z.object({ d: z.date() }), z.date()), new Map([[{ d: new Date(0) }, new Date(1)]]), reordered);
  });
});

describe('compiled codec: values told apart at run time', () => {
  it('unions, any, unknown, transforms, lazy schemas', () => {
    check(z.union([z.string(), z.date()]), new Date(0), { encodeCompiled: 1, decodeGeneric: 1 });
    check(z.union([z.string(), z.date()]), 'x');
    check(z.discriminatedUnion('k', [z.object({ k: z.literal('a'), d: z.date() }), z.object({ k: z.literal('b') })]), { k: 'a', d: new Date(0) }, { encodeCompiled: 1, decodeGeneric: 1 });
    check(z.any(), { a: [1, undefined, new Date(3), new Map([[1n, new Set([NaN])]])] }, { encodeCompiled: 1, decodeGeneric: 1 });
    check(z.unknown(), 'plain');
    check(z.string().transform((s) => new Date(s.length)), 'abc', { encodeCompiled: 1, decodeGeneric: 1 });
    type Tree = { at: Date; children: Tree[] };
    const tree: z.ZodType<Tree> = z.lazy(() => z.object({ at: z.date(), children: z.array(tree) }));
    check(tree, { at: new Date(0), children: [{ at: new Date(1), children: [] }] }, { encodeCompiled: 1, decodeGeneric: 1 });
  });

  it('values of another type than the schema says are written by their runtime type', () => {
    const codec = compileSuperjsonCodec(z.object({ d: z.date(), n: z.number(), s: z.string() }));
    const odd = { d: 'not a date', n: 5n, s: new Date(0) };
    expect(codec.stringify(odd)).toBe(superjson.stringify(odd));
    expect(codec.stats.encodeCompiled).toBe(1);
  });
});

describe('compiled codec: referential equalities', () => {
  it('writes them as superjson does, and reads them with the general reader', () => {
    const now = new Date(0);
    const text = check(z.object({ a: z.date(), b: z.date(), c: z.array(z.date()) }), { a: now, b: now, c: [now] }, { encodeCompiled: 1, decodeGeneric: 1 });
    expect(text).toContain('"referentialEqualities":{"v.a":["v.b","v.c.0"]}');
    check(z.object({ a: z.bigint(), b: z.bigint() }), { a: 0n, b: 0n }, { encodeCompiled: 1, decodeGeneric: 1 });
    check(z.object({ a: z.nan(), b: z.nan() }), { a: NaN, b: NaN }, { encodeCompiled: 1, decodeGeneric: 1 });
    const epoch = new Date(0); // zod hands out a Date default itself (objects and arrays it copies)
    check(z.object({ a: z.date().default(epoch), b: z.date().default(epoch) }), {}, { encodeCompiled: 1, decodeGeneric: 1 });
  });

  it('gives back one shared object, as superjson does', () => {
    const schema = z.object({ a: z.date(), b: z.date() });
    const codec = compileSuperjsonCodec(schema);
    const now = new Date(0);
    const back = codec.parse(codec.stringify({ a: now, b: now })) as { a: Date; b: Date };
    expect(back.a).toBe(back.b);
  });
});

describe('compiled codec: what it leaves to superjson', () => {
  it('class instances, RegExp, URL, Error, sparse arrays and cycles inside any', () => {
    class Point {
      constructor(public x = 1) {}
    }
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    for (const value of [new Point(), /re/g, new URL('https://example.com/'), new Error('boom'), [1, , 3], cyclic, new Uint8Array([1])]) {
      const schema = z.object({ v: z.any() });
      const codec = compileSuperjsonCodec(schema);
      const v = { v: value };
      expect(codec.stringify(v)).toBe(superjson.stringify(v));
      expect(codec.stats.encodeFallback).toBe(1);
      const text = superjson.stringify(v);
      expectSame(codec.parse(text), superjson.parse(text));
    }
  });

  it('keys superjson refuses: throws what superjson throws', () => {
    const codec = compileSuperjsonCodec(z.object({ r: z.record(z.string(), z.number()) }));
    const value = { r: { constructor: 1 } };
    expect(() => superjson.stringify(value)).toThrow(/prototype pollution/);
    expect(() => codec.stringify(value)).toThrow(/prototype pollution/);
  });

  it('invalid dates (a catch value) are written unannotated, as superjson does', () => {
    check(z.any(), new Date(NaN), { encodeFallback: 1, decodeCompiled: 1 });
  });
});

describe('compiled codec: reading other writers', () => {
  const schema = z.object({ a: z.date(), b: z.bigint(), s: z.set(z.date()) });
  const value = { a: new Date(0), b: 1n, s: new Set([new Date(1)]) };

  it('reads superjson text with another key order through the general reader', () => {
    const codec = compileSuperjsonCodec(schema);
    const reordered = { s: value.s, b: value.b, a: value.a };
    const text = superjson.stringify(reordered);
    expectSame(codec.parse(text), superjson.parse(text));
    expect(codec.stats.decodeGeneric).toBe(1);
  });

  it('reads texts of older superjson versions (no "v", legacy paths)', () => {
    const codec = compileSuperjsonCodec(z.object({ 'a\\b': z.date(), 'c.d': z.date() }));
    const text = '{"json":{"a\\\\b":"1970-01-01T00:00:00.000Z","c.d":"1970-01-01T00:00:00.001Z"},"meta":{"values":{"a\\\\b":["Date"],"c\\\\.d":["Date"]}}}';
    expectSame(codec.parse(text), superjson.parse(text));
    expect(codec.stats.decodeGeneric).toBe(1);
  });

  it('hands annotations it does not mirror (class, custom, regexp) to superjson', () => {
    const codec = compileSuperjsonCodec(schema);
    const text = '{"json":{"a":"/x/g","b":"1"},"meta":{"values":{"a":["regexp"],"b":["bigint"]},"v":1}}';
    expectSame(codec.parse(text), superjson.parse(text));
    expect(codec.stats.decodeFallback).toBe(1);
    expect(() => codec.parse('{"json":{},"meta":{"values":{"a":[["class","Nope"]]},"v":1}}')).toThrow(/unknown class/);
  });

  it('throws what superjson throws for text that is not superjson', () => {
    const codec = compileSuperjsonCodec(schema);
    for (const text of ['', 'not json', '{"json":', 'null', '{"json":{"b":"x"},"meta":{"values":{"b":["bigint"]},"v":1}}']) {
      let expected: unknown;
      try {
        superjson.parse(text);
      } catch (error) {
        expected = error;
      }
      expect(expected, text).toBeInstanceOf(Error);
      expect(() => codec.parse(text)).toThrow((expected as Error).message);
    }
  });
});

describe('generated code', () => {
  it('holds schema keys only as JSON string literals', () => {
    const hostile = '"); globalThis.pwned = true; ("\\';
    const schema = z.object({ [hostile]: z.date(), '\u2028': z.date(), '</script>': z.bigint() });
    for (const source of [decoderSource(readSchema(schema)), encoderSource(readSchema(schema), compile)]) {
      expect(source).toContain(JSON.stringify(hostile));
      expect(source).not.toContain(`"${hostile}"`);
    }
    const value = { [hostile]: new Date(0), '\u2028': new Date(1), '</script>': 2n };
    for (const codegen of [true, false]) {
      const codec = compileSuperjsonCodec(schema, { codegen });
      const text = codec.stringify(value);
      expect(text).toBe(superjson.stringify(value));
      expectSame(codec.parse(text), value);
      expect(codec.stats).toMatchObject(codegen ? { encodeCompiled: 1, decodeCompiled: 1 } : { encodeCompiled: 1, decodeGeneric: 1 });
    }
    expect((globalThis as { pwned?: boolean }).pwned).toBeUndefined();
  });
});
