/**
 * `orderBy` of `find`: validating it into a {@link PlanOrder}, and the in-memory sort for fields that no
 * index keeps in order, with its cap ({@link MAX_IN_MEMORY_ORDER}). The order itself is
 * `compareOrdered` (compare.ts).
 */
import type { EntityMetadata } from '../entity/metadata.js';
import { InvalidQueryError } from '../errors/index.js';
import { compareOrdered, type Ordered } from './compare.js';
import { isMatcher } from './matchers.js';
import { mayHold, type HeldType } from './pattern.js';
import type { PlanOrder } from './plan.js';

/**
 * The most matches a `find` with `orderBy` on a field without an index sorts in memory. A find with more
 * throws `InvalidQueryError` telling to index the field (`@Field(schema, { index: true })` or
 * `defineEntity({ indexes })`) or to narrow the pattern. The limit bounds memory (every match is held
 * until the sort) and makes the cost of an unindexed order visible early rather than in production.
 *
 * @example
 * if (expected > MAX_IN_MEMORY_ORDER) console.warn('index the field you order by');
 */
export const MAX_IN_MEMORY_ORDER = 10_000;

const SORTABLE: readonly HeldType[] = ['string', 'number', 'bigint', 'boolean', 'date'];

/**
 * Validates the runtime `orderBy` option of a find: one own field of the entity, `'asc'` or `'desc'`,
 * a field whose values can be sorted (strings, numbers, bigints, booleans, Dates). Answers `undefined`
 * for no `orderBy`; the order is in memory (`inMemory: true`) until a planner finds an index that
 * streams it. Throws {@link InvalidQueryError} naming what to pass. @internal
 *
 * @example
 * planOrder({ age: 'desc' }, metadata); // { field: 'age', direction: 'desc', keyField: false, inMemory: true }
 */
export function planOrder(orderBy: unknown, metadata: EntityMetadata): PlanOrder | undefined {
  if (orderBy === undefined) return undefined;
  const entity = metadata.name;
  const shape = metadata.schema.shape as Record<string, unknown>;
  const usage = `Pass one field and a direction, e.g. { orderBy: { ${Object.keys(shape)[0] ?? 'field'}: 'desc' } }.`;
  if (typeof orderBy !== 'object' || orderBy === null || Array.isArray(orderBy) || isMatcher(orderBy)) {
    throw new InvalidQueryError(`find() on entity "${entity}" got orderBy ${orderBy === null ? 'null' : Array.isArray(orderBy) ? 'an array' : typeof orderBy}. ${usage}`, { entity });
  }
  const fields = Object.keys(orderBy);
  if (fields.length !== 1) {
    throw new InvalidQueryError(
      fields.length === 0
        ? `find() on entity "${entity}" got an orderBy with no field. ${usage}`
        : `find() on entity "${entity}" got an orderBy on ${fields.length} fields (${fields.join(', ')}); it sorts on one field, ties are ordered by key. ${usage}`,
      { entity },
    );
  }
  const field = fields[0]!;
  if (!Object.prototype.hasOwnProperty.call(shape, field)) {
    throw new InvalidQueryError(
      `find() on entity "${entity}" orders by "${field}", which the entity does not have. Valid fields: ${Object.keys(shape).join(', ')}.`,
      { entity, field },
    );
  }
  const direction: unknown = (orderBy as Record<string, unknown>)[field];
  if (direction !== 'asc' && direction !== 'desc') {
    throw new InvalidQueryError(
      `find() on entity "${entity}" orders by "${field}" with direction ${typeof direction === 'string' ? JSON.stringify(direction) : String(direction)}. Pass 'asc' or 'desc'.`,
      { entity, field },
    );
  }
  const keyField = metadata.keyFields.some((f) => f.name === field);
  if (!keyField && !SORTABLE.some((type) => mayHold(shape[field], type))) {
    throw new InvalidQueryError(
      `find() on entity "${entity}" orders by "${field}", whose values have no order (sets, maps, arrays and objects do not sort). ` +
        `Order by a string, number, bigint, boolean or Date field.`,
      { entity, field },
    );
  }
  return { field, direction, keyField, inMemory: true };
}

/** One match waiting for the in-memory sort: its order value, its Redis key and what the stream yields. @internal */
export interface OrderedItem<T> extends Ordered {
  readonly item: T;
}

/**
 * Collects a stream of matches and sorts it by `order` (`compareOrdered`), answering at most `limit`
 * items. Throws {@link InvalidQueryError} as soon as the stream holds more than
 * {@link MAX_IN_MEMORY_ORDER} matches. @internal
 *
 * @example
 * const firstTwenty = await sortInMemory(matches, plan.order, 'user', 20);
 */
export async function sortInMemory<T>(items: AsyncIterable<OrderedItem<T>>, order: PlanOrder, entity: string, limit: number): Promise<T[]> {
  const all: OrderedItem<T>[] = [];
  for await (const item of items) {
    if (all.length === MAX_IN_MEMORY_ORDER) throw orderCapError(entity, order);
    all.push(item);
  }
  all.sort(compareOrdered(order.direction));
  return (all.length > limit ? all.slice(0, limit) : all).map((o) => o.item);
}

function orderCapError(entity: string, order: PlanOrder): InvalidQueryError {
  const { field } = order;
  const fix = order.keyField
    ? `Key fields are not kept in value order: narrow the pattern (fix the leading key fields, add conditions), or keep a copy of "${field}" in an indexed field and order by that.`
    : `Index the field to stream it in order without holding the matches: @Field(schema, { index: true }) on "${field}", or defineEntity({ ..., indexes: ['${field}'] }); or narrow the pattern.`;
  return new InvalidQueryError(
    `find() on entity "${entity}" orders by "${field}" in memory (no index keeps it in order) and matches more than ${MAX_IN_MEMORY_ORDER} entities (MAX_IN_MEMORY_ORDER). ${fix}`,
    { entity, field },
  );
}
