/** Hash tags in keys: layout, round trips, injectivity, and the rules of the entity option. */
import 'reflect-metadata';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CacheEntity, defineEntity, EntityDefinitionError, getEntityMetadata, Key } from 'cacheorm';
import { KeyCodec } from '../../src/keys/index.js';
import { hashTagOf, keySlot } from '../../src/store/redis/cluster/slots.js';

const codec = (fields: string[], hashTag?: string[], version?: number) =>
  new KeyCodec({
    prefix: 'app',
    entity: 'session',
    ...(version === undefined ? {} : { version }),
    fields: fields.map((name) => ({ name, kind: 'string' as const })),
    ...(hashTag === undefined ? {} : { hashTag }),
  });

describe('KeyCodec with a hash tag', () => {
  it('writes the leading tagged parts inside one pair of braces', () => {
    expect(codec(['tenantId', 'id'], ['tenantId']).encode({ tenantId: 'acme', id: '42' })).toBe('app:session:{acme}:42');
    expect(codec(['tenantId', 'region', 'id'], ['tenantId', 'region']).encode({ tenantId: 'acme', region: 'eu', id: '42' })).toBe('app:session:{acme:eu}:42');
    expect(codec(['tenantId', 'id'], ['tenantId', 'id']).encode({ tenantId: 'acme', id: '42' })).toBe('app:session:{acme:42}');
    expect(codec(['tenantId', 'id'], ['tenantId'], 2).encode({ tenantId: 'acme', id: '42' })).toBe('app:session~v2:{acme}:42');
    expect(codec(['tenantId', 'id'], ['tenantId']).encode({ tenantId: '{x}', id: 'a:b' })).toBe('app:session:{%7Bx%7D}:a%3Ab');
  });

  it('keeps base, decodes its own keys and rejects the untagged layout', () => {
    const tagged = codec(['tenantId', 'id'], ['tenantId']);
    expect(tagged.base).toBe('app:session:');
    expect(tagged.hashTag).toEqual(['tenantId']);
    expect(tagged.decode('app:session:{acme}:42')).toEqual({ tenantId: 'acme', id: '42' });
    expect(tagged.decode('app:session:{}:42')).toEqual({ tenantId: '', id: '42' });
    expect(tagged.decode('app:session:acme:42')).toBeUndefined();
    expect(tagged.decode('app:session:{acme:42}')).toBeUndefined();
    expect(tagged.decode('app:session:{acme}42')).toBeUndefined();
    expect(tagged.decode('app:session:{acme}:4}2')).toBeUndefined();
    expect(codec(['tenantId', 'id']).decode('app:session:{acme}:42')).toBeUndefined();
    expect(tagged.assemble(['acme', '*'])).toBe('app:session:{acme}:*');
  });

  it('is injective and decodable, and every key of one tag value shares its slot', () => {
    const text = fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('', ':', '{', '}', '{}', '*', '%7B'));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.array(text, { minLength: 3, maxLength: 3 }), fc.array(text, { minLength: 3, maxLength: 3 }), (tagged, a, b) => {
        const c = codec(['f0', 'f1', 'f2'], ['f0', 'f1', 'f2'].slice(0, tagged));
        const values = (t: string[]) => ({ f0: t[0], f1: t[1], f2: t[2] });
        const ka = c.encode(values(a));
        const kb = c.encode(values(b));
        expect(c.decode(ka)).toEqual(values(a));
        expect(ka === kb).toBe(a.every((v, i) => v === b[i]));
        const tag = hashTagOf(ka);
        // The tag is exactly the tagged parts; `{}` (one empty tagged part) is no tag: the whole key is hashed.
        if (tag !== undefined) {
          expect(`app:session:{${tag}}`).toBe(ka.slice(0, ka.indexOf('}') + 1));
          if (a.slice(0, tagged).every((v, i) => v === b[i])) expect(keySlot(kb)).toBe(keySlot(ka));
        } else {
          expect(tagged === 1 && a[0] === '').toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('the hashTag entity option', () => {
  const schema = z.object({ tenantId: z.string(), region: z.string(), id: z.string(), note: z.string() });

  it('is kept in the metadata, empty when absent', () => {
    const Tagged = defineEntity({ name: 'tagged', key: ['tenantId', 'id'], schema, ttl: '1m', hashTag: ['tenantId'] });
    expect(getEntityMetadata(Tagged).hashTag).toEqual(['tenantId']);
    const Plain = defineEntity({ name: 'plain', key: ['tenantId', 'id'], schema, ttl: '1m' });
    expect(getEntityMetadata(Plain).hashTag).toEqual([]);
  });

  it.each([
    [['note'], /"note" is not a key field \(key fields: tenantId, region, id\)/],
    [['tenantId', 'tenantId'], /lists "tenantId" twice/],
    [['region'], /must be the first key fields, in key order.*put "region" first in the key/],
    [['tenantId', 'id'], /must be the first key fields, in key order/],
    [[], /must be a non-empty array of key field names/],
    ['tenantId', /must be a non-empty array of key field names/],
    [[42], /42 is not a key field/],
  ])('rejects %j with EntityDefinitionError', (hashTag, message) => {
    const define = () =>
      defineEntity({ name: 'bad', key: ['tenantId', 'region', 'id'], schema, ttl: '1m', hashTag: hashTag as never });
    expect(define).toThrow(EntityDefinitionError);
    expect(define).toThrow(message);
    expect(define).toThrow(/e\.g\. hashTag: \["tenantId"\]/);
  });

  it('works with decorators, and fails at definition time there too', () => {
    @CacheEntity({ name: 'decorated', ttl: '1m', hashTag: ['tenantId'] })
    class Decorated {
      @Key(z.string()) tenantId!: string;
      @Key(z.string()) id!: string;
    }
    expect(getEntityMetadata(Decorated).hashTag).toEqual(['tenantId']);
    expect(() => {
      @CacheEntity({ name: 'wrong', ttl: '1m', hashTag: ['id'] })
      class Wrong {
        @Key(z.string()) tenantId!: string;
        @Key(z.string()) id!: string;
      }
      return Wrong;
    }).toThrow(EntityDefinitionError);
  });
});
