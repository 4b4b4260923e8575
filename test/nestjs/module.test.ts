/**
 * CacheOrmModule in real Nest applications (@nestjs/testing) against the run's Redis: injected
 * repositories, named caches, async configuration, and the errors of a wrong set-up.
 */
import 'reflect-metadata';
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { Cache, ConfigError, EntityDefinitionError, getCacheToken, getRepositoryToken, RedisStore, Repository } from 'cacheorm';
import { CacheOrmModule, type CacheOrmOptionsFactory } from 'cacheorm/nestjs';
import { redisUrl, testRedis, uniquePrefix } from '../support/redis.js';
import { CACHE_CONFIG, configModule, Counter, CountersService, OptionsFromConfig, Session, SessionService, type CacheConfig } from './fixtures.js';

const redis = testRedis();
const open: TestingModule[] = [];

async function start(imports: (DynamicModule | (new () => unknown))[], providers: (new (...args: never[]) => unknown)[] = []): Promise<TestingModule> {
  const app = await Test.createTestingModule({ imports, providers }).compile();
  open.push(app);
  await app.init();
  return app;
}

afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

describe('forRoot + forFeature + @InjectRepository', () => {
  it('a service saves, finds and deletes through its injected repository on Redis', async () => {
    const keyPrefix = uniquePrefix('nest');
    const app = await start([CacheOrmModule.forRoot({ redis: redisUrl(), prefix: keyPrefix }), CacheOrmModule.forFeature([Session])], [SessionService]);
    const service = app.get(SessionService);

    await service.signIn('acme', 'a1', 'ann@acme.test');
    await service.signIn('acme', 'a2', 'bob@acme.test');
    await service.signIn('globex', 'g1', 'gil@globex.test');
    expect(await redis.exists(`${keyPrefix}:session:acme:a1`)).toBe(1); // really in Redis

    const ann = await service.current('acme', 'a1');
    expect(ann).toBeInstanceOf(Session);
    expect(ann?.email).toBe('ann@acme.test');
    expect((await service.ofTenant('acme')).map((s) => s.id).sort()).toEqual(['a1', 'a2']);
    expect((await service.ofTenant('acme', 'a2')).map((s) => s.email)).toEqual(['bob@acme.test']);

    expect(await service.signOut('acme', 'a1')).toBe(1);
    expect(await service.current('acme', 'a1')).toBeUndefined();
    expect(await service.revokeTenant('acme')).toBe(1);
    expect(await service.ofTenant('acme')).toEqual([]);
    expect(await redis.exists(`${keyPrefix}:session:globex:g1`)).toBe(1); // another tenant untouched
    await service.signOut('globex', 'g1');
  });

  it('provides the cache and repositories under the framework-free tokens', async () => {
    const app = await start([CacheOrmModule.forRoot({ prefix: uniquePrefix('mem') }), CacheOrmModule.forFeature([Session, Counter])]);
    const cache = app.get<Cache>(getCacheToken());
    expect(cache).toBeInstanceOf(Cache);
    expect(cache.store.kind).toBe('memory'); // no redis: the embedded store
    expect(app.get(getRepositoryToken(Session))).toBe(cache.getRepository(Session));
    expect(app.get(getRepositoryToken(Counter))).toBeInstanceOf(Repository);
    expect(app.get(getRepositoryToken(Counter))).toBe(cache.getRepository(Counter));
  });

  it('exports forFeature repositories to the importing module only through its imports', async () => {
    @Module({ imports: [CacheOrmModule.forFeature([Session])], providers: [SessionService], exports: [SessionService] })
    class SessionsModule {}
    const app = await start([CacheOrmModule.forRoot({ prefix: uniquePrefix('mem') }), SessionsModule]);
    const service = app.get(SessionService);
    await service.signIn('acme', 'x', 'x@acme.test');
    expect((await service.current('acme', 'x'))?.email).toBe('x@acme.test');
  });
});

