/**
 * How `find` compares values: the range test ({@link inRange}) and the sort order of `orderBy`
 * ({@link compareValues}, {@link compareOrdered}). One module, so the in-memory evaluator and any index
 * that answers the same query agree on every comparison.
 *
 * The order of values of one type: numbers numerically, bigints as integers, `Date`s by time, booleans
 * `false` before `true`, strings by Unicode code point (the order of their UTF-8 bytes, which is how
 * Redis sorts members of equal score and `ZRANGEBYLEX` ranges). A field holding several of these types
 * (a union) sorts by type first, in that order. `undefined`, `null`, `NaN`, invalid `Date`s and any other
 * value have no place in the order: they are "missing" (see {@link compareOrdered}).
 */
import type { Range, RangeType, RangeValue } from './matchers.js';

/**
 * The sortable type of a value, or `undefined` when the value is missing or cannot be sorted.
 *
 * @example
 * sortType(new Date(0)); // 'date'
 * sortType(NaN);         // undefined
 * sortType(undefined);   // undefined
 */
export function sortType(value: unknown): SortType | undefined {
  switch (typeof value) {
    case 'number':
      return Number.isNaN(value) ? undefined : 'number';
    case 'bigint':
      return 'bigint';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    case 'object':
      return value instanceof Date && !Number.isNaN(value.getTime()) ? 'date' : undefined;
    default:
      return undefined;
  }
}

/**
 * The types `orderBy` sorts: the range types, booleans and strings.
 *
 * @example
 * const t: SortType = 'string';
 */
export type SortType = RangeType | 'boolean' | 'string';

const TYPE_RANK: Readonly<Record<SortType, number>> = { boolean: 0, number: 1, bigint: 2, date: 3, string: 4 };

/** A UTF-16 code unit mapped so that comparing mapped units orders strings by code point. */
function codePointUnit(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000; // surrogates come after U+E000..U+FFFF
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/**
 * Orders two strings by Unicode code point (the byte order of their UTF-8 encodings; `<` on strings
 * compares UTF-16 code units instead, which differs for characters beyond U+FFFF).
 *
 * @example
 * compareStrings('a', 'b');           // -1
 * compareStrings('\u{1F600}', '\uFFFF'); // 1 (a code point above U+FFFF sorts after U+FFFF)
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointUnit(x) < codePointUnit(y) ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/**
 * Compares two sortable values (see the module notes): negative, zero or positive. Both must have a
 * {@link sortType}; values of different types order by type.
 *
 * @example
 * compareValues(2, 10);                       // negative
 * compareValues(new Date(1), new Date(0));    // positive
 * compareValues(-0, 0);                       // 0
 */
export function compareValues(a: unknown, b: unknown): number {
  const ta = sortType(a)!;
  const tb = sortType(b)!;
  if (ta !== tb) return TYPE_RANK[ta] - TYPE_RANK[tb];
  switch (ta) {
    case 'string':
      return compareStrings(a as string, b as string);
    case 'date':
      return Math.sign((a as Date).getTime() - (b as Date).getTime());
    case 'boolean':
      return Number(a) - Number(b);
    default:
      return (a as number | bigint) < (b as number | bigint) ? -1 : (a as number | bigint) > (b as number | bigint) ? 1 : 0;
  }
}

/**
 * Whether `value` lies inside `range`: it has the range's type (`number`, `bigint` or a valid `Date`)
 * and passes both bounds (an inclusive bound admits an equal value). Missing values, other types, `NaN`
 * and invalid `Date`s are outside every range.
 *
 * @example
 * inRange(gt(18), 18);                          // false
 * inRange(between(1n, 5n), 5n);                  // true
 * inRange(gte(new Date(0)), new Date(0));         // true
 * inRange(gt(1), 2n);                            // false (a bigint is not a number)
 */
export function inRange(range: Range<RangeValue>, value: unknown): boolean {
  if (sortType(value) !== range.type) return false;
  const { lower, upper } = range;
  if (lower !== undefined) {
    const c = compareValues(value, lower.value);
    if (c < 0 || (c === 0 && !lower.inclusive)) return false;
  }
  if (upper !== undefined) {
    const c = compareValues(value, upper.value);
    if (c > 0 || (c === 0 && !upper.inclusive)) return false;
  }
  return true;
}

/**
 * The direction of an `orderBy`.
 *
 * @example
 * const d: OrderDirection = 'desc';
 */
export type OrderDirection = 'asc' | 'desc';

/**
 * One result to sort: the value of the `orderBy` field and the entity's Redis key (the tie-breaker).
 *
 * @example
 * const item: Ordered = { value: 42, redisKey: 'app:user:u1' };
 */
export interface Ordered {
  readonly value: unknown;
  readonly redisKey: string;
}

/**
 * The total order of `orderBy` results, the same for the in-memory sort and an index walk:
 *
 * - entities with a value (see {@link sortType}) by {@link compareValues}, in `direction`;
 * - ties by Redis key (compared by code point), in the same `direction`, so `desc` is exactly `asc`
 *   reversed among entities that have a value;
 * - entities with a missing value (`undefined`, `null`, `NaN`, an invalid `Date`) **last, whatever the
 *   direction**, by Redis key ascending.
 *
 * @example
 * items.sort(compareOrdered('desc'));
 */
export function compareOrdered(direction: OrderDirection): (a: Ordered, b: Ordered) => number {
  const sign = direction === 'desc' ? -1 : 1;
  return (a, b) => {
    const ha = sortType(a.value) !== undefined;
    const hb = sortType(b.value) !== undefined;
    if (ha !== hb) return ha ? -1 : 1;
    if (!ha) return compareStrings(a.redisKey, b.redisKey);
    return sign * (compareValues(a.value, b.value) || compareStrings(a.redisKey, b.redisKey));
  };
}
