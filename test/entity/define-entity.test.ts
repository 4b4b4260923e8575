import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEntity, EntityDefinitionError, getEntityMetadata } from 'cacheorm';
import { parseTtl } from '../../src/entity/ttl.js';

describe('TTL', () => {
  it.each([
    [1500, 1500],
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['never', null],
  ] as const)('accepts %s', (ttl, ms) => {
    expect(parseTtl(ttl)).toEqual({ ms });
  });

  it.each([0, -1, 1.5, Number.NaN, Infinity, '', '5', '5 m', '1w', '1.5h', 'forever', '0s', null, {}])('rejects %s naming the accepted forms', (ttl) => {
    const r = parseTtl(ttl);
    expect('error' in r && r.error).toMatch(/'500ms', '30s', '5m', '1h' or '7d', or 'never'/);
  });
});

describe('defineEntity', () => {
  const schema = z.object({ tenantId: z.string(), id: z.uuid(), n: z.int(), email: z.email(), at: z.date() });

  it('builds metadata with key kinds and TTL', () => {
    const Session = defineEntity({ name: 'session', key: ['tenantId', 'id'], schema, ttl: '30m' });
    expect(Session.name).toBe('session');
    expect(Session.key).toEqual(['tenantId', 'id']);
    const meta = getEntityMetadata(Session);
    expect(meta.ttlMs).toBe(1_800_000);
    expect(meta.target).toBeUndefined();
    expect(meta.keyFields.map((f) => f.kind)).toEqual(['string', 'string']);
  });

  it('accepts enum, literal, bigint and boolean keys', () => {
    const E = defineEntity({
      name: 'e',
      key: ['a', 'b', 'c', 'd'],
      schema: z.object({ a: z.enum(['x', 'y']), b: z.literal(3), c: z.bigint(), d: z.boolean() }),
      ttl: 'never',
    });
    expect(getEntityMetadata(E).keyFields.map((f) => f.kind)).toEqual(['string', 'number', 'bigint', 'boolean']);
    expect(getEntityMetadata(E).ttlMs).toBeNull();
  });

  const cases: Array<[string, () => unknown, RegExp]> = [
    ['no TTL', () => defineEntity({ name: 'x', key: ['id'], schema, ttl: undefined as never }), /has no TTL.*ttl: 'never'/],
    ['bad TTL', () => defineEntity({ name: 'x', key: ['id'], schema, ttl: '2 weeks' as never }), /TTL "2 weeks" is not valid/],
    ['empty key', () => defineEntity({ name: 'x', key: [] as never, schema, ttl: '1h' }), /no key field/],
    ['unknown key', () => defineEntity({ name: 'x', key: ['nope'] as never, schema, ttl: '1h' }), /schema has no such field/],
    ['date key', () => defineEntity({ name: 'x', key: ['at'], schema, ttl: '1h' }), /has a date schema/],
    ['duplicate key', () => defineEntity({ name: 'x', key: ['id', 'id'], schema, ttl: '1h' }), /twice/],
    ['bad name', () => defineEntity({ name: 'a:b', key: ['id'], schema, ttl: '1h' }), /invalid name "a:b"/],
    ['empty name', () => defineEntity({ name: '', key: ['id'], schema, ttl: '1h' }), /invalid name ""/],
    ['bad version', () => defineEntity({ name: 'x', key: ['id'], schema, ttl: '1h', version: 0 }), /invalid version 0/],
    ['no schema', () => defineEntity({ name: 'x', key: ['id'], schema: {} as never, ttl: '1h' }), /needs schema: z.object/],
    ['mixed enum', () => defineEntity({ name: 'x', key: ['a'], schema: z.object({ a: z.literal(['a', 1]) }), ttl: '1h' }), /has a literal schema/],
  ];
  it.each(cases)('rejects %s with EntityDefinitionError', (_label, define, message) => {
    let error: unknown;
    try {
      define();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EntityDefinitionError);
    expect((error as Error).message).toMatch(message);
  });
});
