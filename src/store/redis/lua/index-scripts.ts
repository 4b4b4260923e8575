/**
 * The Lua scripts behind {@link RedisStore}'s index sets (entities with `find: 'index'`) and the code that
 * runs them.
 *
 * An index is two sorted sets listing the same keys of an entity:
 * - the **expiry set** (the index key itself, e.g. `app:session#index`): each key scored by its expiry
 *   time in ms since the epoch (`+inf` for no expiry); it answers "which keys are live" and pruning;
 * - the **lexicographic set** (`<index>:lex`, see {@link lexKeyOf}): the same keys, all scored 0, so a
 *   key prefix is a `ZRANGEBYLEX` range: a find that fixes the leading key parts reads only the
 *   matching members, O(log N + M), instead of walking the entity's whole set with `ZSCAN`.
 * Every script that changes one set changes the other in the same atomic step.
 *
 * Design rules every script here follows:
 * - **One clock.** Scores come from the server's clock (`redis.call('TIME')` inside the script), so every
 *   application server agrees on them and on what "expired" means, whatever their own clocks say.
 * - **Cluster-safe.** A script only touches keys passed in `KEYS` (never names built in Lua), so a cluster
 *   that keeps an index set in the same slot as its keys (one set per hash tag) can run it unchanged.
 * - **Check, then write.** A script first checks that the index key holds a sorted set (or nothing), so a
 *   `WRONGTYPE` refuses the call before anything is written. Redis refuses a script's first write under
 *   OOM (`maxmemory`), and with it the whole call: a refused batch writes nothing, like `MULTI`/`EXEC`.
 * - **Always loaded.** Scripts run by `EVALSHA`, re-sent with `EVAL` on `NOSCRIPT` (`lua.ts`). The
 *   batch write is one script call instead of a transaction of per-op calls.
 * - Plain scripts: no `#!lua` shebang flags or Redis functions, which need Redis 7.
 * @internal
 */
import type { LuaArg, LuaScript } from './lua.js';
import { lua } from './lua.js';
import { compileGlob } from '../../glob.js';
import type { WriteOp } from '../../store.js';

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

/** `now`: the server's time in ms since the epoch. */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

/** Lua statements returning a WRONGTYPE error unless `key` holds a sorted set or nothing. */
const checkIndex = (key: string): string => `local kind = redis.call('TYPE', ${key}).ok
if kind ~= 'zset' and kind ~= 'none' then return redis.error_reply('${WRONGTYPE}') end
`;

/**
 * The SETs of a batch, adding each applied key that has an index set to it (`ZADD`, scored by the key's
 * expiry: now + ttl, `+inf` without one). For `KEEPTTL` the expiry is unchanged, so a member already in
 * the set keeps its score (`ZADD NX`: recomputing it as now + `PTTL` could move it by a millisecond), and
 * a missing one is added with now + `PTTL`. Each applied key is added to the lexicographic set too.
 * KEYS: per op its key, followed by its index set and lexicographic set when it has an index. ARGV: per op
 * `value`, `ttl` (`''` for none, `'keep'`, or ms), `mode` (`''`, `NX`, `XX`), `'1'` when the op has an
 * index. Answers 1/0 per op.
 *
 * @example
 * await evalScript(client, WRITE, ...Object.values(writeCall(ops)));
 */
export const WRITE = lua(`${NOW}local k = 1
for i = 4, #ARGV, 4 do
  if ARGV[i] == '1' then
    ${checkIndex('KEYS[k + 1]').replaceAll('\n', '\n    ').trimEnd()}
    ${checkIndex('KEYS[k + 2]').replaceAll('\n', '\n    ').trimEnd()}
    k = k + 3
  else
    k = k + 1
  end
end
local applied = {}
k = 1
for i = 1, #ARGV, 4 do
  local key, ttl, mode = KEYS[k], ARGV[i + 1], ARGV[i + 2]
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
  if ARGV[i + 3] == '1' then
    if ok and ttl == 'keep' then
      local left = redis.call('PTTL', key)
      redis.call('ZADD', KEYS[k + 1], 'NX', left >= 0 and now + left or '+inf', key)
    elseif ok then
      redis.call('ZADD', KEYS[k + 1], ttl == '' and '+inf' or now + tonumber(ttl), key)
    end
    if ok then redis.call('ZADD', KEYS[k + 2], 0, key) end
    k = k + 3
  else
    k = k + 1
  end
end
return applied`);

/**
 * Compare-and-delete: `UNLINK KEYS[1]` if it holds `ARGV[1]`, `ZREM`-ing it from the index sets `KEYS[2]`
 * and `KEYS[3]` when given. Answers 1 if it deleted.
 *
 * @example
 * await evalScript(client, DELETE_IF_EQUALS, ['app:s:1', 'app:s#index', 'app:s#index:lex'], ['{"v":1}']);
 */
