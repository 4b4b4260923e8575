/**
 * Finding entities by any field with field indexes: an order book kept in the cache, looked up by
 * customer email, by status, by amount range and "the 3 largest open orders", without scanning and
 * without any Redis module (see docs/find.md, "Field indexes").
 *
 *   npx tsx examples/field-index.ts                                  # embedded memory store
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/field-index.ts # Redis (deletes what it wrote)
 */
import 'reflect-metadata';
import { z } from 'zod';
import { between, CacheEntity, CacheKeys, createCache, Field, gte, Key, oneOf } from 'cacheorm';

@CacheEntity({ name: 'order', ttl: '1h' }) // field indexes turn the key index on (find: 'index')
class Order {
  declare [CacheKeys]?: 'id';
  @Key(z.string()) id!: string;
  @Field(z.email(), { index: true }) email!: string;
  @Field(z.enum(['open', 'paid', 'shipped']), { index: true }) status!: 'open' | 'paid' | 'shipped';
  @Field(z.int(), { index: true }) cents!: number;
  @Field(z.date(), { index: true }) placedAt!: Date;
  @Field(z.string()) note!: string; // not indexed: conditions on it are checked on the fetched values
}

const show = (label: string, value: unknown) => console.log(`  ${label.padEnd(30)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
const ids = (orders: Order[]) => orders.map((o) => o.id);

const cache = createCache({ redis: process.env.REDIS_URL, prefix: 'field-index-example' }); // no REDIS_URL: memory store
cache.on('error', (err) => console.error(`cache error ${err.code}: ${err.message}`));
console.log(`order book on the ${cache.store.kind} store`);
const orders = cache.getRepository(Order);

try {
  const day = (n: number) => new Date(Date.UTC(2026, 11, n));
  await orders.save([
    { id: 'o1', email: 'ann@shop.test', status: 'open', cents: 1200, placedAt: day(1), note: 'gift' },
    { id: 'o2', email: 'bob@shop.test', status: 'paid', cents: 8900, placedAt: day(2), note: '' },
    { id: 'o3', email: 'ann@shop.test', status: 'shipped', cents: 450, placedAt: day(3), note: 'fragile' },
    { id: 'o4', email: 'kim@shop.test', status: 'open', cents: 15000, placedAt: day(4), note: '' },
    { id: 'o5', email: 'ann@shop.test', status: 'open', cents: 3100, placedAt: day(5), note: 'gift' },
  ]);

  console.log('\n▸ equality, oneOf and ranges read only the matching entries of a field index');
  show("ann's orders:", ids(await orders.find({ email: 'ann@shop.test' }).toArray()).sort());
  show('open or paid:', ids(await orders.find({ status: oneOf(['open', 'paid']) }).toArray()).sort());
  show('between 10 and 100 EUR:', ids(await orders.find({ cents: between(1000, 10_000) }).toArray()).sort());
  show("ann's open gifts:", ids(await orders.find({ email: 'ann@shop.test', status: 'open', note: 'gift' }).toArray()).sort());
  show('plan:', orders.find({ email: 'ann@shop.test' }).explain().split('\n')[0]);

  console.log('\n▸ orderBy on an indexed field streams in index order and stops at the limit');
  const largest = orders.find({ status: 'open' }, { orderBy: { cents: 'desc' }, limit: 3 });
  show('3 largest open orders:', (await largest.toArray()).map((o) => `${o.id}:${o.cents}`));
  show('since Dec 3, oldest first:', ids(await orders.find({ placedAt: gte(day(3)) }, { orderBy: { placedAt: 'asc' } }).toArray()));

  console.log('\n▸ a changed value moves in the index, a deleted entity leaves it');
  await orders.update({ id: 'o1', email: 'ann@shop.test', status: 'paid', cents: 1200, placedAt: day(1), note: 'gift' });
  await orders.delete({ id: 'o4' });
  show('open orders now:', ids(await orders.find({ status: 'open' }).toArray()).sort());
  show('paid orders now:', ids(await orders.find({ status: 'paid' }).toArray()).sort());
  show('reindex() (e.g. after a deploy):', await orders.reindex());
} finally {
  await orders.find({}).delete().catch(() => 0);
  await cache.close();
  console.log('\ncache closed.');
}
