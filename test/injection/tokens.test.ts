/** Framework-free injection tokens: stable, distinct per cache and entity, and strict about input. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CacheEntity, ConfigError, DEFAULT_CACHE_NAME, defineEntity, EntityDefinitionError, Field, getCacheToken, getRepositoryToken, Key } from 'cacheorm';
import * as nestjs from 'cacheorm/nestjs';

@CacheEntity({ name: 'session', ttl: '30m' })
class Session {
  @Key(z.string()) id!: string;
  @Field(z.string()) email!: string;
}

const Reply = defineEntity({ name: 'reply', key: ['id'], schema: z.object({ id: z.string() }), ttl: '1h' });

describe('getCacheToken', () => {
  it('names the default cache and named caches', () => {
    expect(getCacheToken()).toBe('cacheorm:default:cache');
    expect(getCacheToken(DEFAULT_CACHE_NAME)).toBe(getCacheToken());
    expect(getCacheToken('analytics')).toBe('cacheorm:analytics:cache');
  });

  it('rejects names that are not identifiers', () => {
    for (const bad of ['', 'a b', 'a:b', '1abc', 'x'.repeat(101), 42, null]) {
      expect(() => getCacheToken(bad as string)).toThrow(ConfigError);
    }
    expect(() => getCacheToken('a:b')).toThrow(/cache name "a:b" is not valid/);
  });
});

describe('getRepositoryToken', () => {
  it('is the same string for the same entity and cache, for classes and defineEntity', () => {
    expect(getRepositoryToken(Session)).toBe('cacheorm:default:repository:session');
    expect(getRepositoryToken(Session)).toBe(getRepositoryToken(Session, DEFAULT_CACHE_NAME));
    expect(getRepositoryToken(Reply)).toBe('cacheorm:default:repository:reply');
    expect(getRepositoryToken(Reply, 'side')).toBe('cacheorm:side:repository:reply');
  });

  it('differs between entities, between caches, and from cache tokens', () => {
    const tokens = [getRepositoryToken(Session), getRepositoryToken(Reply), getRepositoryToken(Session, 'side'), getCacheToken(), getCacheToken('side')];
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('throws EntityDefinitionError for something that is not an entity', () => {
    class Plain {}
    expect(() => getRepositoryToken(Plain)).toThrow(EntityDefinitionError);
    expect(() => getRepositoryToken({} as never)).toThrow(/is not a cache entity/);
    expect(() => getRepositoryToken(Session, 'bad name')).toThrow(ConfigError);
  });

  it('is the same function in cacheorm and cacheorm/nestjs', () => {
    expect(nestjs.getRepositoryToken).toBe(getRepositoryToken);
    expect(nestjs.getCacheToken).toBe(getCacheToken);
    expect(nestjs.DEFAULT_CACHE_NAME).toBe(DEFAULT_CACHE_NAME);
  });
});
