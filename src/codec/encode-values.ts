/**
 * The value encoders behind the compiled encoder: each writes one value as superjson's JSON text and
 * appends its annotations, exactly as superjson's walker would. `encodeAny` looks at the value itself
 * (what superjson does for every value); the compiled encoder calls the typed ones directly where the
 * schema says what is coming. Anything superjson writes in a way these do not reproduce (class
 * instances, `Error`, `RegExp`, typed arrays, symbols, cycles...) throws `BAIL`. @internal
 */
import { formatIsoDate } from './iso-date.js';
import { referentialEqualities } from './referential-equalities.js';
import { bail, isForbiddenKey, isIndexKey, isPlainObject, pathSegment, quote } from './wire.js';

/** The annotations being written for one scope (the entity, or one Map or Set). @internal */
export interface AnnotationScope {
  /** Annotation entries of the current scope, each `,"path":tree`. */
  meta: string;
}

/** What an encoder writes into while it runs. @internal */
export class EncodeState implements AnnotationScope {
  meta = '';
  /** Objects and bigints met so far: superjson records the paths of any that occur twice. */
  readonly seen: unknown[] = [];
  /** NaN met so far (superjson tracks NaN like an object, and all NaN are one). */
  nan = 0;
  /** Nesting of values encoded by {@link encodeAny}, to stop on cycles. */
  depth = 0;
}

/**
 * Encodes one value at `prefix + key`: `prefix` is the escaped path of the parent inside the current
 * annotation scope followed by `.` (or `''` at the top of a scope), `key` the value's own segment.
 * @internal
 */
export type Encoder = (value: unknown, st: EncodeState, prefix: string, key: string | number) => string;

const MAX_ANY_DEPTH = 200;

/** Appends one annotation (`tree` is its JSON, e.g. `["Date"]`) to the current scope. @internal */
export function emit(st: AnnotationScope, prefix: string, key: string | number, tree: string): void {
  st.meta += ',"' + prefix + key + '":' + tree;
}

/**
 * Keeps superjson's order inside one container. superjson collects a container's annotations in a
 * JavaScript object keyed by paths relative to it, so the entries of its direct children whose key is
 * an array index (`"1":["Date"]`) come before its nested entries (`"0.d":["Date"]`), whatever the
 * order of the children. Call after the child at an index-like key wrote `[before, st.meta.length)`;
 * `run` is where the container's leading run of such entries ends. Returns the new end of that run.
 * @internal
 */
export function indexFirst(st: AnnotationScope, run: number, before: number, child: unknown): number {
  const end = st.meta.length;
  if (end === before || Array.isArray(child) || isPlainObject(child)) return run; // none, or nested entries
  if (before !== run) {
    const m = st.meta;
    st.meta = m.slice(0, run) + m.slice(before) + m.slice(run, before);
  }
  return run + (end - before);
}

/** A number: finite ones as JSON, `-0`, `NaN` and `±Infinity` as annotated strings. @internal */
export function encodeNumber(n: number, st: EncodeState, prefix: string, key: string | number): string {
  if (n - n === 0) {
    if (n !== 0 || 1 / n > 0) return '' + n;
    emit(st, prefix, key, '["number"]');
    return '"-0"';
  }
  emit(st, prefix, key, '["number"]');
  if (n !== n) {
    st.nan++;
    return '"NaN"';
  }
  return n > 0 ? '"Infinity"' : '"-Infinity"';
}

/** A bigint, as its decimal string. @internal */
export function encodeBigint(n: bigint, st: EncodeState, prefix: string, key: string | number): string {
  st.seen.push(n);
  emit(st, prefix, key, '["bigint"]');
  return '"' + n + '"';
}

/** A `Date` (not a subclass), as its ISO string. @internal */
export function encodeDate(d: Date, st: EncodeState, prefix: string, key: string | number): string {
  if (Object.getPrototypeOf(d) !== Date.prototype) bail();
  const t = d.getTime();
  if (t !== t) bail(); // an invalid Date: superjson writes it unannotated (null)
  st.seen.push(d);
  emit(st, prefix, key, '["Date"]');
  return '"' + formatIsoDate(d, t) + '"';
}

/** An array, each element written by `element`. @internal */
export function encodeArray(a: unknown[], st: EncodeState, prefix: string, key: string | number, element: Encoder): string {
  if (Object.getPrototypeOf(a) !== Array.prototype) bail();
  st.seen.push(a);
  const p = prefix + key + '.';
  const n = a.length;
  if (n === 0) return '[]';
  let s = '[';
  let run = st.meta.length;
  for (let i = 0; i < n; i++) {
    const x = a[i];
    if (x === undefined && !(i in a)) bail(); // a hole: superjson writes null without annotation
    const before = st.meta.length;
    s += (i === 0 ? '' : ',') + element(x, st, p, i);
    if (st.meta.length !== before) run = indexFirst(st, run, before, x);
  }
  return s + ']';
}

