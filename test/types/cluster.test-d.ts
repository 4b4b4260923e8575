/** Compile-time behaviour of the Redis Cluster options. `@ts-expect-error` lines must fail to compile. */
import { Cluster, Redis } from 'ioredis';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createCache, defineEntity, RedisStore, type RedisClusterConfig } from 'cacheorm';

const schema = z.object({ tenantId: z.string(), id: z.string(), note: z.string() });

describe('hashTag', () => {
  it('takes key fields only', () => {
    defineEntity({ name: 'a', key: ['tenantId', 'id'], schema, ttl: '1m', hashTag: ['tenantId'] });
    defineEntity({ name: 'b', key: ['tenantId', 'id'], schema, ttl: '1m', hashTag: ['tenantId', 'id'] });
    // @ts-expect-error note is not a key field
    defineEntity({ name: 'c', key: ['tenantId', 'id'], schema, ttl: '1m', hashTag: ['note'] });
    // @ts-expect-error not a field at all
    defineEntity({ name: 'd', key: ['tenantId', 'id'], schema, ttl: '1m', hashTag: ['nope'] });
  });

  it('does not change the inferred key type', () => {
    const Tagged = defineEntity({ name: 'e', key: ['tenantId', 'id'], schema, ttl: '1m', hashTag: ['tenantId'] });
    expectTypeOf(Tagged.key).toEqualTypeOf<readonly ('tenantId' | 'id')[]>();
  });
});

describe('clusters', () => {
  it('RedisStore types its client from what it was given', () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 7000 }], { lazyConnect: true });
    expectTypeOf(new RedisStore(cluster).client).toEqualTypeOf<Cluster>();
    expectTypeOf(new RedisStore(new Redis({ lazyConnect: true })).client).toEqualTypeOf<Redis>();
    expectTypeOf(new RedisStore('redis://127.0.0.1:6379').client).toEqualTypeOf<Redis>();
    expectTypeOf(new RedisStore<Cluster>(['redis://127.0.0.1:7000']).client).toEqualTypeOf<Cluster>();
  });

  it('createCache takes a Cluster, a list of node URLs or { cluster, clusterOptions }', () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 7000 }], { lazyConnect: true });
    createCache({ redis: cluster });
    createCache({ redis: ['redis://127.0.0.1:7000', 'redis://127.0.0.1:7001'] });
    createCache({ redis: { cluster: ['redis://127.0.0.1:7000'], clusterOptions: { scaleReads: 'master' } } });
    expectTypeOf<readonly string[]>().toMatchTypeOf<RedisClusterConfig>();
    // @ts-expect-error node URLs are strings
    createCache({ redis: [7000] });
  });
});
