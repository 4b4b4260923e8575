/**
 * Repository tracing: every repository operation (and every consumption of a `find` query) on the
 * `cacheorm:repository` tracing channel. @internal
 */
import type { Query, ResultStream } from '../query/index.js';
import type { Repository } from './repository.js';
import { repositoryChannel, type RepositoryTraceContext } from '../diagnostics/channels.js';

/** Repository methods traced as one promise each. */
const OPERATIONS = ['save', 'insert', 'update', 'get', 'getMany', 'delete', 'exists', 'ttl', 'touch', 'getOrLoad', 'reindex'] as const;
/** Query methods traced as one promise each (`find.<method>`). */
const QUERY_PROMISES = new Set<PropertyKey>(['toArray', 'first', 'count', 'delete']);

type AnyFunction = (...args: unknown[]) => unknown;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyRepository = Repository<any, any>;

function define(target: object, name: string, value: AnyFunction): void {
  Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
}

/** The context of one repository call: entity, operation, and the key or batch size when known. */
function describe(repository: AnyRepository, operation: string, args: readonly unknown[]): RepositoryTraceContext {
  const context: RepositoryTraceContext = { entity: repository.metadata.name, operation };
  const first = args[0];
  if (Array.isArray(first)) {
    context.count = first.length;
  } else if (first !== null && typeof first === 'object' && operation !== 'reindex') {
    try {
      context.key = repository.keyOf(first as never);
    } catch {
      // An invalid key: the operation itself reports it.
    }
  }
  return context;
}

/**
 * Traces `repository`'s operations on the `cacheorm:repository` tracing channel: its methods are
 * shadowed by instance methods that call the originals through `tracePromise` while someone
 * subscribes (and call them directly otherwise). Returns the same repository.
 *
 * @example
 * const sessions = traceRepository(new Repository(metadata, ctx));
 */
export function traceRepository<R extends AnyRepository>(repository: R): R {
  const entity = repository.metadata.name;
  for (const operation of OPERATIONS) {
    const original = repository[operation] as AnyFunction;
    define(repository, operation, function traced(this: unknown, ...args: unknown[]) {
      if (!repositoryChannel.hasSubscribers) return original.apply(this, args);
      return repositoryChannel.tracePromise(original as (...a: unknown[]) => Promise<unknown>, describe(repository, operation, args), this, ...args);
    });
  }
  const find = repository.find as AnyFunction;
  define(repository, 'find', function tracedFind(this: unknown, ...args: unknown[]) {
    return traceQuery(find.apply(this, args) as Query<unknown, unknown>, entity);
  });
  return repository;
}

/** A query whose consumptions (`toArray`, `first`, `count`, `delete`, `keys()`, `for await`) are traced. */
function traceQuery<Q extends Query<unknown, unknown>>(query: Q, entity: string): Q {
  const context = (operation: string): RepositoryTraceContext => ({ entity, operation, plan: query.plan.kind });
  return new Proxy(query, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as AnyFunction;
      if (QUERY_PROMISES.has(property)) {
        return (...args: unknown[]) => {
          const run = () => method.apply(target, args) as Promise<unknown>;
          if (!repositoryChannel.hasSubscribers) return run();
          return repositoryChannel.tracePromise(run, context(`find.${String(property)}`));
        };
      }
      if (property === 'limit') return (...args: unknown[]) => traceQuery(method.apply(target, args) as Q, entity);
      if (property === 'keys') return (...args: unknown[]) => traceStream(method.apply(target, args) as ResultStream<unknown>, () => context('find.keys'));
      if (property === Symbol.asyncIterator) {
        return () => traceIterator(method.call(target) as AsyncIterator<unknown>, () => context('find.iterate'));
      }
      return method.bind(target);
    },
  });
}

function traceStream<T>(stream: ResultStream<T>, context: () => RepositoryTraceContext): ResultStream<T> {
  return {
    [Symbol.asyncIterator]: () => traceIterator(stream[Symbol.asyncIterator](), context),
    toArray: () => (repositoryChannel.hasSubscribers ? repositoryChannel.tracePromise(() => stream.toArray(), context()) : stream.toArray()),
  };
}

/**
 * An iteration traced like a promise: `start` and `end` at the first `next()`, then `asyncStart` and
 * `asyncEnd` when it finishes (done, stopped early, or failed after `error`); `result` is the number of
 * items yielded.
 */
function traceIterator<T>(iterator: AsyncIterator<T>, makeContext: () => RepositoryTraceContext): AsyncIterator<T> {
  if (!repositoryChannel.hasSubscribers) return iterator;
  const context = makeContext();
  let started = false;
  let finished = false;
  let yielded = 0;
  const begin = () => {
    if (started) return;
    started = true;
    repositoryChannel.start.publish(context);
    repositoryChannel.end.publish(context);
  };
  const finish = (failed: boolean, error?: unknown) => {
    if (finished) return;
    finished = true;
    if (failed) {
      context.error = error;
      repositoryChannel.error.publish(context);
    } else {
      context.result = yielded;
    }
    repositoryChannel.asyncStart.publish(context);
    repositoryChannel.asyncEnd.publish(context);
  };
  return {
    async next() {
      begin();
      try {
        const step = await iterator.next();
        if (step.done) finish(false);
        else yielded++;
        return step;
      } catch (err) {
        finish(true, err);
        throw err;
      }
    },
    async return(value?: unknown) {
      begin();
      try {
        const step = iterator.return ? await iterator.return(value) : ({ done: true, value } as IteratorResult<T>);
        finish(false);
        return step;
      } catch (err) {
        finish(true, err);
        throw err;
      }
    },
  };
}
