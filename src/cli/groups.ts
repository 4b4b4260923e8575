/**
 * What `inspect` accumulates while it walks a keyspace: one {@link Group} per `<prefix>:<entity>[~v<n>]`,
 * with exact counts and bounded samples (reservoirs), so memory stays flat however many keys there are.
 */
import type { Redis } from 'ioredis';
import { parseEntityBase } from '../keys/index.js';
import { clusterLexKeyOf } from '../store/redis/cluster/cluster-index.js';
import { lexKeyOf } from '../store/redis/lua/index-scripts.js';
import { indexSetNames } from '../repository/index-sets.js';

/** TTL values kept per group for the median (a uniform sample of the measured keys). */
export const TTL_RESERVOIR = 10_000;
/** Groups tried by their base before a key is parsed. */
const FAST_GROUPS = 16;
/** Most groups tracked; keys of further groups count as `other` (a prefix shared with unrelated data). */
export const MAX_GROUPS = 10_000;

/**
 * A uniform random sample of at most `size` items of a stream of unknown length (Vitter's algorithm R):
 * every item seen so far is in the sample with the same probability, `size / seen`.
 *
 * @example
 * const r = new Reservoir<number>(3);
 * for (let i = 0; i < 100; i++) r.offer(i);
 * r.items.length; // 3
 */
export class Reservoir<T> {
  /** The sample. */
  readonly items: T[] = [];
  /** How many items were offered. */
  seen = 0;

  constructor(readonly size: number) {}

  /** Offers one item of the stream. */
  offer(item: T): void {
    const slot = this.take();
    if (slot >= 0) this.items[slot] = item;
  }

  /**
   * Counts one item of the stream and answers where to put it in `items`, or -1 to drop it (so that a
   * caller builds the item only when it is kept).
   */
  take(): number {
    this.seen++;
    if (this.items.length < this.size) return this.items.length;
    const slot = Math.floor(Math.random() * this.seen);
    return slot < this.size ? slot : -1;
  }
}

/**
 * A key and the node a SCAN found it on (where the follow-up commands go).
 *
 * @example
 * const item: Located = { key: 'app:session:acme:1', node };
 */
export interface Located {
  /** The key. */
  readonly key: string;
  /** The node that listed it. */
  readonly node: Redis;
}

/**
 * Per-key measurements of a group's keys (entries or index sets): how many were measured, their total
 * `MEMORY USAGE`, and TTL statistics.
 *
 * @example
 * const m = new Measured(); m.add(1000, 120); m.bytes; // 120
 */
export class Measured {
  /** Keys measured (still there when measured). */
  count = 0;
  /** Sum of their `MEMORY USAGE`. */
  bytes = 0;
  /** Measured keys without a TTL. */
  withoutTtl = 0;
  /** Smallest remaining TTL (ms) among measured keys with one. */
  ttlMin = Infinity;
  /** Largest remaining TTL (ms). */
  ttlMax = -Infinity;
  /** A uniform sample of the remaining TTLs, for the median. */
  readonly ttls = new Reservoir<number>(TTL_RESERVOIR);

  /** Records one key: `pttl` as `PTTL` answers it (-1: no TTL), `bytes` from `MEMORY USAGE`. */
  add(pttl: number, bytes: number): void {
    this.count++;
    this.bytes += bytes;
    if (pttl < 0) {
      this.withoutTtl++;
      return;
    }
    if (pttl < this.ttlMin) this.ttlMin = pttl;
    if (pttl > this.ttlMax) this.ttlMax = pttl;
    this.ttls.offer(pttl);
  }

  /** The median of the sampled TTLs, or `null` when no measured key had one. */
  median(): number | null {
    const values = [...this.ttls.items].sort((a, b) => a - b);
    if (values.length === 0) return null;
    const mid = values.length >> 1;
    return values.length % 2 === 1 ? values[mid]! : Math.round((values[mid - 1]! + values[mid]!) / 2);
  }
}

/** What an index key of a group is: an expiry set (members scored by expiry), its lexicographic companion, or the registry of a hash-tag entity. */
export type IndexRole = 'set' | 'lex' | 'registry' | 'fields';

/**
 * One `<prefix>:<entity>[~v<n>]`: its entries and its index structures.
 *
 * @example
 * const group = new Group('session', 2, 'app:session~v2', 1000);
 */
