/**
 * Index sets on Redis Cluster, where a Lua script may only touch keys of one slot.
 *
 * - An index set and its lexicographic companion must share a slot (`INDEX_RANGE` reads both). With a
 *   hash tag in the index name, `<index>:lex` carries the same tag (as on standalone Redis); an index
 *   without braces gets `<index>:lex{<index>}`, whose tag is the index name itself, so it hashes exactly
 *   like the index (Redis hashes a key without a tag whole).
 * - An operation whose key shares the index set's slot (hash-tagged entities: one index set per tag)
 *   runs the same atomic script as on standalone Redis. Otherwise it is **split**: the index sets are
 *   type-checked first (a `WRONGTYPE` refuses the call before anything is written), then the key is
 *   written or removed, then its index entry updated with {@link INDEX_APPLY}. Not atomic: a failure in
 *   between leaves a key without its index entry (until `reindex()`) or an index entry without its key
 *   (which `find` skips).
 * @internal
 */
import { StoreError } from '../../../errors/index.js';
import type { LuaScript } from '../lua/lua.js';
import { lua } from '../lua/lua.js';
import { FIELD_FUNCTIONS, fieldsArg } from '../lua/index-scripts.js';
import { hashTagOf } from './slots.js';
import type { WriteOp } from '../../store.js';
import { WRONGTYPE_REPLY } from '../../commands.js';

/**
 * The lexicographic companion of the index set `index` on a cluster (see the module notes).
 *
 * @throws StoreError for an index name with braces but no hash tag (e.g. `a{}b`), which no companion
 *   name can share a slot with.
 *
 * @example
 * clusterLexKeyOf('app:session#index:{acme}'); // 'app:session#index:{acme}:lex'
 * clusterLexKeyOf('app:session#index');        // 'app:session#index:lex{app:session#index}'
 */
export function clusterLexKeyOf(index: string): string {
  if (hashTagOf(index) !== undefined) return `${index}:lex`;
  if (!/[{}]/.test(index)) return `${index}:lex{${index}}`;
  throw new StoreError(
    `The index set name ${JSON.stringify(index)} holds braces but no hash tag, so on Redis Cluster its companion set cannot share its slot. ` +
      'Name index sets with a complete hash tag ({...} with text inside) or without braces.',
    'ERR invalid index set name',
    { command: 'ZADD' },
  );
}


/**
 * The four keys of an index on a cluster, in the order every index script takes them (expiry set,
 * lexicographic set, field set, field entries hash), all in the index's slot (see
 * {@link clusterLexKeyOf}).
 *
 * @example
 * clusterIndexKeysOf('app:u#index'); // ['app:u#index', 'app:u#index:lex{app:u#index}', 'app:u#index:fields{app:u#index}', 'app:u#index:fvals{app:u#index}']
 */
export function clusterIndexKeysOf(index: string): string[] {
  const lex = clusterLexKeyOf(index);
  const tagged = hashTagOf(index) !== undefined;
  const companion = (suffix: string) => (tagged ? `${index}:${suffix}` : `${index}:${suffix}{${index}}`);
  return [index, lex, companion('fields'), companion('fvals')];
}

/**
 * Updates the index `KEYS[1..4]` ({@link clusterIndexKeysOf}) for members written or removed elsewhere.
 * ARGV: quads `op, member, ms, fields`: `set` scores the member now + `ms` (`+inf` when `ms` is `''`),
 * `keep` does the same only when the member is absent (`ZADD NX`, like `KEEPTTL`), `del` removes it with
 * its field entries, `fld` only sets its field entries; `fields` (`''`: leave them, else `'+'` and the
 * entries) replaces the member's field entries for `set`, `keep` and `fld`. Checks every key's type first
 * (`WRONGTYPE` before any change); with no ARGV it only checks. Answers 1.
 *
 * @example
 * await evalScript(cluster, INDEX_APPLY, clusterIndexKeysOf('app:s#index'), ['set', 'app:s:1', '60000', '']);
 */
export const INDEX_APPLY: LuaScript = lua(`${FIELD_FUNCTIONS}local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for k = 1, 3 do
  local kind = redis.call('TYPE', KEYS[k]).ok
  if kind ~= 'zset' and kind ~= 'none' then return redis.error_reply('${WRONGTYPE_REPLY}') end
end
local kind = redis.call('TYPE', KEYS[4]).ok
if kind ~= 'hash' and kind ~= 'none' then return redis.error_reply('${WRONGTYPE_REPLY}') end
for i = 1, #ARGV, 4 do
  local op, member, ms, fields = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  if fields ~= '' and op ~= 'del' then setfields(KEYS[3], KEYS[4], member, string.sub(fields, 2)) end
  if op == 'del' then
    redis.call('ZREM', KEYS[1], member)
    redis.call('ZREM', KEYS[2], member)
    unfield(KEYS[3], KEYS[4], member)
  elseif op == 'fld' then
    -- field entries only (set above)
  else
    local score = '+inf'
    if ms ~= '' then score = now + tonumber(ms) end
    if op == 'keep' then
      redis.call('ZADD', KEYS[1], 'NX', score, member)
    else
      redis.call('ZADD', KEYS[1], score, member)
    end
    redis.call('ZADD', KEYS[2], 0, member)
  end
end
return 1`);

