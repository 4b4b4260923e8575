/**
 * Deep copies of the values a near cache keeps, so that a caller mutating what it got (a `Set` of
 * roles, a `Map`, a `Date`) never changes what the next caller reads. Measured against decoding the
 * stored text again, `structuredClone` and freezing in bench/near.ts (docs/near-cache.md, "Copies").
 * @internal
 */

/**
 * A deep copy of `value`: plain objects and class instances (own enumerable properties, same
 * prototype), arrays, `Date`, `Map`, `Set`, `RegExp`, `URL`, typed arrays and `ArrayBuffer`; other
 * objects (functions, errors, anything a codec would not produce) are shared. Shared references inside
 * one value are copied once per occurrence (entities are trees).
 * @internal
 *
 * @example
 * const kept = { roles: new Set(['admin']), at: new Date() };
 * const served = deepCopy(kept);
 * served.roles.add('root'); // kept.roles is unchanged
 */
export function deepCopy<T>(value: T): T {
  return copyValue(value) as T;
}

function copyValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyValue(value[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === Object.prototype || proto === null) return copyProperties(value as Record<string, unknown>, proto);
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, v] of value) out.set(copyValue(k), copyValue(v));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    for (const v of value) out.add(copyValue(v));
    return out;
  }
  if (value instanceof RegExp) return new RegExp(value.source, value.flags);
  if (value instanceof URL) return new URL(value.href);
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (value instanceof DataView) return new DataView(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): unknown }).slice(); // typed arrays: a copy
  if (value instanceof ArrayBuffer) return value.slice(0);
  if (typeof value === 'function' || value instanceof Error || value instanceof Promise) return value;
  return copyProperties(value as Record<string, unknown>, proto);
}

function copyProperties(value: Record<string, unknown>, proto: object | null): Record<string, unknown> {
  const out = (proto === Object.prototype ? {} : Object.create(proto)) as Record<string, unknown>;
  for (const key in value) {
    if (Object.prototype.hasOwnProperty.call(value, key)) out[key] = copyValue(value[key]);
  }
  return out;
}
