/**
 * The cache-aside read of `getOrLoad` with freshness: one call per key per process at a time, stale
 * values served when a load fails or is slow, loads that outlive their caller (soft/hard timeouts) or
 * start without one (refresh-ahead) run as background jobs, one per key per process, awaited by
 * `cache.close()` (see docs/freshness.md). @internal
 */
import { LoaderTimeoutError, StoreError, StoreUnavailableError } from '../errors/index.js';
import type { EntityIO } from './entity-io.js';
import type { ResolvedFreshness } from './freshness.js';
import { loadWithLock, type ResolvedLock } from './lock.js';
import { SingleFlight } from './single-flight.js';

/** What a load reports back to its job. @internal */
export interface LoadHooks {
  /** Called once the loader settled (from then on `close()` waits for the write). */
  loaderSettled(): void;
  /** True when `close()` gave up on this load while its loader ran: its value is not written. */
  readonly abandoned: boolean;
}

/** One `getOrLoad` call, as the repository resolved it. @internal */
export interface LoadRequest<E> {
  readonly redisKey: string;
  /** The TTL a load writes, in ms (`null`: none), for `refreshAhead`. */
  readonly ttlMs: number | null;
  readonly freshness: ResolvedFreshness;
  readonly lock: ResolvedLock | undefined;
  /** Runs the loader, validates and caches its value (`awaitWrite`: even with async writes). */
  load(awaitWrite: boolean, hooks: LoadHooks): Promise<E | undefined>;
}

/** A load of one key, possibly outliving the call that started it. */
interface Job<E> extends LoadHooks {
  promise: Promise<E | undefined>;
  /** No caller waits for it any more (or none ever did): its end is a `refresh` event. */
  detached: boolean;
  loaded: boolean;
  abandoned: boolean;
}

type Outcome<T> = { kind: 'value'; value: T } | { kind: 'error'; error: unknown } | { kind: 'timeout' };

/** `promise`'s outcome, or `timeout` after `ms` (no timer without `ms`). */
function settleWithin<T>(promise: Promise<T>, ms: number | undefined): Promise<Outcome<T>> {
  const settled = promise.then(
    (value): Outcome<T> => ({ kind: 'value', value }),
    (error: unknown): Outcome<T> => ({ kind: 'error', error }),
  );
  if (ms === undefined) return settled;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), ms);
  });
  return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
}

/** Whether a fresh entry with `freshMs` left is past the call's `refreshAhead` point. */
function pastRefreshPoint(req: LoadRequest<unknown>, freshMs: number): boolean {
  const { refreshAhead } = req.freshness;
  return refreshAhead !== undefined && req.ttlMs !== null && freshMs <= req.ttlMs * (1 - refreshAhead);
}

/** The `getOrLoad` calls and background loads of one repository. @internal */
export class LoadJobs<E> {
  private readonly calls = new SingleFlight<E | undefined>();
  private readonly jobs = new Map<string, Job<E>>();

  constructor(private readonly io: EntityIO<E>) {}

  /** The cached value of `req.redisKey` (fresh, or stale when loading fails or is slow), or a loaded one. */
  getOrLoad(req: LoadRequest<E>): Promise<E | undefined> {
    return this.calls.run(req.redisKey, async () => {
      const { refreshAhead, hardMs } = req.freshness;
      const timed = this.io.metadata.graceMs > 0 || refreshAhead !== undefined;
      const entry = await this.io.entry('getOrLoad', req.redisKey, timed, 'keep');
      if (entry.state === 'fresh') {
        if (pastRefreshPoint(req, entry.freshMs)) this.refresh(req);
        return entry.value;
      }
      const stale = entry.state === 'stale' ? entry.value : undefined;
      // A plain miss with no deadline and no load under way: load in this call, as without freshness.
      if (stale === undefined && hardMs === undefined && !this.jobs.has(req.redisKey)) return this.run(req, 'wait', { loaderSettled() {}, abandoned: false });
      return this.wait(req, this.job(req, 'wait'), stale);
    });
  }

