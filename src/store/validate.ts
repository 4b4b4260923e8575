/**
 * Argument checks shared by every built-in store, so a bad argument fails the same way on Redis and in
 * memory, before anything is sent or written (a batch with one bad op writes nothing).
 * @internal
 */
import { StoreError } from '../errors/index.js';
import type { FieldBound, FieldScanOptions, FieldSyncEntry, IndexOption, IndexScanOptions, ScanOptions, WriteOp } from './store.js';

/** Default `COUNT` hint of {@link Store.scan}. */
export const DEFAULT_SCAN_COUNT = 1000;

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string "${value.length > 20 ? `${value.slice(0, 20)}...` : value}"`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return value === undefined ? 'undefined' : typeof value;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/**
 * Throws a {@link StoreError} (Redis' own wording in `redisMessage`) for the first malformed op: a key or
 * value that is not a string, a TTL that is not a positive safe integer of ms, `null` or `'keep'`, or an
 * unknown mode.
 */
export function assertWriteOps(ops: readonly WriteOp[]): void {
  if (!Array.isArray(ops)) {
    throw new StoreError('Store.write() takes an array of write operations.', 'ERR syntax error', { command: 'SET' });
  }
  ops.forEach((op, index) => {
    const where = ops.length > 1 ? ` (operation ${index} of the batch; nothing was written)` : '';
    if (typeof op?.key !== 'string' || typeof op.value !== 'string') {
      throw new StoreError(
        `Invalid SET${where}: key and value must be strings; serialize the value first.`,
        'ERR syntax error',
        { command: 'SET' },
      );
    }
    const { ttl, mode, index: indexSet, registry, fields } = op;
    if (fields !== undefined && (indexSet === undefined || !isFieldEntries(fields))) {
      throw new StoreError(
        `Invalid field entries for SET${where}: pass them as a string of 'field\\0value\\0' pieces together with index, or leave them out.`,
        'ERR syntax error',
        { command: 'SET', key: op.key },
      );
    }
    if (indexSet !== undefined && !isIndexName(indexSet)) {
      throw new StoreError(
        `Invalid index set ${describe(indexSet)} for SET${where}: pass the index key as a non-empty string, or leave it out.`,
        'ERR syntax error',
        { command: 'SET', key: op.key },
      );
    }
    if (registry !== undefined && (indexSet === undefined || !isIndexName(registry))) {
      throw new StoreError(
        `Invalid registry ${describe(registry)} for SET${where}: a registry lists the op's index set, so pass it as a non-empty string together with index, or leave it out.`,
        'ERR syntax error',
        { command: 'SET', key: op.key },
      );
    }
    if (ttl !== null && ttl !== 'keep' && !isPositiveInteger(ttl)) {
      throw new StoreError(
        `Invalid TTL ${describe(ttl)} for SET${where}. Pass a positive whole number of milliseconds, ` +
          `null for no expiry, or 'keep' to keep the current one.`,
        "ERR invalid expire time in 'set' command",
        { command: 'SET', key: op.key },
      );
    }
    if (mode !== undefined && mode !== 'NX' && mode !== 'XX') {
      throw new StoreError(
        `Invalid SET mode ${describe(mode)}${where}. Use 'NX', 'XX' or leave it out.`,
        'ERR syntax error',
        { command: 'SET', key: op.key },
      );
    }
  });
}

/** Throws a {@link StoreError} unless `ttlMs` is a positive safe integer or `null` (for `expire`). */
export function assertExpireTtl(key: string, ttlMs: number | null): void {
  if (ttlMs !== null && !isPositiveInteger(ttlMs)) {
    throw new StoreError(
      `Invalid TTL ${describe(ttlMs)} for PEXPIRE. Pass a positive whole number of milliseconds, or null ` +
        'to remove the expiry (delete the key with unlink() instead of a zero TTL).',
      "ERR invalid expire time in 'pexpire' command",
      { command: 'PEXPIRE', key },
    );
  }
}

/**
 * Checks the arguments of {@link Store.scan} and answers the `COUNT` hint: `options.count`, or
 * {@link DEFAULT_SCAN_COUNT}.
 */
export function scanCount(match: string, options: ScanOptions | undefined): number {
  if (typeof match !== 'string') {
    throw new StoreError('Store.scan() takes a Redis glob string as its pattern.', 'ERR syntax error', { command: 'SCAN' });
  }
  const count = options?.count ?? DEFAULT_SCAN_COUNT;
  if (!isPositiveInteger(count)) {
    throw new StoreError(
      `Invalid SCAN count ${describe(count)}. Pass a positive whole number (default ${DEFAULT_SCAN_COUNT}).`,
      'ERR syntax error',
      { command: 'SCAN' },
    );
  }
  return count;
}

function isIndexName(index: unknown): index is string {
  return typeof index === 'string' && index.length > 0;
}

/**
 * Checks an index set key (the first argument of {@link Store.indexScan}, {@link Store.indexPrune},
 * {@link Store.indexSync}): a non-empty string, or a {@link StoreError} naming `command`.
 *
 * @example
 * assertIndex('app:session#index', 'ZSCAN'); // fine
 * assertIndex('', 'ZSCAN');                  // throws StoreError
 */