/** A `Set`: the array of its values, annotated `set` (with the values' annotations inside). @internal */
export function encodeSet(set: Set<unknown>, st: EncodeState, prefix: string, key: string | number, element: Encoder): string {
  if (Object.getPrototypeOf(set) !== Set.prototype) bail();
  st.seen.push(set);
  const outerMeta = st.meta;
  st.meta = '';
  let s = '[';
  let i = 0;
  let run = 0;
  for (const x of set) {
    const before = st.meta.length;
    s += (i === 0 ? '' : ',') + element(x, st, '', i);
    if (st.meta.length !== before) run = indexFirst(st, run, before, x);
    i++;
  }
  const inner = st.meta;
  st.meta = outerMeta;
  emit(st, prefix, key, inner === '' ? '["set"]' : '["set",{' + inner.slice(1) + '}]');
  return s + ']';
}

/** A `Map`: the array of its `[key, value]` entries, annotated `map`. @internal */
export function encodeMap(
  map: Map<unknown, unknown>,
  st: EncodeState,
  prefix: string,
  key: string | number,
  keyEncoder: Encoder,
  valueEncoder: Encoder,
): string {
  if (Object.getPrototypeOf(map) !== Map.prototype) bail();
  st.seen.push(map);
  const outerMeta = st.meta;
  st.meta = '';
  let s = '[';
  let i = 0;
  for (const [k, v] of map) {
    // Each entry is a [key, value] array: its annotations follow the index-first order too.
    const p = i + '.';
    const start = st.meta.length;
    const key = keyEncoder(k, st, p, 0);
    const run = st.meta.length !== start ? indexFirst(st, start, start, k) : start;
    const before = st.meta.length;
    const value = valueEncoder(v, st, p, 1);
    if (st.meta.length !== before) indexFirst(st, run, before, v);
    s += (i === 0 ? '[' : ',[') + key + ',' + value + ']';
    i++;
  }
  const inner = st.meta;
  st.meta = outerMeta;
  emit(st, prefix, key, inner === '' ? '["map"]' : '["map",{' + inner.slice(1) + '}]');
  return s + ']';
}

/**
 * A plain object read key by key (records, loose objects, `any`), each value written by `pick(key)`;
 * `p` is the annotation prefix of its values (`''` for the entity itself). @internal
 */
export function encodeEntries(o: Record<string, unknown>, st: EncodeState, p: string, pick: (key: string) => Encoder): string {
  st.seen.push(o);
  let s = '{';
  let sep = '';
  let run = st.meta.length;
  for (const k of Object.keys(o)) {
    if (isForbiddenKey(k)) bail(); // superjson refuses these; let it say so
    const x = o[k];
    const before = st.meta.length;
    s += sep + quote(k) + ':' + pick(k)(x, st, p, pathSegment(k));
    if (st.meta.length !== before && isIndexKey(k)) run = indexFirst(st, run, before, x);
    sep = ',';
  }
  return s + '}';
}

const pickAny = (): Encoder => encodeAny;

/**
 * Any value, by its runtime type: what superjson's walker does for the types it keeps without
 * registration (`undefined`, `bigint`, `Date`, `Map`, `Set`, non-finite numbers and `-0`), arrays and
 * plain objects. @internal
 */
export function encodeAny(value: unknown, st: EncodeState, prefix: string, key: string | number): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return encodeNumber(value, st, prefix, key);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      emit(st, prefix, key, '["undefined"]');
      return 'null';
    case 'bigint':
      return encodeBigint(value, st, prefix, key);
    case 'object': {
      if (value === null) return 'null';
      if (value instanceof Date) return encodeDate(value, st, prefix, key);
      if (++st.depth > MAX_ANY_DEPTH) bail(); // a cycle (superjson writes null and a reference) or very deep
      let s: string;
      if (Array.isArray(value)) s = encodeArray(value, st, prefix, key, encodeAny);
      else if (value instanceof Map) s = encodeMap(value, st, prefix, key, encodeAny, encodeAny);
      else if (value instanceof Set) s = encodeSet(value, st, prefix, key, encodeAny);
      else if (isPlainObject(value)) s = encodeEntries(value, st, prefix + key + '.', pickAny);
      else return bail(); // RegExp, URL, Error, typed arrays, class instances: superjson's own rules
      st.depth--;
      return s;
    }
    default:
      return bail(); // symbol, function
  }
}

/** Whether an object or bigint (or NaN) occurred twice: then superjson writes referential equalities. */
function hasRepeats(st: EncodeState): boolean {
  if (st.nan > 1) return true;
  const seen = st.seen;
  const n = seen.length;
  if (n < 2) return false;
  if (n > 24) return new Set(seen).size !== n;
  for (let i = 0; i < n - 1; i++) {
    const x = seen[i];
    for (let j = i + 1; j < n; j++) if (seen[j] === x) return true;
  }
  return false;
}

/**
 * The whole text from `head` (`{"json":` and the value's JSON) and the annotations in `st`: the meta
 * object with `values`, `referentialEqualities` (computed only when something repeated) and `v`.
 * @internal
 */
export function finishEncoding(st: EncodeState, head: string, value: unknown): string {
  const values = st.meta;
  const shared = hasRepeats(st) ? referentialEqualities(value) : undefined;
  if (values === '' && shared === undefined) return head + '}';
  let meta = values === '' ? '{' : '{"values":{' + values.slice(1) + '}';
  if (shared !== undefined) meta += (values === '' ? '"referentialEqualities":' : ',"referentialEqualities":') + shared;
  return head + ',"meta":' + meta + ',"v":1}}';
}
