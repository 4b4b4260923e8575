/**
 * The {@link Store} over a Redis Cluster behind `RedisStore` (`new RedisStore(cluster)`,
 * `createCache({ redis: cluster })`). Same results as on standalone Redis; see docs/cluster.md.
 * @internal
 */
import type { Cluster, ClusterOptions } from 'ioredis';
import { StoreUnavailableError } from '../../../errors/index.js';
import { clusterIndexKeysOf, clusterLexKeyOf, existingMembers, INDEX_APPLY, syncRemote, type IndexChange } from './cluster-index.js';
import { ClusterFields } from './cluster-fields.js';
import { ClusterWrites } from './cluster-writes.js';
import { ReplicaConfirmations, type Durability } from '../durability.js';
import { quitClient, setArguments } from '../client.js';
import { RedisConnection } from '../connection.js';
import { closedStoreError, type RedisTarget } from '../errors.js';
import { DELETE_IF_EQUALS, EXPIRE_INDEXED, GET_WITH_PTTL, INDEX_PRUNE, INDEX_SYNC } from '../lua/index-scripts.js';
import { indexPages } from '../lua/index-walk.js';
import { evalScript, type LuaArg, type LuaScript } from '../lua/lua.js';
import {
  clusterTarget, masterOfSlot, openCluster, toClusterFailure, type RedisClusterConfig,
} from './cluster.js';
import { groupBySlot, hashTagOf, keySlot } from './slots.js';
import { scanCluster } from './cluster-scan.js';
import { WalkGuard } from '../walk-guard.js';
import { callPerPage, runCall, type CallPath } from '../call.js';
import { WriteCoalescer } from '../write-coalescer.js';
import type { FieldHit, FieldScanOptions, FieldSyncEntry, IndexOption, IndexScanOptions, ScanOptions, Store, WriteOp } from '../../store.js';
import {
  assertExpireTtl, assertIndex, assertKeys, assertWriteOps, indexOption, indexScanArguments, scanCount,
} from '../../validate.js';

/**
 * Options of {@link RedisClusterStore} (the cluster side of `RedisStoreOptions`, already checked). @internal
 *
 * @example
 * const options: RedisClusterStoreOptions = { maxKeysPerCommand: 1000, commandTimeout: 2000 };
 */
export interface RedisClusterStoreOptions {
  clusterOptions?: ClusterOptions | undefined;
  maxKeysPerCommand: number;
  commandTimeout: number;
  durability?: Durability | undefined;
}

/** How long `close()` waits for `QUIT`. */
const QUIT_TIMEOUT_MS = 2000;

/**
 * A {@link Store} over a Redis Cluster (ioredis `Cluster`): what `RedisStore` delegates to when given a
 * cluster. @internal
 *
 * @example
 * const store = new RedisClusterStore(['redis://127.0.0.1:7000'], { maxKeysPerCommand: 1000, commandTimeout: 2000 });
 * await store.mget(['a', 'b', '{t}c']); // one MGET per slot
 */
export class RedisClusterStore implements Store {
  readonly kind = 'redis';
  readonly #client: Cluster;
  /** Where changes go: the client itself, or with `durability` a duplicate, so reads never queue behind a `WAIT`. */
  readonly #writer: Cluster;
  readonly #owned: boolean;
  readonly #target: RedisTarget;
  readonly #maxKeys: number;
  readonly #readyTimeout: number;
  readonly #confirmations: ReplicaConfirmations | undefined;
  readonly #writes: ClusterWrites;
  /** `fieldScan` and `fieldSync` (field indexes). */
  readonly #fields: ClusterFields;
  readonly #connection: RedisConnection;
  /** One socket write per tick and node connection, for the client and (with `durability`) the writer. */
  readonly #coalescers: WriteCoalescer[];
  /** The call path every method runs through (see `runCall`); its `bounds` are set by `RedisStore.adoptBounds`. */
  readonly path: CallPath;
  /** The same path, never bounded nor traced: for the steps of one call that is bounded and traced as a whole. */
  readonly #stepPath: CallPath;
  #closed = false;

