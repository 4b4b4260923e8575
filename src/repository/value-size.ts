/**
 * The `maxValueBytes` guard: serialized values over the limit are never written, and stored values over
 * it are never decoded.
 * @internal
 */
import { DecodeError, ValueTooLargeError } from '../errors/index.js';
import type { WriteOp } from '../store/store.js';

/** UTF-8 size of `text` when it may exceed `limit` (a UTF-16 unit is 1 to 3 bytes, a surrogate pair 4). */
function overLimit(text: string, limit: number): number | undefined {
  if (text.length * 3 <= limit) return undefined;
  if (text.length > limit) return Buffer.byteLength(text, 'utf8');
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > limit ? bytes : undefined;
}

/**
 * Throws {@link ValueTooLargeError} for the first op whose value is over `limit` bytes (before anything
 * is sent, so nothing of the batch is written).
 */
export function assertValueSizes(ops: readonly WriteOp[], limit: number | undefined, entity: string, operation: string): void {
  if (limit === undefined) return;
  for (let i = 0; i < ops.length; i++) {
    const error = valueTooLarge(ops[i]!, limit, entity, operation, ops.length > 1 ? i : undefined);
    if (error) throw error;
  }
}

/** The {@link ValueTooLargeError} for `op`, or `undefined` when it fits. */
export function valueTooLarge(op: WriteOp, limit: number | undefined, entity: string, operation: string, index?: number): ValueTooLargeError | undefined {
  if (limit === undefined) return undefined;
  const bytes = overLimit(op.value, limit);
  if (bytes === undefined) return undefined;
  const where = index === undefined ? '' : ` (item ${index} of the batch)`;
  return new ValueTooLargeError(
    `Entity "${entity}" serializes to ${bytes} bytes${where}, over the cache's maxValueBytes of ${limit}. ` +
      'Store less in the entity (or split it), or raise maxValueBytes; nothing was written.',
    { bytes, limit, ...(index === undefined ? {} : { index }) },
    { entity, operation, key: op.key },
  );
}

/** A {@link DecodeError} when the stored value at `key` is over `limit` bytes (it is then not decoded). */
export function oversizedValue(raw: string, limit: number | undefined, entity: string, key: string): DecodeError | undefined {
  if (limit === undefined) return undefined;
  const bytes = overLimit(raw, limit);
  if (bytes === undefined) return undefined;
  return new DecodeError(
    `The value at "${key}" is ${bytes} bytes, over the cache's maxValueBytes of ${limit}, so it was not decoded. ` +
      'It was written by something else or under a larger limit; it is treated as a miss.',
    [],
    { entity, operation: 'decode', key },
  );
}