  /** Waits for `job` within the call's timeouts; serves `stale` when the load fails or runs out of time. */
  private async wait(req: LoadRequest<E>, job: Job<E>, stale: E | undefined): Promise<E | undefined> {
    const { softMs, hardMs } = req.freshness;
    const limit = stale === undefined ? hardMs : softMs === undefined ? hardMs : Math.min(softMs, hardMs ?? Infinity);
    const outcome = await settleWithin(job.promise, limit);
    const { ctx, metadata } = this.io;
    if (outcome.kind === 'value') {
      if (stale !== undefined) ctx.stats.misses++;
      return outcome.value;
    }
    if (outcome.kind === 'timeout') job.detached = true;
    if (stale === undefined) {
      if (outcome.kind === 'error') throw outcome.error;
      throw new LoaderTimeoutError(
        `The loader of entity "${metadata.name}" did not settle within the hardTimeout of ${hardMs} ms, and there is no stale value to serve. The load goes on in the background and caches its value when it finishes; raise hardTimeout, or give the entity a grace period so that a stale value can be served.`,
        hardMs!,
        { entity: metadata.name, operation: 'getOrLoad', key: req.redisKey },
      );
    }
    ctx.stats.staleHits++;
    const reason = outcome.kind === 'error' ? 'error' : limit === softMs ? 'softTimeout' : 'hardTimeout';
    ctx.events.emitStale({ entity: metadata.name, key: req.redisKey, reason, ...(outcome.kind === 'error' ? { error: outcome.error } : {}) });
    return stale;
  }

  /** Starts a background refresh of a fresh entry (`refreshAhead`), unless a load of the key is under way. */
  private refresh(req: LoadRequest<E>): void {
    if (!this.jobs.has(req.redisKey)) this.job(req, 'skip');
  }

  /** The load of `req.redisKey` under way, or a new one, tracked for `close()`. */
  private job(req: LoadRequest<E>, ifBusy: 'wait' | 'skip'): Job<E> {
    const running = this.jobs.get(req.redisKey);
    if (running) return running;
    const job: Job<E> = {
      promise: undefined as unknown as Promise<E | undefined>,
      detached: ifBusy === 'skip',
      loaded: false,
      abandoned: false,
      loaderSettled() {
        job.loaded = true;
      },
    };
    job.promise = this.run(req, ifBusy, job);
    this.jobs.set(req.redisKey, job);
    const { ctx, metadata } = this.io;
    const report = (ok: boolean, error?: unknown) => {
      if (!job.detached || !job.loaded || job.abandoned) return;
      if (ok) ctx.stats.refreshes++;
      else ctx.stats.refreshFailures++;
      ctx.events.emitRefresh({ entity: metadata.name, key: req.redisKey, ok, ...(ok ? {} : { error }) });
      // A store failure no caller receives any more is an `error` event, like a failed async write.
      if (error instanceof StoreError || error instanceof StoreUnavailableError) ctx.events.emitError(error);
    };
    const settled = job.promise.then(
      () => report(true),
      (error: unknown) => report(false, error),
    );
    const signal = ctx.closing;
    const tracked = new Promise<void>((resolve) => {
      // close() waits for a load whose value is being written, not for a loader that may never settle.
      const onClose = () => {
        if (job.loaded) return;
        job.abandoned = true;
        resolve();
      };
      if (signal.aborted) onClose();
      else signal.addEventListener('abort', onClose, { once: true });
      void settled.then(() => {
        signal.removeEventListener('abort', onClose);
        if (this.jobs.get(req.redisKey) === job) this.jobs.delete(req.redisKey);
        resolve();
      });
    });
    ctx.track(tracked);
    return job;
  }

  /** Loads, through the cross-process lock when the call asked for one. */
  private run(req: LoadRequest<E>, ifBusy: 'wait' | 'skip', hooks: LoadHooks): Promise<E | undefined> {
    const load = (awaitWrite: boolean) => req.load(awaitWrite, hooks);
    if (req.lock === undefined) return load(false);
    const io = this.io;
    // A value another process wrote: fresh, and for a refresh, not past the refresh point itself.
    const refreshing = ifBusy === 'skip';
    const peek = () =>
      io
        .entry('getOrLoad', req.redisKey, io.metadata.graceMs > 0 || refreshing, 'peek')
        .then((e) => (e.state === 'fresh' && !(refreshing && pastRefreshPoint(req, e.freshMs)) ? e.value : undefined));
    return loadWithLock({ io, redisKey: req.redisKey, lock: req.lock, load, peek, ifBusy });
  }
}
