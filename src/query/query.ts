/** `Query<E>`: the lazy, streaming result of `repo.find(pattern)`. */
import { repositoryChannel, type RepositoryTraceContext } from '../diagnostics/channels.js';
import { traceIterator } from '../diagnostics/trace.js';
import { InvalidQueryError } from '../errors/index.js';
import type { KeyCodec, KeyScalar } from '../keys/index.js';
import type { Store } from '../store/store.js';
import { encodeIndexValue } from '../entity/field-index.js';
import { explainPlan } from './explain.js';
import { sortInMemory, type OrderedItem } from './order.js';
import type { PlanOrder, QueryPlan } from './plan.js';
import { SeenKeys } from './seen-keys.js';
import { addNew, collect, planStream, type ResultStream } from './streams.js';

/** One candidate: its Redis key and its decoded key fields. @internal */
export interface Candidate {
  readonly redisKey: string;
  readonly key: Record<string, KeyScalar>;
  /** Field plans: the encoded value the field index listed the key under. */
  readonly listed?: string;
}

/** What a query needs from its repository. @internal */
export interface QuerySource<E> {
  /** The entity's name, for trace contexts. */
  readonly entity: string;
  readonly store: Store;
  readonly keys: KeyCodec;
  /** The index set option for unlink (`find: 'index'` entities). */
  readonly indexOption: { index?: string };
  /** MGET + decode (invalid entries become misses, as for `getMany`; stale ones too, unless `allowStale`). */
  fetch(redisKeys: readonly string[]): Promise<(E | undefined)[]>;
  /** The entity keeps stale entries (a grace period) that this query skips: `keys()`/`count()` fetch values to tell. */
  readonly skipsStale?: boolean;
  /** UNLINK (and index removal), answering how many existed. */
  unlink(redisKeys: readonly string[]): Promise<number>;
  /** Runs a store call with the repository's error handling. */
  call<T>(operation: string, fn: () => Promise<T>): Promise<T>;
  /** Throws when the cache was closed. */
  assertOpen(operation: string): void;
  /** Runs one consumption as a call of the cache (refused once `close()` was called, counted until it settles). */
  admit<T>(operation: string, run: () => Promise<T>): Promise<T>;
  /** An iteration as one call of the cache, from its first `next()` until it ends or is stopped. */
  admitIteration<T>(operation: string, iterator: AsyncIterator<T>): AsyncIterator<T>;
}

/**
 * The result of `repo.find(pattern)`: lazy (nothing runs until you consume it), streaming (memory
 * follows the batch size, not the result size), and re-runnable (each consumption runs the query again).
 *
 * @example
 * const q = sessions.find({ tenantId: 'acme', id: prefix('a1') });
 * console.log(q.explain());              // the plan: GET / MGET / SCAN MATCH / index
 * for await (const s of q) console.log(s.email);
 * const firstTen = await q.limit(10).toArray();
 * const revoked = await q.delete();
 */
export class Query<E, Key = Record<string, KeyScalar>> implements AsyncIterable<E> {
  /** @internal Use `repo.find(pattern)`. */
  constructor(
    private readonly source: QuerySource<E>,
    /** The plan this query runs (see `explain()`). */
    readonly plan: QueryPlan,
    private readonly max: number = Infinity,
  ) {}

  /**
   * A query that stops after `n` results (a positive integer, else `InvalidQueryError`); with
   * `orderBy`, the first `n` in that order.
   *
   * @example
   * const latest = await repo.find({ tenantId: 'acme' }, { orderBy: { lastSeen: 'desc' } }).limit(20).toArray();
   */
  limit(n: number): Query<E, Key> {
    if (!Number.isSafeInteger(n) || n < 1) {
      const entity = this.source.entity;
      throw new InvalidQueryError(
        `find() on entity "${entity}" got limit ${typeof n === 'number' ? String(n) : typeof n}. Pass a positive integer (leave the limit out for every result).`,
        { entity },
      );
    }
    return new Query<E, Key>(this.source, this.plan, Math.min(n, this.max));
  }

