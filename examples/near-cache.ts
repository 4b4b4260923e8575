/**
 * A near cache: a price catalog read far more often than it changes, kept in this process's memory and
 * kept coherent by Redis itself (`CLIENT TRACKING`): a change made by another app instance is seen
 * here within moments, without any message bus of our own (docs/near-cache.md).
 *
 *   npx tsx examples/near-cache.ts                                  # embedded memory store (nearCache is accepted and does nothing)
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/near-cache.ts # Redis (deletes what it wrote)
 */
import { z } from 'zod';
import { createCache, defineEntity, MemoryStore } from 'cacheorm';

const Price = defineEntity({
  name: 'price',
  key: ['sku'],
  schema: z.object({ sku: z.string(), cents: z.int(), tags: z.set(z.string()) }),
  ttl: '10m',
});

const url = process.env.REDIS_URL;
const prefix = 'near-cache-example';
// Two app instances: this one reads through a near cache, the other one (e.g. the back office) writes.
const store = url ? undefined : new MemoryStore();
const app = createCache({ ...(url ? { redis: url } : { store }), prefix, nearCache: { maxEntries: 10_000, maxBytes: '16mb' } });
const backOffice = createCache({ ...(url ? { redis: url } : { store }), prefix });
const prices = app.getRepository(Price);
const admin = backOffice.getRepository(Price);

const waitFor = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 500 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
};

try {
  console.log(`prices on the ${url ? 'redis' : 'memory'} store`);
  await admin.save({ sku: 'A-1', cents: 1999, tags: new Set(['new']) });
  console.log('first read:           ', (await prices.get({ sku: 'A-1' }))?.cents);
  // On Redis the near cache serves once its tracking connection is set up (a few ms after start).
  await waitFor(async () => (await prices.get({ sku: 'A-1' })) !== undefined && (app.stats().near?.hits ?? 1) > 0);
  console.log('served in process:    ', app.stats().near === undefined ? 'n/a (memory store)' : app.stats().near!.hits > 0);

  // A caller changing what it got does not change what the next caller reads.
  const mine = (await prices.get({ sku: 'A-1' }))!;
  mine.tags.add('sale');
  console.log('tags for the next one:', [...(await prices.get({ sku: 'A-1' }))!.tags]);

  // The back office changes the price: Redis tells this process, which drops its copy.
  await admin.save({ sku: 'A-1', cents: 1499, tags: new Set(['sale']) });
  await waitFor(async () => (await prices.get({ sku: 'A-1' }))?.cents === 1499);
  console.log('after another write:  ', (await prices.get({ sku: 'A-1' }))?.cents);

  // This process's own writes are read at once.
  await prices.save({ sku: 'A-1', cents: 1299, tags: new Set() });
  console.log('after our own write:  ', (await prices.get({ sku: 'A-1' }))?.cents);

  const near = app.stats().near;
  console.log('near stats:           ', near === undefined ? 'none' : `hits: ${near.hits > 0}, invalidated by Redis: ${near.invalidations > 0}, flushes: ${near.flushes}`);
  await admin.delete({ sku: 'A-1' });
} finally {
  await app.close();
  await backOffice.close();
  if (store) await store.close();
  console.log('cache closed.');
}
