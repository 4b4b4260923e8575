/**
 * Where a `find: 'index'` entity keeps its index sets, as the planner and `reindex()` see it: one set, or
 * one set per hash-tag value listed in a registry (see `repository/index-sets.ts` and docs/cluster.md).
 */

/**
 * The index sets of a `find: 'index'` entity with a hash tag: one per tag value, listed in a registry.
 *
 * @example
 * const sets: TaggedIndexSets = {
 *   registry: 'app:session#tags',
 *   forLiteral: (literal) => (literal.includes('}') ? `app:session#index:{${literal.slice(13, literal.indexOf('}'))}}` : undefined),
 * };
 */
export interface TaggedIndexSets {
  /** The index set whose members are the names of every tag's index set. */
  readonly registry: string;
  /**
   * The one index set holding every key that starts with `literal` (a glob's literal start), when it
   * fixes the whole hash tag; `undefined` when matching keys may have several tags.
   */
  forLiteral(literal: string): string | undefined;
}

/**
 * Which index sets an entity keeps (see `repository/index-sets.ts`), for `reindex()`. @internal
 *
 * @example
 * const layout: IndexLayout = { single: 'app:session#index', registry: undefined, indexOf: () => 'app:session#index' };
 */
export interface IndexLayout {
  /** The one index set of an entity without a hash tag. */
  readonly single: string | undefined;
  /** With a hash tag: the registry set listing every tag's index set. */
  readonly registry: string | undefined;
  /** The index set listing `redisKey`, or `undefined` for `find: 'scan'`. */
  indexOf(redisKey: string): string | undefined;
}

