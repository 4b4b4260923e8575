/** Compile-time behaviour of entities and repositories. `@ts-expect-error` lines must fail to compile. */
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { CacheEntity, CacheKeys, createCache, defineEntity, Field, Key, type EntityKey, type Repository } from 'cacheorm';

const Session = defineEntity({
  name: 'session',
  key: ['tenantId', 'id'],
  schema: z.object({ tenantId: z.string(), id: z.uuid(), email: z.email(), lastSeen: z.date(), n: z.int() }),
  ttl: '30m',
});

@CacheEntity({ name: 'user', ttl: '1h' })
class User {
  declare [CacheKeys]?: 'id';
  @Key(z.int()) id!: number;
  @Field(z.string()) name!: string;
  greet(): string {
    return `hi ${this.name}`;
  }
}

@CacheEntity({ name: 'note', ttl: '1h' })
class Note {
  @Key(z.string()) id!: string;
  @Field(z.string()) text!: string;
}

const cache = createCache();

describe('defineEntity repositories', () => {
  const repo = cache.getRepository(Session);

  it('infers entity and key types', () => {
    type Data = { tenantId: string; id: string; email: string; lastSeen: Date; n: number };
    expectTypeOf(repo).toEqualTypeOf<Repository<Data, 'tenantId' | 'id', Data>>();
    expectTypeOf(repo.get).parameter(0).toEqualTypeOf<{ tenantId: string; id: string }>();
    expectTypeOf(repo.get({ tenantId: 'a', id: 'b' })).resolves.toEqualTypeOf<
      { tenantId: string; id: string; email: string; lastSeen: Date; n: number } | undefined
    >();
  });

  it('requires exactly the key fields', () => {
    // @ts-expect-error missing key field
    void repo.get({ tenantId: 'a' });
    // @ts-expect-error wrong key value type
    void repo.get({ tenantId: 'a', id: 1 });
    // @ts-expect-error unknown field in a key literal
    void repo.delete({ tenantId: 'a', id: 'b', email: 'x' });
    void repo.getMany([{ tenantId: 'a', id: 'b' }]);
  });

  it('requires whole entities on write', () => {
    // @ts-expect-error missing fields
    void repo.save({ tenantId: 'a', id: 'b' });
    // @ts-expect-error wrong field type
    void repo.save({ tenantId: 'a', id: 'b', email: 'e', lastSeen: 'yesterday', n: 1 });
    expectTypeOf(repo.insert({ tenantId: 'a', id: 'b', email: 'e', lastSeen: new Date(), n: 1 })).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(repo.insert([{ tenantId: 'a', id: 'b', email: 'e', lastSeen: new Date(), n: 1 }])).resolves.toEqualTypeOf<boolean[]>();
  });

  it('rejects key fields that are not fields of the schema', () => {
    // @ts-expect-error 'nope' is not a field
    defineEntity({ name: 'x', key: ['nope'], schema: z.object({ id: z.string() }), ttl: '1h' });
    // @ts-expect-error a TTL must be a number, a duration string or 'never'
    defineEntity({ name: 'x', key: ['id'], schema: z.object({ id: z.string() }), ttl: '5 minutes' });
  });
});

describe('decorated classes', () => {
  it('CacheKeys makes key objects exact, and get returns the class', () => {
    const users = cache.getRepository(User);
    expectTypeOf(users.get).parameter(0).toEqualTypeOf<{ id: number }>();
    expectTypeOf(users.get({ id: 1 })).resolves.toEqualTypeOf<User | undefined>();
    // @ts-expect-error id is a number
    void users.get({ id: '1' });
    // methods are not data: a plain object is a valid User to save
    void users.save({ id: 1, name: 'ann' });
  });

  it('without CacheKeys, keys are partial (checked at run time), or named in getRepository', () => {
    const notes = cache.getRepository(Note);
    expectTypeOf(notes.get).parameter(0).toEqualTypeOf<EntityKey<Note>>();
    void notes.get({ id: 'x' });
    const typed = cache.getRepository<Note, 'id'>(Note);
    expectTypeOf(typed.get).parameter(0).toEqualTypeOf<{ id: string }>();
    // @ts-expect-error id is required once the key is named
    void typed.get({});
  });

  it('field decorators check the field type against the schema (TC39 form)', () => {
    type Dec = ReturnType<typeof Field<z.ZodString>>;
    expectTypeOf<Dec>().toBeCallableWith(undefined, {} as ClassFieldDecoratorContext<unknown, string>);
  });
});
