import type { $ZodIssue } from 'zod/v4/core';
import { brandErrorClass, CacheOrmError, type CacheOrmErrorContext } from './base.js';

/**
 * An entity declaration is wrong (no TTL, no key field, a non-scalar key field, a bad or duplicate name,
 * a malformed TTL). Thrown at definition time or by `getRepository`, never while serving traffic.
 *
 * @example
 * defineEntity({ name: 'session', key: [], schema, ttl: '30m' });
 * // EntityDefinitionError: Entity "session" has no key field. ...
 */
export class EntityDefinitionError extends CacheOrmError {
  constructor(message: string, context: CacheOrmErrorContext = {}, options: { cause?: unknown } = {}) {
    super('E_ENTITY_DEFINITION', message, context, options);
  }
}

/**
 * A value failed the entity's zod schema on write. Nothing was written (for a batch: none of it).
 * `issues` holds zod's issues, with `index` telling which item of a batch failed.
 *
 * @example
 * try { await repo.save({ tenantId: 'acme', id: 'x', email: 'not-an-email' }); }
 * catch (err) { if (err instanceof ValidationError) console.log(err.issues); }
 */
export class ValidationError extends CacheOrmError {
  /** zod's issues, unchanged. */
  readonly issues: readonly $ZodIssue[];
  /** Position of the failing item in a batch write (0 for a single write). */
  readonly index: number;

  constructor(
    message: string,
    issues: readonly $ZodIssue[],
    index: number,
    context: CacheOrmErrorContext = {},
    options: { cause?: unknown } = {},
  ) {
    super('E_VALIDATION', message, context, options);
    this.issues = issues;
    this.index = index;
  }
}

/**
 * A key object (for `get`, `delete`, ...) is missing a key field, has a value of the wrong type, or a
 * value that cannot be encoded. Nothing was sent to the store.
 *
 * @example
 * await repo.get({ tenantId: 'acme' }); // InvalidKeyError: ... is missing key field "id" ...
 */
export class InvalidKeyError extends CacheOrmError {
  /** Key field at fault, when one is. */
  readonly field?: string;

  constructor(message: string, context: CacheOrmErrorContext & { field?: string } = {}, options: { cause?: unknown } = {}) {
    super('E_INVALID_KEY', message, context, options);
    if (context.field !== undefined) this.field = context.field;
  }
}

/**
 * A stored value could not be decoded or no longer matches the entity's schema. Only thrown with
 * `strict: true`; otherwise the read is a miss, an `invalid` event is emitted and the key is removed.
 *
 * @example
 * const cache = createCache({ strict: true });
 * await cache.getRepository(Session).get(key); // may throw DecodeError
 */
export class DecodeError extends CacheOrmError {
  /** zod's issues when the value decoded but failed validation; empty when it did not decode. */
  readonly issues: readonly $ZodIssue[];

  constructor(
    message: string,
    issues: readonly $ZodIssue[] = [],
    context: CacheOrmErrorContext = {},
    options: { cause?: unknown } = {},
  ) {
    super('E_DECODE', message, context, options);
    this.issues = issues;
  }
}

/**
 * Redis (or another store) rejected a command, e.g. `OOM command not allowed when used memory >
 * 'maxmemory'`. `cause` is the store's own error; `redisMessage` its text.
 *
 * @example
 * cache.on('error', (err) => { if (err.code === 'E_STORE') metrics.increment('cache.store_error'); });
 */
export class StoreError extends CacheOrmError {
  /** The store's error text (for Redis, the reply error such as `OOM command not allowed ...`). */
  readonly redisMessage: string;
  /** The command that failed (`SET`, `MGET`, ...), when known. */
  readonly command?: string;

  constructor(
    message: string,
    redisMessage: string,
    context: CacheOrmErrorContext & { command?: string } = {},
    options: { cause?: unknown } = {},
  ) {
    super('E_STORE', message, context, options);
    this.redisMessage = redisMessage;
    if (context.command !== undefined) this.command = context.command;
  }
}

/**
 * The store cannot be reached: the connection is down, closed, or a command timed out.
 *
 * @example
 * try { await repo.get(key); }
 * catch (err) { if (err instanceof StoreUnavailableError) return loadFromDatabase(); }
 */
export class StoreUnavailableError extends CacheOrmError {
  /** The command that could not be served, when known. */
  readonly command?: string;

  constructor(message: string, context: CacheOrmErrorContext & { command?: string } = {}, options: { cause?: unknown } = {}) {
    super('E_STORE_UNAVAILABLE', message, context, options);
    if (context.command !== undefined) this.command = context.command;
  }
}

/**
 * A `find` pattern cannot be run: it names a field the entity does not have, uses a matcher on a
 * non-string field, or gives a value of the wrong type. Nothing was sent to the store.
 *
 * @example
 * await repo.find({ tenantId: prefix(42 as never) }).toArray(); // InvalidQueryError
 */
export class InvalidQueryError extends CacheOrmError {
  /** The pattern field at fault, when one is. */
  readonly field?: string;

  constructor(message: string, context: CacheOrmErrorContext & { field?: string } = {}, options: { cause?: unknown } = {}) {
    super('E_INVALID_QUERY', message, context, options);
    if (context.field !== undefined) this.field = context.field;
  }
}

/**
 * `createCache`, a store or a repository call was given options that cannot work (a bad prefix, `redis`
 * and `store` together, a malformed per-call TTL).
 *
 * @example
 * createCache({ prefix: 'my app' }); // ConfigError: The prefix "my app" ...
 */
export class ConfigError extends CacheOrmError {
  constructor(message: string, context: CacheOrmErrorContext = {}, options: { cause?: unknown } = {}) {
    super('E_CONFIG', message, context, options);
  }
}

brandErrorClass(EntityDefinitionError, 'E_ENTITY_DEFINITION');
brandErrorClass(ValidationError, 'E_VALIDATION');
brandErrorClass(InvalidKeyError, 'E_INVALID_KEY');
brandErrorClass(DecodeError, 'E_DECODE');
brandErrorClass(StoreError, 'E_STORE');
brandErrorClass(StoreUnavailableError, 'E_STORE_UNAVAILABLE');
brandErrorClass(InvalidQueryError, 'E_INVALID_QUERY');
brandErrorClass(ConfigError, 'E_CONFIG');
