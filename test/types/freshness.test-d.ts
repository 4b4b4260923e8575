/** Compile-time behaviour of freshness options. `@ts-expect-error` lines must fail to compile. */
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  CacheEntity, createCache, defineEntity, Field, Key,
  type CacheStats, type FreshnessOptions, type GetOrLoadOptions, type ReadOptions, type RefreshEvent, type StaleEvent,
} from 'cacheorm';

const Quote = defineEntity({ name: 'quote', key: ['sym'], schema: z.object({ sym: z.string(), price: z.number() }), ttl: '1m', grace: '1h' });

@CacheEntity({ name: 'rate', ttl: '5m', grace: '30m' })
class Rate {
  @Key(z.string()) pair!: string;
  @Field(z.number()) value!: number;
}

// @ts-expect-error a grace period cannot be 'never'
defineEntity({ name: 'bad', key: ['sym'], schema: z.object({ sym: z.string() }), ttl: '1m', grace: 'never' });
// @ts-expect-error nor a malformed duration
defineEntity({ name: 'bad2', key: ['sym'], schema: z.object({ sym: z.string() }), ttl: '1m', grace: '10 minutes' });

const cache = createCache();
const quotes = cache.getRepository(Quote);

describe('freshness types', () => {
  it('types read and load options', () => {
    expectTypeOf(quotes.get({ sym: 'A' }, { allowStale: true })).resolves.toEqualTypeOf<{ sym: string; price: number } | undefined>();
    expectTypeOf(quotes.getMany).parameter(1).toEqualTypeOf<ReadOptions | undefined>();
    expectTypeOf<GetOrLoadOptions>().toExtend<FreshnessOptions>();
    void quotes.getOrLoad({ sym: 'A' }, () => ({ sym: 'A', price: 1 }), { grace: 0, softTimeout: '200ms', hardTimeout: 2000, refreshAhead: 0.8 });
    // @ts-expect-error refreshAhead is a fraction, not a duration
    void quotes.getOrLoad({ sym: 'A' }, () => undefined, { refreshAhead: '10s' });
    // @ts-expect-error timeouts cannot be 'never'
    void quotes.getOrLoad({ sym: 'A' }, () => undefined, { hardTimeout: 'never' });
    // @ts-expect-error allowStale is a boolean
    void quotes.get({ sym: 'A' }, { allowStale: 'yes' });
    void quotes.find({ sym: 'A' }, { allowStale: true });
    void cache.getRepository(Rate).get({ pair: 'EURUSD' }, { allowStale: true });
  });

  it('types events and stats', () => {
    cache.on('stale', (e) => expectTypeOf(e).toEqualTypeOf<StaleEvent>());
    cache.on('refresh', (e) => expectTypeOf(e).toEqualTypeOf<RefreshEvent>());
    expectTypeOf<StaleEvent['reason']>().toEqualTypeOf<'error' | 'softTimeout' | 'hardTimeout'>();
    expectTypeOf<CacheStats['staleHits']>().toEqualTypeOf<number>();
    expectTypeOf<CacheStats['refreshes']>().toEqualTypeOf<number>();
    expectTypeOf<CacheStats['refreshFailures']>().toEqualTypeOf<number>();
  });
});
