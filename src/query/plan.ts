/**
 * The shape of a find plan: what {@link planFind} takes and returns (types only). The planner
 * (`planner.ts`) builds plans, `explain.ts` puts them in words; both read these types, neither imports
 * the other's module for them.
 */
import type { EntityMetadata } from '../entity/metadata.js';
import type { KeyCodec } from '../keys/index.js';
import type { KeyScalar } from '../keys/part.js';
import type { OrderDirection } from './compare.js';
import type { TaggedIndexSets } from './index-layout.js';
import type { FieldIndexKind } from '../entity/field-index.js';
import type { FieldBound } from '../store/store.js';

/**
 * One lexicographic range of a field index: encoded bounds (`undefined`: open).
 *
 * @example
 * const adults: FieldRange = { min: { value: encodedEighteen, inclusive: true }, max: undefined };
 */
export interface FieldRange {
  /** Lower bound. */
  readonly min: FieldBound | undefined;
  /** Upper bound. */
  readonly max: FieldBound | undefined;
}

/**
 * One indexed condition read from a field index: the field, its name in the index and its ranges.
 *
 * @example
 * const probe: FieldProbe = { field: 'status', tag: 'status', ranges: [eqRange] };
 */
export interface FieldProbe {
  /** The field's name on the entity. */
  readonly field: string;
  /** Its name inside the index (escaped). */
  readonly tag: string;
  /** The ranges whose union is the condition (one for equality and ranges, one per value for oneOf). */
  readonly ranges: readonly FieldRange[];
}

/**
 * What {@link planFind} needs.
 *
 * @example
 * const input: PlanInput = { metadata, keys, pattern: { tenantId: 'acme' }, batchSize: 500 };
 */
export interface PlanInput {
  /** Key fields in order, schema shape (field checks), find strategy. */
  metadata: EntityMetadata;
  /** The entity's key codec. */
  keys: KeyCodec;
  /** The runtime pattern (validated here). */
  pattern: Record<string, unknown>;
  /**
   * The entity's index set key, or its per-tag index sets (entities with a hash tag); required when
   * `metadata.find === 'index'`.
   */
  indexKey?: string | TaggedIndexSets;
  /** Largest `MGET` product; beyond it the plan falls back to SCAN/index. Default 1000. */
  maxMgetKeys?: number;
  /** `SCAN`/`ZSCAN` `COUNT` and fetch batch size. Default 1000. */
  batchSize?: number;
  /** The runtime `orderBy` option (validated here): `{ field: 'asc' | 'desc' }`. */
  orderBy?: unknown;
}

/**
 * How a plan orders its results (`find(pattern, { orderBy })`). The order itself is
 * `compareOrdered(direction)` over the field's value and the Redis key (compare.ts).
 *
 * @example
 * plan.order; // { field: 'age', direction: 'desc', keyField: false, inMemory: true }
 */
export interface PlanOrder {
  /** The field to sort on. */
  readonly field: string;
  /** `'asc'` or `'desc'`. */
  readonly direction: OrderDirection;
  /** Whether the field is a key field (its value is read from the decoded key, no fetch needed). */
  readonly keyField: boolean;
  /**
   * `true` when the plan's reads come in no useful order and the matches are sorted in memory
   * (at most `MAX_IN_MEMORY_ORDER` of them); `false` when the plan streams in this order already.
   */
  readonly inMemory: boolean;
}

/**
 * Re-checks every key condition on a decoded key (the glob is only a pre-filter).
 *
 * @example
 * const keep = plan.keyFilter?.(keys.decode(redisKey)!) ?? true;
 */
export type KeyFilter = (key: Readonly<Record<string, KeyScalar>>) => boolean;
/**
 * Checks the residual (non-key) conditions on a fetched entity.
 *
 * @example
 * const keep = plan.valueFilter?.(session) ?? true;
 */
export type ValueFilter = (entity: Readonly<Record<string, unknown>>) => boolean;

/**
 * Fields every plan has, whatever its kind.
 *
 * @example
 * if (!plan.keysOnly) console.log('values are filtered on:', plan.residual.join(', '));
 */