  constructor(redis: Cluster | RedisClusterConfig, options: RedisClusterStoreOptions) {
    this.#maxKeys = options.maxKeysPerCommand;
    this.#readyTimeout = options.commandTimeout > 0 ? options.commandTimeout : 10_000;
    ({ client: this.#client, owned: this.#owned } = openCluster(redis, options.clusterOptions, options.commandTimeout));
    this.#target = clusterTarget(this.#client, () => this.#connection.lastError);
    // The tracker standalone Redis uses too: events, last error, cacheorm:connection, one loss per outage.
    this.#connection = new RedisConnection(this.#client, this.#target, this.#owned, () => this.#closed);
    this.#confirmations = options.durability === undefined ? undefined : new ReplicaConfirmations(options.durability);
    this.#writer = this.#confirmations === undefined ? this.#client : this.#client.duplicate();
    this.#writes = new ClusterWrites(this.#writer, this.#target, this.#maxKeys, (slot, command, key) => this.#confirm(slot, command, key));
    this.#coalescers = [this.#client, ...(this.#writer === this.#client ? [] : [this.#writer])].map((client) => new WriteCoalescer(client));
    this.path = {
      target: this.#target,
      closed: () => this.#closed,
      unavailable: (command, key) => this.#fastFail(command, key),
      hold: () => this.#hold(),
      failure: toClusterFailure,
      bounds: undefined,
      trace: true,
    };
    this.#stepPath = { ...this.path, bounds: undefined, trace: false };
    this.#fields = new ClusterFields({
      client: this.#client,
      target: this.#target,
      path: this.path,
      stepPath: this.#stepPath,
      maxKeys: this.#maxKeys,
      indexSync: (path, index, keys) => this.#indexSync(path, index, keys),
      applyIndex: (index, changes) => this.#applyIndex(index, changes),
    });
    if (this.#writer !== this.#client) this.#connection.watchErrors(this.#writer);
  }

  /** The ioredis `Cluster` in use. */
  get client(): Cluster {
    return this.#client;
  }

  /** Calls `listener` once per outage of an owned cluster: when no node connection is left ready, or the client goes to `close` (see {@link RedisConnection}). */
  onConnectionLost(listener: (error: StoreUnavailableError) => void): () => void {
    return this.#connection.onLost(listener);
  }

  get(key: string): Promise<string | null> {
    return runCall(this.path, { command: 'get', redis: 'GET', key }, () => this.#client.get(key));
  }

  getWithPttl(key: string): Promise<[value: string | null, pttl: number]> {
    return runCall(this.path, { command: 'getWithPttl', redis: 'EVALSHA', key }, async () => (await evalScript(this.#client, GET_WITH_PTTL, [key], [])) as [string | null, number]);
  }

  /**
   * One `MGET` per slot (at most `maxKeysPerCommand` keys each); the `MGET`s for the slots of one master
   * go in one pipeline (one round trip per master). A pipeline that fails, or an `MGET` in it that meets
   * a redirection (a slot moved meanwhile), is re-sent command by command, each routed by the client:
   * reads are safe to re-send.
   */
  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    this.#assertOpen('MGET');
    if (keys.length === 0) return [];
    return runCall(this.path, { command: 'mget', redis: 'MGET', count: keys.length }, async () => {
      const out: (string | null)[] = new Array<string | null>(keys.length);
      const byMaster = new Map<string, number[][]>();
      for (const [slot, positions] of groupBySlot(keys)) {
        const master = this.#client.slots[slot]?.[0] ?? '';
        for (let start = 0; start < positions.length; start += this.#maxKeys) {
          byMaster.set(master, [...(byMaster.get(master) ?? []), positions.slice(start, start + this.#maxKeys)]);
        }
      }
      const fill = (part: readonly number[], values: readonly (string | null)[]) => part.forEach((position, j) => (out[position] = values[j] ?? null));
      const one = async (part: readonly number[]) => fill(part, await this.#client.mget(part.map((i) => keys[i]!)));
      await Promise.all(
        [...byMaster].map(async ([master, parts]) => {
          if (master === '' || parts.length === 1) return Promise.all(parts.map(one));
          const pipeline = this.#client.pipeline();
          for (const part of parts) pipeline.mget(part.map((i) => keys[i]!));
          const results = await pipeline.exec().catch(() => null);
          return Promise.all(
            parts.map((part, j) => {
              const [error, values] = results?.[j] ?? [new Error('pipeline failed'), null];
              return error ? one(part) : fill(part, values as (string | null)[]);
            }),
          );
        }),
      );
      return out;
    });
  }

  /**
   * One op without an index set (a `save`): one `SET`, routed by the client, as on standalone Redis.
   * Else grouped by slot (see {@link ClusterWrites}).
   */
  write(ops: readonly WriteOp[]): Promise<boolean[]> {
    if (this.#closed) return Promise.reject(closedStoreError('SET'));
    try {
      assertWriteOps(ops);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    if (ops.length === 0) return Promise.resolve([]);
    const first = ops[0]!;
    if (ops.length === 1 && first.index === undefined) {
      return runCall(this.path, { command: 'write', redis: 'SET', key: first.key, count: 1 }, () => this.#setOne(first));
    }
    return runCall(this.path, { command: 'write', redis: 'SET', key: ops.length === 1 ? first.key : undefined, count: ops.length }, () => this.#writes.write(ops));
  }

  async unlink(keys: readonly string[], options?: IndexOption): Promise<number> {
    this.#assertOpen('UNLINK');
    const index = indexOption(options, 'UNLINK');
    if (keys.length === 0) return 0;
    return runCall(this.path, { command: 'unlink', redis: 'UNLINK', key: keys.length === 1 ? keys[0] : undefined, count: keys.length }, () => this.#writes.unlink(keys, index));
  }

  async deleteIfEquals(key: string, value: string, options?: IndexOption): Promise<boolean> {
    this.#assertOpen('EVALSHA');
    const index = indexOption(options, 'EVALSHA');
    return runCall(this.path, { command: 'deleteIfEquals', redis: 'EVALSHA', key }, async () => {
      const colocated = index !== undefined && keySlot(index) === keySlot(key);
      if (index !== undefined && !colocated) await this.#applyIndex(index, []); // type check before anything changes
      const keys = colocated ? [key, ...clusterIndexKeysOf(index)] : [key];
      const deleted = (await evalScript(this.#writer, DELETE_IF_EQUALS, keys, [value])) === 1;
      if (deleted && index !== undefined && !colocated) await this.#applyIndex(index, [['del', key, '', '']]);
      if (deleted) await this.#confirm(keySlot(key), 'EVALSHA', key);
      return deleted;
    });
  }

  exists(key: string): Promise<boolean> {
    return runCall(this.path, { command: 'exists', redis: 'EXISTS', key }, async () => (await this.#client.exists(key)) > 0);
  }

  pttl(key: string): Promise<number> {
    return runCall(this.path, { command: 'pttl', redis: 'PTTL', key }, () => this.#client.pttl(key));
  }

  async expire(key: string, ttlMs: number | null, options?: IndexOption): Promise<boolean> {
    const command = ttlMs === null ? 'PERSIST' : 'PEXPIRE';
    this.#assertOpen(command);
    assertExpireTtl(key, ttlMs);
    const index = indexOption(options, command);
    return runCall(this.path, { command: 'expire', redis: command, key }, async () => {
      let existed: boolean;
      const colocated = index !== undefined && keySlot(index) === keySlot(key);
      if (colocated) {
        const args = [ttlMs === null ? '' : String(ttlMs)];
        existed = (await evalScript(this.#writer, EXPIRE_INDEXED, [key, index, clusterLexKeyOf(index)], args)) === 1;
      } else {
        if (index !== undefined) await this.#applyIndex(index, []); // type check before anything changes
        if (ttlMs !== null) existed = (await this.#writer.pexpire(key, ttlMs)) === 1;
        else existed = ((await this.#writer.multi().persist(key).exists(key).exec()) ?? [])[1]?.[1] === 1;
      }
      if (existed && index !== undefined && !colocated) await this.#applyIndex(index, [['set', key, ttlMs === null ? '' : String(ttlMs), '']]);
      if (existed) await this.#confirm(keySlot(key), command, key);
      return existed;
    });
  }

  /**
   * SCAN on every master (the list is read when the scan starts), or only on the master owning the slot
   * when the glob fixes a hash tag. When the topology changed during the scan (failover, resharding:
   * the slot map differs at the end, or a node failed after it changed), the scan starts over on the
   * new masters (keys may repeat; callers de-duplicate), at most 3 times. A node failing while the
   * topology stays the same throws {@link StoreUnavailableError}: never a silently partial result.
   */
  async *scan(match: string, options?: ScanOptions): AsyncIterable<string[]> {
    this.#assertOpen('SCAN');
    const count = scanCount(match, options);
    yield* scanCluster(this.#client, this.path, match, count, this.#readyTimeout, (command, reason) => this.#unavailable(command, reason));
  }

  async *indexScan(index: string, options?: IndexScanOptions): AsyncIterable<string[]> {
    this.#assertOpen('ZSCAN');
    const { match, prefix, count } = indexScanArguments(index, options);
    const command = prefix !== undefined ? 'ZRANGEBYLEX' : match === undefined ? 'ZRANGE' : 'ZSCAN';
    const keys = clusterIndexKeysOf(index);
    const slot = keySlot(index);
    const guard = new WalkGuard(() => masterOfSlot(this.#client, slot), command, () => this.#target.address);
    const call = { command: 'indexScan', redis: command, key: index } as const;
    const pageOn = (path: CallPath) => async (script: LuaScript, args: LuaArg[]) => {
      const reply = await runCall(path, call, () => evalScript(this.#client, script, keys, args));
      guard.check(); // the slot's master changed or reconnected: the walk's position may mean nothing there
      return reply;
    };
    if (hashTagOf(index) !== undefined) {
      yield* indexPages(pageOn(this.path), { match, prefix, count, checkKeys: true });
      return;
    }
    // Members in other slots than the index set: their existence is checked here, not in the scripts,
    // and each page (read, existence check, removal of the dangling) is one bounded, traced call.
    const step = this.#stepPath;
    const exists = (members: readonly string[]) => runCall(step, { command: 'indexScan', redis: 'EXISTS' }, () => Promise.all(members.map((key) => this.#client.exists(key))));
    const pages = existingMembers(indexPages(pageOn(step), { match, prefix, count, checkKeys: false }), (key) => key, exists, (gone) => this.#indexSync(step, index, gone));
    yield* callPerPage(this.path, call, pages);
  }

  async indexPrune(index: string): Promise<number> {
    this.#assertOpen('ZREMRANGEBYSCORE');
    assertIndex(index, 'ZREMRANGEBYSCORE');
    const keys = clusterIndexKeysOf(index);
    return runCall(this.path, { command: 'indexPrune', redis: 'ZREMRANGEBYSCORE', key: index }, async () => (await evalScript(this.#client, INDEX_PRUNE, keys, [])) as number);
  }

  /**
   * Keys in the index set's slot are synced by the atomic script of standalone Redis; the others have
   * their `PTTL` read where they live, then their entries set or removed in one {@link INDEX_APPLY}.
   */
  async indexSync(index: string, keys: readonly string[]): Promise<number> {
    this.#assertOpen('ZADD');
    assertIndex(index, 'ZADD');
    assertKeys(keys, 'ZADD');
    if (keys.length === 0) return 0;
    return this.#indexSync(this.path, index, keys);
  }

  /** {@link RedisClusterStore.indexSync} on `path`, its arguments checked. */
  #indexSync(path: CallPath, index: string, keys: readonly string[]): Promise<number> {
    const indexKeys = clusterIndexKeysOf(index);
    return runCall(path, { command: 'indexSync', redis: 'ZADD', key: index, count: keys.length }, async () => {
      const home = keySlot(index);
      const local = keys.filter((key) => keySlot(key) === home);
      const remote = keys.filter((key) => keySlot(key) !== home);
      let existing = 0;
      for (let start = 0; start < local.length; start += this.#maxKeys) {
        existing += (await evalScript(this.#client, INDEX_SYNC, [...indexKeys, ...local.slice(start, start + this.#maxKeys)], [])) as number;
      }
      if (remote.length === 0) return existing;
      return existing + (await syncRemote(remote, (key) => this.#client.pttl(key), (changes) => this.#applyIndex(index, changes)));
    });
  }

  /** {@inheritDoc ClusterFields.scan} */
  async *fieldScan(index: string, options: FieldScanOptions): AsyncIterable<FieldHit[]> {
    this.#assertOpen('ZRANGEBYLEX');
    yield* this.#fields.scan(index, options);
  }

  /** {@inheritDoc ClusterFields.sync} */
  async fieldSync(index: string, entries: readonly FieldSyncEntry[]): Promise<number> {
    this.#assertOpen('HSET');
    return this.#fields.sync(index, entries);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([
      this.#owned ? quitClient(this.#client, QUIT_TIMEOUT_MS) : undefined,
      this.#writer !== this.#client ? quitClient(this.#writer, QUIT_TIMEOUT_MS) : undefined,
    ]);
  }

  /** Applies index changes (or, with none, only checks the set types) in chunks of `maxKeysPerCommand`. */
  async #applyIndex(index: string, changes: readonly IndexChange[]): Promise<void> {
    const keys = clusterIndexKeysOf(index);
    if (changes.length === 0) {
      await evalScript(this.#writer, INDEX_APPLY, keys, []);
      return;
    }
    for (let start = 0; start < changes.length; start += this.#maxKeys) {
      await evalScript(this.#writer, INDEX_APPLY, keys, changes.slice(start, start + this.#maxKeys).flat());
    }
  }

  /** One `SET` without an index set, confirmed on its slot's master with the durability option. */
  #setOne(op: WriteOp): Promise<boolean[]> {
    const sent = this.#writer.call('SET', setArguments(op));
    if (this.#confirmations === undefined) return sent.then((reply) => [reply === 'OK']);
    return sent.then(async (reply) => {
      await this.#confirm(keySlot(op.key), 'SET', op.key);
      return [reply === 'OK'];
    });
  }

  /** With the durability option: `WAIT` on the master of `slot`; without: nothing. */
  async #confirm(slot: number, command: string, key: string | undefined): Promise<void> {
    if (this.#confirmations !== undefined) await this.#confirmations.confirm(masterOfSlot(this.#writer, slot), command, key);
  }

  /** The error to fail a call with at once when an owned client lost every node and is reconnecting. */
  #fastFail(command: string, key: string | undefined): StoreUnavailableError | undefined {
    return this.#connection.unavailable(command, key);
  }

  #unavailable(command: string, reason: string): StoreUnavailableError {
    return new StoreUnavailableError(
      `The ${this.#target.address} cannot serve ${command} right now (${reason}). Retry later; check that the cluster's nodes are running and reachable from this process.`,
      { command, operation: command },
    );
  }

  /** Joins the commands sent this tick into one socket write per busy node connection (see {@link WriteCoalescer}). */
  #hold(): void {
    for (const coalescer of this.#coalescers) coalescer.hold();
  }

  #assertOpen(command: string): void {
    if (this.#closed) throw closedStoreError(command);
  }
}
