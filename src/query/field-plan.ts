/**
 * Choosing a field index for a find (docs/find.md, "Field indexes" and "The planner"): which indexed
 * condition drives the walk, which others intersect it, and whether an `orderBy` streams from its index.
 * Pure: costs are estimates from the condition's shape, not from Redis.
 * @internal
 */
import { compareStrings } from './compare.js';
import type { Cond } from './conditions.js';
import { encodeIndexValue, fieldTag, type FieldIndexMetadata } from '../entity/field-index.js';
import type { RangeValue } from './matchers.js';
import type { FieldProbe, FieldRange, PlanOrder } from './plan.js';

/**
 * The estimated entries a plan reads, in "members" (documented in docs/find.md): an equality reads about
 * {@link COST.eq} ({@link COST.all} ÷ the number of values for booleans and enums), a `oneOf` that many per value, a two-sided range {@link COST.bounded}, a one-sided one
 * {@link COST.open}, a key-prefix range of the key index {@link COST.keyRange}, a whole index {@link COST.all}.
 */
export const COST = { eq: 10, bounded: 1_000, keyRange: 2_000, open: 10_000, all: 100_000 } as const;

/** The most values of a `oneOf` read from a field index (beyond it the condition is re-checked on values only). */
const MAX_ONE_OF = 100;

/** What {@link chooseFieldIndex} decided. @internal */
export interface FieldChoice extends FieldProbe {
  readonly meta: FieldIndexMetadata;
  readonly intersect: readonly FieldProbe[];
  readonly reverse: boolean;
  /** Whether the walk comes in `order` (then nothing is sorted in memory). */
  readonly streamsOrder: boolean;
  readonly reason: string;
}

/** The estimated entries of one value: {@link COST.eq}, or the entity's share of it for a field of few values (booleans, enums). */
function perValue(meta: FieldIndexMetadata): number {
  return meta.distinct === undefined ? COST.eq : Math.round(COST.all / meta.distinct);
}

function eqRange(value: string): FieldRange {
  return { min: { value, inclusive: true }, max: { value, inclusive: true } };
}

type Candidate = FieldProbe & { meta: FieldIndexMetadata; cost: number; what: string; selective: boolean };

/** The index ranges of one condition on an indexed field, or `undefined` when the index cannot answer it. */
function probe(cond: Cond, meta: FieldIndexMetadata): Candidate | undefined {
  const enc = (v: unknown) => encodeIndexValue(meta.kind, v);
  const base = { field: meta.name, tag: fieldTag(meta.name), meta };
  switch (cond.kind) {
    case 'eq': {
      const value = enc(cond.value);
      const cost = perValue(meta);
      return value === undefined ? undefined : { ...base, ranges: [eqRange(value)], cost, what: 'equality', selective: cost < COST.bounded };
    }
    case 'in': {
      const values = cond.values.map(enc);
      if (values.length > MAX_ONE_OF || values.some((v) => v === undefined)) return undefined;
      const unique = [...new Set(values as string[])].sort(compareStrings);
      const cost = perValue(meta) * unique.length;
      return { ...base, ranges: unique.map(eqRange), cost, what: `oneOf of ${unique.length} values`, selective: cost < COST.bounded };
    }
    case 'range': {
      const { lower, upper } = cond.range;
      const bound = (b: { value: RangeValue; inclusive: boolean } | undefined) => {
        if (b === undefined) return undefined;
        const value = enc(b.value);
        return value === undefined ? null : { value, inclusive: b.inclusive };
      };
      const min = bound(lower);
      const max = bound(upper);
      if (min === null || max === null) return undefined;
      const both = min !== undefined && max !== undefined;
      return { ...base, ranges: [{ min, max }], cost: both ? COST.bounded : COST.open, what: both ? 'range' : 'one-sided range', selective: false };
    }
    default:
      return undefined;
  }
}

/**
 * Picks the field index that answers a find best, or `undefined` when the key plan (`keyCost`) is at
 * least as cheap or no condition can use an index. The cheapest indexed condition drives the walk;
 * the other equality/oneOf conditions on indexed fields intersect it; an `orderBy` on an indexed field
 * streams from its index when the driving condition is on that field, or when no equality/oneOf
 * condition is cheaper (a walk in order that stops at the limit beats sorting every match).
 *
 * @example
 * chooseFieldIndex(valueConds, metadata.fieldIndexes, order, COST.all, 'the whole key index');
 */
export function chooseFieldIndex(
  conds: readonly Cond[],
  indexes: readonly FieldIndexMetadata[],
  order: PlanOrder | undefined,
  keyCost: number,
  keyPlan: string,
): FieldChoice | undefined {
  if (indexes.length === 0) return undefined;
  const byName = new Map(indexes.map((f) => [f.name, f]));
  const candidates = conds.flatMap((c) => {
    const meta = byName.get(c.field);
    const p = meta && probe(c, meta);
    return p ? [p] : [];
  });
  candidates.sort((a, b) => a.cost - b.cost);
  const orderMeta = order && !order.keyField ? byName.get(order.field) : undefined;
  const onOrder = orderMeta && candidates.find((c) => c.field === orderMeta.name);
  let driver = candidates[0];
  let why: string;
  if (orderMeta && (onOrder !== undefined || orderMeta.required) && (driver === undefined || !driver.selective || driver === onOrder)) {
    driver = onOrder ?? { field: orderMeta.name, tag: fieldTag(orderMeta.name), meta: orderMeta, ranges: [{ min: undefined, max: undefined }], cost: COST.all, what: 'order', selective: false };
    why = `orderBy on indexed field "${orderMeta.name}": the walk comes in that order and stops at the limit, nothing is sorted in memory`;
  } else {
    if (driver === undefined || driver.cost >= keyCost) return undefined;
    why = `${driver.what} on indexed field "${driver.field}" (estimated ~${driver.cost} entries, fewer than ${keyPlan}'s ~${keyCost})`;
  }
  const intersect = candidates.filter((c) => c !== driver && c.selective && c.field !== driver!.field).map(({ field, tag, ranges }) => ({ field, tag, ranges }));
  const streamsOrder = orderMeta !== undefined && driver.field === orderMeta.name;
  return {
    field: driver.field,
    tag: driver.tag,
    meta: driver.meta,
    ranges: streamsOrder && order!.direction === 'desc' ? [...driver.ranges].reverse() : driver.ranges,
    intersect,
    reverse: streamsOrder && order!.direction === 'desc',
    streamsOrder,
    reason: intersect.length === 0 ? why : `${why}; intersected with ${intersect.map((p) => `"${p.field}"`).join(', ')}`,
  };
}
