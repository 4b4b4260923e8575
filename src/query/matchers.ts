/**
 * Matchers for `repo.find(pattern)`: `prefix`, `suffix`, `contains` (string fields only), `oneOf`, and
 * the ranges `gt`, `gte`, `lt`, `lte`, `between` (number, bigint and Date fields only).
 *
 * A matcher is a frozen object branded with the {@link MATCHER} symbol, so it can never be mistaken for a
 * literal value (and, at compile time, never passes for a `Date`, `Map` or any other field type).
 * Matcher text is plain text, never a glob: `prefix('a*')` matches values that start with the two
 * characters `a*`.
 */
import { InvalidQueryError } from '../errors/index.js';

/**
 * The brand of every matcher. `Symbol.for`, so matchers made by the ESM and the CommonJS build of
 * cacheorm (both loaded in one process) are recognised by either.
 *
 * @example
 * prefix('a1')[MATCHER]; // 'prefix'
 */
export const MATCHER: unique symbol = Symbol.for('cacheorm.matcher');

/**
 * The kinds of text matchers.
 *
 * @example
 * const kind: StringMatcherKind = prefix('a')[MATCHER]; // 'prefix'
 */
export type StringMatcherKind = 'prefix' | 'suffix' | 'contains';

/**
 * A condition on a string field: the value starts with, ends with or contains `text` (plain text,
 * case-sensitive, compared by UTF-16 code units like `String.prototype.startsWith`).
 *
 * @example
 * const m: StringMatcher = prefix('a1');
 * m.text; // 'a1'
 */
export interface StringMatcher {
  /** The brand that marks a matcher, holding its kind: `'prefix'`, `'suffix'` or `'contains'`. */
  readonly [MATCHER]: StringMatcherKind;
  /** The text to look for. */
  readonly text: string;
}

/**
 * A condition that holds when the value equals one of `values` (by value: see `valueEquals`).
 * `oneOf([])` matches nothing.
 *
 * @example
 * const m: OneOf<string> = oneOf(['acme', 'globex']);
 * m.values; // ['acme', 'globex']
 */
export interface OneOf<T> {
  /** The brand that marks a matcher, holding its kind. */
  readonly [MATCHER]: 'oneOf';
  /** The accepted values (a frozen copy of the array given to `oneOf`). */
  readonly values: readonly T[];
}

/**
 * The value types a range compares: numbers, bigints and `Date`s.
 *
 * @example
 * const lo: RangeValue = new Date('2026-01-01');
 */
export type RangeValue = number | bigint | Date;

/**
 * The type of a range's bounds at run time: `'number'`, `'bigint'` or `'date'`. A range only matches
 * values of its own type (a `number` field never matches `gt(1n)`).
 *
 * @example
 * const type: RangeType = gt(1n).type; // 'bigint'
 */
export type RangeType = 'number' | 'bigint' | 'date';

/**
 * How a range was written: `gt`, `gte`, `lt`, `lte` or `between`.
 *
 * @example
 * const op: RangeOp = between(1, 5).op; // 'between'
 */
export type RangeOp = 'gt' | 'gte' | 'lt' | 'lte' | 'between';

/**
 * One end of a range: its value and whether the value itself is inside (`gte`, `lte`, both ends of
 * `between`) or not (`gt`, `lt`).
 *
 * @example
 * const b: RangeBound<number> = gt(18).lower!; // { value: 18, inclusive: false }
 */
export interface RangeBound<T extends RangeValue> {
  /** The bound (a `Date` bound is a copy: changing the caller's `Date` later does not change the range). */
  readonly value: T;
  /** Whether a value equal to the bound is inside the range. */
  readonly inclusive: boolean;
}

/**
 * A condition on a number, bigint or Date field: the value lies between `lower` and `upper` (either may
 * be open, `undefined`). Numbers compare numerically, bigints as integers, `Date`s by time. A value of
 * another type, a missing value, `NaN` and an invalid `Date` are never inside a range.
 *
 * A planner or evaluator reads `type`, `lower` and `upper` (`inRange` in src/query/compare.ts is the
 * test); `op` is how the range was written, for messages and `explain()`.
 *
 * @example
 * const adults: Range<number> = gte(18);
 * adults.lower; // { value: 18, inclusive: true }
 * adults.upper; // undefined
 * between(new Date('2026-01-01'), new Date('2026-02-01')).type; // 'date'
 */
export interface Range<T extends RangeValue> {
  /** The brand that marks a matcher: `'range'` for every range. */
  readonly [MATCHER]: 'range';
  /** How the range was written. */
  readonly op: RangeOp;
  /** The type of both bounds. */
  readonly type: RangeType;
  /** The lower end; `undefined` for `lt`/`lte`. */
  readonly lower: RangeBound<T> | undefined;
  /** The upper end; `undefined` for `gt`/`gte`. */
  readonly upper: RangeBound<T> | undefined;
}

/**
 * Any matcher.
 *
 * @example
 * const matchers: Matcher[] = [prefix('a'), oneOf([1, 2]), gt(0)];
 */
