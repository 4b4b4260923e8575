/**
 * Hostile and broken input for the compiled reader: random text, truncated JSON, unknown annotations,
 * annotation and reference paths that point at absent or odd places or at `__proto__`. The codec must
 * answer exactly what `superjson.parse` answers (the same value, or the same error), `EntityCodec`
 * must never throw, and nothing may touch `Object.prototype`.
 */
import fc from 'fast-check';
import superjson from 'superjson';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileSuperjsonCodec, EntityCodec } from '../../src/codec/index.js';
import { defineEntity, getEntityMetadata } from '../../src/entity/index.js';
import { DecodeError } from '../../src/errors/index.js';
import { expectSameOutcome, generatedObject, outcome, parsedValue } from './arbitraries.js';

const RUNS = { numRuns: Number(process.env.CODEC_RUNS ?? 400) };

const entitySchema = z.object({
  id: z.string(),
  at: z.date(),
  n: z.bigint(),
  tags: z.set(z.string()),
  scores: z.map(z.string(), z.number()),
  items: z.array(z.object({ at: z.date(), note: z.string().optional() })),
  note: z.string().optional(),
});
const Entity = defineEntity({ name: 'adversary', key: ['id'], schema: entitySchema, ttl: '1m' });
const codec = compileSuperjsonCodec(entitySchema);
const entityCodec = new EntityCodec(getEntityMetadata(Entity));

const valid = superjson.stringify(
  entitySchema.parse({
    id: 'a',
    at: new Date(0),
    n: 5n,
    tags: new Set(['x']),
    scores: new Map([['k', -0]]),
    items: [{ at: new Date(1) }, { at: new Date(2), note: undefined }],
    note: 'n',
  }),
);

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
afterEach(() => {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTO_KEYS);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

/** The codec answers as superjson does; EntityCodec never throws and agrees with superjson + zod. */
function checkText(text: string): void {
  const ours = outcome(() => codec.parse(text));
  const theirs = outcome(() => superjson.parse(text));
  expectSameOutcome(ours, theirs, text);
  if (!ours.ok && !theirs.ok) expect(String(ours.error)).toBe(String(theirs.error));
  const decoded = entityCodec.decode(text, 'k');
  const expected = theirs.ok && entitySchema.safeParse(theirs.value).success;
  expect(decoded.ok, text).toBe(expected);
  if (!decoded.ok) expect(decoded.error).toBeInstanceOf(DecodeError);
}

const paths = fc.oneof(
  fc.constantFrom('id', 'at', 'n', 'tags', 'scores', 'items', 'note', 'missing', 'items.0.at', 'items.1', 'items.9.at', 'items.x', 'items.-1'),
  fc.constantFrom('__proto__', '__proto__.polluted', 'constructor.prototype.polluted', 'at.constructor', 'items.0.__proto__.polluted', 'prototype'),
  fc.constantFrom('', '.', '..', 'a\\.b', 'a\\\\b', 'a\\x', '\\', 'tags.0', 'scores.0.1', 'scores.0.0', 'id.length', 'items.0.at.x'),
  fc.string({ maxLength: 12 }),
);

const types = fc.oneof(
  fc.constantFrom('Date', 'bigint', 'set', 'map', 'number', 'undefined', 'regexp', 'Error', 'URL', 'weird', ''),
  fc.constantFrom<unknown>(['class', 'X'], ['custom', 'y'], ['symbol', 'z'], ['typed-array', 'Uint8Array'], ['nope'], 5, null, true, {}),
);

const tree: fc.Arbitrary<unknown> = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', maxDepth: 2 },
    types.map((t) => [t]),
    fc.tuple(types, fc.dictionary(paths, tie('tree'), { maxKeys: 3 })),
    // (No non-empty string: superjson recurses on one until the stack overflows, slowly; tested below.)
    fc.constantFrom<unknown>(null, 0, '', {}, [], { x: ['Date'] }, { x: 5 }),
  ),
})).tree;

