/**
 * The Lua scripts that walk {@link RedisStore}'s index sets (entities with `find: 'index'`) page by page,
 * and the loop that runs them: a key-prefix range of the lexicographic set, a `ZSCAN MATCH`, or pages in
 * expiry order. Each page keeps live members only (score after now, by the server's clock) and, when
 * asked, only members whose key exists, removing the others from both sets in the same atomic call.
 * The sets themselves and the scripts that change them are in `redis-index.ts`.
 * @internal
 */
import { compileGlob } from '../../glob.js';
import { FIELD_FUNCTIONS, NOW } from './index-scripts.js';
import type { LuaArg, LuaScript } from './lua.js';
import { lua } from './lua.js';

/**
 * Lua function `existing(members, keepLast)`: the members whose key exists; the others (keys removed
 * without the index: a raw `DEL`, eviction, another tool) are `ZREM`-ed from the index set `KEYS[1]` and
 * its lexicographic set `KEYS[2]` and lose their field entries (`KEYS[3]`, `KEYS[4]`), except the last
 * one when `keepLast` (a page that resumes after it).
 * It reads keys that are not in `KEYS` (the members): scripts call it only when the caller says the
 * members live where the script runs (standalone Redis; a cluster index set sharing its members' hash tag).
 */
export const EXISTING = `${FIELD_FUNCTIONS}local function existing(members, keepLast)
  local out, dead = {}, {}
  for i = 1, #members do
    if redis.call('EXISTS', members[i]) == 1 then
      out[#out + 1] = members[i]
    elseif not (keepLast and i == #members) then
      dead[#dead + 1] = members[i]
    end
  end
  for first = 1, #dead, 500 do
    local last = math.min(first + 499, #dead)
    redis.call('ZREM', KEYS[1], unpack(dead, first, last))
    redis.call('ZREM', KEYS[2], unpack(dead, first, last))
  end
  if #dead > 0 and redis.call('EXISTS', KEYS[4]) == 1 then
    for i = 1, #dead do unfield(KEYS[3], KEYS[4], dead[i]) end
  end
  return out
end
`;

/**
 * One page of a key-prefix range: up to `ARGV[3]` members of the lexicographic set `KEYS[2]` between
 * `ARGV[1]` and `ARGV[2]` (`ZRANGEBYLEX` bounds), keeping those whose score in the index set `KEYS[1]` is
 * after now (`ZMSCORE` 500 members at a time; a `ZSCORE` loop on Redis before 6.2) and, when `ARGV[4]`
 * is `'1'`, whose key exists (the others are removed: see {@link EXISTING}). Answers
 * `{ last member read or '', 1 when the range goes on after it else 0, live members }`; O(log N + count).
 *
 * @example
 * await evalScript(client, INDEX_RANGE, indexKeysOf('app:s#index'), ['[app:s:acme:', Buffer.from('(app:s:acme:\xff', 'latin1'), '1000', '1']);
 */
export const INDEX_RANGE = lua(`${NOW}${EXISTING}local read = redis.call('ZRANGEBYLEX', KEYS[2], ARGV[1], ARGV[2], 'LIMIT', 0, ARGV[3])
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
if ARGV[4] == '1' then live = existing(live, false) end
local more = 0
if #read > 0 and #read == tonumber(ARGV[3]) then
  more = #redis.call('ZRANGEBYLEX', KEYS[2], '(' .. read[#read], ARGV[2], 'LIMIT', 0, 1)
end
return { read[#read] or '', more, live }`);

/**
 * One `ZSCAN KEYS[1] ARGV[1] MATCH ARGV[2] COUNT ARGV[3]` step keeping live members only (score after
 * now and, when `ARGV[4]` is `'1'`, key existing: see {@link EXISTING}). Answers `{ next cursor, members }`.
 *
 * @example
 * const [cursor, members] = await evalScript(client, INDEX_SCAN_MATCH, indexKeysOf('app:s#index'), ['0', 'app:s:acme:*', '1000', '1']);
 */
export const INDEX_SCAN_MATCH = lua(`${NOW}${EXISTING}local reply = redis.call('ZSCAN', KEYS[1], ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3])
local found, live = reply[2], {}
for i = 1, #found, 2 do
  local score = found[i + 1]
  if score == 'inf' or tonumber(score) > now then live[#live + 1] = found[i] end
end
if ARGV[4] == '1' then live = existing(live, false) end
return { reply[1], live }`);