export type Matcher = StringMatcher | OneOf<unknown> | Range<RangeValue>;

function stringMatcher(kind: StringMatcherKind, text: unknown): StringMatcher {
  if (typeof text !== 'string') {
    throw new InvalidQueryError(
      `${kind}() takes a string, got ${text === null ? 'null' : Array.isArray(text) ? 'an array' : typeof text}. ` +
        `Pass the text to look for, e.g. ${kind}('a1').`,
    );
  }
  const matcher = { [MATCHER]: kind, text };
  Object.defineProperty(matcher, 'toJSON', { value: () => ({ [kind]: text }) });
  return Object.freeze(matcher);
}

/**
 * Matches string values that start with `text`. On a key field it becomes part of the SCAN glob
 * (`prefix('a1')` → `...:a1*`); `text` is encoded like a key part, so glob characters in it are literal.
 * Throws `InvalidQueryError` when `text` is not a string.
 *
 * @example
 * repo.find({ tenantId: 'acme', id: prefix('a1') }); // SCAN MATCH cache:session:acme:a1*
 * repo.find({ tenantId: prefix('a*') });              // tenants starting with the text "a*" only
 */
export function prefix(text: string): StringMatcher {
  return stringMatcher('prefix', text);
}

/**
 * Matches string values that end with `text` (plain text, not a glob). Throws `InvalidQueryError`
 * when `text` is not a string.
 *
 * @example
 * repo.find({ tenantId: 'acme', email: suffix('@corp.example') });
 */
export function suffix(text: string): StringMatcher {
  return stringMatcher('suffix', text);
}

/**
 * Matches string values that contain `text` (plain text, not a glob). Throws `InvalidQueryError`
 * when `text` is not a string.
 *
 * @example
 * repo.find({ tenantId: 'acme', email: contains('@corp') });
 */
export function contains(text: string): StringMatcher {
  return stringMatcher('contains', text);
}

/**
 * Matches values equal to one of `values`, compared by value (`Date` by time, `Set`/`Map` by content,
 * `bigint` by number). When every key field is a literal or a `oneOf`, `find` reads the product of
 * the keys with one `MGET` instead of scanning. `oneOf([])` matches nothing. Throws
 * `InvalidQueryError` when `values` is not an array or holds a matcher.
 *
 * @example
 * repo.find({ tenantId: 'acme', id: oneOf(['s1', 's2']) }); // MGET of two keys
 * repo.find({ tenantId: 'acme', userId: oneOf([7, 8]) });   // residual filter on a non-key field
 */
export function oneOf<const T>(values: readonly T[]): OneOf<T> {
  if (!Array.isArray(values)) {
    throw new InvalidQueryError(
      `oneOf() takes an array of values, got ${values === null ? 'null' : typeof values}. Pass e.g. oneOf(['a', 'b']).`,
    );
  }
  const copy = Object.freeze([...(values as readonly T[])]);
  for (const value of copy) {
    if (isMatcher(value)) {
      throw new InvalidQueryError('oneOf() takes plain values, not matchers. Pass the values themselves, e.g. oneOf([\'a\', \'b\']).');
    }
  }
  const matcher = { [MATCHER]: 'oneOf' as const, values: copy };
  Object.defineProperty(matcher, 'toJSON', { value: () => ({ oneOf: copy }) });
  return Object.freeze(matcher);
}

/** The range type of a bound, or why it cannot be one (for the message). */
function boundType(value: unknown): RangeType | string {
  switch (typeof value) {
    case 'number':
      return Number.isNaN(value) ? 'NaN' : 'number';
    case 'bigint':
      return 'bigint';
    case 'object':
      if (value === null) return 'null';
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : 'date';
      if (isMatcher(value)) return 'a matcher';
      return Array.isArray(value) ? 'an array' : 'an object';
    case 'string':
      return 'a string';
    default:
      return typeof value;
  }
}

const RANGE_TYPES: ReadonlySet<string> = new Set<RangeType>(['number', 'bigint', 'date']);

function checkedBound(op: RangeOp, value: unknown): { type: RangeType; value: RangeValue } {
  const type = boundType(value);
  if (!RANGE_TYPES.has(type)) {
    const hint = type === 'a string' ? ' For text, use prefix(), suffix(), contains() or oneOf([...]).' : '';
    throw new InvalidQueryError(
      `${op}() takes a number, a bigint or a valid Date, got ${type}.${hint} Pass e.g. ${op === 'between' ? 'between(1, 10)' : `${op}(10)`}.`,
    );
  }
  return { type: type as RangeType, value: value instanceof Date ? new Date(value.getTime()) : (value as RangeValue) };
}

function showBound(value: RangeValue): string {
  return value instanceof Date ? value.toISOString() : typeof value === 'bigint' ? `${value}n` : String(value);
}

