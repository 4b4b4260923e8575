/**
 * Entity declarations: misspelt options are refused naming the closest valid one; key schemas are
 * accepted by what their output is (rewriting ones included), refused when it cannot be a key.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CacheEntity, defineEntity, EntityDefinitionError, getEntityMetadata, Key } from 'cacheorm';
import { closestName } from '../../src/errors/suggest.js';

function definitionError(fn: () => unknown): EntityDefinitionError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EntityDefinitionError);
    expect((err as EntityDefinitionError).code).toBe('E_ENTITY_DEFINITION');
    return err as EntityDefinitionError;
  }
  throw new Error('expected an EntityDefinitionError');
}

const schema = z.object({ id: z.string(), name: z.string() });

describe('unknown entity options', () => {
  it('defineEntity refuses a misspelt option, naming the closest valid one', () => {
    const err = definitionError(() => defineEntity({ name: 'user', key: ['id'], schema, ttl: '1m', fnd: 'index' } as never));
    expect(err.message).toMatch(/defineEntity \(entity "user"\) has no option "fnd"\. Did you mean "find"\? Valid options: name, ttl, version, find, hashTag, grace, nearCache, key, schema, indexes\./);
    expect(err.entity).toBe('user');
    expect(definitionError(() => defineEntity({ name: 'user', keys: ['id'], key: ['id'], schema, ttl: '1m' } as never)).message).toMatch(/"keys"\. Did you mean "key"\?/);
    expect(definitionError(() => defineEntity({ name: 'user', key: ['id'], schema, ttl: '1m', colour: 1 } as never)).message).toMatch(/has no option "colour"\. Valid options:/);
  });

  it('@CacheEntity refuses a misspelt option, and does not take defineEntity-only options', () => {
    const decorate = (options: object) => () => {
      class User {
        @Key(z.string()) id!: string;
      }
      CacheEntity(options as never)(User);
    };
    expect(definitionError(decorate({ name: 'user', ttl: '1m', fnd: 'index' })).message).toMatch(/@CacheEntity on class User \(entity "user"\) has no option "fnd"\. Did you mean "find"\?/);
    expect(definitionError(decorate({ name: 'user', ttl: '1m', version: 1, hashtag: ['id'] })).message).toMatch(/"hashtag"\. Did you mean "hashTag"\?/);
    expect(definitionError(decorate({ name: 'user', ttl: '1m', key: ['id'] })).message).toMatch(/has no option "key"\./);
  });

  it('closestName picks the nearest candidate within a third of the length, case-insensitively', () => {
    expect(closestName('fnd', ['name', 'ttl', 'find'])).toBe('find');
    expect(closestName('prefx', ['prefix', 'redis'])).toBe('prefix');
    expect(closestName('TTL', ['name', 'ttl'])).toBe('ttl');
    expect(closestName('colour', ['name', 'ttl'])).toBeUndefined();
    expect(closestName('x', [])).toBeUndefined();
  });
});

describe('key schemas', () => {
  it('accepts schemas that rewrite their value, marking them, and leaves plain ones unmarked', () => {
    const Entity = defineEntity({
      name: 'mixed',
      key: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
      schema: z.object({
        a: z.string().trim().toLowerCase(),
        b: z.string().default('x'),
        c: z.coerce.number(),
        d: z.string().transform((s) => s.toUpperCase()),
        e: z.uuid(),
        f: z.int(),
        g: z.string().catch('none').readonly(),
      }),
      ttl: '1m',
    });
    expect(getEntityMetadata(Entity).keyFields.map((f) => `${f.name}:${f.kind}:${f.rewrites}`)).toEqual([
      'a:string:true',
      'b:string:true',
      'c:number:true',
      'd:string:true',
      'e:string:false',
      'f:number:false',
      'g:string:true',
    ]);
  });

  it('refuses a key schema whose output is not a scalar, saying why', () => {
    for (const [field, message] of [
      [z.iso.datetime().pipe(z.coerce.date()), /Key field "k" of entity "bad" has a pipe schema whose output is not a string, number, bigint or boolean/],
      [z.string().optional(), /has a optional schema whose output/],
      [z.transform((v: unknown) => String(v)), /has a transform schema whose output/],
    ] as const) {
      const err = definitionError(() => defineEntity({ name: 'bad', key: ['k'], schema: z.object({ k: field }), ttl: '1m' }));
      expect(err.message).toMatch(message);
    }
  });
});
