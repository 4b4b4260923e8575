/**
 * A faster `superjson.deserialize` for the payloads superjson writes for plain data: it applies
 * `meta.values`, then `meta.referentialEqualities`, to `json` in place, in superjson's order and with
 * superjson's conversions. Whatever it does not mirror step for step (class, custom, symbol,
 * typed-array, Error, RegExp and URL annotations, paths through Maps, Sets or non-objects, a reference
 * to the root, keys that superjson refuses) throws `BAIL`, and the caller hands the text to
 * superjson itself. @internal
 */
import { parseIsoDate } from './iso-date.js';
import { bail, isForbiddenKey, isPlainObject } from './wire.js';

/**
 * `superjson.deserialize(payload, { inPlace: true })` for the payloads it supports.
 *
 * @example
 * applyAnnotations(JSON.parse('{"json":{"at":"1970-01-01T00:00:00.000Z"},"meta":{"values":{"at":["Date"]},"v":1}}'));
 * // { at: new Date(0) }
 */
export function applyAnnotations(payload: unknown): unknown {
  if (!isPlainObject(payload)) return bail();
  const json = payload.json;
  const meta = payload.meta;
  if (meta === undefined || meta === null) return json;
  if (!isPlainObject(meta)) return bail();
  // superjson 2.2 writes `v: 1`; texts without it use the older path syntax (no `\\` escape).
  const legacy = ((meta.v ?? 0) as number) < 1;
  const values = meta.values;
  if (values) {
    if (!isPlainObject(values)) return bail(); // an annotation of the root value itself
    for (const key of Object.keys(values)) applyTree(json, parsePath(key, legacy), values[key], legacy);
  }
  const shared = meta.referentialEqualities;
  if (shared) {
    if (!isPlainObject(shared)) return bail(); // `[[paths], ...]`: references to the root
    for (const key of Object.keys(shared)) applyShared(json, parsePath(key, legacy), shared[key], legacy);
  }
  return json;
}

/** superjson's `applyReferentialEqualityAnnotations` for one representative path. */
function applyShared(root: unknown, path: string[], identical: unknown, legacy: boolean): void {
  if (!Array.isArray(identical)) bail();
  const value = getAt(root, path);
  for (const other of identical) {
    if (typeof other !== 'string') bail();
    setAt(root, parsePath(other, legacy), () => value);
  }
}

/** superjson's `getDeep` through arrays and plain objects (it reads `object[key]` at every step). */
function getAt(root: unknown, path: string[]): unknown {
  for (const key of path) if (isForbiddenKey(key)) bail();
  let value = root;
  for (const key of path) {
    if (!Array.isArray(value) && !isPlainObject(value)) bail();
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** superjson's `parsePath`: `.` separates segments, `\.` is a dot and (not legacy) `\\` a backslash. */
function parsePath(key: string, legacy: boolean): string[] {
  if (key.indexOf('\\') === -1) return key.split('.');
  const segments: string[] = [];
  let segment = '';
  for (let i = 0; i < key.length; i++) {
    const c = key.charAt(i);
    if (c === '\\') {
      const next = key.charAt(i + 1);
      if (next === '.') {
        segment += '.';
        i++;
        continue;
      }
      if (!legacy) {
        if (next !== '\\') bail(); // superjson throws 'invalid path'
        segment += '\\';
        i++;
        continue;
      }
    }
    if (c === '.') {
      segments.push(segment);
      segment = '';
      continue;
    }
    segment += c;
  }
  segments.push(segment);
  return segments;
}

/** superjson's `traverse` for one `[type, children?]` tree: the children first, then the node. */
function applyTree(root: unknown, path: string[], tree: unknown, legacy: boolean): void {
  if (!tree) return;
  // superjson walks a string tree as an object of its characters, each of them again, until the stack
  // overflows (slowly: the path is copied at every level). Fail the same way, at once.
  if (typeof tree === 'string') throw new RangeError('Maximum call stack size exceeded');
  if (!Array.isArray(tree)) bail();
  const type: unknown = tree[0];
  const children: unknown = tree[1];
  if (children) {
    if (!isPlainObject(children)) bail();
    for (const key of Object.keys(children)) applyTree(root, path.concat(parsePath(key, legacy)), children[key], legacy);
  }
  setAt(root, path, (value) => convert(value, type));
}

/** superjson's `setDeep` through arrays and plain objects. */
function setAt(root: unknown, path: string[], map: (value: unknown) => unknown): void {
  const last = path.length - 1;
  for (let i = 0; i <= last; i++) if (isForbiddenKey(path[i]!)) bail(); // superjson throws on these
  let parent = root;
  for (let i = 0; i < last; i++) {
    const key = path[i]!;
    if (Array.isArray(parent)) parent = parent[+key];
    else if (isPlainObject(parent)) parent = parent[key];
    else bail();
  }
  const key = path[last]!;
  if (Array.isArray(parent)) {
    const index = +key;
    parent[index] = map(parent[index]);
  } else if (isPlainObject(parent)) {
    parent[key] = map(parent[key]);
  } else {
    bail();
  }
}

/** superjson's `untransformValue` for the simple annotations. */
function convert(value: unknown, type: unknown): unknown {
  switch (type) {
    case 'undefined':
      return undefined;
    case 'Date':
      return typeof value === 'string' ? parseIsoDate(value) : new Date(value as string);
    case 'bigint':
      return BigInt(value as string);
    case 'number':
      return Number(value);
    case 'set':
      return new Set(value as unknown[]);
    case 'map':
      return new Map(value as [unknown, unknown][]);
    default:
      return bail();
  }
}