function rangeMatcher(op: RangeOp, type: RangeType, lower: RangeBound<RangeValue> | undefined, upper: RangeBound<RangeValue> | undefined): Range<RangeValue> {
  const matcher = { [MATCHER]: 'range' as const, op, type, lower: lower && Object.freeze(lower), upper: upper && Object.freeze(upper) };
  const bound = (b: RangeBound<RangeValue>) => (typeof b.value === 'bigint' ? `${b.value}n` : b.value);
  const json = op === 'between' ? [bound(lower!), bound(upper!)] : bound((lower ?? upper)!);
  Object.defineProperty(matcher, 'toJSON', { value: () => ({ [op]: json }) });
  return Object.freeze(matcher);
}

function oneSided(op: Exclude<RangeOp, 'between'>, raw: unknown): Range<RangeValue> {
  const { type, value } = checkedBound(op, raw);
  const bound = { value, inclusive: op === 'gte' || op === 'lte' };
  return op === 'gt' || op === 'gte' ? rangeMatcher(op, type, bound, undefined) : rangeMatcher(op, type, undefined, bound);
}

/**
 * Matches values greater than `value` (number, bigint or Date fields; Dates by time). Throws
 * `InvalidQueryError` for a bound that is not a number, a bigint or a valid `Date` (`NaN` included).
 * A compile error on string and boolean fields.
 *
 * @example
 * users.find({ age: gt(17) });
 * sessions.find({ tenantId: 'acme', lastSeen: gt(new Date(Date.now() - 3_600_000)) });
 */
export function gt(value: number): Range<number>;
export function gt(value: bigint): Range<bigint>;
export function gt(value: Date): Range<Date>;
export function gt(value: RangeValue): Range<RangeValue> {
  return oneSided('gt', value);
}

/**
 * Matches values greater than or equal to `value` (number, bigint or Date fields). Throws
 * `InvalidQueryError` like {@link gt}.
 *
 * @example
 * users.find({ age: gte(18) });
 */
export function gte(value: number): Range<number>;
export function gte(value: bigint): Range<bigint>;
export function gte(value: Date): Range<Date>;
export function gte(value: RangeValue): Range<RangeValue> {
  return oneSided('gte', value);
}

/**
 * Matches values less than `value` (number, bigint or Date fields). Throws `InvalidQueryError` like
 * {@link gt}.
 *
 * @example
 * sessions.find({ lastSeen: lt(new Date('2026-01-01')) }); // not seen this year
 */
export function lt(value: number): Range<number>;
export function lt(value: bigint): Range<bigint>;
export function lt(value: Date): Range<Date>;
export function lt(value: RangeValue): Range<RangeValue> {
  return oneSided('lt', value);
}

/**
 * Matches values less than or equal to `value` (number, bigint or Date fields). Throws
 * `InvalidQueryError` like {@link gt}.
 *
 * @example
 * orders.find({ total: lte(100n) });
 */
export function lte(value: number): Range<number>;
export function lte(value: bigint): Range<bigint>;
export function lte(value: Date): Range<Date>;
export function lte(value: RangeValue): Range<RangeValue> {
  return oneSided('lte', value);
}

/**
 * Matches values from `lo` to `hi`, both included (number, bigint or Date fields). Throws
 * `InvalidQueryError` when a bound is not a number, a bigint or a valid `Date`, when the two bounds
 * have different types, or when `lo > hi` (`between(5, 5)` matches exactly 5).
 *
 * @example
 * users.find({ age: between(18, 65) });
 * events.find({ at: between(new Date('2026-01-01'), new Date('2026-01-31T23:59:59.999Z')) });
 */
export function between(lo: number, hi: number): Range<number>;
export function between(lo: bigint, hi: bigint): Range<bigint>;
export function between(lo: Date, hi: Date): Range<Date>;
export function between(lo: RangeValue, hi: RangeValue): Range<RangeValue> {
  const low = checkedBound('between', lo);
  const high = checkedBound('between', hi);
  if (low.type !== high.type) {
    throw new InvalidQueryError(
      `between() takes two bounds of the same type, got a ${low.type} and a ${high.type}. Pass e.g. between(1, 10), between(1n, 10n) or between(dateA, dateB).`,
    );
  }
  const lv = low.value instanceof Date ? low.value.getTime() : low.value;
  const hv = high.value instanceof Date ? high.value.getTime() : high.value;
  if (lv > hv) {
    throw new InvalidQueryError(`between(lo, hi) takes lo <= hi, got lo ${showBound(lo)} above hi ${showBound(hi)}. Swap the two bounds.`);
  }
  return rangeMatcher('between', low.type, { value: low.value, inclusive: true }, { value: high.value, inclusive: true });
}

/**
 * Whether `value` is a matcher made by `prefix`, `suffix`, `contains`, `oneOf` or a range (checks the brand,
 * not the shape, so a plain `{ text: 'a' }` is a literal).
 *
 * @example
 * isMatcher(prefix('a'));  // true
 * isMatcher({ text: 'a' }); // false
 * isMatcher('a');          // false
 */
export function isMatcher(value: unknown): value is Matcher {
  return typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, MATCHER);
}
