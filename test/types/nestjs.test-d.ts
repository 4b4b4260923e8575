/** Compile-time behaviour of the injection tokens and the NestJS module. */
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { DynamicModule } from '@nestjs/common';
import { CacheEntity, CacheKeys, defineEntity, Field, Key, type Cache, type Repository, type RepositoryOf, type Token } from 'cacheorm';
import { CacheOrmModule, getCacheToken, getRepositoryToken, InjectCache, InjectRepository, type CacheOrmModuleOptions } from 'cacheorm/nestjs';

const Reply = defineEntity({
  name: 'reply',
  key: ['requestId'],
  schema: z.object({ requestId: z.string(), status: z.int() }),
  ttl: '1h',
});

@CacheEntity({ name: 'session', ttl: '30m' })
class Session {
  declare [CacheKeys]?: 'tenantId' | 'id';
  @Key(z.string()) tenantId!: string;
  @Key(z.string()) id!: string;
  @Field(z.string()) email!: string;
}

@CacheEntity({ name: 'note', ttl: '1h' })
class Note {
  @Key(z.string()) id!: string;
  @Field(z.string()) text!: string;
}

/** A container typed by its tokens, like a hand-written composition root. */
declare function resolve<T>(token: Token<T>): T;

describe('tokens', () => {
  it('carry the type of what they stand for', () => {
    expectTypeOf(resolve(getCacheToken())).toEqualTypeOf<Cache>();
    expectTypeOf(resolve(getRepositoryToken(Reply))).toEqualTypeOf<Repository<{ requestId: string; status: number }, 'requestId', { requestId: string; status: number }>>();
    expectTypeOf(resolve(getRepositoryToken(Session))).toEqualTypeOf<Repository<Session, 'tenantId' | 'id'>>();
    expectTypeOf(resolve(getRepositoryToken(Note, 'side'))).toEqualTypeOf<Repository<Note, never>>();
  });

  it('are strings for every container', () => {
    expectTypeOf(getRepositoryToken(Session)).toExtend<string>();
    expectTypeOf(getCacheToken('x')).toExtend<string>();
  });

  it('RepositoryOf gives the repository type of an entity target', () => {
    expectTypeOf<RepositoryOf<typeof Reply>>().toEqualTypeOf<Repository<{ requestId: string; status: number }, 'requestId', { requestId: string; status: number }>>();
    expectTypeOf<RepositoryOf<typeof Session>>().toEqualTypeOf<Repository<Session, 'tenantId' | 'id'>>();
    // A typed repository requires exactly the key fields.
    const replies = resolve(getRepositoryToken(Reply));
    void replies.get({ requestId: 'r1' });
    // @ts-expect-error: requestId is the key, status is not
    void replies.get({ status: 200 });
  });

  it('only entities make repository tokens', () => {
    // @ts-expect-error: a string is not an entity
    getRepositoryToken('session');
  });
});

describe('CacheOrmModule', () => {
  it('takes createCache options plus a name, and answers dynamic modules', () => {
    expectTypeOf(CacheOrmModule.forRoot({ redis: 'redis://localhost:6379', prefix: 'app', name: 'main' })).toEqualTypeOf<DynamicModule>();
    expectTypeOf(CacheOrmModule.forFeature([Session, Reply, Note], 'main')).toEqualTypeOf<DynamicModule>();
    expectTypeOf<CacheOrmModuleOptions['name']>().toEqualTypeOf<string | undefined>();
    // @ts-expect-error: writes is 'sync' | 'async'
    CacheOrmModule.forRoot({ writes: 'later' });
    CacheOrmModule.forRootAsync({ inject: ['CONFIG'], useFactory: (config: { url: string }) => ({ redis: config.url }) });
    // @ts-expect-error: the factory must answer cache options
    CacheOrmModule.forRootAsync({ useFactory: () => 42 });
  });

  it('decorators are parameter and property decorators', () => {
    expectTypeOf(InjectRepository(Session)).toExtend<ParameterDecorator>();
    expectTypeOf(InjectCache('main')).toExtend<PropertyDecorator>();
  });
});
