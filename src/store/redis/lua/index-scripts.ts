/**
 * The Lua scripts behind {@link RedisStore}'s index sets (entities with `find: 'index'`) that change them,
 * and the code that runs them (the scripts that walk them are in `redis-index-walk.ts`).
 *
 * An index is two sorted sets listing the same keys of an entity:
 * - the **expiry set** (the index key itself, e.g. `app:session#index`): each key scored by its expiry
 *   time in ms since the epoch (`+inf` for no expiry); it answers "which keys are live" and pruning;
 * - the **lexicographic set** (`<index>:lex`, see {@link lexKeyOf}): the same keys, all scored 0, so a
 *   key prefix is a `ZRANGEBYLEX` range: a find that fixes the leading key parts reads only the
 *   matching members, O(log N + M), instead of walking the entity's whole set with `ZSCAN`.
 * Every script that changes one set changes the other in the same atomic step. Entities with field
 * indexes have two more structures next to them (see {@link fieldKeysOf} and docs/find.md, "Field
 * indexes"): `<index>:fields`, a lexicographic set of `field \0 value \0 key` members, and `<index>:fvals`,
 * a hash of each key's current entries. Every script that adds a key changes its field entries when the
 * caller gives them, and every script that removes a key from the index removes its field entries too.
 *
 * Design rules every script here follows:
 * - **One clock.** Scores come from the server's clock (`redis.call('TIME')` inside the script), so every
 *   application server agrees on them and on what "expired" means, whatever their own clocks say.
 * - **Cluster-safe.** A script only touches keys passed in `KEYS` (never names built in Lua), so a cluster
 *   that keeps an index set in the same slot as its keys (one set per hash tag) can run it unchanged.
 *   The one exception, the walks' check that a member's key exists, reads members only when the caller
 *   says they live where the script runs (see `redis-index-walk.ts`).
 * - **Check, then write.** A script first checks that the index key holds a sorted set (or nothing), so a
 *   `WRONGTYPE` refuses the call before anything is written. Redis refuses a script's first write under
 *   OOM (`maxmemory`), and with it the whole call: a refused batch writes nothing, like `MULTI`/`EXEC`.
 * - **Always loaded.** Scripts run by `EVALSHA`, re-sent with `EVAL` on `NOSCRIPT` (`lua.ts`). The
 *   batch write is one script call instead of a transaction of per-op calls.
 * - Plain scripts: no `#!lua` shebang flags or Redis functions, which need Redis 7.
 * @internal
 */
import { lua } from './lua.js';
import type { WriteOp } from '../../store.js';
import { WRONGTYPE_REPLY } from '../../commands.js';

/**
 * The lexicographic companion set of the index set `index` (see the module notes). It shares any hash tag
 * of `index`, so both live in one cluster slot when the index key has one.
 *
 * @example
 * lexKeyOf('app:session#index'); // 'app:session#index:lex'
 */
export function lexKeyOf(index: string): string {
  return `${index}:lex`;
}

/**
 * The field-index companions of the index set `index`: its field set and its per-key entries hash. They
 * share any hash tag of `index`.
 *
 * @example
 * fieldKeysOf('app:user#index'); // ['app:user#index:fields', 'app:user#index:fvals']
 */
export function fieldKeysOf(index: string): [fields: string, fvals: string] {
  return [`${index}:fields`, `${index}:fvals`];
}

/**
 * The four keys of an index on standalone Redis, in the order every index script takes them: expiry
 * set, lexicographic set, field set, field entries hash.
 *
 * @example
 * indexKeysOf('app:user#index'); // ['app:user#index', 'app:user#index:lex', 'app:user#index:fields', 'app:user#index:fvals']
 */
export function indexKeysOf(index: string): string[] {
  return [index, lexKeyOf(index), ...fieldKeysOf(index)];
}

/**
 * Lua functions over field indexes (docs/find.md, "Field indexes"): `unfield(fk, rk, key)` removes
 * every entry of `key` from the field set `fk` (its entries are listed in the hash `rk`: pieces
 * `field \0 value \0`, the member being piece .. key); `setfields(fk, rk, key, new)` makes `new` its entries.
 * @internal
 */
