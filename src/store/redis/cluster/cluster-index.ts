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
 * Updates the index set `KEYS[1]` and its companion `KEYS[2]` for members written or removed elsewhere.
 * ARGV: triples `op, member, ms`: `set` scores the member now + `ms` (`+inf` when `ms` is `''`), `keep`
 * does the same only when the member is absent (`ZADD NX`, like `KEEPTTL`), `del` removes it. Checks
 * both sets' types first (`WRONGTYPE` before any change); with no ARGV it only checks. Answers 1.
 *
 * @example
 * await evalScript(cluster, INDEX_APPLY, ['app:s#index', 'app:s#index:lex{app:s#index}'], ['set', 'app:s:1', '60000']);
 */
export const INDEX_APPLY: LuaScript = lua(`local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for k = 1, 2 do
  local kind = redis.call('TYPE', KEYS[k]).ok
  if kind ~= 'zset' and kind ~= 'none' then return redis.error_reply('${WRONGTYPE_REPLY}') end
end
for i = 1, #ARGV, 3 do
  local op, member, ms = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if op == 'del' then
    redis.call('ZREM', KEYS[1], member)
    redis.call('ZREM', KEYS[2], member)
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
 * const change: IndexChange = ['set', 'app:s:1', '60000'];
 */
export type IndexChange = [op: 'set' | 'keep' | 'del', member: string, ms: string];

/**
 * The `KEYS` and `ARGV` of one standalone `WRITE` script call (see `lua/index-scripts.ts`) for ops of one slot,
 * keeping the index only for the ops in `colocated` (the others are written as plain `SET`s; their index
 * is updated separately). An op with a registry (in another slot) asks the script to answer 2 when it
 * created its index set, so the caller lists the set in the registry.
 *
 * @example
 * writeCallIn(ops, new Set([0])); // { keys: [k0, index, lex, k1], args: [...] }
 */
export function writeCallIn(ops: readonly WriteOp[], colocated: ReadonlySet<number>): { keys: string[]; args: string[] } {
  const keys: string[] = [];
  const args: string[] = [];
  ops.forEach(({ key, value, ttl, mode, index, registry }, i) => {
    keys.push(key);
    const indexed = index !== undefined && colocated.has(i);
    if (indexed) keys.push(index, clusterLexKeyOf(index));
    args.push(value, ttl === null ? '' : String(ttl), mode ?? '', indexed ? (registry === undefined ? '1' : '3') : '0');
  });
  return { keys, args };
}

/**
 * The {@link INDEX_APPLY} change for a write that applied (`pttl`: the key's remaining TTL read after a
 * `KEEPTTL` write, `-1` for none, `-2` when it vanished meanwhile).
 *
 * @example
 * writeChange({ key: 'k', value: 'v', ttl: 5000, index: 'i' }); // ['set', 'k', '5000']
 */
export function writeChange(op: WriteOp, pttl?: number): IndexChange | undefined {
  if (op.ttl === 'keep') {
    if (pttl === undefined || pttl === -2) return undefined;
    return ['keep', op.key, pttl === -1 ? '' : String(pttl)];
  }
  return ['set', op.key, op.ttl === null ? '' : String(op.ttl)];
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
  const change = (key: string, ttl: number): IndexChange => (ttl === -2 ? ['del', key, ''] : ['set', key, ttl === -1 ? '' : String(ttl)]);
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
 * The batches of `pages` keeping only members whose key exists (`exists` answers `EXISTS` per member),
 * handing the others to `drop` (the index's `indexSync`, which removes those still gone): how an index
 * walk checks members that live in other slots than their index set, where its scripts cannot.
 *
 * @example
 * yield* existingMembers(pages, (keys) => Promise.all(keys.map((k) => cluster.exists(k))), (gone) => store.indexSync(index, gone));
 */
export async function* existingMembers(
  pages: AsyncIterable<string[]>,
  exists: (members: readonly string[]) => Promise<number[]>,
  drop: (gone: string[]) => Promise<unknown>,
): AsyncIterable<string[]> {
  for await (const members of pages) {
    const alive = await exists(members);
    const gone = members.filter((_, i) => alive[i] === 0);
    if (gone.length > 0) await drop(gone);
    const live = gone.length === 0 ? members : members.filter((_, i) => alive[i] !== 0);
    if (live.length > 0) yield live;
  }
}
