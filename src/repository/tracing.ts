/**
 * Repository tracing: each repository operation runs through {@link traced}, which publishes it on the
 * `cacheorm:repository` tracing channel while someone subscribes. (Query consumptions trace themselves
 * in query/query.ts.) @internal
 */
import { repositoryChannel, type RepositoryTraceContext } from '../diagnostics/channels.js';

/** What a trace context needs of a repository: its entity's name and its key encoding. @internal */
export interface TracedRepository {
  readonly metadata: { readonly name: string };
  keyOf(key: never): string;
}

/**
 * The context of one repository call: entity, operation, and the key (for a key or entity object whose
 * key is valid) or batch size (for an array) of `subject`, the call's first argument.
 */
function describe(repository: TracedRepository, operation: string, subject: unknown): RepositoryTraceContext {
  const context: RepositoryTraceContext = { entity: repository.metadata.name, operation };
  if (Array.isArray(subject)) {
    context.count = subject.length;
  } else if (subject !== null && typeof subject === 'object') {
    try {
      context.key = repository.keyOf(subject as never);
    } catch {
      // An invalid key: the operation itself reports it.
    }
  }
  return context;
}

/**
 * Runs `run` (one repository operation; it must not throw synchronously: pass an `async` function) and,
 * while someone subscribes to `cacheorm:repository`, traces it there with `tracePromise`. `subject` is
 * the call's key, entity or array (`undefined`: neither). Costs one property check when nobody listens.
 * @internal
 *
 * @example
 * exists(key) { return traced(this, 'exists', key, async () => ...); }
 */
export function traced<T>(repository: TracedRepository, operation: string, subject: unknown, run: () => Promise<T>): Promise<T> {
  if (!repositoryChannel.hasSubscribers) return run();
  return repositoryChannel.tracePromise(run, describe(repository, operation, subject));
}