  /**
   * The plan in words: which Redis commands run and what is filtered afterwards.
   *
   * @example
   * console.log(repo.find({ tenantId: 'acme', id: prefix('a1') }).explain());
   * // SCAN 0 MATCH app:session:acme:a1* COUNT 1000 ...
   */
  explain(): string {
    return explainPlan(this.plan) + (this.max === Infinity ? '' : `\nlimit: ${this.max}`);
  }

  /** Streams the matching entities (traced as `find.iterate`). */
  [Symbol.asyncIterator](): AsyncIterator<E> {
    return this.traceIteration('find.iterate', this.values());
  }

  /** The matching entities, untraced: what every consumption reads. */
  private async *values(): AsyncGenerator<E> {
    const order = this.sortOrder();
    if (order) {
      yield* await this.sorted('find', order, true, (_, value) => value!);
      return;
    }
    let left = this.max;
    const yielded = this.streamsOrder() ? new Set<string>() : undefined;
    for await (const batch of this.candidates('find', true, left)) {
      const values = await this.source.fetch(batch.map((c) => c.redisKey));
      for (let i = 0; i < values.length; i++) {
        const value = values[i];
        if (!this.matches(value, batch[i])) continue;
        if (yielded && !addNew(yielded, batch[i]!.redisKey)) continue;
        yield value!;
        if (--left === 0) return;
      }
    }
  }

  /**
   * All matching entities in an array (mind the size of the result; prefer `for await` for big ones).
   *
   * @example
   * const sessions = await repo.find({ tenantId: 'acme' }).toArray();
   */
  toArray(): Promise<E[]> {
    return this.traced('find.toArray', () => collect(this.values()));
  }

  /**
   * The first matching entity, or `undefined`.
   *
   * @example
   * const any = await repo.find({ tenantId: 'acme' }).first();
   */
  first(): Promise<E | undefined> {
    return this.traced('find.first', async () => {
      for await (const value of this.limit(1).values()) return value;
      return undefined;
    });
  }

  /**
   * How many entities match. Without a residual filter on non-key fields, SCAN/index plans count keys
   * without fetching values. An `orderBy` has no effect on a count (nothing is sorted).
   *
   * @example
   * const n = await repo.find({ tenantId: 'acme' }).count();
   */
  count(): Promise<number> {
    return this.traced('find.count', async () => {
      let n = 0;
      for await (const _ of this.keyStream('count', false)) n++;
      return n;
    });
  }

  /**
   * The key objects of the matching entities, in `orderBy` order when there is one. SCAN/index plans
   * without a residual filter on non-key fields list keys without fetching values (unless they must be
   * sorted in memory on a non-key field).
   *
   * @example
   * for await (const { tenantId, id } of repo.find({ tenantId: 'acme' }).keys()) console.log(tenantId, id);
   */
  keys(): ResultStream<Key> {
    const keys = () => this.keyStream('keys') as AsyncGenerator<Key>;
    return {
      [Symbol.asyncIterator]: () => this.traceIteration('find.keys', keys()),
      toArray: () => this.traced('find.keys', () => collect(keys())),
    };
  }

  /**
   * Deletes the matching entities (`UNLINK` in batches) and answers how many were removed. With a limit
   * and an `orderBy`, deletes the first `limit` matches in that order (e.g. the 100 oldest); without a
   * limit, the order is ignored (every match goes).
   *
   * @example
   * const revoked = await sessions.find({ tenantId: 'acme', userId: 42 }).delete();
   */
  delete(): Promise<number> {
    return this.traced('find.delete', () => this.deleteMatching());
  }

