/** Options of `CacheOrmModule.forRoot` and `CacheOrmModule.forRootAsync`. */
import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency, Type } from '@nestjs/common';
import type { CacheOptions } from '../cache/index.js';

/**
 * Options of `CacheOrmModule.forRoot`: the options of `createCache` (`redis`, `store`, `prefix`,
 * `strict`, `writes`, ...) plus the cache's `name`.
 *
 * The module creates the cache and closes it when the application shuts down. What the cache closes
 * follows `createCache`: a client it created from a URL or ioredis options is quit; an ioredis client or
 * a store you pass in stays open (close it yourself).
 *
 * @example
 * CacheOrmModule.forRoot({ redis: process.env.REDIS_URL, prefix: 'app' });
 * CacheOrmModule.forRoot({ name: 'analytics', redis: 'redis://analytics:6379', prefix: 'stats' });
 */
export type CacheOrmModuleOptions = CacheOptions & {
  /**
   * The cache's name, for applications with several caches: inject it with `@InjectCache(name)` and
   * its repositories with `CacheOrmModule.forFeature([...], name)` / `@InjectRepository(Entity, name)`.
   * Default: `'default'`.
   */
  name?: string;
};

/**
 * A class that produces the cache options, for `CacheOrmModule.forRootAsync({ useClass })` or
 * `{ useExisting }`.
 *
 * @example
 * @Injectable()
 * class CacheConfig implements CacheOrmOptionsFactory {
 *   constructor(@Inject(ConfigService) private readonly config: ConfigService) {}
 *   createCacheOrmOptions(): CacheOptions {
 *     return { redis: this.config.get('REDIS_URL'), prefix: 'app' };
 *   }
 * }
 */
export interface CacheOrmOptionsFactory {
  /** Answers the options `createCache` is called with (no `name`: give it to `forRootAsync`). */
  createCacheOrmOptions(): CacheOptions | Promise<CacheOptions>;
}

/**
 * Options of `CacheOrmModule.forRootAsync`: the cache options come from a factory that can inject
 * providers (a config service, a secret loader, ...). Give exactly one of `useFactory`, `useClass` or
 * `useExisting`.
 *
 * @example
 * CacheOrmModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ redis: config.get('REDIS_URL'), prefix: 'app' }),
 * });
 */
export interface CacheOrmModuleAsyncOptions {
  /** The cache's name (see {@link CacheOrmModuleOptions}). It is fixed here, not by the factory. */
  name?: string;
  /** Modules whose exported providers the factory injects. */
  imports?: ModuleMetadata['imports'];
  /** Answers the cache options; its parameters are the providers listed in `inject`, in order. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useFactory?: (...args: any[]) => CacheOptions | Promise<CacheOptions>;
  /** The providers passed to `useFactory`. */
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  /** A class the module instantiates (with injection) and asks for the options. */
  useClass?: Type<CacheOrmOptionsFactory>;
  /** An existing provider (from `imports`, or global) the module asks for the options. */
  useExisting?: Type<CacheOrmOptionsFactory>;
}
