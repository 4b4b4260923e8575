import { expectTypeOf, test } from 'vitest';
import { z } from 'zod';
import { CacheEntity, createCache, defineEntity, Field, Key, type CacheStats, type NearCacheOptions, type NearCacheStats } from 'cacheorm';

test('createCache takes nearCache: true, false or bounds', () => {
  createCache({ redis: 'redis://localhost:6379', nearCache: true });
  createCache({ redis: 'redis://localhost:6379', nearCache: { maxEntries: 50_000, maxBytes: '64mb', ttl: '5m' } });
  createCache({ redis: 'redis://localhost:6379', nearCache: { maxBytes: 1 << 26 } });
  expectTypeOf<NearCacheOptions['maxBytes']>().toEqualTypeOf<number | string | undefined>();
  // @ts-expect-error an entry never outlives Redis' TTL: 'never' is not a near-cache ttl
  createCache({ nearCache: { ttl: 'never' } });
  // @ts-expect-error unknown bound
  createCache({ nearCache: { maxItems: 10 } });
  // @ts-expect-error not a boolean or bounds
  createCache({ nearCache: 'yes' });
});

test('stats().near is optional NearCacheStats', () => {
  expectTypeOf<CacheStats['near']>().toEqualTypeOf<NearCacheStats | undefined>();
  expectTypeOf<NearCacheStats>().toEqualTypeOf<{ hits: number; misses: number; entries: number; bytes: number; invalidations: number; flushes: number }>();
});

test('entities opt out with nearCache: false', () => {
  defineEntity({ name: 'audit', key: ['id'], schema: z.object({ id: z.string() }), ttl: '1h', nearCache: false });
  @CacheEntity({ name: 'log', ttl: '1h', nearCache: false })
  class Log {
    @Key(z.string()) id!: string;
    @Field(z.string()) line!: string;
  }
  void Log;
  // @ts-expect-error a boolean
  defineEntity({ name: 'bad', key: ['id'], schema: z.object({ id: z.string() }), ttl: '1h', nearCache: 'off' });
});