const meta = fc.record(
  {
    values: fc.oneof(fc.dictionary(paths, tree, { maxKeys: 4 }), fc.constantFrom<unknown>(null, ['Date'], '', 5, [])),
    referentialEqualities: fc.oneof(
      fc.dictionary(paths, fc.oneof(fc.array(paths, { maxLength: 3 }), fc.constantFrom<unknown>('x', 5, null, [5])), { maxKeys: 3 }),
      fc.constantFrom<unknown>([['at']], [['at'], { n: ['id'] }], null, 'x'),
    ),
    v: fc.constantFrom<unknown>(1, 0, 2, '1', null, undefined, NaN),
  },
  { requiredKeys: [] },
);

const json = fc.oneof(
  fc.constant(JSON.parse(valid).json as unknown),
  fc.jsonValue(),
  fc.record({ id: fc.string(), at: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), items: fc.array(fc.jsonValue(), { maxLength: 3 }) }),
);

describe('the compiled reader against hostile input', () => {
  it('answers as superjson for random text and JSON', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.constantFrom('', 'null', '[]', '{}', '{"json":', '{"json":1}', '{"json":{},"meta":null}')), checkText),
      RUNS,
    );
  });

  it('answers as superjson for truncated and corrupted texts', () => {
    fc.assert(
      fc.property(fc.nat(valid.length), fc.nat(valid.length), fc.string({ maxLength: 3 }), (cut, at, insert) => {
        checkText(valid.slice(0, cut));
        checkText(valid.slice(0, at) + insert + valid.slice(at + insert.length));
        checkText(valid.slice(0, at) + insert + valid.slice(at));
      }),
      RUNS,
    );
  });

  it('answers as superjson for arbitrary annotations and references (absent, odd and __proto__ paths)', () => {
    fc.assert(
      fc.property(json, meta, (j, m) => {
        checkText(JSON.stringify({ json: j, meta: m }));
        checkText(`{"json":${JSON.stringify(j) ?? 'null'},"meta":${JSON.stringify(m)}}`);
      }),
      RUNS,
    );
  });

  it('answers as superjson when the meta of a real text is swapped for another one', () => {
    fc.assert(
      fc.property(
        generatedObject().chain((g) => fc.tuple(fc.constant(g), parsedValue(g), parsedValue(g))),
        ([g, a, b]) => {
          fc.pre(a.ok && b.ok);
          if (!a.ok || !b.ok) return;
          const ta = outcome(() => superjson.stringify(a.value));
          const tb = outcome(() => superjson.stringify(b.value));
          fc.pre(ta.ok && tb.ok);
          if (!ta.ok || !tb.ok) return;
          const own = compileSuperjsonCodec(g.schema as z.ZodObject);
          const pa = JSON.parse(ta.value) as { json: unknown };
          const pb = JSON.parse(tb.value) as { meta?: unknown };
          const mixed = JSON.stringify({ json: pa.json, ...(pb.meta === undefined ? {} : { meta: pb.meta }) });
          expectSameOutcome(
            outcome(() => own.parse(mixed)),
            outcome(() => superjson.parse(mixed)),
            `${g.label}\n${mixed}`,
          );
        },
      ),
      RUNS,
    );
  });

  it('fails at once where superjson overflows its stack on a string annotation tree', () => {
    const text = '{"json":{"id":"a"},"meta":{"values":{"id":"Date"},"v":1}}';
    expect(() => superjson.parse(text)).toThrow(RangeError);
    const start = performance.now();
    expect(() => codec.parse(text)).toThrow(new RangeError('Maximum call stack size exceeded'));
    expect(performance.now() - start).toBeLessThan(50); // superjson itself takes a good fraction of a second
    const decoded = entityCodec.decode(text, 'k');
    expect(decoded.ok).toBe(false);
  });

  it('never throws from EntityCodec.decode, whatever a refinement does', () => {
    const Throwing = defineEntity({
      name: 'throwing',
      key: ['id'],
      schema: z.object({
        id: z.string(),
        at: z.date().refine(() => {
          throw new Error('refinement exploded');
        }),
      }),
      ttl: '1m',
    });
    const throwing = new EntityCodec(getEntityMetadata(Throwing));
    const result = throwing.decode(superjson.stringify({ id: 'a', at: new Date(0) }), 'k');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toBeInstanceOf(DecodeError);
      expect(result.error.message).toContain('refinement exploded');
    }
  });
});
