/**
 * The command table: one row per {@link Store} method saying which Redis commands it sends, whether it
 * writes, whether the `durability` option confirms it with `WAIT`, and what an empty store would answer.
 * Every driver and layer reads these facts here (error messages, timeouts, `failOpen`, `WAIT`).
 */

/**
 * The Store methods a decorator sees, by name.
 *
 * @example
 * const reads: StoreCommand[] = ['get', 'mget', 'exists', 'pttl', 'scan', 'indexScan'];
 */
export type StoreCommand =
  | 'get' | 'getWithPttl' | 'mget' | 'write' | 'unlink' | 'deleteIfEquals' | 'exists' | 'pttl' | 'expire'
  | 'scan' | 'indexScan' | 'indexPrune' | 'indexSync' | 'fieldScan' | 'fieldSync';

/**
 * What is known about one Store method. @internal
 *
 * @example
 * const facts: CommandFacts = STORE_COMMANDS.get; // { label: 'GET', redis: ['GET'], write: false, ... }
 */
export interface CommandFacts {
  /** How the call reads in messages (timeouts, failOpen reports). */
  readonly label: string;
  /** The Redis command names a Redis store sends for it and names in its errors. */
  readonly redis: readonly string[];
  /** Whether it changes data: when it fails midway (connection lost, timeout), its outcome is unknown. */
  readonly write: boolean;
  /** Whether the `durability` option confirms it with `WAIT` once it applied. */
  readonly durable: boolean;
  /** What an empty store that drops writes would answer (`failOpen`), given the call's key or write count. */
  readonly empty: (count: number) => unknown;
}

const DONE: IteratorResult<never> = { done: true, value: undefined };

/**
 * The command table, one row per {@link StoreCommand}. @internal
 *
 * @example
 * if (STORE_COMMANDS.write.durable) await confirmations.confirm(client, 'SET', key);
 */
export const STORE_COMMANDS: { readonly [C in StoreCommand]: CommandFacts } = {
  get: { label: 'GET', redis: ['GET'], write: false, durable: false, empty: () => null },
  getWithPttl: { label: 'EVALSHA', redis: ['EVALSHA'], write: false, durable: false, empty: () => [null, -2] },
  mget: { label: 'MGET', redis: ['MGET'], write: false, durable: false, empty: (count) => Array.from({ length: count }, () => null) },
  write: { label: 'SET', redis: ['SET', 'MULTI/EXEC'], write: true, durable: true, empty: (count) => Array.from({ length: count }, () => false) },
  unlink: { label: 'UNLINK', redis: ['UNLINK', 'ZREM'], write: true, durable: true, empty: () => 0 },
  deleteIfEquals: { label: 'compare-and-delete (EVALSHA)', redis: ['EVALSHA'], write: true, durable: true, empty: () => false },
  exists: { label: 'EXISTS', redis: ['EXISTS'], write: false, durable: false, empty: () => false },
  pttl: { label: 'PTTL', redis: ['PTTL'], write: false, durable: false, empty: () => -2 },
  expire: { label: 'PEXPIRE', redis: ['PEXPIRE', 'PERSIST'], write: true, durable: true, empty: () => false },
  scan: { label: 'SCAN', redis: ['SCAN'], write: false, durable: false, empty: () => DONE },
  indexScan: { label: 'ZSCAN', redis: ['ZSCAN', 'ZRANGE', 'ZRANGEBYLEX', 'EXISTS'], write: false, durable: false, empty: () => DONE },
  indexPrune: { label: 'ZREMRANGEBYSCORE', redis: ['ZREMRANGEBYSCORE'], write: true, durable: false, empty: () => 0 },
  indexSync: { label: 'ZADD', redis: ['ZADD'], write: true, durable: false, empty: () => 0 },
  fieldScan: { label: 'ZRANGEBYLEX', redis: ['ZRANGEBYLEX', 'ZREVRANGEBYLEX', 'EXISTS'], write: false, durable: false, empty: () => DONE },
  fieldSync: { label: 'HSET', redis: ['HSET'], write: true, durable: false, empty: () => 0 },
};

function redisNames(pick: (facts: CommandFacts) => boolean): ReadonlySet<string> {
  return new Set(Object.values(STORE_COMMANDS).filter(pick).flatMap((facts) => facts.redis));
}

/**
 * The Redis command names (as drivers name them in errors) that change data, derived from
 * {@link STORE_COMMANDS}: when their connection fails midway, their outcome is unknown. @internal
 *
 * @example
 * WRITE_REDIS_COMMANDS.has('ZREMRANGEBYSCORE'); // true
 */
export const WRITE_REDIS_COMMANDS: ReadonlySet<string> = redisNames((facts) => facts.write);

/**
 * Redis' reply to a command run against a key holding another data type: the one text the memory store
 * and the Lua scripts answer with. @internal
 *
 * @example
 * throw new StoreError(`MemoryStore refused GET: ${WRONGTYPE_REPLY}.`, WRONGTYPE_REPLY, { command: 'GET' });
 */
export const WRONGTYPE_REPLY = 'WRONGTYPE Operation against a key holding the wrong kind of value';
