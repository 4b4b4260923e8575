/**
 * fast-check generators for the codec suites: random zod schemas, each with an arbitrary of raw
 * values for it, and helpers to compare what the compiled codec and superjson do.
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { expect } from 'vitest';
import { z } from 'zod';

/** Gives a generated case a short printed form in fast-check's failure reports. */
function named(g: Generated): Generated {
  return Object.assign(Object.create(null) as object, g, { [fc.toStringMethod]: () => g.label }) as Generated;
}

/** A schema and raw values to parse with it (not all of them valid: zod decides). */
export interface Generated {
  readonly schema: z.ZodType;
  readonly value: fc.Arbitrary<unknown>;
  /** A short description, for failure messages. */
  readonly label: string;
  /** The schema has nodes whose output the codec tells apart by value only (any, unions, transforms). */
  readonly dynamic: boolean;
}

export interface GenOptions {
  /** Allow `z.any()`, unions, transforms (values checked at run time by the codec). Default true. */
  dynamic?: boolean;
  /** Allow keys such as `0` or `12`, which JavaScript orders first. Default true. */
  indexKeys?: boolean;
  /** Allow `constructor` / `__proto__` keys, which superjson refuses or zod drops. Default false. */
  unsafeKeys?: boolean;
}

/** Strings with the characters that need escaping in JSON or in superjson paths. */
export const text: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: fc.constantFrom('a', '.', '\\', '"', '\n', '\u2028', '\ud800', '\udc00', '😀', 'é', '0', ' ') }),
  fc.constantFrom('', 'a.b', 'a\\b', 'x"y', 'meta', '{"json":', '-0', 'NaN', '1970-01-01T00:00:00.000Z'),
);

const SAFE_KEYS = ['a', 'b', 'id', 'name', 'at', 'meta', 'json', 'values', 'a.b', 'a\\.b', 'x"y', 'é', '', 'toString', 'valueOf', '-1', '01'];
const INDEX_KEYS = ['0', '1', '12'];
const UNSAFE_KEYS = ['constructor', '__proto__', 'prototype'];

function keys(options: GenOptions): fc.Arbitrary<string> {
  const pool = [...SAFE_KEYS, ...(options.indexKeys === false ? [] : INDEX_KEYS), ...(options.unsafeKeys ? UNSAFE_KEYS : [])];
  return fc.constantFrom(...pool);
}