export function assertIndex(index: unknown, command: string): asserts index is string {
  if (!isIndexName(index)) {
    throw new StoreError(
      `Invalid index set ${describe(index)} for ${command}: pass the index key as a non-empty string.`,
      'ERR syntax error',
      { command },
    );
  }
}

/**
 * The index set of an {@link IndexOption} (`undefined` when there is none), checked like {@link assertIndex}.
 *
 * @example
 * indexOption({ index: 'app:session#index' }, 'UNLINK'); // 'app:session#index'
 * indexOption(undefined, 'UNLINK');                      // undefined
 */
export function indexOption(options: IndexOption | undefined, command: string): string | undefined {
  const index = options?.index;
  if (index !== undefined) assertIndex(index, command);
  return index;
}

/**
 * Checks that `keys` is an array of strings (for {@link Store.indexSync}), or throws a {@link StoreError}.
 *
 * @example
 * assertKeys(['a', 'b'], 'ZADD'); // fine
 */
export function assertKeys(keys: unknown, command: string): asserts keys is readonly string[] {
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) {
    throw new StoreError(`${command} takes an array of string keys.`, 'ERR syntax error', { command });
  }
}

/**
 * Checks the arguments of {@link Store.indexScan} and answers its glob (`undefined`: every live member),
 * key prefix (`undefined`: none) and `COUNT` (default {@link DEFAULT_SCAN_COUNT}).
 *
 * @example
 * indexScanArguments('app:session#index', { match: 'app:session:acme:*' }); // { match: 'app:session:acme:*', prefix: undefined, count: 1000 }
 */
export function indexScanArguments(
  index: unknown,
  options: IndexScanOptions | undefined,
): { match: string | undefined; prefix: string | undefined; count: number } {
  assertIndex(index, 'ZSCAN');
  const match = options?.match;
  if (match !== undefined && typeof match !== 'string') {
    throw new StoreError('Store.indexScan() takes a Redis glob string as its match option.', 'ERR syntax error', {
      command: 'ZSCAN',
    });
  }
  const prefix = options?.prefix;
  if (prefix !== undefined && (typeof prefix !== 'string' || prefix === '')) {
    throw new StoreError('Store.indexScan() takes a non-empty string as its prefix option (the literal start of the keys).', 'ERR syntax error', {
      command: 'ZRANGEBYLEX',
    });
  }
  return { match, prefix, count: scanCount(match ?? '*', options) };
}

/** Whether `fields` is a string of `field \0 value \0` pieces (`''` for none). */
function isFieldEntries(fields: unknown): fields is string {
  return typeof fields === 'string' && /^(?:[^\0]*\0[^\0]*\0)*$/.test(fields);
}

function isBound(bound: unknown): bound is FieldBound {
  return bound === undefined || (typeof bound === 'object' && bound !== null && typeof (bound as FieldBound).value === 'string' && !(bound as FieldBound).value.includes('\0') && typeof (bound as FieldBound).inclusive === 'boolean');
}

/**
 * Checks the arguments of {@link Store.fieldScan} and answers them with defaults filled in.
 *
 * @example
 * fieldScanArguments('app:u#index', { field: 'age' }); // { field: 'age', min: undefined, max: undefined, reverse: false, count: 1000 }
 */
export function fieldScanArguments(
  index: unknown,
  options: FieldScanOptions | undefined,
): { field: string; min: FieldBound | undefined; max: FieldBound | undefined; reverse: boolean; count: number } {
  assertIndex(index, 'ZRANGEBYLEX');
  const field = options?.field;
  if (typeof field !== 'string' || field === '' || field.includes('\0') || !isBound(options?.min) || !isBound(options?.max)) {
    throw new StoreError(
      'Store.fieldScan() takes { field, min?, max? }: a non-empty field name and bounds { value, inclusive } whose value is an encoded index value (no NUL).',
      'ERR syntax error',
      { command: 'ZRANGEBYLEX' },
    );
  }
  return { field, min: options!.min, max: options!.max, reverse: options?.reverse === true, count: scanCount('*', options) };
}

/**
 * Checks the arguments of {@link Store.fieldSync}.
 *
 * @example
 * assertFieldSync('app:u#index', [{ key: 'app:u:1', value: '{}', fields: '' }]); // fine
 */
export function assertFieldSync(index: unknown, entries: unknown): asserts entries is readonly FieldSyncEntry[] {
  assertIndex(index, 'HSET');
  const ok = (e: unknown): boolean =>
    typeof e === 'object' && e !== null && typeof (e as FieldSyncEntry).key === 'string' && typeof (e as FieldSyncEntry).value === 'string' && isFieldEntries((e as FieldSyncEntry).fields);
  if (!Array.isArray(entries) || !entries.every(ok)) {
    throw new StoreError("Store.fieldSync() takes an array of { key, value, fields } with string key and value and 'field\\0value\\0' entries.", 'ERR syntax error', {
      command: 'HSET',
    });
  }
}