export const FIELD_FUNCTIONS = `local function members(list, key, withScores)
  local out = {}
  for piece in string.gmatch(list, '[^%z]*%z[^%z]*%z') do
    if withScores then out[#out + 1] = 0 end
    out[#out + 1] = piece .. key
  end
  return out
end
local function unfield(fk, rk, key)
  local old = redis.call('HGET', rk, key)
  if not old then return end
  local gone = members(old, key, false)
  if #gone > 0 then redis.call('ZREM', fk, unpack(gone)) end
  redis.call('HDEL', rk, key)
end
local function setfields(fk, rk, key, new)
  local old = redis.call('HGET', rk, key)
  if old == new then return end
  if old then
    local gone = members(old, key, false)
    if #gone > 0 then redis.call('ZREM', fk, unpack(gone)) end
  end
  if new == '' then
    if old then redis.call('HDEL', rk, key) end
    return
  end
  redis.call('ZADD', fk, unpack(members(new, key, true)))
  redis.call('HSET', rk, key, new)
end
`;

/** Lua statements setting `now`: the server's time in ms since the epoch. */
export const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;


/** Lua statements returning a WRONGTYPE error unless `key` holds a sorted set or nothing. */
const checkIndex = (key: string): string => `local kind = redis.call('TYPE', ${key}).ok
if kind ~= 'zset' and kind ~= 'none' then return redis.error_reply('${WRONGTYPE_REPLY}') end
`;

/** Lua statements returning a WRONGTYPE error unless `key` holds a hash or nothing. */
const checkHash = (key: string): string => `local kind = redis.call('TYPE', ${key}).ok
if kind ~= 'hash' and kind ~= 'none' then return redis.error_reply('${WRONGTYPE_REPLY}') end
`;

/** Type checks of the four keys of an index starting at `KEYS[first]` (a Lua expression). @internal */
export const checkIndexKeys = (first: string): string =>
  `${checkIndex(`KEYS[${first}]`)}${checkIndex(`KEYS[${first} + 1]`)}${checkIndex(`KEYS[${first} + 2]`)}${checkHash(`KEYS[${first} + 3]`)}`;

const indent = (text: string, by: string): string => text.trimEnd().replaceAll('\n', `\n${by}`);

/**
 * The SETs of a batch, adding each applied key that has an index set to it (`ZADD`, scored by the key's
 * expiry: now + ttl, `+inf` without one). For `KEEPTTL` the expiry is unchanged, so a member already in
 * the set keeps its score (`ZADD NX`: recomputing it as now + `PTTL` could move it by a millisecond), and
 * a missing one is added with now + `PTTL`. Each applied key is added to the lexicographic set too, and
 * gets its field entries (`setfields`) when the op carries them.
 * KEYS: per op its key, followed by its index's four keys ({@link indexKeysOf}) when it has an index,
 * and by its registry when it has one. ARGV: per op `value`, `ttl` (`''` for none, `'keep'`, or ms), `mode`
 * (`''`, `NX`, `XX`), the index flag: `'0'` no index, `'1'` an index, `'2'` an index and a registry
 * (an applied op lists its index set there, scored `+inf`, in this same atomic step), `'3'` an index
 * whose registry the caller updates itself (Redis Cluster: another slot), so the op answers 2 when it
 * created the index set; and its field entries (`''`: none given, else `'+'` followed by them).
 * Answers 1/0 per op (2: applied and created the index set, flag `'3'` only).
 *
 * @example
 * await evalScript(client, WRITE, ...Object.values(writeCall(ops)));
 */
export const WRITE = lua(`${NOW}${FIELD_FUNCTIONS}local k = 1
for i = 4, #ARGV, 5 do
  if ARGV[i] ~= '0' then
    ${indent(checkIndex('KEYS[k + 1]') + checkIndex('KEYS[k + 2]'), '    ')}
    if ARGV[i + 1] ~= '' then
      ${indent(checkIndex('KEYS[k + 3]') + checkHash('KEYS[k + 4]'), '      ')}
    end
    if ARGV[i] == '2' then
      ${indent(checkIndex('KEYS[k + 5]'), '      ')}
      k = k + 1
    end
    k = k + 5
  else
    k = k + 1
  end
end
local applied = {}
k = 1
for i = 1, #ARGV, 5 do
  local key, ttl, mode, flag, fields = KEYS[k], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local args = { 'SET', key, ARGV[i] }
  if ttl == 'keep' then
    args[#args + 1] = 'KEEPTTL'
  elseif ttl ~= '' then
    args[#args + 1] = 'PX'
    args[#args + 1] = ttl
  end
  if mode ~= '' then args[#args + 1] = mode end
  local ok = redis.call(unpack(args))
  applied[#applied + 1] = ok and 1 or 0
  if flag ~= '0' then
    if ok and flag == '3' and redis.call('EXISTS', KEYS[k + 1]) == 0 then applied[#applied] = 2 end
    if ok and ttl == 'keep' then
      local left = redis.call('PTTL', key)
      redis.call('ZADD', KEYS[k + 1], 'NX', left >= 0 and now + left or '+inf', key)
    elseif ok then
      redis.call('ZADD', KEYS[k + 1], ttl == '' and '+inf' or now + tonumber(ttl), key)
    end
    if ok then redis.call('ZADD', KEYS[k + 2], 0, key) end
    if ok and fields ~= '' then setfields(KEYS[k + 3], KEYS[k + 4], key, string.sub(fields, 2)) end
    if flag == '2' then
      if ok then redis.call('ZADD', KEYS[k + 5], '+inf', KEYS[k + 1]) end
      k = k + 1
    end
    k = k + 5
  else
    k = k + 1
  end
end
return applied`);

