/**
 * Value equality for `find` residual conditions: deep equality over the values superjson round-trips
 * (primitives, `bigint`, `undefined`, `Date`, `RegExp`, `Map`, `Set`, `URL`, `Error`, arrays, plain
 * objects), so a pattern literal matches a stored value that was serialized and read back.
 */

/**
 * Whether `a` and `b` are equal by value:
 *
 * - primitives: `===`, except that `NaN` equals `NaN` (and `+0` equals `-0`, as with `===`); bigints by
 *   number (`1n` equals `1n`, but never the number `1`);
 * - `Date` by time (two invalid dates are equal); `RegExp` by source and flags; `URL` by `href`;
 *   `Error` by name and message;
 * - arrays in order, element by element (holes count as `undefined`);
 * - `Set`: same size and every element of one has an equal element in the other (primitive elements by
 *   `SameValueZero`, object elements deeply);
 * - `Map`: same size and every entry of one has an entry in the other with an equal key and an equal
 *   value (primitive keys looked up directly, object keys compared deeply);
 * - other objects: the same kind (both plain — prototype `Object.prototype` or `null` — or the same
 *   prototype), and equal values under the same own enumerable string keys. **A property whose value
 *   is `undefined` counts as missing**: `{ a: 1, b: undefined }` equals `{ a: 1 }`, because zod and
 *   superjson do not agree on whether an absent optional field is written as a key.
 *
 * Values are expected to be trees (as zod outputs are): cycles are not detected.
 *
 * @example
 * valueEquals(new Date(0), new Date(0));                      // true
 * valueEquals(new Set([1, 2]), new Set([2, 1]));              // true
 * valueEquals(new Map([['a', [1]]]), new Map([['a', [1]]])); // true
 * valueEquals(10n, 10);                                       // false
 * valueEquals(NaN, NaN);                                      // true
 * valueEquals({ a: 1, b: undefined }, { a: 1 });              // true
 */
export function valueEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    // eslint-disable-next-line no-self-compare
    return a !== a && b !== b; // NaN (numbers only: other primitives are equal to themselves)
  }
  return objectEquals(a, b);
}

function objectEquals(a: object, b: object): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && arrayEquals(a, b);
  if (Array.isArray(b)) return false;
  if (a instanceof Date || b instanceof Date) {
    if (!(a instanceof Date && b instanceof Date)) return false;
    const x = a.getTime();
    const y = b.getTime();
    // eslint-disable-next-line no-self-compare
    return x === y || (x !== x && y !== y);
  }
  if (a instanceof Map || b instanceof Map) return a instanceof Map && b instanceof Map && mapEquals(a, b);
  if (a instanceof Set || b instanceof Set) return a instanceof Set && b instanceof Set && setEquals(a, b);
  if (a instanceof RegExp || b instanceof RegExp) {
    return a instanceof RegExp && b instanceof RegExp && a.source === b.source && a.flags === b.flags;
  }
  if (a instanceof URL || b instanceof URL) return a instanceof URL && b instanceof URL && a.href === b.href;
  if (a instanceof Error || b instanceof Error) {
    return a instanceof Error && b instanceof Error && a.name === b.name && a.message === b.message;
  }
  const protoA: unknown = Object.getPrototypeOf(a);
  const protoB: unknown = Object.getPrototypeOf(b);
  if (protoA !== protoB && !(isPlainProto(protoA) && isPlainProto(protoB))) return false;
  return recordEquals(a as Record<string, unknown>, b as Record<string, unknown>);
}

function isPlainProto(proto: unknown): boolean {
  return proto === Object.prototype || proto === null;
}

function arrayEquals(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!valueEquals(a[i], b[i])) return false;
  return true;
}

/** Same own enumerable string keys (ignoring `undefined`-valued ones) with equal values. */
function recordEquals(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  let definedInA = 0;
  for (const key of Object.keys(a)) {
    const value = a[key];
    if (value === undefined) continue;
    definedInA++;
    if (!Object.prototype.propertyIsEnumerable.call(b, key) || !valueEquals(value, b[key])) return false;
  }
  let definedInB = 0;
  for (const key of Object.keys(b)) if (b[key] !== undefined) definedInB++;
  return definedInA === definedInB;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function setEquals(a: ReadonlySet<unknown>, b: ReadonlySet<unknown>): boolean {
  if (a.size !== b.size) return false;
  let pending: unknown[] | undefined; // object elements of `a` that `b` does not hold by reference
  for (const item of a) {
    if (b.has(item)) continue; // primitives by SameValueZero (NaN, ±0, bigint by number); objects by reference
    if (!isObject(item)) return false;
    (pending ??= []).push(item);
  }
  if (!pending) return true;
  // Object elements: match each to a distinct, deeply equal object element of `b`. Greedy matching is
  // enough because valueEquals is an equivalence relation.
  const candidates = [...b].filter((item) => isObject(item) && !a.has(item));
  return matchAll(pending, candidates, valueEquals);
}

function mapEquals(a: ReadonlyMap<unknown, unknown>, b: ReadonlyMap<unknown, unknown>): boolean {
  if (a.size !== b.size) return false;
  let pending: [unknown, unknown][] | undefined; // entries of `a` whose object key `b` lacks by reference
  for (const [key, value] of a) {
    if (b.has(key)) {
      if (!valueEquals(value, b.get(key))) return false;
      continue;
    }
    if (!isObject(key)) return false;
    (pending ??= []).push([key, value]);
  }
  if (!pending) return true;
  const candidates = [...b].filter(([key]) => isObject(key) && !a.has(key));
  return matchAll(pending, candidates, ([ka, va], [kb, vb]) => valueEquals(ka, kb) && valueEquals(va, vb));
}

/** Whether every item of `items` can be paired with a distinct equal item of `candidates`. */
function matchAll<T>(items: readonly T[], candidates: readonly T[], equal: (x: T, y: T) => boolean): boolean {
  if (items.length !== candidates.length) return false;
  const used = new Uint8Array(candidates.length);
  outer: for (const item of items) {
    for (let i = 0; i < candidates.length; i++) {
      if (!used[i] && equal(item, candidates[i]!)) {
        used[i] = 1;
        continue outer;
      }
    }
    return false;
  }
  return true;
}