export class Group {
  /** Entries (keys with parts after the base). */
  keys = 0;
  /** A sample of the entries (sample mode). */
  readonly sample: Reservoir<Located>;
  /** Measurements of the sampled (or all) entries. */
  readonly entries = new Measured();
  /** Index sets (`#index...`), their companion sets and the registry, counted. */
  readonly indexKeys: Record<IndexRole, number> = { set: 0, lex: 0, registry: 0, fields: 0 };
  /** A sample of the index sets (sample mode). */
  readonly indexSample: Reservoir<Located>;
  /** Measurements of the sampled (or all) index structures. */
  readonly indexes = new Measured();
  /** Members of the measured index sets (`ZCARD`). */
  indexMembers = 0;
  /** Index sets measured (for scaling members to all sets). */
  indexSetsMeasured = 0;
  /** What {@link Groups.classify} answers for an entry / an index key of this group (allocated once). */
  readonly asEntry: { group: Group; index: boolean };
  readonly asIndex: { group: Group; index: boolean };
  readonly #registry: string;

  constructor(
    /** The entity name. */
    readonly entity: string,
    /** The version, `undefined` for an unversioned entity. */
    readonly version: number | undefined,
    /** `<prefix>:<entity>[~v<n>]`. */
    readonly base: string,
    sampleSize: number,
  ) {
    this.sample = new Reservoir(sampleSize);
    this.indexSample = new Reservoir(sampleSize);
    this.#registry = indexSetNames(`${base}:`).registry;
    this.asEntry = Object.freeze({ group: this, index: false });
    this.asIndex = Object.freeze({ group: this, index: true });
  }

  /** Which index structure `key` (a key of this group starting with `base#`) is. */
  roleOf(key: string): IndexRole {
    if (key === this.#registry) return 'registry';
    if (key.endsWith(':lex') && lexKeyOf(key.slice(0, -4)) === key) return 'lex';
    // Field indexes (docs/find.md): `<index>:fields` / `<index>:fvals`, on a cluster `<index>:fields{<index>}`.
    const field = /^(.*):(?:fields|fvals)(?:\{(.*)\})?$/.exec(key);
    if (field && (field[2] === undefined || field[2] === field[1])) return 'fields';
    const clustered = /^(.*):lex\{(.*)\}$/.exec(key);
    if (clustered && clustered[1] === clustered[2] && clusterLexKeyOf(clustered[1]!) === key) return 'lex';
    return 'set';
  }
}

/**
 * Sorts keys into groups: `<prefix>:<entity>[~v<n>]` read with the key grammar's own
 * {@link parseEntityBase}; anything else under the prefix is `other`. The version is part of the entity
 * segment, so a key's group never depends on which entities are declared.
 *
 * @example
 * const groups = new Groups('app', 1000);
 * groups.classify('app:session~v2:acme:1'); // { group: Group(session v2), index: false }
 */
export class Groups {
  /** Groups by base. */
  readonly byBase = new Map<string, Group>();
  /** Keys under the prefix that belong to no group. */
  other = 0;
  /** The first groups found, tried by their base before parsing (a keyspace usually has a handful). */
  readonly #fast: Group[] = [];

  constructor(
    readonly prefix: string,
    readonly sampleSize: number,
  ) {}

  /** The group of `key` and whether it is one of the group's index structures, or `undefined` for `other`. */
  classify(key: string): { group: Group; index: boolean } | undefined {
    // Fast path, same answer as the parse below: a group's base ends its entity segment, so `base`
    // followed by `#` (an index structure) or by `:` and at least one character (an entry) is that group.
    for (const group of this.#fast) {
      const end = group.base.length;
      if (key.length <= end + 1 || !key.startsWith(group.base)) continue;
      const next = key.charCodeAt(end);
      if (next === 35 /* # */) return group.asIndex;
      if (next === 58 /* : */) return group.asEntry;
    }
    const parsed = parseEntityBase(this.prefix, key);
    if (parsed === undefined) {
      this.other++;
      return undefined;
    }
    let group = this.byBase.get(parsed.base);
    if (group === undefined) {
      if (this.byBase.size >= MAX_GROUPS) {
        this.other++;
        return undefined;
      }
      group = new Group(parsed.entity, parsed.version, parsed.base, this.sampleSize);
      this.byBase.set(parsed.base, group);
      if (this.#fast.length < FAST_GROUPS) this.#fast.push(group);
    }
    return parsed.separator === '#' ? group.asIndex : group.asEntry;
  }
}
