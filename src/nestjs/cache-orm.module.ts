/** `CacheOrmModule`: cacheorm for NestJS. */
import { Module, type DynamicModule, type FactoryProvider } from '@nestjs/common';
import type { Cache } from '../cache/index.js';
import type { EntityTarget } from '../entity/index.js';
import { ConfigError } from '../errors/index.js';
import { cacheName, DEFAULT_CACHE_NAME, getCacheToken, getRepositoryToken } from '../injection/index.js';
import { CacheOrmCoreModule } from './core.module.js';
import type { CacheOrmModuleAsyncOptions, CacheOrmModuleOptions } from './options.js';

/**
 * The NestJS module of cacheorm. `forRoot` (or `forRootAsync`) once in the root module creates a cache
 * and makes it injectable everywhere (`@InjectCache()`); `forFeature([Entity])` in a feature module
 * provides and exports the entities' repositories (`@InjectRepository(Entity)`). Caches the module
 * created are closed on application shutdown (`app.close()`, or a signal with `enableShutdownHooks()`).
 *
 * @example
 * @Module({
 *   imports: [
 *     CacheOrmModule.forRoot({ redis: process.env.REDIS_URL, prefix: 'app' }),
 *     CacheOrmModule.forFeature([Session]),
 *   ],
 *   providers: [SessionService],
 * })
 * export class AppModule {}
 */
export class CacheOrmModule {
  /**
   * Creates a cache from `createCache` options and provides it to the whole application (the module is
   * global). Give a `name` to run several caches side by side.
   *
   * @throws ConfigError for invalid options (the cache is created when the application starts, so most
   *   option errors surface then, as `ConfigError`).
   *
   * @example
   * CacheOrmModule.forRoot({ redis: process.env.REDIS_URL, prefix: 'app' });
   * CacheOrmModule.forRoot({ name: 'analytics', redis: 'redis://stats:6379', prefix: 'stats' });
   */
  static forRoot(options: CacheOrmModuleOptions = {}): DynamicModule {
    return { module: CacheOrmModule, imports: [CacheOrmCoreModule.forRoot(options)] };
  }

  /**
   * Like {@link CacheOrmModule.forRoot}, with options that come from a factory injecting providers
   * (`useFactory` + `inject` + `imports`), a class (`useClass`) or an existing provider (`useExisting`)
   * implementing {@link CacheOrmOptionsFactory}.
   *
   * @throws ConfigError unless exactly one of `useFactory`, `useClass`, `useExisting` is given, or for
   *   an invalid `name`.
   *
   * @example
   * CacheOrmModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ redis: config.get('REDIS_URL'), prefix: 'app' }),
   * });
   */
  static forRootAsync(options: CacheOrmModuleAsyncOptions): DynamicModule {
    return { module: CacheOrmModule, imports: [CacheOrmCoreModule.forRootAsync(options)] };
  }

  /**
   * Provides and exports the repositories of `entities` from the cache `name` (the default cache when
   * omitted), for `@InjectRepository(Entity, name)`.
   *
   * @throws EntityDefinitionError when an item is not a cache entity; ConfigError for an invalid name.
   *
   * @example
   * @Module({ imports: [CacheOrmModule.forFeature([Session, Idempotency])], providers: [SessionService] })
   * export class SessionsModule {}
   */
  static forFeature(entities: readonly EntityTarget[], name?: string): DynamicModule {
    if (!Array.isArray(entities)) {
      throw new ConfigError('CacheOrmModule.forFeature takes an array of entities, e.g. CacheOrmModule.forFeature([Session]).');
    }
    const cache = cacheName(name);
    const providers = entities.map((entity): FactoryProvider => ({
      provide: getRepositoryToken(entity, cache),
      // Optional, so a missing forRoot is reported by this message rather than Nest's generic one.
      useFactory: (provided: Cache | undefined) => {
        if (provided === undefined) {
          throw new ConfigError(
            `CacheOrmModule.forFeature needs the cache "${cache}", which no module provides. Import CacheOrmModule.forRoot(${cache === DEFAULT_CACHE_NAME ? '' : `{ name: '${cache}', ... }`}) (or forRootAsync) in the application's root module.`,
          );
        }
        return provided.getRepository(entity);
      },
      inject: [{ token: getCacheToken(cache), optional: true }],
    }));
    return { module: CacheOrmModule, providers, exports: providers.map((provider) => provider.provide) };
  }
}
Module({})(CacheOrmModule); // applied as a call: compiles the same with or without experimentalDecorators