  /** `delete` itself. */
  private async deleteMatching(): Promise<number> {
    const order = this.max === Infinity ? undefined : this.sortOrder();
    if (order) {
      const targets = await this.sorted('delete', order, this.needsFetch() || !order.keyField, (c) => c.redisKey);
      let removed = 0;
      for (let i = 0; i < targets.length; i += this.plan.count) removed += await this.source.unlink(targets.slice(i, i + this.plan.count));
      return removed;
    }
    let removed = 0;
    let left = this.max;
    const exactByKey = this.plan.keysOnly && (this.plan.kind === 'scan' || this.plan.kind === 'index' || this.plan.kind === 'field');
    // UNLINK counts only keys it removed, so an unlimited key-only delete needs no de-duplication.
    for await (const batch of this.candidates('delete', !exactByKey || this.max !== Infinity)) {
      let targets = batch.map((c) => c.redisKey);
      if (!exactByKey) {
        const values = await this.source.fetch(targets);
        targets = targets.filter((_, i) => this.matches(values[i]));
      }
      if (targets.length > left) targets = targets.slice(0, left);
      if (targets.length === 0) continue;
      removed += await this.source.unlink(targets);
      left -= targets.length;
      if (left <= 0) break;
    }
    return removed;
  }

  /** The context of one consumption on `cacheorm:repository`. */
  private traceContext(operation: string): RepositoryTraceContext {
    return { entity: this.source.entity, operation, plan: this.plan.kind };
  }

  /** Runs one promise-returning consumption (an `async` function): admitted by the cache, traced while someone subscribes. */
  private traced<T>(operation: string, run: () => Promise<T>): Promise<T> {
    if (!repositoryChannel.hasSubscribers) return this.source.admit(operation, run);
    return this.source.admit(operation, () => repositoryChannel.tracePromise(run, this.traceContext(operation)));
  }

  /** An iteration: admitted by the cache and traced (start at the first `next()`, end when it finishes) while someone subscribes. */
  private traceIteration<T>(operation: string, iterator: AsyncIterator<T>): AsyncIterator<T> {
    const traced = repositoryChannel.hasSubscribers ? traceIterator(repositoryChannel, iterator, this.traceContext(operation)) : iterator;
    return this.source.admitIteration(operation, traced);
  }

  /**
   * A fetched value is a result when it is still there (not expired, removed or invalid) and passes the
   * residual; in a field-index walk streamed in `orderBy` order, also when it still holds the value the
   * index listed it under (else it moved during the walk and is listed again under its new value, in order).
   */
  private matches(value: E | undefined, candidate?: Candidate): boolean {
    const { valueFilter } = this.plan;
    if (value === undefined || (valueFilter && !valueFilter(value as Record<string, unknown>))) return false;
    const plan = this.plan;
    if (plan.kind !== 'field' || candidate?.listed === undefined || !this.streamsOrder()) return true;
    return encodeIndexValue(plan.fieldKind, (value as Record<string, unknown>)[plan.field]) === candidate.listed;
  }

  /** Whether this is a field-index walk streamed in `orderBy` order. */
  private streamsOrder(): boolean {
    return this.plan.kind === 'field' && this.plan.order !== undefined && !this.plan.order.inMemory;
  }

  /** Whether telling a candidate's entity is a match takes its value (a residual, a GET/MGET miss, staleness). */
  private needsFetch(): boolean {
    return !this.plan.keysOnly || this.plan.kind === 'get' || this.plan.kind === 'mget' || this.source.skipsStale === true;
  }

  /** The order to sort in memory, when the plan has one its reads do not already follow. */
  private sortOrder(): PlanOrder | undefined {
    const { order } = this.plan;
    return order?.inMemory ? order : undefined;
  }

  /**
   * Every match, sorted in memory by `order` and cut to the limit (`sortInMemory`: at most
   * `MAX_IN_MEMORY_ORDER` matches, else `InvalidQueryError`). The order value comes from the decoded
   * key for a key field, else from the fetched value; `fetch` says whether values are read.
   */
  private async sorted<T>(operation: string, order: PlanOrder, fetch: boolean, make: (c: Candidate, value: E | undefined) => T): Promise<T[]> {
    const matches = async function* (this: Query<E, Key>): AsyncGenerator<OrderedItem<T>> {
      for await (const batch of this.candidates(operation)) {
        const values = fetch ? await this.source.fetch(batch.map((c) => c.redisKey)) : undefined;
        for (let i = 0; i < batch.length; i++) {
          const c = batch[i]!;
          const value = values?.[i];
          if (values && !this.matches(value)) continue;
          const sortValue = order.keyField ? c.key[order.field] : (value as Record<string, unknown>)[order.field];
          yield { value: sortValue, redisKey: c.redisKey, item: make(c, value) };
        }
      }
    };
    return sortInMemory(matches.call(this), order, this.source.entity, this.max);
  }