export interface PlanCommon {
  /** Entity name. */
  readonly entity: string;
  /** Batch size: `SCAN`/`ZSCAN` `COUNT` hint and keys per `MGET`. */
  readonly count: number;
  /** Re-checks all key conditions on a decoded key; `undefined` when exact (get/mget/empty) or none. */
  readonly keyFilter: KeyFilter | undefined;
  /** The residual on non-key fields; `undefined` when there is none. */
  readonly valueFilter: ValueFilter | undefined;
  /** Key conditions in words, e.g. `id starts with "a1"`. */
  readonly keyConditions: string[];
  /** Residual conditions in words, e.g. `email contains "@corp"`. */
  readonly residual: string[];
  /** Remarks, e.g. why an `MGET` became a scan. */
  readonly notes: string[];
  /** `true` when there is no `valueFilter` (keys/count/delete may skip fetching values). */
  readonly keysOnly: boolean;
  /** The requested order of the results; `undefined` when the find has no `orderBy`. */
  readonly order: PlanOrder | undefined;
  /** The plan without its functions (for logs and `JSON.stringify`). */
  toJSON(): QueryPlanJSON;
}

/**
 * A plan: how `find` runs. Plain data plus `keyFilter`/`valueFilter`.
 *
 * @example
 * const plan = planFind({ metadata, keys, pattern: { tenantId: 'acme', id: prefix('a1') } });
 * if (plan.kind === 'scan') console.log(plan.match); // 'cache:session:acme:a1*'
 */
export type QueryPlan =
  | (PlanCommon & {
      /** Nothing can match (e.g. `oneOf([])`): no command is sent. */
      readonly kind: 'empty';
      /** Why nothing can match. */
      readonly reason: string;
    })
  | (PlanCommon & {
      /** Every key field is a literal: one `GET`. */
      readonly kind: 'get';
      /** The one key to read. */
      readonly key: string;
    })
  | (PlanCommon & {
      /** Key fields are literals or `oneOf`: one `MGET` of every combination. */
      readonly kind: 'mget';
      /** The keys to read. */
      readonly keys: string[];
    })
  | (PlanCommon & {
      /** `SCAN MATCH` over the keyspace. */
      readonly kind: 'scan';
      /** The glob the keys must match. */
      readonly match: string;
    })
  | (PlanCommon & {
      /** A walk of the entity's index set (`find: 'index'`). */
      readonly kind: 'index';
      /** The index set to read. */
      readonly index: string;
      /** Glob the members must match; `undefined` when `prefix` (or nothing) says it all. */
      readonly match: string | undefined;
      /**
       * Literal start of the matching keys, read as one lexicographic range: beyond the entity's base when
       * the pattern fixes leading key parts, the base itself when the pattern has no key condition.
       */
      readonly prefix: string | undefined;
      /**
       * `true` when the entity keeps one index set per hash-tag value and the pattern does not fix the
       * tag: `index` is then the registry listing those sets, and each listed set is read in turn.
       */
      readonly perTag?: true;
    })
  | (PlanCommon &
      FieldProbe & {
        /** A walk of a field index (entities with field indexes): reads only the entries in `ranges`. */
        readonly kind: 'field';
        /** The index set whose field index is read (with `perTag`: the registry of every tag's set). */
        readonly index: string;
        /** As for `index` plans: read every tag's index set, listed in the registry `index`. */
        readonly perTag?: true;
        /** How the field's values are encoded (for the order check of a streamed `orderBy`). */
        readonly fieldKind: FieldIndexKind;
        /** Walk the ranges from the largest value down (`orderBy: { field: 'desc' }`). */
        readonly reverse: boolean;
        /** Other indexed equality/oneOf conditions: their keys are read first and the walk keeps only keys in all of them. */
        readonly intersect: readonly FieldProbe[];
        /** Why this index was chosen, for `explain()`. */
        readonly reason: string;
      });

/**
 * A plan as JSON: everything but the functions.
 *
 * @example
 * JSON.stringify(plan); // {"kind":"scan","match":"cache:session:acme:*",...}
 */
export type QueryPlanJSON = OmitEach<QueryPlan, 'keyFilter' | 'valueFilter' | 'toJSON'>;

/** `Omit` applied to each member of a union. @internal */
export type OmitEach<U, K extends PropertyKey> = U extends unknown ? Omit<U, K> : never;
