/** The shape of `repo.find(pattern, options)`: its types, and which fields take string matchers at run time. */
import type { EntityData } from '../entity/types.js';
import type { MATCHER, OneOf, StringMatcher } from './matchers.js';

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
 * What a pattern may give for a field of type `T`: a literal, `oneOf([...])` of values of type `T`, or,
 * for string fields only, `prefix(...)`, `suffix(...)` or `contains(...)`.
 *
 * @example
 * ```ts
 * const a: Condition<string> = prefix('a1');
 * const b: Condition<number> = oneOf([1, 2]);
 * // @ts-expect-error prefix() applies to string fields only
 * const c: Condition<number> = prefix('1');
 * ```
 */
export type Condition<T> =
  | Literal<T>
  | OneOf<T>
  | ([Extract<T, string>] extends [never] ? never : StringMatcher);

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
 * Options of `repo.find(pattern, options)`.
 *
 * @example
 * repo.find({ tenantId: 'acme' }, { batchSize: 200, limit: 50 });
 */
export interface FindOptions {
  /** `SCAN`/`ZSCAN` `COUNT` hint and the number of values fetched per `MGET`. Default 1000. */
  batchSize?: number;
  /** Stop after this many results (same as `.limit(n)`). */
  limit?: number;
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
/** zod types whose output can never be a string. */
const NOT_STRING = new Set([
  'number', 'int', 'bigint', 'boolean', 'date', 'set', 'map', 'array', 'tuple', 'object', 'record', 'null',
  'undefined', 'void', 'never', 'nan', 'symbol', 'file', 'function', 'promise',
]);

/**
 * Whether a field's zod schema may produce a string (so `prefix`/`suffix`/`contains` make sense on it).
 * Wrappers (optional, nullable, default, catch, readonly, lazy, pipe output) are looked through; unions
 * need one string member; unknown kinds (any, unknown, custom, transform) are given the benefit of the
 * doubt (the residual filter is false for non-string values anyway). @internal
 *
 * @example
 * mayBeString(z.email().optional()); // true
 * mayBeString(z.date());             // false
 */
export function mayBeString(schema: unknown, depth = 0): boolean {
  const def = (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;
  if (def?.type === undefined || depth > 32) return true;
  const next = (inner: unknown): boolean => mayBeString(inner, depth + 1);
  switch (def.type) {
    case 'enum':
      return Object.values(def.entries ?? {}).some((v) => typeof v === 'string');
    case 'literal':
      return (def.values ?? []).some((v) => typeof v === 'string');
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
      return !NOT_STRING.has(def.type);
  }
}
