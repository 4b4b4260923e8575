/** Compile-time behaviour of range matchers and orderBy. `@ts-expect-error` lines must fail to compile. */
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineEntity } from '../../src/entity/define-entity.js';
import type { EntityOf } from '../../src/entity/types.js';
import {
  between,
  gt,
  gte,
  lt,
  lte,
  oneOf,
  prefix,
  type Condition,
  type FindOptions,
  type OrderableField,
  type OrderBy,
  type Pattern,
  type Range,
  type RangeOf,
} from '../../src/query/index.js';
import type { Repository } from '../../src/repository/index.js';

const User = defineEntity({
  name: 'user',
  key: ['tenantId', 'seq'],
  schema: z.object({
    tenantId: z.string(),
    seq: z.int(),
    age: z.int().optional(),
    score: z.number().nullable(),
    total: z.bigint(),
    at: z.date(),
    name: z.string(),
    active: z.boolean(),
    level: z.enum(['low', 'high']),
    rank: z.union([z.literal(1), z.literal(2)]),
    tags: z.set(z.string()),
    meta: z.object({ lower: z.number() }),
  }),
  ttl: '30m',
});
type U = EntityOf<typeof User>;

declare function find(pattern: Pattern<U>, options?: FindOptions<U>): U[];
declare const users: Repository<U, 'tenantId' | 'seq'>;

describe('range matchers', () => {
  it('are typed by their bounds', () => {
    expectTypeOf(gt(1)).toEqualTypeOf<Range<number>>();
    expectTypeOf(gte(1n)).toEqualTypeOf<Range<bigint>>();
    expectTypeOf(lt(new Date())).toEqualTypeOf<Range<Date>>();
    expectTypeOf(lte(2)).toEqualTypeOf<Range<number>>();
    expectTypeOf(between(1, 2)).toEqualTypeOf<Range<number>>();
    expectTypeOf(between(new Date(0), new Date(1))).toEqualTypeOf<Range<Date>>();
  });

  it('apply to number, bigint and Date fields (optional, nullable and literal unions included), key fields too', () => {
    find({ age: gt(17), score: between(0, 1), total: lte(10n), at: gte(new Date(0)), rank: lt(2), seq: between(1, 9) });
    expectTypeOf<RangeOf<number | undefined>>().toEqualTypeOf<Range<number>>();
    expectTypeOf<RangeOf<Date | null>>().toEqualTypeOf<Range<Date>>();
    expectTypeOf<RangeOf<string>>().toBeNever();
    expectTypeOf<Range<number>>().toExtend<Condition<1 | 2>>();
  });

  it('do not compile on strings, booleans, enums, sets or objects, nor with bounds of another type', () => {
    // @ts-expect-error a range on a string field
    find({ name: gt(1) });
    // @ts-expect-error a range on a string key field
    find({ tenantId: between(1, 2) });
    // @ts-expect-error a range on a boolean field
    find({ active: gte(0) });
    // @ts-expect-error a range on a string enum
    find({ level: lt(1) });
    // @ts-expect-error a range on a Set field
    find({ tags: gt(0) });
    // @ts-expect-error a range is not a literal of an object field with a look-alike shape
    find({ meta: gt(0) });
    // @ts-expect-error a bigint range on a number field
    find({ age: gt(1n) });
    // @ts-expect-error a number range on a bigint field
    find({ total: gt(1) });
    // @ts-expect-error a number range on a Date field
    find({ at: gt(Date.now()) });
    // @ts-expect-error a Date range on a number field
    find({ age: gt(new Date()) });
    expectTypeOf<Range<number>>().not.toExtend<Condition<string>>();
    expectTypeOf<Range<number>>().not.toExtend<Condition<boolean>>();
    expectTypeOf<Range<bigint>>().not.toExtend<Condition<number>>();
  });

  it('take bounds of one supported type', () => {
    // @ts-expect-error a string bound
    gt('1');
    // @ts-expect-error mixed bounds
    between(1, 2n);
    // @ts-expect-error mixed bounds
    between(new Date(), 2);
    // @ts-expect-error a boolean bound
    lte(true);
    // @ts-expect-error a range inside oneOf
    find({ age: oneOf([gt(1)]) });
    // @ts-expect-error a string matcher on a number field, still
    find({ age: prefix('1') });
  });
});

describe('orderBy and limit', () => {
  it('take one sortable field and a direction', () => {
    find({}, { orderBy: { age: 'desc' }, limit: 20 });
    find({ tenantId: 'acme' }, { orderBy: { at: 'asc' } });
    find({}, { orderBy: { seq: 'asc' } });
    find({}, { orderBy: { name: 'asc' } });
    find({}, { orderBy: { active: 'desc' } });
    find({}, { orderBy: { total: 'desc' } });
    find({}, { orderBy: { score: 'desc' } });
    find({}, { orderBy: { level: 'asc' } });
    users.find({ age: gte(18) }, { orderBy: { age: 'desc' }, limit: 20 });
    expectTypeOf<OrderableField<U>>().toEqualTypeOf<'tenantId' | 'seq' | 'age' | 'score' | 'total' | 'at' | 'name' | 'active' | 'level' | 'rank'>();
    expectTypeOf<{ age: 'asc' }>().toExtend<OrderBy<U>>();
  });

  it('reject unknown or unsortable fields, bad directions and several fields', () => {
    // @ts-expect-error unknown field
    find({}, { orderBy: { nope: 'asc' } });
    // @ts-expect-error a Set has no order
    find({}, { orderBy: { tags: 'asc' } });
    // @ts-expect-error an object has no order
    find({}, { orderBy: { meta: 'asc' } });
    // @ts-expect-error not a direction
    find({}, { orderBy: { age: 'up' } });
    // @ts-expect-error one field only
    find({}, { orderBy: { age: 'asc', at: 'desc' } });
    // @ts-expect-error a field name alone is not an orderBy
    find({}, { orderBy: 'age' });
    // @ts-expect-error the repository checks the same
    users.find({}, { orderBy: { tags: 'desc' } });
  });
});