  /** Decoded keys of matching entities (in `orderBy` order unless `ordered` is false); fetches values only when needed. */
  private async *keyStream(operation: string, ordered = true): AsyncGenerator<Record<string, KeyScalar>> {
    const order = ordered ? this.sortOrder() : undefined;
    if (order) {
      yield* await this.sorted(operation, order, this.needsFetch() || !order.keyField, (c) => c.key);
      return;
    }
    let left = this.max;
    // A walk in index order checks each value against its listing (see matches), so it fetches.
    const needsFetch = this.needsFetch() || this.streamsOrder();
    const yielded = this.streamsOrder() ? new Set<string>() : undefined;
    for await (const batch of this.candidates(operation, true, left)) {
      let alive: readonly Candidate[] = batch;
      if (needsFetch) {
        const values = await this.source.fetch(batch.map((c) => c.redisKey));
        alive = batch.filter((c, i) => this.matches(values[i], c) && (yielded === undefined || addNew(yielded, c.redisKey)));
      }
      for (const candidate of alive) {
        yield candidate.key;
        if (--left === 0) return;
      }
    }
  }

  /**
   * Batches of candidate keys: decoded as this entity, passing the key filter, de-duplicated (unless
   * `dedupe` is false: `delete` does not need it, UNLINK answers exact counts). SCAN replies are
   * gathered into batches of `batchSize` (or `want`, when fewer results are wanted), so a sparse match
   * costs one MGET per batch, not one per SCAN reply.
   */
  private async *candidates(operation: string, dedupe = true, want = Infinity): AsyncGenerator<Candidate[]> {
    this.source.assertOpen(operation);
    const plan = this.plan;
    const { keys } = this.source;
    const batchSize = plan.count;
    switch (plan.kind) {
      case 'empty':
        return;
      case 'get':
      case 'mget': {
        const list = plan.kind === 'get' ? [plan.key] : plan.keys;
        for (let i = 0; i < list.length; i += batchSize) {
          yield list.slice(i, i + batchSize).map((redisKey) => ({ redisKey, key: keys.decode(redisKey)! }));
        }
        return;
      }
      case 'scan':
      case 'index':
      case 'field': {
        const seen = dedupe ? new SeenKeys() : undefined;
        const { keyFilter } = plan;
        const store = this.source.store;
        if (plan.kind === 'index' && !plan.perTag) await this.source.call(operation, () => store.indexPrune(plan.index));
        const raw = planStream(store, plan);
        const iterator = raw[Symbol.asyncIterator]();
        const flushAt = Math.max(1, Math.min(batchSize, want));
        let batch: Candidate[] = [];
        try {
          for (;;) {
            const next = await this.source.call(operation, () => iterator.next());
            if (next.done) break;
            for (const item of next.value) {
              const redisKey = typeof item === 'string' ? item : item[0];
              const key = keys.decode(redisKey); // a glob `*` also matches ':': keep only this entity's keys
              if (key === undefined || (keyFilter && !keyFilter(key))) continue;
              // A walk streamed in index order meets a key moved meanwhile twice (old and new value): keep
              // both sightings (the one whose value no longer holds is dropped after the fetch).
              if (seen && !seen.add(typeof item === 'string' || !this.streamsOrder() ? redisKey : `${redisKey}\0${item[1]}`)) continue;
              batch.push(typeof item === 'string' ? { redisKey, key } : { redisKey, key, listed: item[1] });
            }
            if (batch.length >= flushAt) {
              yield batch;
              batch = [];
            }
          }
          if (batch.length > 0) yield batch;
        } finally {
          await iterator.return?.(); // stopped early (limit, first, break): end the store's scan too
        }
      }
    }
  }
}
