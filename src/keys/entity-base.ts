/**
 * The entity part of a key, `<prefix>:<entity>[~v<version>]`, on its own: built by {@link entityBase} (the
 * one place the layout of that part is written, used by `KeyCodec`) and read back by
 * {@link parseEntityBase} (used by the command line to group a keyspace by entity and version).
 */

/** Entity names: a letter, then letters, digits, `_`, `.` or `-`; at most 100 characters. */
export const ENTITY_NAME_RULE = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;

/**
 * The literal start of every key of an entity: `<prefix>:<entity>[~v<version>]:`. The version joins the
 * entity segment, so an unversioned entity's first key part (which may be the text `v2`) is never read as a
 * version, and no prefix can nest in another (prefixes have no `:`).
 *
 * @example
 * entityBase('app', 'session');    // 'app:session:'
 * entityBase('app', 'session', 2); // 'app:session~v2:'
 */
export function entityBase(prefix: string, entity: string, version?: number): string {
  return `${prefix}:${entity}${version === undefined ? '' : `~v${version}`}:`;
}

/**
 * What {@link parseEntityBase} reads from a key.
 *
 * @example
 * const parsed: ParsedEntityBase = { entity: 'session', version: 2, base: 'app:session~v2', separator: ':' };
 */
export interface ParsedEntityBase {
  /** The entity name. */
  readonly entity: string;
  /** The schema version, `undefined` when the entity segment has no `~v<n>` after the name. */
  readonly version: number | undefined;
  /** `<prefix>:<entity>[~v<version>]`, without the separator after it. */
  readonly base: string;
  /** `':'` for an entity key (parts follow), `'#'` for one of the entity's index sets. */
  readonly separator: ':' | '#';
}

const VERSION = /^v([1-9][0-9]{0,15})$/;

/**
 * Reads `<prefix>:<entity>[~v<version>]` and the separator after it from `key`, or answers `undefined`
 * when `key` is not under `prefix`, has no valid entity name there, or a malformed version.
 *
 * @example
 * parseEntityBase('app', 'app:session~v2:acme:42'); // { entity: 'session', version: 2, base: 'app:session~v2', separator: ':' }
 * parseEntityBase('app', 'app:session#index');      // { entity: 'session', version: undefined, base: 'app:session', separator: '#' }
 * parseEntityBase('app', 'other:session:1');        // undefined
 */
export function parseEntityBase(prefix: string, key: string): ParsedEntityBase | undefined {
  const start = prefix.length + 1;
  if (key.length <= start || !key.startsWith(prefix) || key.charCodeAt(prefix.length) !== 58 /* : */) return undefined;
  const end = endOfSegment(key, start);
  if (end < 0) return undefined;
  const segment = key.slice(start, end);
  const tilde = segment.indexOf('~');
  const entity = tilde < 0 ? segment : segment.slice(0, tilde);
  if (!ENTITY_NAME_RULE.test(entity)) return undefined;
  let version: number | undefined;
  if (tilde >= 0) {
    const match = VERSION.exec(segment.slice(tilde + 1));
    version = match ? Number(match[1]) : NaN;
    if (!Number.isSafeInteger(version)) return undefined;
  }
  return { entity, version, base: key.slice(0, end), separator: key[end] as ':' | '#' };
}

/** The position of the first `:` or `#` at or after `from`, or -1. */
function endOfSegment(key: string, from: number): number {
  for (let i = from; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === 58 /* : */ || c === 35 /* # */) return i;
  }
  return -1;
}
