/**
 * Index sets of {@link MemoryStore} (entities with `find: 'index'`): sorted sets kept in the same keyspace
 * as the values, like Redis keeps them, so an index key shows up in `scan`, `exists`, `unlink`, and a
 * `get` of it fails with Redis' `WRONGTYPE` error. A member's score is the key's expiry time in ms by the
 * store's clock (`Infinity` without expiry); a member is live while its score is after now. Like Redis, a
 * set that loses its last member is deleted.
 * @internal
 */
import { StoreError } from '../../errors/index.js';
import { compileGlob } from '../glob.js';
import { walkInBatches } from './memory-batches.js';
import { WRONGTYPE_REPLY } from '../commands.js';

/**
 * A sorted set: member → score.
 *
 * @example
 * const set: SortedSet = new Map([['app:session:acme:1', Date.now() + 60_000]]);
 */
export type SortedSet = Map<string, number>;

/**
 * One key of the memory keyspace: a string value or a sorted set, with its expiry.
 *
 * @example
 * const entry: Entry = { value: 'hello', expiresAt: Date.now() + 1000 };
 */
export interface Entry {
  value: string | SortedSet;
  /** Epoch ms at which the key is gone, or `null` for no expiry. */
  expiresAt: number | null;
}


/**
 * The {@link StoreError} Redis would answer for `command` on `key` holding another type.
 *
 * @example
 * throw wrongType('GET', 'app:session#index');
 */
export function wrongType(command: string, key: string): StoreError {
  return new StoreError(
    `MemoryStore refused ${command}: ${WRONGTYPE_REPLY}. A key cacheorm uses holds another data type (an index set ` +
      'read as a value, or a value used as an index set); give each entity its own keys.',
    WRONGTYPE_REPLY,
    { command, key },
  );
}

/**
 * Whether `entry` has expired at `now`.
 *
 * @example
 * isExpired({ value: 'v', expiresAt: 10 }, 10); // true
 */
export function isExpired(entry: Entry, now: number): boolean {
  return entry.expiresAt !== null && entry.expiresAt <= now;
}

/**
 * The score of a key expiring at `expiresAt` (`Infinity` for `null`).
 *
 * @example
 * expiryScore(null); // Infinity
 */
export function expiryScore(expiresAt: number | null): number {
  return expiresAt ?? Number.POSITIVE_INFINITY;
}

/**
 * The sorted-set commands of the memory keyspace `data`; `live(key, now)` answers a key's entry unless it
 * has expired (removing it if so).
 *
 * @example
 * const sets = new IndexSets(data, (key, now) => live(key, now));
 * sets.add('app:s#index', 'app:s:1', Infinity, Date.now());
 */
export class IndexSets {
  constructor(
    private readonly data: Map<string, Entry>,
    private readonly live: (key: string, now: number) => Entry | undefined,
    /** Called for each member removed from an index set (the key's field entries go with it). */
    private readonly removed: (index: string, member: string) => void = () => undefined,
  ) {}

  /** The sorted set at `index`, `undefined` when absent; a `WRONGTYPE` {@link StoreError} for a string. */
  get(index: string, now: number, command: string): SortedSet | undefined {
    const entry = this.live(index, now);
    if (entry === undefined) return undefined;
    if (typeof entry.value === 'string') throw wrongType(command, index);
    return entry.value;
  }

  /** `ZADD index [NX] score member` (`onlyIfAbsent`: `NX`), creating the set if needed. */
  add(index: string, member: string, score: number, now: number, onlyIfAbsent = false): void {
    let set = this.get(index, now, 'ZADD');
    if (set === undefined) {
      set = new Map();
      this.data.set(index, { value: set, expiresAt: null });
    }
    if (!onlyIfAbsent || !set.has(member)) set.set(member, score);
  }

  /** `ZREM index ...members`, deleting the set once empty. */
  remove(index: string, members: Iterable<string>, now: number): void {
    const set = this.get(index, now, 'ZREM');
    if (set === undefined) return;
    for (const member of members) {
      set.delete(member);
      this.removed(index, member);
    }
    if (set.size === 0) this.data.delete(index);
  }

  /** `ZREMRANGEBYSCORE index -inf now`: answers how many members it removed. */
  prune(index: string, now: number): number {
    const set = this.get(index, now, 'ZREMRANGEBYSCORE');
    if (set === undefined) return 0;
    let removed = 0;
    for (const [member, score] of set) {
      if (score <= now) {
        set.delete(member);
        this.removed(index, member);
        removed++;
      }
    }
    if (set.size === 0) this.data.delete(index);
    return removed;
  }

  /**
   * Batches of the live members of `index` starting with `prefix` and matching `match` (all when both are
   * `undefined`): examines `count` members per step, judging liveness by `now()` at each step, and yields
   * to the event loop between steps (`checkOpen` runs after each pause). Members present for the whole
   * scan are yielded once. A member whose key is gone (removed without the index) is not yielded, and is
   * removed from the set when met, as RedisStore does.
   */
  async *scan(
    index: string,
    { match, prefix, count }: { match: string | undefined; prefix: string | undefined; count: number },
    now: () => number,
    checkOpen: () => void,
  ): AsyncIterable<string[]> {
    const glob = match === undefined ? undefined : compileGlob(match);
    const matches = (member: string) => (prefix === undefined || member.startsWith(prefix)) && (glob === undefined || glob(member));
    const set = this.get(index, now(), prefix !== undefined ? 'ZRANGEBYLEX' : match === undefined ? 'ZRANGE' : 'ZSCAN');
    if (set === undefined) return;
    const pick = ([member, score]: [string, number], at: number): string | undefined => {
      if (score <= at || !matches(member)) return undefined;
      if (this.live(member, at) !== undefined) return member;
      this.remove(index, [member], at); // (deleting while a Map is iterated is safe: the walk goes on)
      return undefined;
    };
    yield* walkInBatches(set.entries(), count, now, pick, checkOpen);
  }
}
