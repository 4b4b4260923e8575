import { brandErrorClass, CacheOrmError, type CacheOrmErrorContext } from './base.js';

/**
 * A value is bigger than the cache's `maxValueBytes` once serialized. Thrown by `save`, `insert` and
 * `update` before anything is sent (for a batch: nothing of it is written); emitted as an `error` event
 * when the value a `getOrLoad` loader returned is too big to cache (the loaded value is still returned).
 * A stored value over the limit is not this error: reading it is a miss with an `invalid` event
 * (a {@link DecodeError} in strict mode).
 *
 * @example
 * const cache = createCache({ redis: process.env.REDIS_URL, maxValueBytes: 64 * 1024 });
 * try {
 *   await cache.getRepository(Report).save(hugeReport);
 * } catch (err) {
 *   if (err instanceof ValueTooLargeError) console.warn(`not cached: ${err.bytes} > ${err.limit} bytes`);
 * }
 */
export class ValueTooLargeError extends CacheOrmError {
  /** Size of the serialized value, in UTF-8 bytes. */
  readonly bytes: number;
  /** The `maxValueBytes` limit in force. */
  readonly limit: number;
  /** Position of the offending item in a batch write (0 for a single write). */
  readonly index: number;

  constructor(
    message: string,
    sizes: { bytes: number; limit: number; index?: number },
    context: CacheOrmErrorContext = {},
    options: { cause?: unknown } = {},
  ) {
    super('E_VALUE_TOO_LARGE', message, context, options);
    this.bytes = sizes.bytes;
    this.limit = sizes.limit;
    this.index = sizes.index ?? 0;
  }
}

brandErrorClass(ValueTooLargeError, 'E_VALUE_TOO_LARGE');
