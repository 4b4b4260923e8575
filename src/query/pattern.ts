/** The shape of `repo.find(pattern, options)`: its types, and which fields take string matchers at run time. */
import type { EntityData } from '../entity/types.js';
import type { OrderDirection } from './compare.js';
import type { MATCHER, OneOf, Range, StringMatcher } from './matchers.js';

/**
 * Mixed into object-typed literals so that a matcher (which carries the {@link MATCHER} brand) is never
 * structurally accepted as a literal of an object field, e.g. `prefix('x')` for a `{ text: string }`.
 */
interface NotAMatcher {
  readonly [MATCHER]?: never;
}

/**
 * A literal condition on a field of type `T`: the value itself, compared by value (`Date` by time,
 * `Set`/`Map` by content). Object types exclude matchers, so `prefix(...)` never passes as a literal.
 *
 * @example
 * const at: Literal<Date> = new Date('2026-01-01');
 */
export type Literal<T> = T extends object ? T & NotAMatcher : T;

/**
 * The range matcher a field of type `T` accepts: `Range<number>` for number fields (numeric enums and
 * literals included), `Range<bigint>` for bigint fields, `Range<Date>` for Date fields, and `never` for
 * every other type (so `gt(1)` on a string or boolean field does not compile).
 *
 * @example
 * const r: RangeOf<number | undefined> = gt(1); // Range<number>
 */
export type RangeOf<T> = T extends number ? Range<number> : T extends bigint ? Range<bigint> : T extends Date ? Range<Date> : never;

/**
 * What a pattern may give for a field of type `T`: a literal, `oneOf([...])` of values of type `T`;
 * for string fields, `prefix(...)`, `suffix(...)` or `contains(...)`; for number, bigint and Date
 * fields, `gt`, `gte`, `lt`, `lte` or `between` with bounds of the field's type.
 *
 * @example
 * ```ts
 * const a: Condition<string> = prefix('a1');
 * const b: Condition<number> = oneOf([1, 2]);
 * const d: Condition<Date> = gte(new Date('2026-01-01'));
 * // @ts-expect-error prefix() applies to string fields only
 * const c: Condition<number> = prefix('1');
 * // @ts-expect-error ranges apply to number, bigint and Date fields only
 * const e: Condition<string> = gt(1);
 * ```
 */
export type Condition<T> =
  | Literal<T>
  | OneOf<T>
  | ([Extract<T, string>] extends [never] ? never : StringMatcher)
  | RangeOf<T>;

/**
 * A `find` pattern: a partial object over the entity's stored fields, each a {@link Condition} of the
 * field's type. Unknown fields, wrong literal types, string matchers on non-string fields and `oneOf`
 * with wrong element types are compile errors (and `InvalidQueryError`s at run time).
 *
 * Every given property is a condition: `{ note: undefined }` matches entities whose `note` is undefined
 * or missing; an `undefined` key field is rejected. Omit a property to leave the field unconstrained.
 *
 * @example
 * const p: Pattern<Session> = { tenantId: 'acme', id: prefix('a1'), email: contains('@corp') };
 * const q = sessions.find(p);
 */
export type Pattern<E> = {
  [P in keyof EntityData<E>]?: Condition<EntityData<E>[P]>;
};

/**
 * The fields of `E` that `orderBy` accepts: those whose values are strings, numbers, bigints, booleans
 * or `Date`s (enums included; `undefined`/`null` allowed). Sets, maps, arrays and objects have no order.
 *
 * @example
 * type F = OrderableField<User>; // 'id' | 'name' | 'age' | 'createdAt'
 */
export type OrderableField<E> = {
  [P in keyof EntityData<E>]-?: [Exclude<EntityData<E>[P], undefined | null>] extends [string | number | bigint | boolean | Date] ? P : never;
}[keyof EntityData<E>];

/**
 * `orderBy` of `find`: exactly one orderable field and its direction, e.g. `{ age: 'desc' }`. Ties are
 * ordered by key; entities without a value for the field come last in both directions (docs/find.md).
 *
 * @example
 * const byAge: OrderBy<User> = { age: 'desc' };
 */
export type OrderBy<E> = {
  [P in OrderableField<E>]: { readonly [Q in P]: OrderDirection } & { readonly [Q in Exclude<OrderableField<E>, P>]?: never };
}[OrderableField<E>];