/**
 * One page of the live members of the index set `KEYS[1]` in (score, member) order: `ARGV[1]` members
 * from the first member after the last one of the previous page (`ARGV[2]` its score as Redis wrote it,
 * `ARGV[3]` the member; `''` for the first page), skipping members whose score is at or before now.
 * Resuming uses `ZRANK` of that member while it keeps its score (an exact cursor that other writes do not
 * shift), else restarts at the first member with that score (may repeat members). O(log N + count).
 * Answers `{ page, members }`: the page as `ZRANGE ... WITHSCORES` (`{ member, score, ... }`, for the
 * caller's resume point and page size), and its members, only those whose key exists when `ARGV[4]` is
 * `'1'` (the others are removed, except the page's last member, which the next page resumes after).
 *
 * @example
 * const [page, members] = await evalScript(client, INDEX_SCAN_LIVE, indexKeysOf('app:s#index'), ['1000', '', '', '1']);
 */
export const INDEX_SCAN_LIVE = lua(`${NOW}${EXISTING}local start = redis.call('ZCOUNT', KEYS[1], '-inf', now)
if ARGV[2] ~= '' then
  local resume
  if redis.call('ZSCORE', KEYS[1], ARGV[3]) == ARGV[2] then
    resume = redis.call('ZRANK', KEYS[1], ARGV[3]) + 1
  else
    resume = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. ARGV[2])
  end
  if resume > start then start = resume end
end
local page = redis.call('ZRANGE', KEYS[1], start, start + tonumber(ARGV[1]) - 1, 'WITHSCORES')
local members = {}
for i = 1, #page, 2 do members[#members + 1] = page[i] end
if ARGV[4] == '1' then members = existing(members, #members == tonumber(ARGV[1])) end
return { page, members }`);

/**
 * Pages of live members of an index: with a key `prefix`, {@link INDEX_RANGE} pages of that lexicographic
 * range (filtered by the glob `match` here, with Redis' glob semantics); else {@link INDEX_SCAN_MATCH}
 * steps with a glob, {@link INDEX_SCAN_LIVE} pages without. `run(script, args)` runs a script with the
 * index's four keys (expiry, lexicographic and field sets, field entries hash) as its keys. With `checkKeys`, the scripts also drop (and remove
 * from the sets) members whose key no longer exists; pass it only when the members live where the
 * scripts run (standalone Redis, or a cluster index set sharing its members' hash tag).
 *
 * @example
 * const run = (s: LuaScript, a: LuaArg[]) => evalScript(client, s, indexKeysOf('app:s#index'), a);
 * for await (const keys of indexPages(run, { prefix: 'app:s:acme:', count: 1000, checkKeys: true })) console.log(keys);
 */
export async function* indexPages(
  run: (script: LuaScript, args: LuaArg[]) => Promise<unknown>,
  { match, prefix, count, checkKeys }: { match?: string | undefined; prefix?: string | undefined; count: number; checkKeys: boolean },
): AsyncIterable<string[]> {
  const check = checkKeys ? '1' : '0';
  if (prefix !== undefined) {
    const matches = match === undefined ? undefined : compileGlob(match);
    // Every key starting with `prefix` sorts before `prefix` + 0xFF: no UTF-8 string holds a 0xFF byte.
    const max = Buffer.concat([Buffer.from(`(${prefix}`), Buffer.from([0xff])]);
    let min = `[${prefix}`;
    for (;;) {
      const [last, more, live] = (await run(INDEX_RANGE, [min, max, String(count), check])) as [string, number, string[]];
      const members = matches === undefined ? live : live.filter(matches);
      if (members.length > 0) yield members;
      if (more === 0) return;
      min = `(${last}`;
    }
  }
  if (match !== undefined) {
    let cursor = '0';
    do {
      const [next, members] = (await run(INDEX_SCAN_MATCH, [cursor, match, String(count), check])) as [string, string[]];
      cursor = next;
      if (members.length > 0) yield members;
    } while (cursor !== '0');
    return;
  }
  let last = ['', ''];
  for (;;) {
    const [page, members] = (await run(INDEX_SCAN_LIVE, [String(count), ...last, check])) as [string[], string[]];
    if (members.length > 0) yield members;
    if (page.length < 2 * count) return;
    last = [page[page.length - 1]!, page[page.length - 2]!];
  }
}