const dates = fc.oneof(fc.date({ noInvalidDate: true }), fc.date({ min: new Date('1960-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }));

const leaves: Generated[] = [
  { schema: z.string(), value: text, label: 'string', dynamic: false },
  { schema: z.number(), value: fc.double({ noNaN: true, noDefaultInfinity: true }), label: 'number', dynamic: false },
  { schema: z.int(), value: fc.oneof(fc.integer(), fc.constant(-0)), label: 'int', dynamic: false },
  { schema: z.boolean(), value: fc.boolean(), label: 'boolean', dynamic: false },
  { schema: z.bigint(), value: fc.oneof(fc.bigInt(), fc.constantFrom(0n, 1n, -1n)), label: 'bigint', dynamic: false },
  { schema: z.date(), value: dates, label: 'date', dynamic: false },
  { schema: z.null(), value: fc.constant(null), label: 'null', dynamic: false },
  { schema: z.undefined(), value: fc.constant(undefined), label: 'undefined', dynamic: false },
  { schema: z.enum(['a', 'b.c', 'x"y']), value: fc.constantFrom('a', 'b.c', 'x"y'), label: 'enum', dynamic: false },
  { schema: z.literal(7), value: fc.constant(7), label: 'literal(7)', dynamic: false },
  { schema: z.nan(), value: fc.constant(NaN), label: 'nan', dynamic: false },
  { schema: z.email(), value: fc.emailAddress(), label: 'email', dynamic: false },
];

const dynamicLeaves: Generated[] = [
  { schema: z.any(), value: anyValue(), label: 'any', dynamic: true },
  { schema: z.unknown(), value: anyValue(), label: 'unknown', dynamic: true },
  { schema: z.union([z.string(), z.date()]), value: fc.oneof(text, dates), label: 'string|date', dynamic: true },
  { schema: z.union([z.number(), z.bigint(), z.null()]), value: fc.oneof(fc.double(), fc.bigInt(), fc.constant(null)), label: 'number|bigint|null', dynamic: true },
  { schema: z.literal([1, 'one', null, undefined]), value: fc.constantFrom(1, 'one', null, undefined), label: 'literal mix', dynamic: true },
  {
    schema: z.string().transform((s) => new Date(s.length)),
    value: text,
    label: 'transform→date',
    dynamic: true,
  },
];

/** Values superjson keeps (and some it keeps in its own way), for `any` and `unknown`. */
export function anyValue(): fc.Arbitrary<unknown> {
  return fc.anything({
    maxDepth: 3,
    maxKeys: 4,
    key: fc.constantFrom(...SAFE_KEYS, ...INDEX_KEYS),
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withSparseArray: true,
    withBoxedValues: false,
    withTypedArray: false,
  });
}

/** A random schema tree (depth ≤ 3) with its raw values. */
export function generated(options: GenOptions = {}): fc.Arbitrary<Generated> {
  const pool = options.dynamic === false ? leaves : [...leaves, ...dynamicLeaves];
  const key = keys(options);
  const { node } = fc.letrec<{ node: Generated; object: Generated; wrapped: Generated; container: Generated }>((tie) => ({
    node: fc.oneof({ depthSize: 'small', maxDepth: 3 }, fc.constantFrom(...pool.map(named)), tie('wrapped'), tie('object'), tie('container')),
    wrapped: fc
      .tuple(tie('node'), fc.constantFrom('optional', 'nullable', 'nullish', 'default', 'readonly', 'catch'))
      .chain(([g, w]) => (w === 'default' ? g.value.map((d) => named(withDefault(g, d))) : fc.constant(named(wrap(g, w))))),
    object: fc
      .uniqueArray(fc.tuple(key, tie('node')), { selector: ([k]) => k, minLength: 0, maxLength: 4 })
      .chain((entries) => fc.constantFrom(...modes(options)).map((mode) => named(objectOf(entries, mode)))),
    container: fc
      .tuple(fc.constantFrom('array', 'set', 'record', 'map', 'tuple', 'tuple+rest'), tie('node'), tie('node'))
      .map(([kind, a, b]) => named(containerOf(kind, a, b))),
  }));
  return node;
}

/** A random entity-like object schema (the root is always an object). */
export function generatedObject(options: GenOptions = {}): fc.Arbitrary<Generated> {
  return fc
    .uniqueArray(fc.tuple(keys(options), generated(options)), { selector: ([k]) => k, minLength: 1, maxLength: 5 })
    .chain((entries) => fc.constantFrom(...modes(options)).map((mode) => named(objectOf(entries, mode))));
}

function modes(options: GenOptions): string[] {
  return options.dynamic === false ? ['strip', 'strict'] : ['strip', 'strict', 'loose'];
}

function wrap(g: Generated, how: string): Generated {
  const s = g.schema;
  switch (how) {
    case 'optional':
      return { ...g, schema: s.optional(), value: fc.option(g.value, { nil: undefined }), label: `${g.label}?` };
    case 'nullable':
      return { ...g, schema: s.nullable(), value: fc.option(g.value, { nil: null }), label: `${g.label}|null` };
    case 'nullish':
      return { ...g, schema: s.nullish(), value: fc.oneof(g.value, fc.constantFrom(null, undefined)), label: `${g.label}|nullish` };
    case 'readonly':
      return { ...g, schema: s.readonly(), label: `readonly ${g.label}` };
    default:
      return { ...g, schema: s.catch(() => undefined as never), label: `${g.label} catch` };
  }
}

/** `.default(d)` with `d` a parse output of the schema (zod does not validate defaults), else `.optional()`. */
function withDefault(g: Generated, raw: unknown): Generated {
  const parsed = g.schema.safeParse(raw);
  if (!parsed.success || parsed.data === undefined) return wrap(g, 'optional');
  // zod hands out `d` wherever the input is undefined: a Date or Map default is one shared instance.
  return { ...g, schema: g.schema.default(parsed.data as never), value: fc.option(g.value, { nil: undefined }), label: `${g.label}=default` };
}

function objectOf(entries: readonly (readonly [string, Generated])[], mode: string): Generated {
  const shape = Object.fromEntries(entries.map(([k, g]) => [k, g.schema]));
  const base = z.object(shape);
  const schema = mode === 'strict' ? z.strictObject(shape) : mode === 'loose' ? z.looseObject(shape) : base;
  const fields = Object.fromEntries(entries.map(([k, g]) => [k, g.value]));
  const record = fc.oneof(fc.record(fields), fc.record(fields, { requiredKeys: [] }));
  const value = mode === 'loose' ? fc.tuple(record, fc.dictionary(fc.constantFrom('x', 'y.z', '5'), anyValue(), { maxKeys: 2 })).map(([r, extra]) => ({ ...extra, ...r })) : record;
  return {
    schema,
    value,
    label: `${mode}{${entries.map(([k, g]) => `${JSON.stringify(k)}: ${g.label}`).join(', ')}}`,
    dynamic: mode === 'loose' || entries.some(([, g]) => g.dynamic),
  };
}

function containerOf(kind: string, a: Generated, b: Generated): Generated {
  const dynamic = a.dynamic || b.dynamic;
  switch (kind) {
    case 'array':
      return { schema: z.array(a.schema), value: fc.array(a.value, { maxLength: 4 }), label: `${a.label}[]`, dynamic: a.dynamic };
    case 'set':
      return { schema: z.set(a.schema), value: fc.array(a.value, { maxLength: 4 }).map((xs) => new Set(xs)), label: `Set<${a.label}>`, dynamic: a.dynamic };
    case 'record':
      return {
        schema: z.record(z.string(), a.schema),
        value: fc.dictionary(fc.constantFrom(...SAFE_KEYS, ...INDEX_KEYS), a.value, { maxKeys: 3 }),
        label: `Record<${a.label}>`,
        dynamic: a.dynamic,
      };
    case 'map':
      return {
        schema: z.map(a.schema, b.schema),
        value: fc.array(fc.tuple(a.value, b.value), { maxLength: 3 }).map((es) => new Map(es)),
        label: `Map<${a.label}, ${b.label}>`,
        dynamic,
      };
    case 'tuple':
      return { schema: z.tuple([a.schema, b.schema]), value: fc.tuple(a.value, b.value), label: `[${a.label}, ${b.label}]`, dynamic };
    default:
      return {
        schema: z.tuple([a.schema], b.schema),
        value: fc.tuple(a.value, fc.array(b.value, { maxLength: 3 })).map(([x, rest]) => [x, ...rest]),
        label: `[${a.label}, ...${b.label}]`,
        dynamic,
      };
  }
}

/** A value of the schema as the repository holds it: zod's parse output (or nothing, when invalid). */
export function parsedValue(g: Generated): fc.Arbitrary<{ ok: true; value: unknown } | { ok: false }> {
  return g.value.map((raw) => {
    const result = g.schema.safeParse(raw);
    return result.success ? { ok: true as const, value: result.data } : { ok: false as const };
  });
}

/** Runs `fn`, answering its result or the error it threw. */
export function outcome<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Deep equality for superjson values: tells `-0` from `0`, `undefined` keys from absent ones, key order,
 * prototypes, Map and Set order; an invalid Date equals an invalid Date; and the two values must share
 * objects alike (superjson's referential equalities give one object at several paths).
 */
export function same(a: unknown, b: unknown, pairs = new Map<unknown, unknown>(), back = new Map<unknown, unknown>()): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (pairs.has(a) || back.has(b)) return pairs.get(a) === b && back.get(b) === a;
  pairs.set(a, b);
  back.set(b, a);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime());
  if (a instanceof RegExp || a instanceof URL) return String(a) === String(b);
  if (a instanceof Error && !(a.name === (b as Error).name && a.message === (b as Error).message)) return false;
  if (a instanceof Map || a instanceof Set) {
    const x = [...(a as Map<unknown, unknown>)];
    const y = [...(b as Map<unknown, unknown>)];
    return x.length === y.length && x.every((e, i) => same(e, y[i], pairs, back));
  }
  const ka = Reflect.ownKeys(a);
  const kb = Reflect.ownKeys(b);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) => same((a as Record<PropertyKey, unknown>)[k], (b as Record<PropertyKey, unknown>)[k], pairs, back));
}

/** Fails with both values printed unless they are {@link same}. */
export function expectSame(actual: unknown, expected: unknown, context = ''): void {
  if (!same(actual, expected)) {
    expect.fail(`${context}\nactual:   ${inspect(actual, { depth: 8 })}\nexpected: ${inspect(expected, { depth: 8 })}`);
  }
}

/** Both ran to the same result, or both threw. */
export function expectSameOutcome(actual: ReturnType<typeof outcome>, expected: ReturnType<typeof outcome>, context = ''): void {
  if (actual.ok !== expected.ok) {
    expect.fail(`${context}\none threw, the other did not:\nactual:   ${inspect(actual, { depth: 8 })}\nexpected: ${inspect(expected, { depth: 8 })}`);
  }
  if (actual.ok && expected.ok) expectSame(actual.value, expected.value, context);
}
