import { CacheOrmError, type CacheOrmErrorContext } from './base.js';

/**
 * A `getOrLoad` loader did not settle within the call's `hardTimeout`, and there was no stale value to
 * serve instead. The load goes on in the background: when it finishes, its value is cached (a later
 * call finds it), and its outcome is reported as a `refresh` event.
 *
 * @example
 * try {
 *   await users.getOrLoad({ id }, fetchUser, { hardTimeout: '2s' });
 * } catch (err) {
 *   if (err instanceof LoaderTimeoutError) return res.status(503).send(`upstream slower than ${err.timeoutMs} ms`);
 *   throw err;
 * }
 */
export class LoaderTimeoutError extends CacheOrmError {
  /** The `hardTimeout` that ran out, in ms. */
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number, context: CacheOrmErrorContext = {}, options: { cause?: unknown } = {}) {
    super('E_LOADER_TIMEOUT', message, context, options);
    this.timeoutMs = timeoutMs;
  }
}