describe('named caches', () => {
  it('two caches side by side, with their own prefixes and stores', async () => {
    const mainPrefix = uniquePrefix('main');
    const statsPrefix = uniquePrefix('stats');
    const app = await start(
      [
        CacheOrmModule.forRoot({ redis: redisUrl(), prefix: mainPrefix }),
        CacheOrmModule.forRoot({ name: 'analytics', redis: redisUrl(), prefix: statsPrefix }),
        CacheOrmModule.forFeature([Counter]),
        CacheOrmModule.forFeature([Counter], 'analytics'),
      ],
      [CountersService],
    );
    const counters = app.get(CountersService);
    expect(counters.mainCache).not.toBe(counters.analyticsCache);
    expect(counters.mainCache.prefix).toBe(mainPrefix);
    expect(counters.analyticsCache.prefix).toBe(statsPrefix);
    expect(counters.main).toBe(counters.mainCache.getRepository(Counter));
    expect(counters.analytics).toBe(counters.analyticsCache.getRepository(Counter));

    await counters.main.save({ id: 'hits', value: 1 });
    await counters.analytics.save({ id: 'hits', value: 2 });
    expect(await redis.get(`${mainPrefix}:counter:hits`)).not.toBeNull();
    expect(await redis.get(`${statsPrefix}:counter:hits`)).not.toBeNull();
    expect((await counters.main.get({ id: 'hits' }))?.value).toBe(1);
    expect((await counters.analytics.get({ id: 'hits' }))?.value).toBe(2);
    await counters.main.delete({ id: 'hits' });
    expect((await counters.analytics.get({ id: 'hits' }))?.value).toBe(2);
    await counters.analytics.delete({ id: 'hits' });
  });

  it('a named cache alone does not provide the default cache', async () => {
    const compiling = Test.createTestingModule({
      imports: [CacheOrmModule.forRoot({ name: 'analytics', prefix: uniquePrefix('mem') }), CacheOrmModule.forFeature([Counter])],
    }).compile();
    await expect(compiling).rejects.toThrow(ConfigError);
    await expect(compiling).rejects.toThrow(/needs the cache "default".*CacheOrmModule\.forRoot\(\)/);
  });

  it('forFeature for a cache nobody provides says which forRoot is missing', async () => {
    const compiling = Test.createTestingModule({
      imports: [CacheOrmModule.forRoot({ prefix: uniquePrefix('mem') }), CacheOrmModule.forFeature([Counter], 'analytics')],
    }).compile();
    await expect(compiling).rejects.toThrow(/needs the cache "analytics".*forRoot\(\{ name: 'analytics'/);
  });
});

describe('forRootAsync', () => {
  it('useFactory + inject + imports: options from an injected config provider', async () => {
    const keyPrefix = uniquePrefix('async');
    const ConfigModule = configModule(redisUrl(), keyPrefix);
    const app = await start(
      [
        CacheOrmModule.forRootAsync({
          imports: [ConfigModule],
          inject: [CACHE_CONFIG],
          useFactory: async (config: CacheConfig) => ({ redis: config.url, prefix: config.prefix }),
        }),
        CacheOrmModule.forFeature([Session]),
      ],
      [SessionService],
    );
    const cache = app.get<Cache>(getCacheToken());
    expect(cache.prefix).toBe(keyPrefix);
    expect(cache.store).toBeInstanceOf(RedisStore);
    const service = app.get(SessionService);
    await service.signIn('acme', 'z', 'z@acme.test');
    expect(await redis.exists(`${keyPrefix}:session:acme:z`)).toBe(1);
    await service.signOut('acme', 'z');
  });

  it('useClass: an options factory class with its own injections', async () => {
    const keyPrefix = uniquePrefix('cls');
    const app = await start([CacheOrmModule.forRootAsync({ imports: [configModule(undefined, keyPrefix)], useClass: OptionsFromConfig })]);
    const cache = app.get<Cache>(getCacheToken());
    expect(cache.prefix).toBe(keyPrefix);
    expect(cache.store.kind).toBe('memory');
  });

  it('useExisting: an options factory provided by an imported module, for a named cache', async () => {
    const keyPrefix = uniquePrefix('existing');
    @Injectable()
    class Options implements CacheOrmOptionsFactory {
      createCacheOrmOptions() {
        return { prefix: keyPrefix };
      }
    }
    @Module({ providers: [Options], exports: [Options] })
    class OptionsModule {}
    const app = await start([CacheOrmModule.forRootAsync({ name: 'side', imports: [OptionsModule], useExisting: Options })]);
    expect(app.get<Cache>(getCacheToken('side')).prefix).toBe(keyPrefix);
  });

  it('rejects zero or several ways to make the options', () => {
    expect(() => CacheOrmModule.forRootAsync({})).toThrow(ConfigError);
    expect(() => CacheOrmModule.forRootAsync({})).toThrow(/exactly one of useFactory, useClass or useExisting; it got none/);
    expect(() => CacheOrmModule.forRootAsync({ useFactory: () => ({}), useClass: OptionsFromConfig })).toThrow(/it got useFactory and useClass/);
  });

  it('a factory answering something else than options, or a name, fails the start with ConfigError', async () => {
    const bad = Test.createTestingModule({ imports: [CacheOrmModule.forRootAsync({ useFactory: () => null as never })] }).compile();
    await expect(bad).rejects.toThrow(ConfigError);
    await expect(bad).rejects.toThrow(/factory answered null/);
    const named = Test.createTestingModule({ imports: [CacheOrmModule.forRootAsync({ useFactory: () => ({ name: 'x' }) as never })] }).compile();
    await expect(named).rejects.toThrow(/Give the name to forRootAsync/);
  });
});

describe('bad set-ups fail with typed errors', () => {
  it('invalid options surface as ConfigError when the application starts', async () => {
    const compiling = Test.createTestingModule({ imports: [CacheOrmModule.forRoot({ prefix: 'has space' })] }).compile();
    await expect(compiling).rejects.toThrow(ConfigError);
    await expect(compiling).rejects.toThrow(/prefix "has space" is not valid/);
  });

  it('an invalid cache name is a ConfigError at module definition', () => {
    expect(() => CacheOrmModule.forRoot({ name: 'no spaces' })).toThrow(ConfigError);
    expect(() => CacheOrmModule.forRoot({ name: '' })).toThrow(/cache name "" is not valid/);
    expect(() => CacheOrmModule.forFeature([Session], 'a:b')).toThrow(ConfigError);
    expect(() => CacheOrmModule.forRoot(null as never)).toThrow(/takes an options object/);
  });

  it('forFeature rejects what is not an entity, or not an array', () => {
    class NotAnEntity {}
    expect(() => CacheOrmModule.forFeature([NotAnEntity])).toThrow(EntityDefinitionError);
    expect(() => CacheOrmModule.forFeature([NotAnEntity])).toThrow(/class NotAnEntity is not a cache entity/);
    expect(() => CacheOrmModule.forFeature(Session as never)).toThrow(/takes an array of entities/);
  });

  it('two entities with one name in one cache: EntityDefinitionError at start', async () => {
    const { defineEntity } = await import('cacheorm');
    const { z } = await import('zod');
    const Other = defineEntity({ name: 'session', key: ['id'], schema: z.object({ id: z.string() }), ttl: '1m' });
    const compiling = Test.createTestingModule({
      imports: [CacheOrmModule.forRoot({ prefix: uniquePrefix('mem') }), CacheOrmModule.forFeature([Session]), CacheOrmModule.forFeature([Other], 'default')],
    }).compile();
    await expect(compiling).rejects.toThrow(EntityDefinitionError);
  });
});
