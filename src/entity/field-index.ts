/**
 * Which fields can carry a field index (`@Field(schema, { index: true })`, `defineEntity({ indexes })`),
 * and the order-preserving text encoding of their values (docs/find.md, "Field indexes").
 */
import type { z } from 'zod';
import { keySchemaInfo } from './key-kind.js';

/**
 * How an indexed field's values are encoded in its index: one order-preserving encoding per kind.
 *
 * @example
 * getEntityMetadata(User).fieldIndexes.map((f) => `${f.name}: ${f.kind}`); // ['email: string', 'age: number']
 */
export type FieldIndexKind = 'string' | 'number' | 'bigint' | 'boolean' | 'date';

/**
 * One indexed field of an entity.
 *
 * @example
 * const age: FieldIndexMetadata = { name: 'age', kind: 'number', required: true, distinct: undefined };
 */
export interface FieldIndexMetadata {
  /** The field's name on the entity. */
  readonly name: string;
  /** How its values are encoded in the index. */
  readonly kind: FieldIndexKind;
  /**
   * Whether every valid entity has a value for it (no optional, nullable or catch wrapper), so the
   * index lists every entity: only then can an `orderBy` without a condition on it stream the index.
   */
  readonly required: boolean;
  /**
   * How many distinct values the field can hold when its schema says (booleans: 2, enums and literals:
   * their count); `undefined` when unbounded. The planner's estimate of an equality's size.
   */
  readonly distinct: number | undefined;
}

/** The zod types a field index takes, for error messages. @internal */
export const INDEXABLE_TYPES = 'string, number, bigint, boolean, enum and Date fields (optional or nullable ones too)';

type Def = { type: string; innerType?: z.ZodType; entries?: Record<string, unknown>; values?: readonly unknown[] };

/**
 * The index kind of a field's zod schema, or `undefined` when it cannot be indexed. Optional, nullable,
 * default, readonly and catch wrappers are looked through (an absent or `null` value is not indexed).
 * @internal
 *
 * @example
 * fieldIndexKindOf(z.date().optional()); // 'date'
 * fieldIndexKindOf(z.array(z.string())); // undefined
 */
export function fieldIndexKindOf(schema: z.ZodType): FieldIndexKind | undefined {
  const inner = innermost(schema);
  if (inner === undefined) return undefined;
  return inner.def.type === 'date' ? 'date' : keySchemaInfo(inner.schema)?.kind;
}

/** The wrappers a field index looks through: they change whether a value is there, not what it is. */
const WRAPPERS: ReadonlySet<string> = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** The schema under its {@link WRAPPERS} and its definition; `undefined` past 16 levels. */
function innermost(schema: z.ZodType): { schema: z.ZodType; def: Def } | undefined {
  let current = schema;
  for (let depth = 0; depth <= 16; depth++) {
    const def = (current as unknown as { _zod: { def: Def } })._zod.def;
    if (!WRAPPERS.has(def.type)) return { schema: current, def };
    current = def.innerType!;
  }
  return undefined;
}

/**
 * How many distinct values a field's schema allows (see {@link FieldIndexMetadata.distinct}). @internal
 *
 * @example
 * distinctValues(z.enum(['a', 'b', 'c']).optional()); // 3
 */
export function distinctValues(schema: z.ZodType): number | undefined {
  const def = innermost(schema)?.def;
  switch (def?.type) {
    case 'boolean':
      return 2;
    case 'enum':
      return new Set(Object.values(def.entries ?? {})).size;
    case 'literal':
      return def.values?.length;
    default:
      return undefined;
  }
}

/**
 * Whether a field's schema always yields a value (see {@link FieldIndexMetadata.required}). @internal
 *
 * @example
 * alwaysValued(z.int()); // true
 * alwaysValued(z.int().optional()); // false
 */
export function alwaysValued(schema: z.ZodType, depth = 0): boolean {
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  if (depth > 16) return false;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'catch':
      return false;
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
      return alwaysValued(def.innerType!, depth + 1);
    default:
      return true;
  }
}

/** `\0` → `\1\1`, `\1` → `\1\2`: order-preserving, and no NUL left (the separator of index members). */
function escape(text: string): string {
  return /[\0\x01]/.test(text) ? text.replace(/[\0\x01]/g, (c) => (c === '\0' ? '\x01\x01' : '\x01\x02')) : text;
}

const F64 = new DataView(new ArrayBuffer(8));

function encodeNumber(n: number): string {
  F64.setFloat64(0, Number.isNaN(n) ? Number.NaN : n === 0 ? 0 : n);
  let hi = F64.getUint32(0);
  let lo = F64.getUint32(4);
  if (hi >>> 31 === 1) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  } else {
    hi = (hi | 0x80000000) >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

function encodeBigint(n: bigint): string {
  if (n >= 0n) {
    const digits = n === 0n ? '' : n.toString(16);
    return `p${digits.length.toString(16).padStart(4, '0')}${digits}`;
  }
  const digits = (-n).toString(16);
  const flipped = [...digits].map((d) => (15 - parseInt(d, 16)).toString(16)).join('');
  return `n${(0xffff - digits.length).toString(16).padStart(4, '0')}${flipped}`;
}

/**
 * The index text of `value` for a field of `kind`, or `undefined` when the value is not indexed
 * (absent, `null`, or not of the field's kind, e.g. a value a custom schema let through). Byte-wise
 * order of the results (UTF-8) is value order: numbers and dates numerically (NaN above `+Infinity`),
 * bigints numerically, `false` < `true`, strings by Unicode code point. @internal
 *
 * @example
 * encodeIndexValue('number', -1) < encodeIndexValue('number', 2)!; // true
 * encodeIndexValue('string', 'a\0b'); // 'a\x01\x01b'
 */
export function encodeIndexValue(kind: FieldIndexKind, value: unknown): string | undefined {
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? escape(value) : undefined;
    case 'number':
      return typeof value === 'number' ? encodeNumber(value) : undefined;
    case 'date':
      return value instanceof Date ? encodeNumber(value.getTime()) : undefined;
    case 'bigint':
      return typeof value === 'bigint' ? encodeBigint(value) : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? (value ? '1' : '0') : undefined;
  }
}

/**
 * The field-index name of a field inside index members (the field name, escaped like a string value).
 * @internal
 *
 * @example
 * fieldTag('email'); // 'email'
 */
export function fieldTag(name: string): string {
  return escape(name);
}

/**
 * The entries of one entity in its entity's field index (`WriteOp.fields`): per indexed field with a
 * value, `tag \0 enc(value) \0`, concatenated in declaration order; `''` when no indexed field has a
 * value. @internal
 *
 * @example
 * fieldEntries([{ name: 'age', kind: 'number' }], { age: 1 }); // 'age\0bff0000000000000\0'
 */
export function fieldEntries(indexes: readonly FieldIndexMetadata[], data: Readonly<Record<string, unknown>>): string {
  let out = '';
  for (const { name, kind } of indexes) {
    const enc = encodeIndexValue(kind, data[name]);
    if (enc !== undefined) out += `${fieldTag(name)}\0${enc}\0`;
  }
  return out;
}