/**
 * Options of `repo.find(pattern, options)`. `E` types `orderBy` (the repository's entity).
 *
 * @example
 * repo.find({ tenantId: 'acme' }, { batchSize: 200, limit: 50 });
 * users.find({ country: 'FR' }, { orderBy: { age: 'desc' }, limit: 20 });
 */
export interface FindOptions<E = unknown> {
  /** `SCAN`/`ZSCAN` `COUNT` hint and the number of values fetched per `MGET`. Default 1000. */
  batchSize?: number;
  /**
   * Stop after this many results (same as `.limit(n)`): a positive integer, else `InvalidQueryError`.
   * With `orderBy`, the first `limit` results in that order.
   */
  limit?: number;
  /**
   * Sort the results on one field, `{ field: 'asc' | 'desc' }`. A field with a secondary index streams
   * in index order; any other field is sorted in memory, which holds at most `MAX_IN_MEMORY_ORDER`
   * (10,000) matches: a find with more throws `InvalidQueryError` (index the field, or narrow the
   * pattern). Iteration, `toArray()`, `first()` and `keys()` follow the order; `count()` ignores it;
   * `delete()` follows it with a limit (deletes the first `limit` in order) and ignores it without one.
   */
  orderBy?: OrderBy<E>;
  /**
   * Also find stale entries (entities with a grace period: past their TTL, within their grace).
   * Default `false`: stale entries are skipped, and `keys()`/`count()` fetch values to tell them apart.
   * `delete()` removes matching entries whether fresh or stale.
   */
  allowStale?: boolean;
}

type SchemaDef = {
  type?: string;
  innerType?: unknown;
  out?: unknown;
  options?: readonly unknown[];
  left?: unknown;
  right?: unknown;
  entries?: Record<string, unknown>;
  values?: readonly unknown[];
  getter?: () => unknown;
};
/**
 * The value types `find` tells apart in a field's schema: what string matchers (`string`), ranges
 * (`number`, `bigint`, `date`) and `orderBy` (all of them) need. @internal
 *
 * @example
 * const t: HeldType = 'date';
 */
export type HeldType = 'string' | 'number' | 'bigint' | 'boolean' | 'date';

/** zod types with a known output type: each holds only the values its name says (or none of ours). */
const KNOWN = new Set([
  'string', 'template_literal', 'number', 'int', 'bigint', 'boolean', 'date', 'set', 'map', 'array', 'tuple', 'object',
  'record', 'null', 'undefined', 'void', 'never', 'nan', 'symbol', 'file', 'function', 'promise',
]);
const HELD_BY: Readonly<Record<string, HeldType>> = { string: 'string', template_literal: 'string', number: 'number', int: 'number', bigint: 'bigint', boolean: 'boolean', date: 'date' };

function heldTypeOf(value: unknown): HeldType | undefined {
  const t = typeof value;
  return t === 'string' || t === 'number' || t === 'bigint' || t === 'boolean' ? t : value instanceof Date ? 'date' : undefined;
}

/**
 * Whether a field's zod schema may produce a value of `type` (so `prefix` makes sense on it for
 * `'string'`, `gt` for `'number'`...). Wrappers (optional, nullable, default, catch, readonly, lazy,
 * pipe output) are looked through; unions need one member of the type; unknown kinds (any, unknown,
 * custom, transform) are given the benefit of the doubt (the residual filter is false for values of
 * another type anyway). @internal
 *
 * @example
 * mayHold(z.email().optional(), 'string'); // true
 * mayHold(z.date(), 'string');             // false
 * mayHold(z.int().nullable(), 'number');   // true
 */
export function mayHold(schema: unknown, type: HeldType, depth = 0): boolean {
  const def = (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;
  if (def?.type === undefined || depth > 32) return true;
  const next = (inner: unknown): boolean => mayHold(inner, type, depth + 1);
  switch (def.type) {
    case 'enum':
      return Object.values(def.entries ?? {}).some((v) => heldTypeOf(v) === type);
    case 'literal':
      return (def.values ?? []).some((v) => heldTypeOf(v) === type);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return next(def.innerType);
    case 'lazy':
      return next(def.getter?.());
    case 'pipe':
      return next(def.out);
    case 'union':
      return (def.options ?? []).some(next);
    case 'intersection':
      return next(def.left) && next(def.right);
    default:
      return !KNOWN.has(def.type) || HELD_BY[def.type] === type;
  }
}
