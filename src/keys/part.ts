/**
 * Key parts: the encoding of one key-field value into one `:`-free, glob-safe segment of a Redis key,
 * and the canonical text form of the scalar kinds a key field may have.
 *
 * Rule: every character outside `[A-Za-z0-9._~-]` becomes `%XX` per UTF-8 byte, uppercase hex. The
 * mapping is injective and its output never contains `:` `*` `?` `[` `]` `\` `{` `}` (and `%` only as
 * the escape introducer), so a value can neither split a key nor widen a SCAN pattern.
 */
import { InvalidKeyError } from '../errors/index.js';

/**
 * How a key field's value is written into a key part: `string` as is, `number` as `String(n)`
 * (finite only), `bigint` in decimal, `boolean` as `true`/`false`.
 *
 * @example
 * const kind: KeyScalarKind = 'number'; // key part of 1.5 is '1.5'
 */
export type KeyScalarKind = 'string' | 'number' | 'bigint' | 'boolean';

/** The JS type of each key scalar kind. */
export interface KeyScalarTypes {
  string: string;
  number: number;
  bigint: bigint;
  boolean: boolean;
}

/**
 * A key field value of any kind, as returned by `KeyCodec.decode`.
 *
 * @example
 * const values: Record<string, KeyScalar> = { tenantId: 'acme', shard: 3 };
 */
export type KeyScalar = KeyScalarTypes[KeyScalarKind];

/** Context used to word errors: which entity and field a value belongs to. @internal */
export interface KeyValueContext {
  entity?: string;
  field?: string;
}

const SAFE = /^[A-Za-z0-9._~-]*$/;
/** Characters `encodeURIComponent` leaves alone but the part encoding escapes. */
const URI_EXTRA = /[!'()*]/;
const URI_EXTRA_ALL = /[!'()*]/g;
const escapeExtra = (c: string): string => '%' + c.charCodeAt(0).toString(16).toUpperCase();
/** The only shape a canonical encoded part can have. */
const ENCODED_SHAPE = /^(?:[A-Za-z0-9._~-]|%[0-9A-F]{2})*$/;
const BIGINT_TEXT = /^(?:0|-?[1-9]\d*)$/;

/**
 * Encodes `text`, or returns `undefined` when it holds a lone UTF-16 surrogate (no UTF-8 form). @internal
 */
export function tryEncodePart(text: string): string | undefined {
  if (SAFE.test(text)) return text;
  let encoded: string;
  try {
    encoded = encodeURIComponent(text); // throws URIError on lone surrogates only
  } catch {
    return undefined;
  }
  return URI_EXTRA.test(encoded) ? encoded.replace(URI_EXTRA_ALL, escapeExtra) : encoded;
}

/**
 * Encodes one key-field text into a key part: characters outside `[A-Za-z0-9._~-]` become `%XX` per
 * UTF-8 byte (uppercase hex). Injective and glob-safe. Throws `InvalidKeyError` for strings holding a
 * lone UTF-16 surrogate, which have no faithful UTF-8 form.
 *
 * @example
 * encodePart('user-42');   // 'user-42'
 * encodePart('a:b');       // 'a%3Ab'
 * encodePart('*');         // '%2A'
 * encodePart('é');         // '%C3%A9'
 */
export function encodePart(text: string): string {
  const encoded = tryEncodePart(text);
  if (encoded === undefined) throw new InvalidKeyError(loneSurrogateMessage());
  return encoded;
}

/**
 * Decodes a key part produced by {@link encodePart}. Strict: returns `undefined` for anything
 * `encodePart` would not have produced (lowercase hex, an escaped safe character such as `%41`, a bare
 * unsafe character, a malformed `%` escape, invalid UTF-8). Never throws.
 *
 * @example
 * decodePart('a%3Ab'); // 'a:b'
 * decodePart('a%3ab'); // undefined (lowercase hex is not canonical)
 * decodePart('%41');   // undefined ('A' is never escaped)
 * decodePart('a:b');   // undefined (bare ':')
 */
export function decodePart(part: string): string | undefined {
  if (SAFE.test(part)) return part;
  if (!ENCODED_SHAPE.test(part)) return undefined;
  let text: string;
  try {
    text = decodeURIComponent(part); // throws URIError on invalid or overlong UTF-8
  } catch {
    return undefined;
  }
  return tryEncodePart(text) === part ? text : undefined;
}

/** A short name of a value's type for error messages (`string`, `null`, `array`, `Date`, ...). @internal */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'object';
  }
  return typeof value;
}

