/** Type-level view of entities: their data, their key fields, and what `getRepository` accepts. */
import type { z } from 'zod';

/**
 * Optional type-level declaration of a decorated class's key fields. Decorators cannot change a class's
 * type, so `@Key` alone is invisible to the compiler; declaring this (it emits no code) lets `get`,
 * `getMany`, `delete`, `exists`, `ttl` and `touch` require exactly the key fields at compile time.
 * Without it, key objects are typed as a partial entity and checked at run time only.
 *
 * @example
 * @CacheEntity({ name: 'session', ttl: '30m' })
 * class Session {
 *   declare [CacheKeys]?: 'tenantId' | 'id';
 *   @Key(z.string()) tenantId!: string;
 *   @Key(z.uuid()) id!: string;
 * }
 * await cache.getRepository(Session).get({ tenantId: 'acme', id }); // both fields required
 */
export const CacheKeys: unique symbol = Symbol.for('cacheorm.keys');

type Fn = (...args: never[]) => unknown;

/**
 * The stored fields of an entity type: its properties without methods and without the
 * {@link CacheKeys} marker. What `save`/`insert`/`update` accept.
 *
 * @example
 * const data: EntityData<Session> = { tenantId: 'acme', id, email: 'a@b.c' };
 */
export type EntityData<E> = {
  [P in keyof E as P extends typeof CacheKeys ? never : E[P] extends Fn ? never : P]: E[P];
};

/**
 * What `save`, `insert` and `update` accept for a decorated class, and what a `getOrLoad` loader may
 * return: a plain object (or an instance) with the class's data properties. The compiler cannot tell a
 * `@Field` from a field initializer or an accessor (decorators do not change a class's type), so only the
 * key fields it knows (`K`: {@link CacheKeys} or `getRepository<E, K>`) are required; every property keeps
 * its type, and unknown properties or methods are compile errors. A missing field is caught at run time
 * by the entity's zod schema (`ValidationError`, nothing written). `defineEntity` entities take
 * {@link EntityData} instead, where every schema field is required.
 *
 * @example
 * @CacheEntity({ name: 'user', ttl: '1h' })
 * class User {
 *   @Key(z.int()) id!: number;
 *   @Field(z.string()) name!: string;
 *   loadedAt = Date.now();                 // not stored, not required
 *   get greeting() { return `hi ${this.name}`; }
 * }
 * const input: EntityInput<User> = { id: 1, name: 'ann' };
 */
export type EntityInput<E, K extends keyof E = DeclaredKeyOf<E>> = Flatten<
  { [P in keyof EntityData<E>]?: EntityData<E>[P] } & { [P in K & keyof EntityData<E>]-?: EntityData<E>[P] }
>;

/** One object type from an intersection, modifiers kept (readable in hovers and errors). */
type Flatten<T> = { [P in keyof T]: T[P] };

/**
 * The key fields an entity type declares through {@link CacheKeys}; `never` when it declares none.
 *
 * @example
 * type K = DeclaredKeyOf<Session>; // 'tenantId' | 'id'
 */
export type DeclaredKeyOf<E> = typeof CacheKeys extends keyof E
  ? Extract<NonNullable<E[typeof CacheKeys]>, keyof E>
  : never;

/**
 * The object that identifies one entry: exactly the key fields when they are known to the type system
 * (`defineEntity`, {@link CacheKeys}, or an explicit `getRepository<E, K>`), otherwise a partial entity
 * checked at run time.
 *
 * @example
 * const key: EntityKey<Session, 'tenantId' | 'id'> = { tenantId: 'acme', id };
 */
export type EntityKey<E, K extends keyof E = DeclaredKeyOf<E>> = [K] extends [never]
  ? Partial<EntityData<E>>
  : { [P in K]: E[P] };

/**
 * An entity class: a class decorated with `@CacheEntity`.
 *
 * @example
 * function repoFor<E>(Class: EntityClass<E>) { return cache.getRepository(Class); }
 */
export type EntityClass<E = unknown> = abstract new (...args: never[]) => E;

/**
 * An entity created by {@link defineEntity}: its name, key, schema and inferred types.
 *
 * @example
 * const Session = defineEntity({ name: 'session', key: ['id'], schema, ttl: '30m' });
 * type S = EntityOf<typeof Session>;
 */
export interface EntityDefinition<E = unknown, K extends keyof E = keyof E, S extends z.ZodObject = z.ZodObject> {
  /** Entity name (second key segment). */
  readonly name: string;
  /** Key fields, in key order. */
  readonly key: readonly K[];
  /** The zod object schema of the entity. */
  readonly schema: S;
  /** Type-only: the entity type. Never set at run time. */
  readonly __entity?: E;
}

/**
 * What `getRepository` accepts: a decorated class or a `defineEntity` result.
 *
 * @example
 * const targets: EntityTarget[] = [Session, Idempotency];
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EntityTarget<E = any> = EntityClass<E> | EntityDefinition<E, any, any>;

/**
 * The entity type of a target.
 *
 * @example
 * type S = EntityOf<typeof Session>;
 */
export type EntityOf<T> = T extends EntityDefinition<infer E, infer _K, infer _S>
  ? E
  : T extends EntityClass<infer E>
    ? E
    : never;
