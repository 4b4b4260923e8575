/** `@InjectRepository(Entity)` and `@InjectCache()`: parameter and property decorators for NestJS. */
import { Inject } from '@nestjs/common';
import type { EntityTarget } from '../entity/index.js';
import { getCacheToken, getRepositoryToken } from '../injection/index.js';

/**
 * Injects the repository of `entity` from the cache `name` (default cache when omitted). The entity
 * must be registered with `CacheOrmModule.forFeature([entity], name)` in the module (or an imported one).
 * Works without `emitDecoratorMetadata`: the token comes from the entity, not from the parameter's type.
 *
 * @example
 * @Injectable()
 * export class SessionService {
 *   constructor(@InjectRepository(Session) private readonly sessions: Repository<Session>) {}
 * }
 */
export function InjectRepository(entity: EntityTarget, name?: string): PropertyDecorator & ParameterDecorator {
  return Inject(getRepositoryToken(entity, name));
}

/**
 * Injects the {@link cacheorm!Cache} named `name` (the default cache when omitted), created by
 * `CacheOrmModule.forRoot` or `forRootAsync`: for `stats()`, events, or `getRepository` at run time.
 *
 * @example
 * @Injectable()
 * export class CacheHealth {
 *   constructor(@InjectCache() private readonly cache: Cache) {}
 *   check() { return this.cache.stats(); }
 * }
 */
export function InjectCache(name?: string): PropertyDecorator & ParameterDecorator {
  return Inject(getCacheToken(name));
}
