/**
 * The compiled codec against superjson itself, over generated schemas and generated values:
 * byte-identical output, identical reads in both directions, round trips, and zod's compiled schema
 * agreeing with zod's.
 */
import fc from 'fast-check';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileSuperjsonCodec } from '../../src/codec/index.js';
import { expectSame, expectSameOutcome, generatedObject, outcome, parsedValue, same, type Generated } from './arbitraries.js';

// CODEC_RUNS=5000 npx vitest run test/codec for a longer search.
const RUNS = { numRuns: Number(process.env.CODEC_RUNS ?? 400) };

/** A generated object schema with one zod-parsed value of it. */
const cases = (options: Parameters<typeof generatedObject>[0] = {}) =>
  generatedObject(options).chain((g) => fc.tuple(fc.constant(g), parsedValue(g)));

describe.each([
  { mode: 'generated code', codegen: true },
  { mode: 'closures and the general reader (no eval)', codegen: false },
])('compiled codec ≡ superjson (generated schemas and values), $mode', ({ codegen }) => {
  const codecs = new WeakMap<z.ZodType, ReturnType<typeof compileSuperjsonCodec>>();
  function codecOf(g: Generated) {
    let codec = codecs.get(g.schema);
    if (!codec) codecs.set(g.schema, (codec = compileSuperjsonCodec(g.schema as z.ZodObject, { codegen })));
    return codec;
  }

  it('writes exactly the text superjson.stringify writes (or throws when it throws)', () => {
    fc.assert(
      fc.property(cases({ unsafeKeys: true }), ([g, parsed]) => {
        fc.pre(parsed.ok);
        if (!parsed.ok) return;
        const codec = codecOf(g);
        expectSameOutcome(
          outcome(() => codec.stringify(parsed.value)),
          outcome(() => superjson.stringify(parsed.value)),
          g.label,
        );
      }),
      RUNS,
    );
  });

  it('reads superjson text as superjson.parse does, and gives back the value', () => {
    fc.assert(
      fc.property(cases(), ([g, parsed]) => {
        fc.pre(parsed.ok);
        if (!parsed.ok) return;
        const text = outcome(() => superjson.stringify(parsed.value));
        fc.pre(text.ok);
        if (!text.ok) return;
        const read = codecOf(g).parse(text.value);
        const expected = superjson.parse(text.value);
        expectSame(read, expected, g.label);
        // The value itself, wherever superjson gives it back (`any` values lose a null prototype, and a
        // NaN Map key that recurs elsewhere is dropped by superjson's reference rule).
        if (same(expected, parsed.value)) expectSame(read, parsed.value, g.label);
        else expect(g.dynamic || text.value.includes('"referentialEqualities"'), g.label).toBe(true);
      }),
      RUNS,
    );
  });

  it('round-trips: what it writes, it reads back as superjson reads it', () => {
    fc.assert(
      fc.property(cases(), ([g, parsed]) => {
        fc.pre(parsed.ok);
        if (!parsed.ok) return;
        const codec = codecOf(g);
        const text = outcome(() => codec.stringify(parsed.value));
        fc.pre(text.ok);
        if (!text.ok) return;
        const read = codec.parse(text.value);
        const expected = superjson.parse(text.value);
        expectSame(read, expected, g.label);
        if (!g.dynamic && same(expected, parsed.value)) {
          expectSame(read, parsed.value, g.label);
          // And zod judges it as it judges the value (zod does not always accept its own output: it
          // reads inherited keys such as `toString`).
          expectSame(g.schema.safeParse(read).success, g.schema.safeParse(parsed.value).success, g.label);
        }
      }),
      RUNS,
    );
  });

  it('takes its compiled paths for specialised schemas (no fallback to superjson)', () => {
    let compiledReads = 0;
    fc.assert(
      fc.property(cases({ dynamic: false, indexKeys: false }), ([g, parsed]) => {
        fc.pre(parsed.ok);
        if (!parsed.ok) return;
        const codec = compileSuperjsonCodec(g.schema as z.ZodObject, { codegen });
        const text = codec.stringify(parsed.value);
        expect(codec.stats.encodeFallback, g.label).toBe(0);
        codec.parse(text);
        // Referential equalities (a shared default, equal bigints) are applied by the general reader,
        // except through a Map or a Set, where superjson's own rules apply (superjson reads those).
        if (!text.includes('"referentialEqualities"')) expect(codec.stats.decodeFallback, g.label).toBe(0);
        compiledReads += codegen ? codec.stats.decodeCompiled : codec.stats.decodeGeneric;
      }),
      RUNS,
    );
    expect(compiledReads).toBeGreaterThan(RUNS.numRuns / 2);
  });
});

describe('zod\'s compiled schema (what EntityCodec validates with)', () => {
  it('z.compile agrees with the schema on generated input (values, parse output, nonsense)', () => {
    fc.assert(
      fc.property(
        generatedObject().chain((g) => fc.tuple(fc.constant(g), fc.oneof(g.value, fc.anything()))),
        ([g, raw]) => {
          const expected = g.schema.safeParse(raw);
          const actual = z.compile(g.schema).safeParse(raw);
          expect(actual.success, g.label).toBe(expected.success);
          if (actual.success && expected.success) expectSame(actual.data, expected.data, g.label);
          if (!actual.success && !expected.success) expectSame(actual.error.issues, expected.error.issues, g.label);
        },
      ),
      { numRuns: 200 },
    );
  });
});