export const DELETE_IF_EQUALS = lua(`if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if KEYS[2] then
  redis.call('ZREM', KEYS[2], KEYS[1])
  redis.call('ZREM', KEYS[3], KEYS[1])
end
return redis.call('UNLINK', KEYS[1])`);

/**
 * `UNLINK` of `KEYS[3..]`, each also `ZREM`-ed from the index sets `KEYS[1]` (expiry) and `KEYS[2]`
 * (lexicographic). Answers how many keys existed.
 *
 * @example
 * await evalScript(client, UNLINK_INDEXED, ['app:s#index', 'app:s#index:lex', 'app:s:1', 'app:s:2'], []);
 */
export const UNLINK_INDEXED = lua(`${checkIndex('KEYS[1]')}${checkIndex('KEYS[2]')}local removed = 0
for i = 3, #KEYS do
  removed = removed + redis.call('UNLINK', KEYS[i])
  redis.call('ZREM', KEYS[1], KEYS[i])
  redis.call('ZREM', KEYS[2], KEYS[i])
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
 * `reindex()` step: each of `KEYS[3..]` that exists is (re)added to the index set `KEYS[1]` with score
 * now + `PTTL` (`+inf` without expiry) and to the lexicographic set `KEYS[2]`; a missing one is removed
 * from both. Answers how many exist.
 *
 * @example
 * await evalScript(client, INDEX_SYNC, ['app:s#index', 'app:s#index:lex', 'app:s:1'], []);
 */
export const INDEX_SYNC = lua(`${NOW}${checkIndex('KEYS[1]')}${checkIndex('KEYS[2]')}local existing = 0
for i = 3, #KEYS do
  local left = redis.call('PTTL', KEYS[i])
  if left == -2 then
    redis.call('ZREM', KEYS[1], KEYS[i])
    redis.call('ZREM', KEYS[2], KEYS[i])
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
 * from the lexicographic set `KEYS[2]`, 500 at a time. Answers how many.
 *
 * @example
 * const removed = await evalScript(client, INDEX_PRUNE, ['app:s#index', 'app:s#index:lex'], []);
 */
export const INDEX_PRUNE = lua(`${NOW}${checkIndex('KEYS[1]')}${checkIndex('KEYS[2]')}local removed = 0
repeat
  local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 500)
  if #dead > 0 then
    redis.call('ZREM', KEYS[2], unpack(dead))
    removed = removed + redis.call('ZREM', KEYS[1], unpack(dead))
  end
until #dead < 500
return removed`);

/**
 * One page of a key-prefix range: up to `ARGV[3]` members of the lexicographic set `KEYS[2]` between
 * `ARGV[1]` and `ARGV[2]` (`ZRANGEBYLEX` bounds), keeping those whose score in the index set `KEYS[1]` is
 * after now (`ZMSCORE` 500 members at a time; a `ZSCORE` loop on Redis before 6.2). Answers
 * `{ last member read or '', 1 when the range goes on after it else 0, live members }`; O(log N + count).
 *
 * @example
 * await evalScript(client, INDEX_RANGE, ['app:s#index', 'app:s#index:lex'], ['[app:s:acme:', Buffer.from('(app:s:acme:\xff', 'latin1'), '1000']);
 */
export const INDEX_RANGE = lua(`${NOW}local read = redis.call('ZRANGEBYLEX', KEYS[2], ARGV[1], ARGV[2], 'LIMIT', 0, ARGV[3])
local live = {}
for first = 1, #read, 500 do
  local last = math.min(first + 499, #read)
  local scores = redis.pcall('ZMSCORE', KEYS[1], unpack(read, first, last))
  if type(scores) ~= 'table' or scores.err then
    scores = {}
    for i = first, last do scores[i - first + 1] = redis.call('ZSCORE', KEYS[1], read[i]) end
  end
  for i = first, last do
    local score = scores[i - first + 1]
    if score and (score == 'inf' or tonumber(score) > now) then live[#live + 1] = read[i] end
  end
end
local more = 0
if #read > 0 and #read == tonumber(ARGV[3]) then
  more = #redis.call('ZRANGEBYLEX', KEYS[2], '(' .. read[#read], ARGV[2], 'LIMIT', 0, 1)
end
return { read[#read] or '', more, live }`);

/**
 * One `ZSCAN KEYS[1] ARGV[1] MATCH ARGV[2] COUNT ARGV[3]` step keeping live members only (score after
 * now). Answers `{ next cursor, members }`.
 *
 * @example
 * const [cursor, members] = await evalScript(client, INDEX_SCAN_MATCH, ['app:s#index'], ['0', 'app:s:acme:*', '1000']);
 */
export const INDEX_SCAN_MATCH = lua(`${NOW}local reply = redis.call('ZSCAN', KEYS[1], ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3])
local found, live = reply[2], {}
for i = 1, #found, 2 do
  local score = found[i + 1]
  if score == 'inf' or tonumber(score) > now then live[#live + 1] = found[i] end
end
return { reply[1], live }`);

/**
 * One page of the live members of the index set `KEYS[1]` in (score, member) order: `ARGV[1]` members
 * from the first member after the last one of the previous page (`ARGV[2]` its score as Redis wrote it,
 * `ARGV[3]` the member; `''` for the first page), skipping members whose score is at or before now.
 * Resuming uses `ZRANK` of that member while it keeps its score (an exact cursor that other writes do not
 * shift), else restarts at the first member with that score (may repeat members). O(log N + count).
 * Answers `{ member, score, ... }` (`ZRANGE ... WITHSCORES`).
 *
 * @example
 * const page = await evalScript(client, INDEX_SCAN_LIVE, ['app:s#index'], ['1000', '', '']);
 */
export const INDEX_SCAN_LIVE = lua(`${NOW}local start = redis.call('ZCOUNT', KEYS[1], '-inf', now)
if ARGV[2] ~= '' then
  local resume
  if redis.call('ZSCORE', KEYS[1], ARGV[3]) == ARGV[2] then
    resume = redis.call('ZRANK', KEYS[1], ARGV[3]) + 1
  else
    resume = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. ARGV[2])
  end
  if resume > start then start = resume end
end
return redis.call('ZRANGE', KEYS[1], start, start + tonumber(ARGV[1]) - 1, 'WITHSCORES')`);

/**
 * The `KEYS` and `ARGV` of one {@link WRITE} call for `ops`.
 *
 * @example
 * writeCall([{ key: 'k', value: 'v', ttl: 1000, index: 'i' }]); // { keys: ['k', 'i', 'i:lex'], args: ['v', '1000', '', '1'] }
 */
export function writeCall(ops: readonly WriteOp[]): { keys: string[]; args: string[] } {
  const keys: string[] = [];
  const args: string[] = [];
  for (const { key, value, ttl, mode, index } of ops) {
    keys.push(key);
    if (index !== undefined) keys.push(index, lexKeyOf(index));
    args.push(value, ttl === null ? '' : String(ttl), mode ?? '', index === undefined ? '0' : '1');
  }
  return { keys, args };
}

/**
 * Pages of live members of an index: with a key `prefix`, {@link INDEX_RANGE} pages of that lexicographic
 * range (filtered by the glob `match` here, with Redis' glob semantics); else {@link INDEX_SCAN_MATCH}
 * steps with a glob, {@link INDEX_SCAN_LIVE} pages without. `run(script, args)` runs a script with the
 * index set and its lexicographic set as its keys.
 *
 * @example
 * const run = (s: LuaScript, a: LuaArg[]) => evalScript(client, s, ['app:s#index', 'app:s#index:lex'], a);
 * for await (const keys of indexPages(run, { prefix: 'app:s:acme:', count: 1000 })) console.log(keys);
 */
export async function* indexPages(
  run: (script: LuaScript, args: LuaArg[]) => Promise<unknown>,
  { match, prefix, count }: { match?: string | undefined; prefix?: string | undefined; count: number },
): AsyncIterable<string[]> {
  if (prefix !== undefined) {
    const matches = match === undefined ? undefined : compileGlob(match);
    // Every key starting with `prefix` sorts before `prefix` + 0xFF: no UTF-8 string holds a 0xFF byte.
    const max = Buffer.concat([Buffer.from(`(${prefix}`), Buffer.from([0xff])]);
    let min = `[${prefix}`;
    for (;;) {
      const [last, more, live] = (await run(INDEX_RANGE, [min, max, String(count)])) as [string, number, string[]];
      const members = matches === undefined ? live : live.filter(matches);
      if (members.length > 0) yield members;
      if (more === 0) return;
      min = `(${last}`;
    }
  }
  if (match !== undefined) {
    let cursor = '0';
    do {
      const [next, members] = (await run(INDEX_SCAN_MATCH, [cursor, match, String(count)])) as [string, string[]];
      cursor = next;
      if (members.length > 0) yield members;
    } while (cursor !== '0');
    return;
  }
  let last = ['', ''];
  for (;;) {
    const page = (await run(INDEX_SCAN_LIVE, [String(count), ...last])) as string[];
    const members = page.filter((_, i) => i % 2 === 0);
    if (members.length > 0) yield members;
    if (members.length < count) return;
    last = [page[page.length - 1]!, page[page.length - 2]!];
  }
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
