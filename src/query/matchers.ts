/**
 * Matchers for `repo.find(pattern)`: `prefix`, `suffix`, `contains` (string fields only) and `oneOf`.
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
 * Any matcher.
 *
 * @example
 * const matchers: Matcher[] = [prefix('a'), oneOf([1, 2])];
 */
export type Matcher = StringMatcher | OneOf<unknown>;

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

/**
 * Whether `value` is a matcher made by `prefix`, `suffix`, `contains` or `oneOf` (checks the brand,
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