/** `Store.getWithPttl`: the value and its PTTL in one atomic step (`false` becomes a nil reply). @internal */
export const GET_WITH_PTTL = lua(`local v = redis.call('GET', KEYS[1])
if not v then return {false, -2} end
return {v, redis.call('PTTL', KEYS[1])}`);

/**
 * Compare-and-delete: `UNLINK KEYS[1]` if it holds `ARGV[1]`, removing it from its index (`KEYS[2..5]`,
 * {@link indexKeysOf}) when given. Answers 1 if it deleted.
 *
 * @example
 * await evalScript(client, DELETE_IF_EQUALS, ['app:s:1', ...indexKeysOf('app:s#index')], ['{"v":1}']);
 */
export const DELETE_IF_EQUALS = lua(`${FIELD_FUNCTIONS}if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if KEYS[2] then
  redis.call('ZREM', KEYS[2], KEYS[1])
  redis.call('ZREM', KEYS[3], KEYS[1])
  unfield(KEYS[4], KEYS[5], KEYS[1])
end
return redis.call('UNLINK', KEYS[1])`);

/**
 * `UNLINK` of `KEYS[5..]`, each also removed from the index `KEYS[1..4]` ({@link indexKeysOf}: expiry and
 * lexicographic sets, field entries). Answers how many keys existed.
 *
 * @example
 * await evalScript(client, UNLINK_INDEXED, [...indexKeysOf('app:s#index'), 'app:s:1', 'app:s:2'], []);
 */
export const UNLINK_INDEXED = lua(`${FIELD_FUNCTIONS}${checkIndexKeys('1')}local removed = 0
local fielded = redis.call('EXISTS', KEYS[4]) == 1
for i = 5, #KEYS do
  removed = removed + redis.call('UNLINK', KEYS[i])
  redis.call('ZREM', KEYS[1], KEYS[i])
  redis.call('ZREM', KEYS[2], KEYS[i])
  if fielded then unfield(KEYS[3], KEYS[4], KEYS[i]) end
end
return removed`);

/**
 * `PEXPIRE KEYS[1] ARGV[1]` (or `PERSIST` when `ARGV[1]` is `''`) and, when the key exists, its new
 * score in the index set `KEYS[2]` (and its membership of the lexicographic set `KEYS[3]`). Answers 1 if
 * the key existed.
 *
 * @example
 * await evalScript(client, EXPIRE_INDEXED, ['app:s:1', 'app:s#index', 'app:s#index:lex'], ['60000']);
 */
export const EXPIRE_INDEXED = lua(`${NOW}if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
${checkIndex('KEYS[2]')}${checkIndex('KEYS[3]')}redis.call('ZADD', KEYS[3], 0, KEYS[1])
if ARGV[1] == '' then
  redis.call('PERSIST', KEYS[1])
  redis.call('ZADD', KEYS[2], '+inf', KEYS[1])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[1]), KEYS[1])
end
return 1`);

/**
 * `reindex()` step: each of `KEYS[5..]` that exists is (re)added to the index set `KEYS[1]` with score
 * now + `PTTL` (`+inf` without expiry) and to the lexicographic set `KEYS[2]`; a missing one is removed
 * from both and loses its field entries (`KEYS[3]`, `KEYS[4]`). Answers how many exist.
 *
 * @example
 * await evalScript(client, INDEX_SYNC, [...indexKeysOf('app:s#index'), 'app:s:1'], []);
 */
