/** Compile-time behaviour of field index declarations. `@ts-expect-error` lines must fail to compile. */
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineEntity } from '../../src/entity/define-entity.js';
import { Field, type FieldOptions } from '../../src/entity/decorators.js';
import type { FieldIndexMetadata } from '../../src/entity/field-index.js';

const schema = z.object({ tenantId: z.string(), id: z.int(), email: z.string(), age: z.int().optional() });

describe('field index declarations', () => {
  it('takes the non-key fields of the schema in defineEntity({ indexes })', () => {
    defineEntity({ name: 'a', key: ['tenantId', 'id'], schema, ttl: '1h', indexes: ['email', 'age'] });
    // @ts-expect-error not a field of the schema
    defineEntity({ name: 'b', key: ['tenantId', 'id'], schema, ttl: '1h', indexes: ['nope'] });
    // @ts-expect-error key fields need no field index
    defineEntity({ name: 'c', key: ['tenantId', 'id'], schema, ttl: '1h', indexes: ['id'] });
  });

  it('takes { index: true } as @Field options, and nothing else', () => {
    expectTypeOf(Field).parameter(1).toEqualTypeOf<FieldOptions | undefined>();
    Field(z.email(), { index: true });
    // @ts-expect-error unknown option
    Field(z.email(), { indexed: true });
    // @ts-expect-error index is a boolean
    Field(z.email(), { index: 'yes' });
    expectTypeOf<FieldIndexMetadata['kind']>().toEqualTypeOf<'string' | 'number' | 'bigint' | 'boolean' | 'date'>();
  });
});
