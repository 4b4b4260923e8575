/**
 * A cache over a custom store (./metered-store.ts), which counts the commands the cache sends.
 *
 *   npx tsx examples/custom-store/main.ts                                  # over the memory store
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/custom-store/main.ts # over Redis (deletes what it wrote)
 */
import { z } from 'zod';
import { createCache, defineEntity, MemoryStore, RedisStore } from 'cacheorm';
import { MeteredStore } from './metered-store.js';

const Product = defineEntity({
  name: 'product',
  key: ['sku'],
  schema: z.object({ sku: z.string(), name: z.string(), cents: z.int() }),
  ttl: '5m',
});

const redisUrl = process.env.REDIS_URL;
const store = new MeteredStore(redisUrl ? new RedisStore(redisUrl) : new MemoryStore());
const cache = createCache({ store, prefix: 'custom-store-example' }); // a store passed in: the cache never closes it
const products = cache.getRepository(Product);
console.log(`cache over a MeteredStore wrapping the ${store.kind} store`);

try {
  await products.save([
    { sku: 'a-1', name: 'kettle', cents: 2_999 },
    { sku: 'a-2', name: 'teapot', cents: 1_999 },
  ]);
  await products.get({ sku: 'a-1' });
  await products.getMany([{ sku: 'a-1' }, { sku: 'a-2' }, { sku: 'zz' }]);
  console.log(`  products found:  ${await products.find({}).count()}`);
  console.log(`  deleted:         ${await products.delete([{ sku: 'a-1' }, { sku: 'a-2' }])}`);
  console.log(`  commands sent:   ${JSON.stringify(store.calls())}`);
} finally {
  await cache.close();
  await store.close(); // yours to close: closes the wrapped store, and the Redis client it created
  console.log('cache and store closed.');
}