/**
 * One index change of a split operation: an {@link INDEX_APPLY} triple.
 *
 * @example
 * const change: IndexChange = ['set', 'app:s:1', '60000', ''];
 */
export type IndexChange = [op: 'set' | 'keep' | 'del' | 'fld', member: string, ms: string, fields: string];

/**
 * The `KEYS` and `ARGV` of one standalone `WRITE` script call (see `lua/index-scripts.ts`) for ops of one slot,
 * keeping the index only for the ops in `colocated` (the others are written as plain `SET`s; their index
 * is updated separately). An op with a registry (in another slot) asks the script to answer 2 when it
 * created its index set, so the caller lists the set in the registry.
 *
 * @example
 * writeCallIn(ops, new Set([0])); // { keys: [k0, index, lex, fields, fvals, k1], args: [...] }
 */
export function writeCallIn(ops: readonly WriteOp[], colocated: ReadonlySet<number>): { keys: string[]; args: string[] } {
  const keys: string[] = [];
  const args: string[] = [];
  ops.forEach(({ key, value, ttl, mode, index, registry, fields }, i) => {
    keys.push(key);
    const indexed = index !== undefined && colocated.has(i);
    if (indexed) keys.push(...clusterIndexKeysOf(index));
    args.push(value, ttl === null ? '' : String(ttl), mode ?? '', indexed ? (registry === undefined ? '1' : '3') : '0', indexed ? fieldsArg(index, fields) : '');
  });
  return { keys, args };
}

/**
 * The {@link INDEX_APPLY} change for a write that applied (`pttl`: the key's remaining TTL read after a
 * `KEEPTTL` write, `-1` for none, `-2` when it vanished meanwhile).
 *
 * @example
 * writeChange({ key: 'k', value: 'v', ttl: 5000, index: 'i' }); // ['set', 'k', '5000', '']
 */
export function writeChange(op: WriteOp, pttl?: number): IndexChange | undefined {
  const fields = fieldsArg(op.index, op.fields);
  if (op.ttl === 'keep') {
    if (pttl === undefined || pttl === -2) return undefined;
    return ['keep', op.key, pttl === -1 ? '' : String(pttl), fields];
  }
  return ['set', op.key, op.ttl === null ? '' : String(op.ttl), fields];
}

/**
 * `indexSync` for keys outside the index set's slot: reads each key's `PTTL` where it lives, sets or
 * removes its entry with `apply` (one {@link INDEX_APPLY} per chunk), then looks again at the keys it
 * found missing and puts back the entries of those that exist now. (Not atomic: a key may be written, and
 * indexed, between the first look and the removal; a write after the second look indexes itself.)
 * Answers how many keys existed at the first look.
 *
 * @example
 * const existing = await syncRemote(keys, (key) => cluster.pttl(key), (changes) => applyIndex(index, changes));
 */
export async function syncRemote(
  keys: readonly string[],
  pttl: (key: string) => Promise<number>,
  apply: (changes: IndexChange[]) => Promise<void>,
): Promise<number> {
  const change = (key: string, ttl: number): IndexChange => (ttl === -2 ? ['del', key, '', ''] : ['set', key, ttl === -1 ? '' : String(ttl), '']);
  const ttls = await Promise.all(keys.map(pttl));
  await apply(keys.map((key, i) => change(key, ttls[i]!)));
  const dropped = keys.filter((_, i) => ttls[i] === -2);
  if (dropped.length > 0) {
    const again = await Promise.all(dropped.map(pttl));
    const back = dropped.flatMap((key, i) => (again[i] === -2 ? [] : [change(key, again[i]!)]));
    if (back.length > 0) await apply(back);
  }
  return ttls.filter((ttl) => ttl !== -2).length;
}

/**
 * The batches of `pages` keeping only members whose key (`keyOf`) exists (`exists` answers `EXISTS` per
 * key), handing the keys of the others to `drop` (the index's `indexSync`, which removes those still
 * gone): how an index or field-index walk checks members that live in other slots than their index set,
 * where its scripts cannot.
 *
 * @example
 * yield* existingMembers(pages, (key) => key, (keys) => Promise.all(keys.map((k) => cluster.exists(k))), (gone) => store.indexSync(index, gone));
 */
export async function* existingMembers<T>(
  pages: AsyncIterable<T[]>,
  keyOf: (member: T) => string,
  exists: (keys: readonly string[]) => Promise<number[]>,
  drop: (gone: string[]) => Promise<unknown>,
): AsyncIterable<T[]> {
  for await (const members of pages) {
    const alive = await exists(members.map(keyOf));
    const gone = members.filter((_, i) => alive[i] === 0).map(keyOf);
    if (gone.length > 0) await drop(gone);
    const live = gone.length === 0 ? members : members.filter((_, i) => alive[i] !== 0);
    if (live.length > 0) yield live;
  }
}
