/**
 * createCache / RedisStore / CacheOrmModule configuration errors: misspelt options name the closest valid
 * one, a malformed Redis URL never leaks its password, and an ioredis keyPrefix is refused.
 */
import 'reflect-metadata';
import { inspect } from 'node:util';
import { Test } from '@nestjs/testing';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ConfigError, createCache, RedisStore } from 'cacheorm';
import { CacheOrmModule } from 'cacheorm/nestjs';
import { closestName } from '../../src/errors/suggest.js';
import { failure } from '../support/rejection.js';

/** The error `fn` throws (fails the test if it returns). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

/** Everything about an error a logger could print: its JSON, util.inspect, and its cause chain's. */
function everything(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    parts.push(JSON.stringify(current), inspect(current, { depth: 10, showHidden: true }), String(current));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

describe('closestName', () => {
  const options = ['redis', 'store', 'prefix', 'strict', 'writes', 'commandTimeout', 'failOpen', 'maxValueBytes'];

  it('suggests the candidate within 2 edits or a third of the length, ignoring case', () => {
    expect(closestName('prefx', options)).toBe('prefix');
    expect(closestName('Prefix', options)).toBe('prefix');
    expect(closestName('commandtimout', options)).toBe('commandTimeout');
    expect(closestName('failopen', options)).toBe('failOpen');
    expect(closestName('maxValueByte', options)).toBe('maxValueBytes');
    expect(closestName('rdis', options)).toBe('redis');
  });

  it('suggests nothing when no candidate is close', () => {
    expect(closestName('banana', options)).toBeUndefined();
    expect(closestName('ttl', options)).toBeUndefined();
    expect(closestName('x', [])).toBeUndefined();
  });
});

describe('unknown options', () => {
  it('createCache names the closest valid option', () => {
    const error = thrown(() => createCache({ prefx: 'a' } as never));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'E_CONFIG' });
    expect(error.message).toMatch(/createCache has no option "prefx"\. Did you mean "prefix"\?/);
  });

  it('createCache lists the valid options when nothing is close', () => {
    const error = thrown(() => createCache({ l1Cache: true, banana: 1 } as never));
    expect(error).toMatchObject({ code: 'E_CONFIG' });
    expect(error.message).toMatch(/no option "l1Cache"\. Valid options: redis, store, prefix/);
  });

  it('CacheOrmModule.forRoot and forRootAsync name the closest valid option', () => {
    const root = thrown(() => CacheOrmModule.forRoot({ nmae: 'x' } as never));
    expect(root).toBeInstanceOf(ConfigError);
    expect(root).toMatchObject({ code: 'E_CONFIG' });
    expect(root.message).toMatch(/CacheOrmModule\.forRoot has no option "nmae"\. Did you mean "name"\?/);
    const async = thrown(() => CacheOrmModule.forRootAsync({ useFactroy: () => ({}) } as never));
    expect(async).toMatchObject({ code: 'E_CONFIG' });
    expect(async.message).toMatch(/forRootAsync has no option "useFactroy"\. Did you mean "useFactory"\?/);
  });
});

describe('a malformed Redis URL', () => {
  const url = 'redis://app:pw-s3cret@host:notaport';

  it('createCache throws a ConfigError that holds the password nowhere', () => {
    const error = thrown(() => createCache({ redis: url }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'E_CONFIG' });
    expect(error.message).toMatch(/The Redis URL is malformed\. Use redis:\/\//);
    expect(everything(error)).not.toContain('s3cret');
  });

  it('new RedisStore throws the same', () => {
    for (const bad of [url, 'redis://app:pw-s3cret@[::1', 'rediss://:pw-s3cret@host:99999/0']) {
      const error = thrown(() => new RedisStore(bad));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toMatch(/malformed/);
      expect(everything(error)).not.toContain('s3cret');
    }
  });

  it('a bad %-escape in the credentials is the same ConfigError, standalone or cluster', () => {
    for (const redis of ['redis://:pw-s3cret%zz@host:7000', ['redis://:pw-s3cret%zz@host:7000']]) {
      const error = thrown(() => createCache({ redis }));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toMatch(/malformed/);
      expect(everything(error)).not.toContain('s3cret');
    }
  });

  it('CacheOrmModule.forRoot fails the application start with it', async () => {
    const error = await failure(Test.createTestingModule({ imports: [CacheOrmModule.forRoot({ redis: url })] }).compile());
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'E_CONFIG' });
    expect(everything(error)).not.toContain('s3cret');
  });
});

describe('an ioredis keyPrefix', () => {
  const refused = (error: Error) => {
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'E_CONFIG' });
    expect(error.message).toMatch(/keyPrefix .*find\(\) and reindex\(\) would miss every entry.*Remove keyPrefix and pass it as cacheorm's prefix/);
  };

  it('is refused on a client you pass', async () => {
    const client = new Redis({ lazyConnect: true, keyPrefix: 'tenant:' });
    refused(thrown(() => createCache({ redis: client })));
    refused(thrown(() => new RedisStore(client)));
    const app = await failure(Test.createTestingModule({ imports: [CacheOrmModule.forRoot({ redis: client })] }).compile());
    refused(app);
    client.disconnect();
  });

  it('is refused in options, in redisOptions and in a URL', () => {
    refused(thrown(() => createCache({ redis: { keyPrefix: 'tenant:', lazyConnect: true } })));
    refused(thrown(() => new RedisStore('redis://127.0.0.1:1', { redisOptions: { keyPrefix: 'tenant:', lazyConnect: true } })));
    refused(thrown(() => new RedisStore({ lazyConnect: true }, { redisOptions: { keyPrefix: 'tenant:' } })));
    refused(thrown(() => createCache({ redis: 'redis://127.0.0.1:1/0?keyPrefix=tenant:&lazyConnect=true' })));
  });

  it('is refused on a Cluster you pass and in cluster options', () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true, keyPrefix: 'tenant:' });
    refused(thrown(() => createCache({ redis: cluster })));
    const perNode = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true, redisOptions: { keyPrefix: 'tenant:' } });
    refused(thrown(() => new RedisStore(perNode)));
    refused(thrown(() => createCache({ redis: { cluster: ['redis://127.0.0.1:1'], clusterOptions: { keyPrefix: 'tenant:', lazyConnect: true } } })));
    refused(thrown(() => new RedisStore(['redis://127.0.0.1:1'], { clusterOptions: { redisOptions: { keyPrefix: 'tenant:' }, lazyConnect: true } })));
  });
});
