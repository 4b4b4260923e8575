/**
 * Where a `find: 'index'` entity keeps its index sets, and keeping writes, removals and finds pointed at
 * the right one. @internal
 *
 * - Without a hash tag: one set for the whole entity, `<prefix>:<entity>[~vN]#index`.
 * - With a hash tag: one set **per tag value**, named with the same tag as the keys it lists, so a set
 *   lives in the same Redis Cluster slot as its keys and every index script stays atomic there:
 *   `app:session:{acme}:42` is listed in `app:session#index:{acme}`. Keys whose tag is empty (`{}`,
 *   which Redis does not treat as a hash tag, so they spread over slots) go to the untagged set
 *   `app:session#index`. A **registry** set, `app:session#tags`, lists every tag's index set, so a
 *   `find` that does not fix the tag can read them all. It is itself an index set (members: index set
 *   names, scored `+inf`). Every write lists its index set there (`WriteOp.registry`): in the same
 *   atomic step on standalone Redis and in memory, right after the write that created the set on Redis
 *   Cluster. Nothing is remembered per process, so a set that a concurrent delete emptied (Redis then
 *   deletes it, and a registry walk or `reindex()` may drop its entry) is listed again by the next write
 *   that creates it. A registry walk drops entries whose set no longer exists, as any index walk does.
 *
 * `#` never appears in a key part or a prefix, so none of these names can be an entity key.
 */
import type { KeyCodec } from '../keys/index.js';
import type { TaggedIndexSets } from '../query/index-layout.js';
import type { IndexOption, Store, WriteOp } from '../store/store.js';

/**
 * The names of an entity's index structures, from `base` (its `KeyCodec.base`, `<prefix>:<entity>[~vN]:`).
 * @internal
 *
 * @example
 * indexSetNames('app:session:'); // { untagged: 'app:session#index', registry: 'app:session#tags', start: 'app:session#' }
 */
export function indexSetNames(base: string): { untagged: string; registry: string; start: string } {
  const stem = base.slice(0, -1);
  return { untagged: `${stem}#index`, registry: `${stem}#tags`, start: `${stem}#` };
}

/**
 * The index sets of one entity in one cache. @internal
 *
 * @example
 * const sets = new IndexSets(true, new KeyCodec({ prefix: 'app', entity: 'session', fields, hashTag: ['tenantId'] }));
 * sets.indexOf('app:session:{acme}:42'); // 'app:session#index:{acme}'
 * sets.registry;                          // 'app:session#tags'
 */
export class IndexSets {
  /** The one index set of an entity without a hash tag (`undefined` for `find: 'scan'` and hash-tag entities). */
  readonly single: string | undefined;
  /** The registry listing every tag's index set (hash-tag `find: 'index'` entities only). */
  readonly registry: string | undefined;
  readonly #untagged: string;
  readonly #tagStart: number;

  constructor(
    enabled: boolean,
    private readonly keys: KeyCodec,
  ) {
    const names = indexSetNames(keys.base);
    this.#untagged = names.untagged;
    this.#tagStart = keys.base.length + 1; // just after `base{`
    const tagged = keys.hashTag.length > 0;
    this.single = enabled && !tagged ? this.#untagged : undefined;
    this.registry = enabled && tagged ? names.registry : undefined;
  }

  /** Whether the entity keeps index sets at all. */
  get enabled(): boolean {
    return this.single !== undefined || this.registry !== undefined;
  }

  /**
   * The index set listing `redisKey` (a key of this entity), or `undefined` for `find: 'scan'`.
   *
   * @example
   * sets.indexOf('app:session:{acme}:42'); // 'app:session#index:{acme}'
   */
  indexOf(redisKey: string): string | undefined {
    if (this.registry === undefined) return this.single;
    const end = redisKey.indexOf('}', this.#tagStart);
    return end <= this.#tagStart ? this.#untagged : `${this.#untagged}:{${redisKey.slice(this.#tagStart, end)}}`;
  }

  /** The `index` option of a store call on `redisKey`. */
  optionFor(redisKey: string): IndexOption {
    const index = this.indexOf(redisKey);
    return index === undefined ? {} : { index };
  }

  /** The index fields of a write of `redisKey`: its index set and, with a hash tag, the registry listing it. */
  writeOption(redisKey: string): Pick<WriteOp, 'index' | 'registry'> {
    const index = this.indexOf(redisKey);
    if (index === undefined) return {};
    return this.registry === undefined ? { index } : { index, registry: this.registry };
  }

  /** What the planner needs: the one index set, the tagged sets, or nothing (`find: 'scan'`). */
  planIndex(): string | TaggedIndexSets | undefined {
    if (this.registry === undefined) return this.single;
    const registry = this.registry;
    return {
      registry,
      // A glob's literal start fixes the index set when it holds the whole tag: `base{...}`.
      forLiteral: (literal) => (literal.indexOf('}', this.#tagStart) < 0 ? undefined : this.indexOf(literal)),
    };
  }

  /**
   * Unlinks `redisKeys`, each together with its index set (one store call per set, run together), and
   * answers how many existed.
   */
  async unlink(store: Store, redisKeys: readonly string[]): Promise<number> {
    if (this.registry === undefined) return store.unlink(redisKeys, this.single === undefined ? undefined : { index: this.single });
    const groups = new Map<string, string[]>();
    for (const key of redisKeys) {
      const index = this.indexOf(key)!;
      const group = groups.get(index);
      if (group) group.push(key);
      else groups.set(index, [key]);
    }
    const counts = await Promise.all([...groups].map(([index, keys]) => store.unlink(keys, { index })));
    return counts.reduce((sum, n) => sum + n, 0);
  }
}
