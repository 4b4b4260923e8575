/**
 * What documentation fragments may use without declaring or importing it (test/docs/snippets.test.ts):
 * the library's exports as the guides use them, and the context a reader supplies (an application's
 * `cache`, `sessions` repository, `db`, `log`...). A block that declares or imports a name itself
 * shadows these. Everything here is typed from the built package, so the library's API is still checked.
 */
import type * as nest from '@nestjs/common';
import type * as nestTesting from '@nestjs/testing';
import type * as cacheorm from 'cacheorm';
import { CacheKeys } from 'cacheorm';
import type * as cacheormNest from 'cacheorm/nestjs';
import type * as ioredis from 'ioredis';
import type * as zod from 'zod';

declare global {
  // The library, as if imported.
  const createCache: typeof cacheorm.createCache;
  const CacheEntity: typeof cacheorm.CacheEntity;
  const Key: typeof cacheorm.Key;
  const Field: typeof cacheorm.Field;
  const CacheKeys: typeof cacheorm.CacheKeys;
  const defineEntity: typeof cacheorm.defineEntity;
  const RedisStore: typeof cacheorm.RedisStore;
  type RedisStore = cacheorm.RedisStore;
  const getCacheToken: typeof cacheorm.getCacheToken;
  const getRepositoryToken: typeof cacheorm.getRepositoryToken;
  type Cache = cacheorm.Cache;
  type Repository<E, K extends keyof E = cacheorm.DeclaredKeyOf<E>, W = cacheorm.EntityInput<E, K>> = cacheorm.Repository<E, K, W>;
  type RepositoryOf<T> = cacheorm.RepositoryOf<T>;
  const CacheOrmModule: typeof cacheormNest.CacheOrmModule;
  const InjectRepository: typeof cacheormNest.InjectRepository;
  const InjectCache: typeof cacheormNest.InjectCache;
  type CacheOrmOptionsFactory = cacheormNest.CacheOrmOptionsFactory;
  // zod (as a value: z.object(...)), NestJS and ioredis, as if imported.
  const z: typeof zod.z;
  const Module: typeof nest.Module;
  const Injectable: typeof nest.Injectable;
  const Inject: typeof nest.Inject;
  type OnApplicationShutdown = nest.OnApplicationShutdown;
  const Test: typeof nestTesting.Test;
  const Redis: typeof ioredis.Redis;
  type Redis = ioredis.Redis;

  // The application around the fragments.
  class Session {
    [CacheKeys]?: 'tenantId' | 'id';
    tenantId: string;
    id: string;
    email: string;
    lastSeen: Date;
    roles: Set<string>;
  }
  class Note {
    id: string;
    text: string;
  }
  class Counter {
    id: string;
    value: number;
  }
  class AppModule {}
  const cache: cacheorm.Cache;
  const sessions: cacheorm.Repository<Session>;
  const fakeSessions: Partial<cacheorm.Repository<Session>>;
  const id: string;
  const key: { tenantId: string; id: string };
  const input: cacheorm.EntityInput<Session>;
  const db: {
    findSession(key: { tenantId: string; id: string }): Promise<Session | undefined>;
    sessions: { findOne(key: { tenantId: string; id: string }): Promise<Session | undefined> };
  };
  const log: Record<'debug' | 'info' | 'warn' | 'error', (fields: object | string, message?: string) => void>;
  const metrics: { histogram(name: string, value: number): void; increment(name: string): void };
  function reply(status: number, body: unknown): unknown;
  class MyStore implements cacheorm.Store {
    readonly kind: string;
    get: cacheorm.Store['get'];
    mget: cacheorm.Store['mget'];
    write: cacheorm.Store['write'];
    unlink: cacheorm.Store['unlink'];
    deleteIfEquals: cacheorm.Store['deleteIfEquals'];
    exists: cacheorm.Store['exists'];
    pttl: cacheorm.Store['pttl'];
    expire: cacheorm.Store['expire'];
    scan: cacheorm.Store['scan'];
    indexScan: cacheorm.Store['indexScan'];
    indexPrune: cacheorm.Store['indexPrune'];
    indexSync: cacheorm.Store['indexSync'];
    fieldScan: cacheorm.Store['fieldScan'];
    fieldSync: cacheorm.Store['fieldSync'];
    close: cacheorm.Store['close'];
  }
  interface Mailer {
    send(to: string, body: string): Promise<void>;
  }
  const client: ioredis.Redis;
  const myStore: cacheorm.Store;
  const health: { markDegraded(reason: string): void };
  const histogram: { record(value: number, attributes: Record<string, string>): void };
  const reports: cacheorm.Repository<{ id: string; rows: number[] }, 'id', { id: string; rows: number[] }>;
  function buildReport(key: { id: string }): Promise<{ id: string; rows: number[] }>;
  const Profile: cacheorm.EntityDefinition<{ userId: string; name: string }, 'userId'>;
  interface Database {
    loadProfile(userId: string): Promise<{ userId: string; name: string } | undefined>;
  }
  const database: Database;
  class ProfileService {
    constructor(profiles: cacheorm.RepositoryOf<typeof Profile>, db: Database);
  }
  // A container whose resolve is typed by the token (docs/injection.md; examples/plain-di.ts has one).
  const container: { resolve<T>(token: cacheorm.Token<T>): T };
  // @nestjs/config, which is not a dev dependency.
  class ConfigModule {}
  class ConfigService {
    get<T = string>(key: string, defaultValue: T): T;
    getOrThrow<T = string>(key: string): T;
  }
}
