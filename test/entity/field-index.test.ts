import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CacheEntity, defineEntity, EntityDefinitionError, Field, getEntityMetadata, Key } from '../../src/index.js';
import { encodeIndexValue, type FieldIndexKind } from '../../src/entity/field-index.js';

/** Byte-wise (UTF-8) comparison: the order Redis' ZRANGEBYLEX uses. */
const bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function sortedBy(kind: FieldIndexKind, values: unknown[]): unknown[] {
  return [...values].sort((a, b) => bytes(encodeIndexValue(kind, a)!, encodeIndexValue(kind, b)!));
}

describe('field index declarations', () => {
  it('takes @Field(schema, { index: true }) and defineEntity({ indexes })', () => {
    @CacheEntity({ name: 'fi-user', ttl: '1h' })
    class User {
      @Key(z.string()) id!: string;
      @Field(z.email(), { index: true }) email!: string;
      @Field(z.int().optional(), { index: true }) age?: number;
      @Field(z.string()) note!: string;
    }
    const meta = getEntityMetadata(User);
    expect(meta.fieldIndexes).toEqual([
      { name: 'email', kind: 'string', required: true, distinct: undefined },
      { name: 'age', kind: 'number', required: false, distinct: undefined },
    ]);
    expect(meta.find).toBe('index');
    const Order = defineEntity({
      name: 'fi-order',
      key: ['id'],
      schema: z.object({ id: z.string(), status: z.enum(['new', 'paid']), total: z.bigint(), at: z.date().nullable(), vip: z.boolean() }),
      ttl: '1h',
      indexes: ['status', 'total', 'at', 'vip'],
    });
    expect(getEntityMetadata(Order).fieldIndexes.map((f) => f.kind)).toEqual(['string', 'bigint', 'date', 'boolean']);
    expect(getEntityMetadata(Order).fieldIndexes.map((f) => f.distinct)).toEqual([2, undefined, undefined, 2]);
  });

  it('refuses unindexable types, key fields, unknown fields, find: scan and unknown @Field options', () => {
    const schema = z.object({ id: z.string(), tags: z.array(z.string()), n: z.number() });
    expect(() => defineEntity({ name: 'fi-a', key: ['id'], schema, ttl: '1h', indexes: ['tags'] })).toThrow(
      /cannot be indexed\. Field indexes take string, number, bigint, boolean, enum and Date fields/,
    );
    expect(() => defineEntity({ name: 'fi-b', key: ['id'], schema, ttl: '1h', indexes: ['nope' as 'n'] })).toThrow(EntityDefinitionError);
    expect(() => defineEntity({ name: 'fi-c', key: ['id'], schema, ttl: '1h', indexes: ['id' as 'n'] })).toThrow(/key field/);
    expect(() => defineEntity({ name: 'fi-d', key: ['id'], schema, ttl: '1h', find: 'scan', indexes: ['n'] })).toThrow(/find: 'scan'/);
    expect(() => Field(z.string(), { indx: true } as never)).toThrow(/index/);
  });
});

describe('the order-preserving encoding', () => {
  it('orders numbers, dates, bigints, booleans and strings as their values', () => {
    const numbers = [Number.NEGATIVE_INFINITY, -1e300, -2.5, -1, -Number.MIN_VALUE, 0, Number.MIN_VALUE, 1, 1.5, 2, 1e300, Number.POSITIVE_INFINITY];
    expect(sortedBy('number', [...numbers].reverse())).toEqual(numbers);
    expect(encodeIndexValue('number', -0)).toBe(encodeIndexValue('number', 0));
    expect(bytes(encodeIndexValue('number', Number.NaN)!, encodeIndexValue('number', Number.POSITIVE_INFINITY)!)).toBe(1);
    const bigints = [-(2n ** 80n), -256n, -255n, -16n, -1n, 0n, 1n, 15n, 16n, 2n ** 70n];
    expect(sortedBy('bigint', [...bigints].reverse())).toEqual(bigints);
    expect(sortedBy('boolean', [true, false])).toEqual([false, true]);
    const strings = ['', '\0', '\0a', '\x01', '\x01\x01', 'a', 'a\0', 'a*', 'ab', 'b', '\uFFFD', '😀'];
    expect(sortedBy('string', [...strings].reverse())).toEqual(strings);
    for (const s of strings) expect(encodeIndexValue('string', s)).not.toMatch(/\0/);
    const dates = [new Date(-1e12), new Date(0), new Date(1e12)];
    expect(sortedBy('date', [...dates].reverse())).toEqual(dates);
  });

  it('does not index absent, null or other-kind values', () => {
    expect(encodeIndexValue('number', undefined)).toBeUndefined();
    expect(encodeIndexValue('string', null)).toBeUndefined();
    expect(encodeIndexValue('date', '2026-01-01')).toBeUndefined();
  });
});
