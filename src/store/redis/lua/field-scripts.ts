/**
 * The Lua scripts that read and rebuild field indexes on Redis (docs/find.md, "Field indexes"), and the
 * page loop that runs them. Every script takes the index's four keys first (`indexKeysOf`: expiry set,
 * lexicographic set, field set, field entries hash). Bounds and values reach the scripts as `ARGV`, never
 * inside Lua source. @internal
 */
import type { FieldBound, FieldHit } from '../../store.js';
import { checkIndexKeys } from './index-scripts.js';
import { EXISTING } from './index-walk.js';
import type { LuaArg, LuaScript } from './lua.js';
import { lua } from './lua.js';

/**
 * One page of a field range: up to `ARGV[3]` members of the field set `KEYS[3]` between `ARGV[1]` and
 * `ARGV[2]` (`ZRANGEBYLEX` bounds; `ZREVRANGEBYLEX` from `ARGV[2]` down to `ARGV[1]` when `ARGV[4]` is
 * `'1'`). When `ARGV[5]` is `'1'`, only members whose key exists are kept; every index entry of a gone
 * key is removed (`existing`). Answers `{ last member read or '', 1 when the range goes on after it else
 * 0, { key, value, ... } }`; O(log N + count).
 *
 * @example
 * await evalScript(client, FIELD_RANGE, indexKeysOf('app:u#index'), ['[age\0', Buffer.from('(age\x01'), '1000', '0', '1']);
 */
export const FIELD_RANGE = lua(`${EXISTING}local read
if ARGV[4] == '1' then
  read = redis.call('ZREVRANGEBYLEX', KEYS[3], ARGV[2], ARGV[1], 'LIMIT', 0, ARGV[3])
else
  read = redis.call('ZRANGEBYLEX', KEYS[3], ARGV[1], ARGV[2], 'LIMIT', 0, ARGV[3])
end
local out, dead = {}, {}
for i = 1, #read do
  local a = string.find(read[i], '\\0', 1, true)
  local b = string.find(read[i], '\\0', a + 1, true)
  local key = string.sub(read[i], b + 1)
  if ARGV[5] ~= '1' or redis.call('EXISTS', key) == 1 then
    out[#out + 1] = key
    out[#out + 1] = string.sub(read[i], a + 1, b - 1)
  else
    dead[#dead + 1] = key
  end
end
if #dead > 0 then existing(dead, false) end
local more = 0
if #read > 0 and #read == tonumber(ARGV[3]) then
  if ARGV[4] == '1' then
    more = #redis.call('ZREVRANGEBYLEX', KEYS[3], '(' .. read[#read], ARGV[1], 'LIMIT', 0, 1)
  else
    more = #redis.call('ZRANGEBYLEX', KEYS[3], '(' .. read[#read], ARGV[2], 'LIMIT', 0, 1)
  end
end
return { read[#read] or '', more, out }`);

/**
 * `fieldSync`: for each key `KEYS[5..]` with `ARGV` pairs (value, entries): when the key holds exactly
 * that value, its field entries become `entries`; when it is gone, every index entry of it is removed;
 * otherwise nothing changes (its writer keeps them). Answers how many keys got their entries written.
 *
 * @example
 * await evalScript(client, FIELD_SYNC, [...indexKeysOf('app:u#index'), 'app:u:1'], [stored, 'age\0bff0000000000000\0']);
 */
export const FIELD_SYNC = lua(`${checkIndexKeys('1')}${EXISTING}local written = 0
for i = 5, #KEYS do
  local value = redis.call('GET', KEYS[i])
  local j = (i - 5) * 2 + 1
  if not value then
    existing({ KEYS[i] }, false)
  elseif value == ARGV[j] then
    setfields(KEYS[3], KEYS[4], KEYS[i], ARGV[j + 1])
    written = written + 1
  end
end
return written`);

/**
 * The `ZRANGEBYLEX` bounds of one field's entries between `min` and `max` (see docs/find.md): members are
 * `field \0 value \0 key`, so an inclusive lower bound is `[field\0value\0`, an exclusive one
 * `(field\0value\0\xff`, an inclusive upper bound `(field\0value\0\xff` and an exclusive one
 * `(field\0value\0`; without a bound, the field's first (`[field\0`) or last (`(field\1`) member. @internal
 *
 * @example
 * fieldRangeBounds('age', { value: v, inclusive: true }, undefined); // [Buffer '[age\0v\0', Buffer '(age\x01']
 */
export function fieldRangeBounds(field: string, min: FieldBound | undefined, max: FieldBound | undefined): [Buffer, Buffer] {
  const FF = Buffer.from([0xff]);
  const lo =
    min === undefined
      ? Buffer.from(`[${field}\0`)
      : min.inclusive
        ? Buffer.from(`[${field}\0${min.value}\0`)
        : Buffer.concat([Buffer.from(`(${field}\0${min.value}\0`), FF]);
  const hi =
    max === undefined
      ? Buffer.from(`(${field}\x01`)
      : max.inclusive
        ? Buffer.concat([Buffer.from(`(${field}\0${max.value}\0`), FF])
        : Buffer.from(`(${field}\0${max.value}\0`);
  return [lo, hi];
}

/**
 * Pages of a field range ({@link FIELD_RANGE}), each resuming after the last member read: `run(script,
 * args)` runs a script with the index's four keys. With `checkKeys`, members whose key is gone are
 * dropped and removed by the script (pass it only when the members live where the script runs).
 *
 * @example
 * for await (const hits of fieldPages(run, 'age', undefined, undefined, { count: 1000, reverse: false, checkKeys: true })) console.log(hits);
 */
export async function* fieldPages(
  run: (script: LuaScript, args: LuaArg[]) => Promise<unknown>,
  field: string,
  min: FieldBound | undefined,
  max: FieldBound | undefined,
  { count, reverse, checkKeys }: { count: number; reverse: boolean; checkKeys: boolean },
): AsyncIterable<FieldHit[]> {
  let [lo, hi] = fieldRangeBounds(field, min, max);
  for (;;) {
    const [last, more, flat] = (await run(FIELD_RANGE, [lo, hi, String(count), reverse ? '1' : '0', checkKeys ? '1' : '0'])) as [string, number, string[]];
    if (flat.length > 0) {
      const hits: FieldHit[] = [];
      for (let i = 0; i < flat.length; i += 2) hits.push([flat[i]!, flat[i + 1]!]);
      yield hits;
    }
    if (more === 0) return;
    const after = Buffer.from(`(${last}`);
    if (reverse) hi = after;
    else lo = after;
  }
}
