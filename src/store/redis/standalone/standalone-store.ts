/**
 * The standalone half of {@link RedisStore}: every {@link Store} method on one ioredis `Redis` client.
 * `RedisStore` builds it (or a {@link RedisClusterStore} for a cluster) and delegates to it.
 * @internal
 */
import type { Redis, RedisOptions } from 'ioredis';
import { StoreUnavailableError } from '../../../errors/index.js';
import type { ReplicaConfirmations } from '../durability.js';
import { NO_EXEC_REPLY, chunk, openClient, quitClient, replies, setArguments } from '../client.js';
import { ownedClientDefaults, RedisConnection } from '../connection.js';
import { WalkGuard } from '../walk-guard.js';
import { WriteCoalescer } from '../write-coalescer.js';
import { runCall, type CallPath } from '../call.js';
import { closedStoreError, toStoreFailure, type RedisTarget } from '../errors.js';
import {
  DELETE_IF_EQUALS, EXPIRE_INDEXED, GET_WITH_PTTL, INDEX_PRUNE, INDEX_SYNC, UNLINK_INDEXED, WRITE,
  batchWriteNote, indexKeysOf, lexKeyOf, writeCall,
} from '../lua/index-scripts.js';
import { indexPages } from '../lua/index-walk.js';
import { FIELD_SYNC, fieldPages } from '../lua/field-scripts.js';
import { evalScript, evalScriptPipeline, type LuaArg, type LuaScript } from '../lua/lua.js';
import type { FieldHit, FieldScanOptions, FieldSyncEntry, IndexOption, IndexScanOptions, ScanOptions, Store, WriteOp } from '../../store.js';
import {
  assertExpireTtl, assertFieldSync, assertIndex, assertKeys, assertWriteOps, fieldScanArguments, indexOption, indexScanArguments, scanCount,
} from '../../validate.js';

/** How long `close()` waits for `QUIT` before dropping the connection. */
const QUIT_TIMEOUT_MS = 2000;

/**
 * What {@link StandaloneRedisStore} needs besides the client: the settings {@link RedisStore} checked.
 *
 * @example
 * const settings: StandaloneSettings = { maxKeys: 1000, commandTimeout: 2000, perCommandTimeout: true, confirmations: undefined };
 */
export interface StandaloneSettings {
  maxKeys: number;
  commandTimeout: number;
  /** Whether a client the store creates keeps ioredis' per-command timer once ready (see `RedisStoreOptions`). */
  perCommandTimeout: boolean;
  confirmations: ReplicaConfirmations | undefined;
}

/**
 * {@link Store} on one standalone Redis (see {@link RedisStore} for the behaviour it documents).
 *
 * @example
 * const store = new StandaloneRedisStore('redis://localhost:6379', undefined, { maxKeys: 1000, commandTimeout: 2000, perCommandTimeout: true, confirmations: undefined });
 */
export class StandaloneRedisStore implements Store {
  readonly kind = 'redis';
  readonly client: Redis;
  readonly #owned: boolean;
  readonly #target: RedisTarget;
  readonly #maxKeys: number;
  readonly #confirmations: ReplicaConfirmations | undefined;
  readonly #connection: RedisConnection;
  readonly #writes: WriteCoalescer;
  /** The call path every method runs through (see `runCall`); its `bounds` are set by `RedisStore.adoptBounds`. */
  readonly path: CallPath;
  #closed = false;

