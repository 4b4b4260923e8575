/**
 * Write durability across a failover: `WAIT <replicas> <timeoutMs>` after writes, on the connection that
 * sent them, and a write is only acknowledged once that many replicas have it.
 */
import type { Redis } from 'ioredis';
import { ConfigError, StoreUnavailableError } from '../../errors/index.js';

/**
 * The `durability` option of a Redis store: after every change of data (write, unlink, expire,
 * compare-and-delete) the store sends `WAIT replicas timeoutMs` on the connection that applied it, and
 * answers only once `replicas` replicas confirmed it. Redis replicates asynchronously, so without it a
 * write acknowledged by a master that dies a moment later can be missing on the replica promoted in its
 * place; with it, an acknowledged write is on at least `replicas` replicas, and Redis Cluster promotes
 * the replica with the most recent data.
 *
 * Cost: one `WAIT` round trip per round of writes (writes that finish while a `WAIT` is out share the next
 * one). While a master has fewer replicas than asked (e.g. right after a failover, until the old master
 * rejoins as a replica), its writes fail after `timeoutMs` with {@link StoreUnavailableError}. `WAIT`
 * blocks the connection it is sent on: a Redis Cluster store sends writes and their `WAIT`s over
 * connections of their own, so reads never queue behind it; a standalone store shares its one
 * connection, so its reads can wait up to `timeoutMs` while replicas lag.
 *
 * @example
 * new RedisStore(cluster, { durability: { replicas: 1, timeoutMs: 500 } });
 */
export interface Durability {
  /** How many replicas must confirm each change (at least 1). */
  replicas: number;
  /** How long to wait for them, in ms (at least 1). Keep it well below the cache's `commandTimeout`. */
  timeoutMs: number;
}

/**
 * Checks a {@link Durability} option; `undefined` stays `undefined` (no `WAIT`).
 *
 * @throws ConfigError when `replicas` or `timeoutMs` is not a positive whole number.
 *
 * @example
 * checkDurability({ replicas: 1, timeoutMs: 500 }); // the same object
 */
export function checkDurability(durability: unknown): Durability | undefined {
  if (durability === undefined) return undefined;
  const { replicas, timeoutMs } = (durability ?? {}) as Partial<Durability>;
  const whole = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
  if (typeof durability !== 'object' || durability === null || !whole(replicas) || !whole(timeoutMs)) {
    throw new ConfigError(
      'RedisStore option durability must be { replicas, timeoutMs } with positive whole numbers, e.g. { replicas: 1, timeoutMs: 500 }.',
    );
  }
  return { replicas, timeoutMs };
}

/** The `WAIT` round of one connection: the one out, and the callers waiting for the next. */
interface Rounds {
  running: boolean;
  waiting: { resolve: (confirmed: number) => void; reject: (error: unknown) => void }[];
}

/**
 * Confirms changes with `WAIT`, in rounds per connection: a caller joins the first `WAIT` sent after
 * it asked (so its change, already answered, comes before that `WAIT` on the connection), and everybody
 * who asked while one `WAIT` was out shares the next. So concurrent writes cost one `WAIT` per round, not
 * one each.
 *
 * @example
 * const confirmations = new ReplicaConfirmations({ replicas: 1, timeoutMs: 500 });
 * await confirmations.confirm(node, 'SET', 'app:session:{acme}:42'); // throws StoreUnavailableError when unconfirmed
 */
export class ReplicaConfirmations {
  readonly #rounds = new WeakMap<Redis, Rounds>();

  constructor(readonly durability: Durability) {}

  /**
   * Resolves once `durability.replicas` replicas have every change `node` applied before this call;
   * throws {@link StoreUnavailableError} when fewer confirmed within the timeout, or when `node` is
   * `undefined` (the master of the slot is not known: a failover may be under way).
   */
  async confirm(node: Redis | undefined, command: string, key: string | undefined): Promise<void> {
    const { replicas, timeoutMs } = this.durability;
    const context = { command, operation: command, ...(key === undefined ? {} : { key }) };
    if (node === undefined) {
      throw new StoreUnavailableError(
        `Redis applied ${command}, but the master of its slot is not known any more (a failover may be under way), so its replication ` +
          'could not be confirmed (durability option). The change may be lost if that master fails: retry it once the cluster is stable.',
        context,
      );
    }
    const confirmed = await this.#nextRound(node);
    if (confirmed < replicas) {
      throw new StoreUnavailableError(
        `Redis applied ${command}, but only ${confirmed} of the ${replicas} replica(s) the durability option asks for confirmed it within ` +
          `${timeoutMs} ms, so it may be lost if the master fails now. Retry it, and check that the replicas are up and keeping up.`,
        context,
      );
    }
  }

  #nextRound(node: Redis): Promise<number> {
    let rounds = this.#rounds.get(node);
    if (rounds === undefined) {
      rounds = { running: false, waiting: [] };
      this.#rounds.set(node, rounds);
    }
    const state = rounds;
    const joined = new Promise<number>((resolve, reject) => state.waiting.push({ resolve, reject }));
    if (!state.running) {
      state.running = true;
      setImmediate(() => this.#run(node, state)); // let the writes answered in this turn join the round
    }
    return joined;
  }

  #run(node: Redis, state: Rounds): void {
    const round = state.waiting;
    state.waiting = [];
    state.running = true;
    const { replicas, timeoutMs } = this.durability;
    node.call('WAIT', String(replicas), String(timeoutMs)).then(
      (confirmed) => round.forEach((caller) => caller.resolve(Number(confirmed))),
      (error: unknown) => round.forEach((caller) => caller.reject(error)),
    ).finally(() => {
      state.running = false;
      if (state.waiting.length > 0) this.#run(node, state);
    });
  }
}
