/**
 * The global module behind `CacheOrmModule.forRoot` / `forRootAsync`: one per cache name. It provides
 * and exports the cache, and closes it when the application shuts down.
 * @internal
 */
import { Module, type DynamicModule, type ModuleMetadata, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { assertKnownOptions, CACHE_OPTION_NAMES, createCache, type Cache, type CacheOptions } from '../cache/index.js';
import { ConfigError } from '../errors/index.js';
import { cacheName, getCacheToken } from '../injection/index.js';
import type { CacheOrmModuleAsyncOptions, CacheOrmModuleOptions, CacheOrmOptionsFactory } from './options.js';

/** The module-local provider that closes this module's cache on shutdown (never exported). */
const CACHE_CLOSER = Symbol('cacheorm:cache-closer');

/** Every option of `forRootAsync` (checked so that a misspelt one fails instead of being ignored). */
const ASYNC_OPTION_NAMES: readonly string[] = Object.keys({
  name: true, imports: true, useFactory: true, inject: true, useClass: true, useExisting: true,
} satisfies { [K in keyof Required<CacheOrmModuleAsyncOptions>]: true });

const optionsToken = (name: string) => `cacheorm:${name}:options`;
const optionsFactoryToken = (name: string) => `cacheorm:${name}:options-factory`;

/** The cache options a factory answered, checked: an object, and no `name` in it. */
function checkFactoryResult(name: string, options: unknown): CacheOptions {
  if (options === null || typeof options !== 'object') {
    throw new ConfigError(
      `CacheOrmModule.forRootAsync (cache "${name}"): the factory answered ${options === null ? 'null' : typeof options}. Return the createCache options object, e.g. { redis: process.env.REDIS_URL, prefix: 'app' }.`,
    );
  }
  if ('name' in options && (options as { name?: unknown }).name !== undefined) {
    throw new ConfigError(
      `CacheOrmModule.forRootAsync (cache "${name}"): the factory answered a name. Give the name to forRootAsync({ name, useFactory }) instead, so the cache's tokens are known before the factory runs.`,
    );
  }
  return options as CacheOptions;
}

function optionsProviders(name: string, options: CacheOrmModuleAsyncOptions): Provider[] {
  const ways = (['useFactory', 'useClass', 'useExisting'] as const).filter((way) => options[way] !== undefined);
  if (ways.length !== 1) {
    throw new ConfigError(
      `CacheOrmModule.forRootAsync (cache "${name}") needs exactly one of useFactory, useClass or useExisting; it got ${ways.length === 0 ? 'none' : ways.join(' and ')}.`,
    );
  }
  const token = optionsToken(name);
  if (options.useFactory !== undefined) {
    const factory = options.useFactory;
    if (typeof factory !== 'function') throw new ConfigError(`CacheOrmModule.forRootAsync (cache "${name}"): useFactory must be a function.`);
    return [{ provide: token, useFactory: async (...args: unknown[]) => checkFactoryResult(name, await factory(...args)), inject: options.inject ?? [] }];
  }
  const fromFactory = async (factory: CacheOrmOptionsFactory) => {
    if (typeof factory?.createCacheOrmOptions !== 'function') {
      throw new ConfigError(`CacheOrmModule.forRootAsync (cache "${name}"): the options class must have a createCacheOrmOptions() method that answers the createCache options.`);
    }
    return checkFactoryResult(name, await factory.createCacheOrmOptions());
  };
  if (options.useClass !== undefined) {
    return [
      { provide: optionsFactoryToken(name), useClass: options.useClass },
      { provide: token, useFactory: fromFactory, inject: [optionsFactoryToken(name)] },
    ];
  }
  return [{ provide: token, useFactory: fromFactory, inject: [options.useExisting!] }];
}

/**
 * Closes a cache the module created when the application shuts down: Nest calls `onApplicationShutdown`
 * on every provider instance that has it.
 */
function closerOf(cache: Cache): OnApplicationShutdown {
  return { onApplicationShutdown: () => cache.close() };
}

/** The dynamic module of one cache: its options provider(s), the cache, and its closer. */
function cacheModule(name: string, providers: Provider[], imports: ModuleMetadata['imports'] = []): DynamicModule {
  const cacheToken = getCacheToken(name);
  return {
    module: CacheOrmCoreModule,
    global: true,
    imports,
    providers: [
      ...providers,
      { provide: cacheToken, useFactory: (options: CacheOptions) => createCache(options), inject: [optionsToken(name)] },
      { provide: CACHE_CLOSER, useFactory: closerOf, inject: [cacheToken] },
    ],
    exports: [cacheToken],
  };
}

/**
 * Provides and exports one cache (global); its closer provider closes the cache on application shutdown.
 * Decorators are applied as calls, so this file compiles the same with or without `experimentalDecorators`.
 * @internal Use `CacheOrmModule.forRoot` or `CacheOrmModule.forRootAsync`.
 */
export class CacheOrmCoreModule {
  /** @internal */
  static forRoot(options: CacheOrmModuleOptions = {}): DynamicModule {
    if (options === null || typeof options !== 'object') {
      throw new ConfigError('CacheOrmModule.forRoot takes an options object, e.g. CacheOrmModule.forRoot({ redis: process.env.REDIS_URL, prefix: "app" }).');
    }
    assertKnownOptions(options, [...CACHE_OPTION_NAMES, 'name'], 'CacheOrmModule.forRoot');
    const { name: given, ...cacheOptions } = options;
    const name = cacheName(given);
    // A factory, not a value: the options (maybe an ioredis client) are never serialized into Nest's module key.
    return cacheModule(name, [{ provide: optionsToken(name), useFactory: () => cacheOptions }]);
  }

  /** @internal */
  static forRootAsync(options: CacheOrmModuleAsyncOptions): DynamicModule {
    if (options === null || typeof options !== 'object') {
      throw new ConfigError('CacheOrmModule.forRootAsync takes an options object, e.g. { inject: [ConfigService], useFactory: (config) => ({ redis: config.get("REDIS_URL") }) }.');
    }
    assertKnownOptions(options, ASYNC_OPTION_NAMES, 'CacheOrmModule.forRootAsync');
    const name = cacheName(options.name);
    return cacheModule(name, optionsProviders(name, options), options.imports ?? []);
  }
}
Module({})(CacheOrmCoreModule);
