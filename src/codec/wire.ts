/**
 * Small pieces of superjson 2.x's wire format shared by the compiled encoder and decoders.
 *
 * The format (`superjson.stringify`): `{"json":<value with Date, BigInt, Map, Set, undefined... replaced
 * by JSON>,"meta":{"values":<annotations>,"referentialEqualities":<paths>,"v":1}}`; `meta` is left out
 * when there is nothing to annotate. Annotations are keyed by paths whose segments are escaped (`\` →
 * `\\`, `.` → `\.`) and joined with `.`. @internal
 */
import superjson from 'superjson';

/**
 * Thrown inside the compiled encoder and decoders when a value or payload is outside what they
 * specialise; caught at the top, which then hands the whole value to the next, more general path.
 * @internal
 */
export const BAIL: unique symbol = Symbol('cacheorm.codec.bail');

/** Throws {@link BAIL}. @internal */
export function bail(): never {
  throw BAIL;
}

/** Keys superjson refuses to write or read (prototype pollution). @internal */
export function isForbiddenKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype';
}

// Characters `JSON.stringify` escapes in a string: `"`, `\`, C0 controls and (lone) surrogates.
const NEEDS_JSON_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `JSON.stringify(s)` for a string, without the call when nothing needs escaping. @internal */
export function quote(s: string): string {
  return NEEDS_JSON_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
}

// A path segment needs work when it holds `.` or `\` (superjson escapes) or anything JSON escapes.
const NEEDS_PATH_ESCAPE = /[.\\"\u0000-\u001f\ud800-\udfff]/;

/**
 * One key as it appears inside a quoted annotation path: superjson's `escapeKey` (`\` → `\\`, `.` →
 * `\.`), then JSON string escaping, without the quotes. Concatenating segments with `.` gives the
 * quoted path's content. @internal
 */
export function pathSegment(key: string): string {
  if (!NEEDS_PATH_ESCAPE.test(key)) return key;
  const escaped = JSON.stringify(key.replace(/\\/g, '\\\\').replace(/\./g, '\\.'));
  return escaped.slice(1, -1);
}

/**
 * Whether `key` is a canonical array index (`0`, `1`, ... up to 2^32 - 2): such keys come first, in
 * ascending order, in every JavaScript object, whatever the insertion order. @internal
 */
export function isIndexKey(key: string | number): boolean {
  if (typeof key === 'number') return true;
  if (key.length === 0) return false;
  const c = key.charCodeAt(0);
  if (c < 48 || c > 57) return false;
  if (c === 48) return key.length === 1;
  for (let i = 1; i < key.length; i++) {
    const d = key.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  return key.length < 10 || (key.length === 10 && Number(key) < 4294967295);
}

/** superjson's `isPlainObject`: an object whose prototype is `Object.prototype` or `null`. @internal */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || (proto === null && value !== Object.prototype);
}

interface SuperjsonInternals {
  classRegistry?: { kv?: { valueToKey?: Map<unknown, unknown> } };
  symbolRegistry?: { kv?: { valueToKey?: Map<unknown, unknown> } };
  customTransformerRegistry?: { transfomers?: Record<string, unknown> };
}

// The default export is the SuperJSON class; `stringify`, `registerClass`... are bound to its default instance.
const internals = ((superjson as unknown as { defaultInstance?: SuperjsonInternals }).defaultInstance ?? {}) as SuperjsonInternals;
const classes = internals.classRegistry?.kv?.valueToKey;
const symbols = internals.symbolRegistry?.kv?.valueToKey;
const customs = internals.customTransformerRegistry?.transfomers;
// If a future superjson stores its registries elsewhere, the compiled paths are never taken.
const knownInternals = classes instanceof Map && symbols instanceof Map && customs !== null && typeof customs === 'object';

/**
 * Whether superjson's default instance is as shipped: no `registerClass`, `registerSymbol` or
 * `registerCustom` so far. Registered classes and custom transformers change how superjson writes
 * values, so the compiled encoder only runs while this holds. @internal
 */
export function superjsonIsStock(): boolean {
  if (!knownInternals) return false;
  if (classes!.size !== 0 || symbols!.size !== 0) return false;
  for (const _ in customs) return false;
  return true;
}
