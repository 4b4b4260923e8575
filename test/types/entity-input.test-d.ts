/**
 * What `save` / `insert` / `update` (and a `getOrLoad` loader) accept: plain objects with the entity's
 * data fields. For a decorated class the compiler cannot tell a stored field from a field initializer or
 * an accessor, so only the key fields it knows (`CacheKeys`, `getRepository<E, K>`) are required there;
 * unknown fields and wrong value types stay compile errors. `defineEntity` entities require every field.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { CacheEntity, CacheKeys, createCache, defineEntity, Field, Key, type EntityInput, type Repository, type RepositoryOf } from 'cacheorm';

/** The `User` of docs/entities.md: a field initializer and a getter that are not stored. */
@CacheEntity({ name: 'user', ttl: '1h' })
class User {
  @Key(z.int()) id!: number;
  @Field(z.string()) name!: string;
  loadedAt = Date.now();
  get greeting() {
    return `hi ${this.name}`;
  }
}

/** The same with declared keys, a setter pair and a method. */
@CacheEntity({ name: 'account', ttl: '1h' })
class Account {
  declare [CacheKeys]?: 'tenantId' | 'id';
  @Key(z.string()) tenantId!: string;
  @Key(z.int()) id!: number;
  @Field(z.string()) email!: string;
  #nickname = '';
  get nickname(): string {
    return this.#nickname;
  }
  set nickname(value: string) {
    this.#nickname = value;
  }
  describe(): string {
    return `${this.tenantId}/${this.id}`;
  }
}

const Profile = defineEntity({
  name: 'profile',
  key: ['userId'],
  schema: z.object({ userId: z.string(), bio: z.string(), age: z.int() }),
  ttl: '1h',
});

const cache = createCache();

describe('decorated classes take plain objects', () => {
  const users = cache.getRepository(User);
  const accounts = cache.getRepository(Account);

  it('the docs User saves from { id, name }: initializers and getters are not required', () => {
    void users.save({ id: 1, name: 'ann' });
    void users.save([{ id: 1, name: 'ann' }, { id: 2, name: 'bob' }]);
    expectTypeOf(users.insert({ id: 1, name: 'ann' })).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(users.update({ id: 1, name: 'ann' })).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(users.insert([{ id: 1, name: 'ann' }])).resolves.toEqualTypeOf<boolean[]>();
    void users.getOrLoad({ id: 1 }, async (key) => ({ id: key.id ?? 0, name: 'ann' }));
  });

  it('an instance is still accepted, and get still returns the class', async () => {
    const found = await users.get({ id: 1 });
    expectTypeOf(found).toEqualTypeOf<User | undefined>();
    if (found) void users.save(found);
    void accounts.save(new Account());
  });

  it('methods and accessors are not required; declared keys are', () => {
    void accounts.save({ tenantId: 'acme', id: 1, email: 'a@acme.test' });
    // @ts-expect-error a declared key field is missing
    void accounts.save({ tenantId: 'acme', email: 'a@acme.test' });
    // @ts-expect-error a declared key field is missing (batch)
    void accounts.insert([{ id: 1, email: 'a@acme.test' }]);
  });

  it('unknown fields and wrong value types are still compile errors', () => {
    // @ts-expect-error 'nmae' is not a field of User
    void users.save({ id: 1, nmae: 'ann' });
    // @ts-expect-error name is a string
    void users.save({ id: 1, name: 42 });
    // @ts-expect-error id is a number
    void users.insert({ id: '1', name: 'ann' });
    // @ts-expect-error 'emial' is not a field of Account
    void accounts.update({ tenantId: 'acme', id: 1, emial: 'a@acme.test' });
    // @ts-expect-error email is a string
    void accounts.update([{ tenantId: 'acme', id: 1, email: null }]);
    // @ts-expect-error methods are not data
    void accounts.save({ tenantId: 'acme', id: 1, describe: 'x' });
    // @ts-expect-error the loader must return the entity's data
    void users.getOrLoad({ id: 1 }, async () => ({ id: 1, name: 1 }));
  });

  it('the same holds for an annotated Repository<User>, as NestJS services declare it', () => {
    const injected: Repository<User> = users;
    void injected.save({ id: 1, name: 'ann' });
    // @ts-expect-error name is a string
    void injected.save({ id: 1, name: false });
    expectTypeOf<EntityInput<User>>().toEqualTypeOf<{ id?: number; name?: string; loadedAt?: number; readonly greeting?: string }>();
  });
});

describe('defineEntity entities require every field', () => {
  const profiles = cache.getRepository(Profile);

  it('takes exactly the schema fields', () => {
    void profiles.save({ userId: 'u1', bio: 'hi', age: 3 });
    // @ts-expect-error 'age' is missing
    void profiles.save({ userId: 'u1', bio: 'hi' });
    // @ts-expect-error age is a number
    void profiles.insert({ userId: 'u1', bio: 'hi', age: '3' });
    // @ts-expect-error 'agee' is not a field
    void profiles.update({ userId: 'u1', bio: 'hi', age: 3, agee: 4 });
    // @ts-expect-error the loader must return whole entities
    void profiles.getOrLoad({ userId: 'u1' }, async () => ({ userId: 'u1' }));
  });

  it('RepositoryOf gives the same repository type as getRepository', () => {
    expectTypeOf(profiles).toEqualTypeOf<RepositoryOf<typeof Profile>>();
    const typed: RepositoryOf<typeof Profile> = profiles;
    // @ts-expect-error 'bio' is missing
    void typed.save({ userId: 'u1', age: 3 });
  });
});
