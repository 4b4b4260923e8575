import { redactCredentials } from './redact.js';

/**
 * The stable error codes cacheorm uses. Match on `error.code`, never on the message text.
 *
 * @example
 * cache.on('error', (err) => {
 *   const code: CacheOrmErrorCode = err.code;
 *   if (code === 'E_STORE_UNAVAILABLE') metrics.increment('cache.down');
 * });
 */
export type CacheOrmErrorCode =
  | 'E_ENTITY_DEFINITION'
  | 'E_VALIDATION'
  | 'E_INVALID_KEY'
  | 'E_INVALID_QUERY'
  | 'E_DECODE'
  | 'E_STORE'
  | 'E_STORE_UNAVAILABLE'
  | 'E_CONFIG'
  | 'E_VALUE_TOO_LARGE'
  | 'E_LOADER_TIMEOUT';

/**
 * Context fields every cacheorm error may carry.
 *
 * @example
 * try {
 *   await sessions.get(key);
 * } catch (err) {
 *   if (err instanceof CacheOrmError) log.warn({ entity: err.entity, operation: err.operation, key: err.key }, err.message);
 * }
 */
export interface CacheOrmErrorContext {
  /** Entity name, when the error concerns one entity. */
  entity?: string;
  /** Repository or store operation (`save`, `get`, `SET`, ...). */
  operation?: string;
  /** The Redis key concerned, when there is exactly one. */
  key?: string;
}

/** On cacheorm errors' prototype, in every copy of cacheorm (ESM and CJS builds alike). */
const ERROR_BRAND = Symbol.for('cacheorm.error');
/** On cacheorm's own error classes: the code their instances carry (`'*'` for {@link CacheOrmError}). */
const CLASS_CODE = Symbol.for('cacheorm.error.class');

/**
 * Base class of every error cacheorm throws or emits.
 *
 * Each subclass has a stable `code`, the context it knows (`entity`, `operation`, `key`) and the
 * underlying `cause`. Messages are full sentences that say what to do; they never contain credentials.
 *
 * @example
 * try {
 *   await repo.save(session);
 * } catch (err) {
 *   if (err instanceof CacheOrmError && err.code === 'E_VALIDATION') {
 *     // bad input: report it to the caller
 *   }
 * }
 */
export class CacheOrmError extends Error {
  /**
   * `instanceof` across copies of cacheorm: an error thrown by the CommonJS build is an instance of
   * the ESM build's classes and the other way round (the dual package hazard). Beyond the prototype
   * chain, a branded cacheorm error is an instance of cacheorm's class for its `code`; a subclass of
   * your own is matched by its prototype chain only.
   */
  static override [Symbol.hasInstance](this: abstract new (...args: never[]) => unknown, value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== 'object' || value === null || (value as Record<symbol, unknown>)[ERROR_BRAND] !== true) return false;
    if (!Object.prototype.hasOwnProperty.call(this, CLASS_CODE)) return false;
    const code = (this as unknown as Record<symbol, unknown>)[CLASS_CODE];
    return code === '*' || code === (value as { code?: unknown }).code;
  }

  /** Stable machine-readable code. */
  readonly code: CacheOrmErrorCode;
  /** Entity name, when known. */
  readonly entity?: string;
  /** Operation that failed, when known. */
  readonly operation?: string;
  /** Redis key concerned, when known. */
  readonly key?: string;

  constructor(
    code: CacheOrmErrorCode,
    message: string,
    context: CacheOrmErrorContext = {},
    options: { cause?: unknown } = {},
  ) {
    super(redactCredentials(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (context.entity !== undefined) this.entity = context.entity;
    if (context.operation !== undefined) this.operation = context.operation;
    if (context.key !== undefined) this.key = context.key;
  }
}

Object.defineProperty(CacheOrmError.prototype, ERROR_BRAND, { value: true });
Object.defineProperty(CacheOrmError, CLASS_CODE, { value: '*' });

/**
 * Marks one of cacheorm's error classes as standing for `code`, so that `instanceof` recognises its
 * errors from another copy of cacheorm (see {@link CacheOrmError}). Every error class cacheorm
 * exports calls it once. @internal
 */
export function brandErrorClass(errorClass: abstract new (...args: never[]) => CacheOrmError, code: CacheOrmErrorCode): void {
  Object.defineProperty(errorClass, CLASS_CODE, { value: code });
}

/**
 * Fills the context of an error from the repository that made the call: its entity and key when the
 * error has none, and its operation (`get`, `save`...). Returns the same error. @internal
 */
export function withContext<T extends CacheOrmError>(error: T, context: CacheOrmErrorContext): T {
  const target = error as { -readonly [P in keyof CacheOrmErrorContext]: CacheOrmErrorContext[P] };
  if (error.entity === undefined && context.entity !== undefined) target.entity = context.entity;
  // The repository's operation (get, save...) replaces a store's (GET, SET...); stores keep theirs in `command`.
  if (context.operation !== undefined) target.operation = context.operation;
  if (error.key === undefined && context.key !== undefined) target.key = context.key;
  return error;
}
