/** Compile-time behaviour of find patterns. `@ts-expect-error` lines must fail to compile. */
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineEntity } from '../../src/entity/define-entity.js';
import type { EntityOf } from '../../src/entity/types.js';
import {
  contains,
  oneOf,
  prefix,
  suffix,
  type Condition,
  type FindOptions,
  type OneOf,
  type Pattern,
  type StringMatcher,
} from '../../src/query/index.js';

const Session = defineEntity({
  name: 'session',
  key: ['tenantId', 'id'],
  schema: z.object({
    tenantId: z.string(),
    id: z.string(),
    n: z.number(),
    at: z.date(),
    tags: z.set(z.string()),
    note: z.string().optional(),
    attrs: z.map(z.string(), z.number()),
    big: z.bigint(),
    level: z.enum(['low', 'high']),
    meta: z.object({ text: z.string() }),
  }),
  ttl: '30m',
});
type S = EntityOf<typeof Session>;

/** Stands in for `repo.find`: the pattern parameter is what matters here. */
declare function find(pattern: Pattern<S>, options?: FindOptions): S[];

describe('Pattern<E>', () => {
  it('accepts literals and matchers of the right types', () => {
    find({});
    find({ tenantId: 'acme', id: 's1' });
    find({ tenantId: 'acme', id: prefix('a1'), note: suffix('x'), level: contains('ig') });
    find({ n: 1, at: new Date(), tags: new Set(['a']), attrs: new Map([['k', 1]]), big: 10n });
    find({ n: oneOf([1, 2]), at: oneOf([new Date(0)]), tenantId: oneOf(['a', 'b']), level: oneOf(['low']) });
    find({ note: 'x' });
    find({ note: undefined });
    find({ note: oneOf(['a', undefined]) });
    find({ meta: { text: 'x' } });
    const ids: string[] = ['a', 'b'];
    find({ id: oneOf(ids) }, { batchSize: 100, limit: 5 });
    const p: Pattern<S> = { tenantId: 'acme' };
    find(p);
  });

  it('results are typed as the entity', () => {
    expectTypeOf(find({ tenantId: 'acme' })).toEqualTypeOf<S[]>();
    expectTypeOf(prefix('a')).toEqualTypeOf<StringMatcher>();
    expectTypeOf(oneOf([1, 2])).toEqualTypeOf<OneOf<1 | 2>>();
  });

  it('rejects unknown fields', () => {
    // @ts-expect-error unknown field
    find({ nope: 1 });
    // @ts-expect-error unknown field next to a known one
    find({ tenantId: 'acme', tenant: 'acme' });
  });

  it('rejects literals of the wrong type', () => {
    // @ts-expect-error number for a string field
    find({ tenantId: 42 });
    // @ts-expect-error string for a number field
    find({ n: '1' });
    // @ts-expect-error string for a Date field
    find({ at: '2026-01-01' });
    // @ts-expect-error array for a Set field
    find({ tags: ['a'] });
    // @ts-expect-error number for a bigint field
    find({ big: 1 });
    // @ts-expect-error not one of the enum values
    find({ level: 'medium' });
  });

  it('rejects string matchers on non-string fields', () => {
    // @ts-expect-error prefix on a number field
    find({ n: prefix('1') });
    // @ts-expect-error prefix on a Date field
    find({ at: prefix('2026') });
    // @ts-expect-error contains on a Set field
    find({ tags: contains('a') });
    // @ts-expect-error suffix on a Map field
    find({ attrs: suffix('a') });
    // @ts-expect-error prefix on a bigint field
    find({ big: prefix('1') });
    // @ts-expect-error a matcher is not a literal of an object field that happens to have `text`
    find({ meta: prefix('x') });
  });

  it('rejects oneOf with the wrong element type', () => {
    // @ts-expect-error strings for a number field
    find({ n: oneOf(['a']) });
    // @ts-expect-error numbers for a string field
    find({ tenantId: oneOf([1, 2]) });
    // @ts-expect-error strings for a Date field
    find({ at: oneOf(['2026-01-01']) });
    // @ts-expect-error oneOf of matchers is not a condition
    find({ tenantId: oneOf([prefix('a')]) });
  });
});

describe('Condition<T>', () => {
  it('string matchers only for types that include strings', () => {
    expectTypeOf<StringMatcher>().toExtend<Condition<string>>();
    expectTypeOf<StringMatcher>().toExtend<Condition<string | undefined>>();
    expectTypeOf<StringMatcher>().toExtend<Condition<'a' | 'b'>>();
    expectTypeOf<StringMatcher>().not.toExtend<Condition<number>>();
    expectTypeOf<StringMatcher>().not.toExtend<Condition<Date>>();
    expectTypeOf<StringMatcher>().not.toExtend<Condition<Map<string, string>>>();
    expectTypeOf<StringMatcher>().not.toExtend<Condition<{ text: string }>>();
    expectTypeOf<OneOf<number>>().not.toExtend<Condition<Date>>();
    expectTypeOf<Date>().toExtend<Condition<Date>>();
  });
});