function subject(ctx: KeyValueContext | undefined): string {
  if (ctx?.field === undefined) return 'A key value';
  return ctx.entity === undefined
    ? `Key field "${ctx.field}"`
    : `Key field "${ctx.field}" of entity "${ctx.entity}"`;
}

/** @internal */
export function loneSurrogateMessage(ctx?: KeyValueContext): string {
  return (
    `${subject(ctx)} contains a lone UTF-16 surrogate, which has no UTF-8 form and cannot be written ` +
    'into a key. Pass well-formed text (see String.prototype.toWellFormed).'
  );
}

const ARTICLE: Record<KeyScalarKind, string> = { string: 'a string', number: 'a number', bigint: 'a bigint', boolean: 'a boolean' };

/**
 * The canonical text of a key value: strings as is, numbers `String(n)` (`-0` → `"0"`; NaN and
 * ±Infinity rejected), bigints in decimal, booleans `true`/`false`. Throws `InvalidKeyError` when the
 * value's JS type does not match `kind` or the number is not finite.
 *
 * @example
 * scalarToText('number', 1.5);    // '1.5'
 * scalarToText('bigint', 10n);    // '10'
 * scalarToText('boolean', false); // 'false'
 */
export function scalarToText(kind: KeyScalarKind, value: unknown, ctx?: KeyValueContext): string {
  if (typeof value === kind) {
    switch (kind) {
      case 'string':
        return value as string;
      case 'number':
        if (Number.isFinite(value)) return String(value);
        throw new InvalidKeyError(
          `${subject(ctx)} is ${String(value)}; key numbers must be finite. Pass a finite number.`,
          keyErrorContext(ctx),
        );
      case 'bigint':
        return (value as bigint).toString();
      case 'boolean':
        return value ? 'true' : 'false';
    }
  }
  throw new InvalidKeyError(
    `${subject(ctx)} must be ${ARTICLE[kind] ?? String(kind)}, got ${describeType(value)}. ` +
      `Pass ${ARTICLE[kind] ?? String(kind)}.`,
    keyErrorContext(ctx),
  );
}

function keyErrorContext(ctx: KeyValueContext | undefined): { entity?: string; field?: string } {
  const out: { entity?: string; field?: string } = {};
  if (ctx?.entity !== undefined) out.entity = ctx.entity;
  if (ctx?.field !== undefined) out.field = ctx.field;
  return out;
}

/**
 * The inverse of {@link scalarToText}, strict: returns `undefined` unless `text` is exactly the
 * canonical text of some value of `kind` (so `"01"`, `"1.0"`, `"-0"`, `"NaN"` are not numbers).
 *
 * @example
 * textToScalar('number', '1e+21'); // 1e21
 * textToScalar('number', '1.50');  // undefined
 * textToScalar('bigint', '-7');    // -7n
 */
export function textToScalar<K extends KeyScalarKind>(kind: K, text: string): KeyScalarTypes[K] | undefined;
export function textToScalar(kind: KeyScalarKind, text: string): KeyScalar | undefined {
  switch (kind) {
    case 'string':
      return text;
    case 'number': {
      const n = Number(text);
      return Number.isFinite(n) && String(n) === text ? n : undefined;
    }
    case 'bigint':
      return BIGINT_TEXT.test(text) ? BigInt(text) : undefined;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
    default:
      return undefined;
  }
}
