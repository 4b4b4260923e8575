/**
 * The behaviours of Pow's Redis cache store test module (put/get/delete, multi-put, auto purge),
 * translated to cacheorm and run against real Redis.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCache, defineEntity } from 'cacheorm';
import { redisUrl, uniquePrefix } from '../support/redis.js';
import { sleep } from '../support/backends.js';

const Entry = defineEntity({
  name: 'entry',
  key: ['namespace', 'key'],
  schema: z.object({ namespace: z.string(), key: z.string(), value: z.unknown() }),
  ttl: 100,
});

describe('Pow cache store behaviours on Redis', () => {
  const cache = createCache({ redis: redisUrl(), prefix: uniquePrefix('pow') });
  const entries = cache.getRepository(Entry);
  afterAll(() => cache.close());

  it('can put, get and delete records', async () => {
    expect(await entries.get({ namespace: 'pow:test', key: 'key' })).toBeUndefined();
    await entries.save({ namespace: 'pow:test', key: 'key', value: 'value' });
    expect((await entries.get({ namespace: 'pow:test', key: 'key' }))?.value).toBe('value');
    await entries.delete({ namespace: 'pow:test', key: 'key' });
    expect(await entries.get({ namespace: 'pow:test', key: 'key' })).toBeUndefined();
  });

  it('can put multiple records at once', async () => {
    await entries.save([
      { namespace: 'pow:test', key: 'key1', value: 'value' },
      { namespace: 'pow:test', key: 'key2', value: 'value' },
    ]);
    const got = await entries.getMany([{ namespace: 'pow:test', key: 'key1' }, { namespace: 'pow:test', key: 'key2' }]);
    expect(got.map((e) => e?.value)).toEqual(['value', 'value']);
  });

  it('with no TTL given, entries are still purged after the entity TTL (auto purge)', async () => {
    await entries.save({ namespace: 'pow:test', key: 'purge', value: { nested: [1, 2] } });
    expect((await entries.get({ namespace: 'pow:test', key: 'purge' }))?.value).toEqual({ nested: [1, 2] });
    await sleep(200);
    expect(await entries.get({ namespace: 'pow:test', key: 'purge' })).toBeUndefined();
  });
});
