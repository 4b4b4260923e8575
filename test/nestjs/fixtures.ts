/** Entities and services the NestJS suites share. Explicit @Inject everywhere: no emitDecoratorMetadata. */
import 'reflect-metadata';
import { Inject, Injectable, Module } from '@nestjs/common';
import { z } from 'zod';
import { CacheEntity, CacheKeys, Field, Key, defineEntity, prefix, type Cache, type Repository, type RepositoryOf } from 'cacheorm';
import { InjectCache, InjectRepository } from 'cacheorm/nestjs';

@CacheEntity({ name: 'session', ttl: '30m' })
export class Session {
  declare [CacheKeys]?: 'tenantId' | 'id';
  @Key(z.string()) tenantId!: string;
  @Key(z.string()) id!: string;
  @Field(z.email()) email!: string;
  @Field(z.date()) lastSeen!: Date;
}

export const Counter = defineEntity({
  name: 'counter',
  key: ['id'],
  schema: z.object({ id: z.string(), value: z.int() }),
  ttl: '1h',
});

/** A service that only knows its injected repository. */
@Injectable()
export class SessionService {
  constructor(@InjectRepository(Session) readonly sessions: Repository<Session>) {}

  async signIn(tenantId: string, id: string, email: string): Promise<void> {
    await this.sessions.save({ tenantId, id, email, lastSeen: new Date('2026-01-01T00:00:00Z') });
  }

  current(tenantId: string, id: string): Promise<Session | undefined> {
    return this.sessions.get({ tenantId, id });
  }

  ofTenant(tenantId: string, idPrefix = ''): Promise<Session[]> {
    return this.sessions.find({ tenantId, id: prefix(idPrefix) }).toArray();
  }

  revokeTenant(tenantId: string): Promise<number> {
    return this.sessions.find({ tenantId }).delete();
  }

  signOut(tenantId: string, id: string): Promise<number> {
    return this.sessions.delete({ tenantId, id });
  }
}

/** A service using two named caches and the default one. */
@Injectable()
export class CountersService {
  constructor(
    @InjectRepository(Counter) readonly main: RepositoryOf<typeof Counter>,
    @InjectRepository(Counter, 'analytics') readonly analytics: RepositoryOf<typeof Counter>,
    @InjectCache() readonly mainCache: Cache,
    @InjectCache('analytics') readonly analyticsCache: Cache,
  ) {}
}

/** A configuration provider, as a config module would export it. */
export class CacheConfig {
  constructor(readonly url: string | undefined, readonly prefix: string) {}
}

export const CACHE_CONFIG = 'test:cache-config';

/** A module exporting the configuration, for forRootAsync({ imports, inject }). */
export function configModule(url: string | undefined, keyPrefix: string) {
  @Module({ providers: [{ provide: CACHE_CONFIG, useValue: new CacheConfig(url, keyPrefix) }], exports: [CACHE_CONFIG] })
  class ConfigModule {}
  return ConfigModule;
}

/** A `useClass` options factory injecting the configuration. */
@Injectable()
export class OptionsFromConfig {
  constructor(@Inject(CACHE_CONFIG) private readonly config: CacheConfig) {}
  createCacheOrmOptions() {
    return { redis: this.config.url, prefix: this.config.prefix };
  }
}
