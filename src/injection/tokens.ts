/**
 * Injection tokens for a {@link Cache} and its repositories, for any dependency-injection container
 * (NestJS through `cacheorm/nestjs`, tsyringe, InversifyJS, awilix, or a hand-written composition root).
 * Nothing here depends on a framework.
 */
import type { Cache } from '../cache/index.js';
import type { DeclaredKeyOf, EntityClass, EntityData, EntityDefinition, EntityTarget } from '../entity/index.js';
import { getEntityMetadata } from '../entity/index.js';
import { ConfigError } from '../errors/index.js';
import { ENTITY_NAME_RULE } from '../keys/index.js';
import type { Repository } from '../repository/index.js';

/**
 * The name of the cache used when none is given: `getCacheToken()` and
 * `getCacheToken(DEFAULT_CACHE_NAME)` are the same token.
 *
 * @example
 * getCacheToken(DEFAULT_CACHE_NAME) === getCacheToken(); // true
 */
export const DEFAULT_CACHE_NAME = 'default';

/**
 * An injection token: a plain string (every container accepts strings) that also carries, for the
 * compiler only, the type of what it stands for. A container typed like `resolve<T>(token: Token<T>): T`
 * then infers `Repository<Session>` from `getRepositoryToken(Session)` without a cast.
 *
 * @example
 * const token: Token<Cache> = getCacheToken();
 * function resolve<T>(token: Token<T>): T { return registry.get(token) as T; }
 * const cache = resolve(token); // Cache
 */
export type Token<T> = string & {
  /** Type-level only: what the token stands for. Never present at run time. */
  readonly __cacheormTokenOf?: T;
};

/**
 * The repository type of an entity target: `Repository<Session, 'tenantId' | 'id'>` for a decorated
 * class (key fields from `CacheKeys` when declared), `Repository<E, K, EntityData<E>>` for a
 * `defineEntity` result (key fields inferred, every field required on write): what `getRepository`
 * answers. Handy to type an injected repository.
 *
 * @example
 * const Idempotency = defineEntity({ name: 'idempotency', key: ['requestId'], schema, ttl: '24h' });
 * class Replies {
 *   constructor(@InjectRepository(Idempotency) readonly repo: RepositoryOf<typeof Idempotency>) {}
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RepositoryOf<T> = T extends EntityDefinition<infer E, infer K, any>
  ? Repository<E, K, EntityData<E>>
  : T extends EntityClass<infer E>
    ? Repository<E, DeclaredKeyOf<E>>
    : never;

/**
 * Checks a cache name and answers it; `undefined` stands for {@link DEFAULT_CACHE_NAME}.
 *
 * @throws ConfigError when the name is not a letter followed by letters, digits, `_`, `.` or `-`.
 *
 * @example
 * cacheName(undefined); // 'default'
 * cacheName('analytics'); // 'analytics'
 * @internal
 */
export function cacheName(name: string | undefined): string {
  if (name === undefined) return DEFAULT_CACHE_NAME;
  if (typeof name !== 'string' || !ENTITY_NAME_RULE.test(name)) {
    throw new ConfigError(
      `The cache name ${JSON.stringify(name)} is not valid. Use 1 to 100 characters: a letter first, then letters, digits, "_", "." or "-" (for example "analytics"), or leave the name out for the default cache.`,
    );
  }
  return name;
}

/**
 * The token under which a container holds a {@link Cache}: `'cacheorm:default:cache'` for the default
 * cache, `'cacheorm:<name>:cache'` for a named one. The same name always gives the same token.
 *
 * @throws ConfigError for an invalid name (a letter, then letters, digits, `_`, `.` or `-`).
 *
 * @example
 * container.register(getCacheToken(), () => createCache({ redis: process.env.REDIS_URL }));
 * getCacheToken('analytics'); // 'cacheorm:analytics:cache'
 */
export function getCacheToken(name?: string): Token<Cache> {
  return `cacheorm:${cacheName(name)}:cache`;
}

/**
 * The token under which a container holds the repository of `entity` (a `@CacheEntity` class or a
 * `defineEntity` result) in the cache `name`: `'cacheorm:default:repository:session'`. Tokens are built
 * from the entity's name, which is unique within a cache, so the same entity and cache always give the
 * same token, in every container.
 *
 * @throws EntityDefinitionError when `entity` is not a cache entity; ConfigError for an invalid name.
 *
 * @example
 * container.register(getRepositoryToken(Session), () => cache.getRepository(Session));
 * const sessions = container.resolve(getRepositoryToken(Session)); // Repository<Session>
 */
export function getRepositoryToken<T extends EntityTarget>(entity: T, name?: string): Token<RepositoryOf<T>> {
  const cache = cacheName(name);
  return `cacheorm:${cache}:repository:${getEntityMetadata(entity).name}`;
}