export const INDEX_SYNC = lua(`${NOW}${FIELD_FUNCTIONS}${checkIndexKeys('1')}local existing = 0
for i = 5, #KEYS do
  local left = redis.call('PTTL', KEYS[i])
  if left == -2 then
    redis.call('ZREM', KEYS[1], KEYS[i])
    redis.call('ZREM', KEYS[2], KEYS[i])
    unfield(KEYS[3], KEYS[4], KEYS[i])
  else
    redis.call('ZADD', KEYS[2], 0, KEYS[i])
    existing = existing + 1
    local score = '+inf'
    if left >= 0 then score = now + left end
    redis.call('ZADD', KEYS[1], score, KEYS[i])
  end
end
return existing`);

/**
 * Removes the members of the index set `KEYS[1]` whose score (expiry) is at or before now, from it and
 * from the lexicographic set `KEYS[2]`, with their field entries (`KEYS[3]`, `KEYS[4]`), 500 at a time.
 * Answers how many.
 *
 * @example
 * const removed = await evalScript(client, INDEX_PRUNE, indexKeysOf('app:s#index'), []);
 */
export const INDEX_PRUNE = lua(`${NOW}${FIELD_FUNCTIONS}${checkIndexKeys('1')}local removed = 0
local fielded = redis.call('EXISTS', KEYS[4]) == 1
repeat
  local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 500)
  if #dead > 0 then
    if fielded then
      for i = 1, #dead do unfield(KEYS[3], KEYS[4], dead[i]) end
    end
    redis.call('ZREM', KEYS[2], unpack(dead))
    removed = removed + redis.call('ZREM', KEYS[1], unpack(dead))
  end
until #dead < 500
return removed`);

/**
 * The `KEYS` and `ARGV` of one {@link WRITE} call for `ops`.
 *
 * @example
 * writeCall([{ key: 'k', value: 'v', ttl: 1000, index: 'i' }]); // { keys: ['k', 'i', 'i:lex', 'i:fields', 'i:fvals'], args: ['v', '1000', '', '1', ''] }
 * writeCall([{ key: 'k', value: 'v', ttl: 1000, index: 'i', registry: 'r' }]); // { keys: ['k', 'i', 'i:lex', 'i:fields', 'i:fvals', 'r'], args: ['v', '1000', '', '2', ''] }
 */
export function writeCall(ops: readonly WriteOp[]): { keys: string[]; args: string[] } {
  const keys: string[] = [];
  const args: string[] = [];
  for (const { key, value, ttl, mode, index, registry, fields } of ops) {
    keys.push(key);
    if (index !== undefined) keys.push(...indexKeysOf(index));
    if (index !== undefined && registry !== undefined) keys.push(registry);
    args.push(value, ttl === null ? '' : String(ttl), mode ?? '', index === undefined ? '0' : registry === undefined ? '1' : '2', fieldsArg(index, fields));
  }
  return { keys, args };
}

/**
 * The field-entries argument of a {@link WRITE} op: `''` when the op gives none (or has no index), else
 * `'+'` followed by them. @internal
 *
 * @example
 * fieldsArg('i', 'age\0bff0000000000000\0'); // '+age\0bff0000000000000\0'
 */
export function fieldsArg(index: string | undefined, fields: string | undefined): string {
  return index === undefined || fields === undefined ? '' : `+${fields}`;
}

/**
 * The sentence a batch write that Redis answered with an error (a `ReplyError`) adds to its message.
 * Nothing was written when the error came before the script ran or from its own index-set check (no
 * ` script: ` suffix), or when Redis refused the script's first write (OOM, read-only replica, failed
 * persistence: such refusals hit the first write). Otherwise a later command of the script failed, and
 * Redis does not roll scripts back. `undefined` for anything that is not a reply error.
 *
 * @example
 * batchWriteNote(replyError); // 'The batch runs as one Lua script, which Redis refused before it wrote anything: ...'
 */
export function batchWriteNote(err: unknown): string | undefined {
  const e = err as { name?: unknown; message?: unknown } | undefined;
  if (e?.name !== 'ReplyError' || typeof e.message !== 'string') return undefined;
  return !/ script: /.test(e.message) || /^(OOM|READONLY|MISCONF)\b/.test(e.message)
    ? 'The batch runs as one Lua script, which Redis refused before it wrote anything: nothing was written.'
    : 'Redis does not roll back a Lua script, so the batch may be partly written.';
}