  constructor(redis: Redis | string | RedisOptions, redisOptions: RedisOptions | undefined, settings: StandaloneSettings) {
    this.#maxKeys = settings.maxKeys;
    this.#confirmations = settings.confirmations;
    const defaults = ownedClientDefaults(settings.commandTimeout);
    const { client, owned } = openClient(redis, redisOptions, defaults);
    this.#writes = new WriteCoalescer(client);
    this.client = client;
    this.#owned = owned;
    const { host, port, path, password } = client.options;
    this.#target = {
      address: path ? `unix socket ${path}` : `${host ?? 'localhost'}:${port ?? 6379}`,
      secret: password,
      lastConnectionError: () => this.#connection.lastError,
    };
    // On an owned client: listens to connection events (so ioredis never prints "Unhandled error event"),
    // keeps the last connection error for messages, fails calls fast between reconnection attempts.
    // Inside a cache, ioredis' timer per command (ours, not one you set) only guards the handshake.
    const yoursToo = redisOptions?.commandTimeout !== undefined || (owned && typeof redis === 'object' && (redis as RedisOptions).commandTimeout !== undefined);
    const handshakeTimeout = owned && !settings.perCommandTimeout && !yoursToo ? defaults.commandTimeout : undefined;
    this.#connection = new RedisConnection(client, this.#target, owned, () => this.#closed, settings.commandTimeout, handshakeTimeout);
    const confirmations = this.#confirmations;
    this.path = {
      target: this.#target,
      closed: () => this.#closed,
      unavailable: (command, key) => this.#connection.unavailable(command, key),
      hold: () => this.#writes.hold(),
      failure: toStoreFailure,
      confirm: confirmations && ((command, key) => confirmations.confirm(this.client, command, key)),
      bounds: undefined,
      trace: true,
    };
  }

  /** See {@link RedisStore.onConnectionLost}. */
  onConnectionLost(listener: (error: StoreUnavailableError) => void): () => void {
    return this.#connection.onLost(listener);
  }

  /** {@inheritDoc Store.get} */
  get(key: string): Promise<string | null> {
    return runCall(this.path, { command: 'get', redis: 'GET', key }, () => this.client.get(key));
  }

  /** The value at `key` and its remaining TTL (`Store.getWithPttl`): one Lua script (`GET`, `PTTL`), one round trip, one atomic step. */
  getWithPttl(key: string): Promise<[value: string | null, pttl: number]> {
    return runCall(this.path, { command: 'getWithPttl', redis: 'EVALSHA', key }, async () => (await evalScript(this.client, GET_WITH_PTTL, [key], [])) as [string | null, number]);
  }

  /** {@inheritDoc Store.mget} */
  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    this.#assertOpen('MGET');
    if (keys.length === 0) return [];
    return runCall(this.path, { command: 'mget', redis: 'MGET', count: keys.length }, async () => {
      const chunks = chunk(keys, this.#maxKeys);
      if (chunks.length === 1) return this.client.mget(chunks[0]!);
      const pipeline = this.client.pipeline();
      for (const part of chunks) pipeline.mget(part);
      return replies(await pipeline.exec()).flat() as (string | null)[];
    });
  }

  /** {@inheritDoc Store.write} */
  async write(ops: readonly WriteOp[]): Promise<boolean[]> {
    this.#assertOpen('SET');
    assertWriteOps(ops);
    if (ops.length === 0) return [];
    if (ops.some((op) => op.index !== undefined)) {
      const { keys, args } = writeCall(ops);
      return runCall(this.path, { command: 'write', redis: 'SET', key: ops.length === 1 ? ops[0]!.key : undefined, count: ops.length }, async () => {
        try {
          return ((await evalScript(this.client, WRITE, keys, args)) as number[]).map((applied) => applied === 1);
        } catch (err) {
          const note = ops.length > 1 ? batchWriteNote(err) : undefined;
          throw note ? toStoreFailure(err, { command: 'SET', target: this.#target, note }) : err;
        }
      });
    }
    if (ops.length === 1) {
      const op = ops[0]!;
      return runCall(this.path, { command: 'write', redis: 'SET', key: op.key }, async () => [(await this.client.call('SET', setArguments(op))) === 'OK']);
    }
    return runCall(this.path, { command: 'write', redis: 'MULTI/EXEC', count: ops.length }, async () => {
      const multi = this.client.multi();
      for (const op of ops) multi.call('SET', setArguments(op));
      const results = await multi.exec();
      if (results === null) throw new Error(NO_EXEC_REPLY);
      return results.map(([error, reply]) => {
        if (error) {
          throw toStoreFailure(error, {
            command: 'SET',
            target: this.#target,
            note: 'Redis does not roll back MULTI/EXEC, so the batch was partly written.',
          });
        }
        return reply === 'OK';
      });
    });
  }

  /**
   * Removes `keys` (`UNLINK`) and answers how many existed, as {@link Store.unlink} describes.
   *
   * With an index set, each chunk of keys is one Lua script (`UNLINK` and `ZREM` per key, atomic).
   */
  async unlink(keys: readonly string[], options?: IndexOption): Promise<number> {
    this.#assertOpen('UNLINK');
    const index = indexOption(options, 'UNLINK');
    if (keys.length === 0) return 0;
    return runCall(this.path, { command: 'unlink', redis: 'UNLINK', key: keys.length === 1 ? keys[0] : undefined, count: keys.length }, async () => {
      const chunks = chunk(keys, this.#maxKeys);
      if (index !== undefined) {
        const calls = chunks.map((part) => ({ keys: [...indexKeysOf(index), ...part], args: [] }));
        return ((await evalScriptPipeline(this.client, UNLINK_INDEXED, calls)) as number[]).reduce((sum, n) => sum + n, 0);
      }
      if (chunks.length === 1) return this.client.unlink(chunks[0]!);
      const pipeline = this.client.pipeline();
      for (const part of chunks) pipeline.unlink(part);
      return (replies(await pipeline.exec()) as number[]).reduce((sum, removed) => sum + removed, 0);
    });
  }

  /**
   * Removes `key` only while it holds `value`, atomically, as {@link Store.deleteIfEquals} describes.
   *
   * A 3-line Lua script (`GET`, compare, `ZREM` from the index set if any, `UNLINK`), run atomically by
   * Redis: `EVALSHA`, falling back to `EVAL` when the server does not have the script cached yet.
   */
  async deleteIfEquals(key: string, value: string, options?: IndexOption): Promise<boolean> {
    this.#assertOpen('EVALSHA');
    const index = indexOption(options, 'EVALSHA');
    const keys = index === undefined ? [key] : [key, ...indexKeysOf(index)];
    return runCall(this.path, { command: 'deleteIfEquals', redis: 'EVALSHA', key }, async () => (await evalScript(this.client, DELETE_IF_EQUALS, keys, [value])) === 1);
  }

  /** {@inheritDoc Store.exists} */
  async exists(key: string): Promise<boolean> {
    return runCall(this.path, { command: 'exists', redis: 'EXISTS', key }, async () => (await this.client.exists(key)) > 0);
  }

  /** {@inheritDoc Store.pttl} */
  async pttl(key: string): Promise<number> {
    return runCall(this.path, { command: 'pttl', redis: 'PTTL', key }, () => this.client.pttl(key));
  }

  /**
   * Sets (`ttlMs`) or removes (`null`) the expiry of an existing key, as {@link Store.expire} describes.
   *
   * `PEXPIRE key ttlMs` for a TTL. For `null`, `PERSIST` alone cannot tell "no such key" from "key had
   * no expiry", so `PERSIST` and `EXISTS` run together in one `MULTI`/`EXEC` (one round trip, atomic).
   * With an index set, a Lua script does it and updates the key's score.
   */
  async expire(key: string, ttlMs: number | null, options?: IndexOption): Promise<boolean> {
    this.#assertOpen(ttlMs === null ? 'PERSIST' : 'PEXPIRE');
    assertExpireTtl(key, ttlMs);
    const command = ttlMs === null ? 'PERSIST' : 'PEXPIRE';
    const index = indexOption(options, command);
    if (index !== undefined) {
      const args = [ttlMs === null ? '' : String(ttlMs)];
      return runCall(this.path, { command: 'expire', redis: command, key }, async () => (await evalScript(this.client, EXPIRE_INDEXED, [key, index, lexKeyOf(index)], args)) === 1);
    }
    if (ttlMs !== null) return runCall(this.path, { command: 'expire', redis: 'PEXPIRE', key }, async () => (await this.client.pexpire(key, ttlMs)) === 1);
    return runCall(this.path, { command: 'expire', redis: 'PERSIST', key }, async () => {
      const [, exists] = replies(await this.client.multi().persist(key).exists(key).exec());
      return exists === 1;
    });
  }

  /**
   * Yields batches of the keys matching the Redis glob `match`, as {@link Store.scan} describes.
   *
   * Runs `SCAN cursor MATCH match COUNT count` until the cursor comes back to `0`, yielding each
   * non-empty batch as it arrives.
   */
  async *scan(match: string, options?: ScanOptions): AsyncIterable<string[]> {
    this.#assertOpen('SCAN');
    const count = scanCount(match, options);
    yield* this.#scanNode(this.client, match, count);
  }

  /**
   * Yields batches of the live members of the index set `index`, as {@link Store.indexScan} describes.
   *
   * With `prefix`: pages of `ZRANGEBYLEX` over the index's lexicographic set (`<index>:lex`), resuming
   * after the last member read (members present for the whole scan are yielded once), live members only,
   * filtered by `match` in the client; O(log N + M) per page. Else, with `match`: Lua-filtered `ZSCAN`
   * steps (Redis' `SCAN` guarantee: members present for the whole scan
   * are yielded at least once). Without: pages of `count` members in expiry order, each resuming right
   * after the last member of the previous page; a member present for the whole scan is yielded unless its
   * expiry moved backwards meanwhile (`expire()` with a shorter TTL), and may repeat if the last member of
   * a page was rewritten or removed in between (`find` therefore walks by `prefix`). Liveness is judged
   * by the server's clock at each page; a member whose key is gone is skipped and removed (see
   * {@link Store.indexScan}). Fails with {@link StoreUnavailableError} when the connection was
   * re-established during the walk.
   */
  async *indexScan(index: string, options?: IndexScanOptions): AsyncIterable<string[]> {
    this.#assertOpen('ZSCAN');
    const { match, prefix, count } = indexScanArguments(index, options);
    const command = prefix !== undefined ? 'ZRANGEBYLEX' : match === undefined ? 'ZRANGE' : 'ZSCAN';
    const keys = indexKeysOf(index);
    const guard = new WalkGuard(() => this.client, command, this.#target.address);
    const page = async (script: LuaScript, args: LuaArg[]) => {
      const reply = await runCall(this.path, { command: 'indexScan', redis: command, key: index }, () => evalScript(this.client, script, keys, args));
      guard.check();
      return reply;
    };
    yield* indexPages(page, { match, prefix, count, checkKeys: true });
  }

  /** {@inheritDoc Store.indexPrune} */
  async indexPrune(index: string): Promise<number> {
    this.#assertOpen('ZREMRANGEBYSCORE');
    assertIndex(index, 'ZREMRANGEBYSCORE');
    return runCall(this.path, { command: 'indexPrune', redis: 'ZREMRANGEBYSCORE', key: index }, async () => (await evalScript(this.client, INDEX_PRUNE, indexKeysOf(index), [])) as number);
  }

  /**
   * Brings the membership of `keys` in `index` in line with the keys, as {@link Store.indexSync} describes.
   *
   * One Lua script per `maxKeysPerCommand` keys (each atomic), sent together in one pipeline.
   */
  async indexSync(index: string, keys: readonly string[]): Promise<number> {
    this.#assertOpen('ZADD');
    assertIndex(index, 'ZADD');
    assertKeys(keys, 'ZADD');
    if (keys.length === 0) return 0;
    return runCall(this.path, { command: 'indexSync', redis: 'ZADD', key: index, count: keys.length }, async () => {
      const calls = chunk(keys, this.#maxKeys).map((part) => ({ keys: [...indexKeysOf(index), ...part], args: [] }));
      return ((await evalScriptPipeline(this.client, INDEX_SYNC, calls)) as number[]).reduce((sum, n) => sum + n, 0);
    });
  }

  /**
   * Yields batches of one field's entries in the field index of `index`, as {@link Store.fieldScan}
   * describes: pages of `ZRANGEBYLEX` (or `ZREVRANGEBYLEX`) over `<index>:fields`, each one Lua script that
   * also checks that each member's key exists and removes every index entry of the gone ones; each page
   * resumes after the last member read. Fails with {@link StoreUnavailableError} when the connection was
   * re-established during the walk.
   */
  async *fieldScan(index: string, options: FieldScanOptions): AsyncIterable<FieldHit[]> {
    this.#assertOpen('ZRANGEBYLEX');
    const { field, min, max, reverse, count } = fieldScanArguments(index, options);
    const keys = indexKeysOf(index);
    const command = reverse ? 'ZREVRANGEBYLEX' : 'ZRANGEBYLEX';
    const guard = new WalkGuard(() => this.client, command, this.#target.address);
    const page = async (script: LuaScript, args: LuaArg[]) => {
      const reply = await runCall(this.path, { command: 'fieldScan', redis: command, key: index }, () => evalScript(this.client, script, keys, args));
      guard.check();
      return reply;
    };
    yield* fieldPages(page, field, min, max, { count, reverse, checkKeys: true });
  }

  /**
   * Writes the field entries of keys that still hold the value they were computed from, as
   * {@link Store.fieldSync} describes: one Lua script per `maxKeysPerCommand` keys, sent in one pipeline.
   */
  async fieldSync(index: string, entries: readonly FieldSyncEntry[]): Promise<number> {
    this.#assertOpen('HSET');
    assertFieldSync(index, entries);
    if (entries.length === 0) return 0;
    return runCall(this.path, { command: 'fieldSync', redis: 'HSET', key: index, count: entries.length }, async () => {
      const calls = chunk(entries, this.#maxKeys).map((part) => ({
        keys: [...indexKeysOf(index), ...part.map((e) => e.key)],
        args: part.flatMap((e) => [e.value, e.fields]),
      }));
      return ((await evalScriptPipeline(this.client, FIELD_SYNC, calls)) as number[]).reduce((sum, n) => sum + n, 0);
    });
  }

  /**
   * Releases the store: quits the client it created and waits until its connection has ended (dropping
   * it if `QUIT` does not complete within 2 s), leaves a client you passed untouched. Calling it again does nothing; any other method
   * called after it throws {@link StoreUnavailableError}.
   *
   * @example
   * process.on('SIGTERM', () => void store.close());
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#owned) return;
    await quitClient(this.client, QUIT_TIMEOUT_MS);
  }

  /** `SCAN` steps until the cursor is back to `0`; fails when the connection changed meanwhile (see {@link WalkGuard}). */
  async *#scanNode(node: Redis, match: string, count: number): AsyncIterable<string[]> {
    const guard = new WalkGuard(() => node, 'SCAN', this.#target.address);
    let cursor = '0';
    do {
      const [next, keys] = await runCall(this.path, { command: 'scan', redis: 'SCAN', key: match }, () => node.scan(cursor, 'MATCH', match, 'COUNT', count));
      guard.check();
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }

  #assertOpen(command: string): void {
    if (this.#closed) throw closedStoreError(command);
  }
}
