/**
 * cacheorm observability: `node --import tsx examples/observability.ts`
 *
 * Subscribes to cacheorm's `node:diagnostics_channel` channels and logs what a few operations produce:
 * repository operations with their duration, the store commands behind them, lock steps and connection
 * changes, plus the cache's `error` / `invalid` events and `stats()`. Runs on the embedded MemoryStore,
 * or on Redis when REDIS_URL is set (e.g. `REDIS_URL=redis://127.0.0.1:6379`); deletes what it wrote.
 * The last part points a `failOpen` cache at a port where nothing listens, to show what an outage
 * looks like.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import { createServer } from 'node:net';
import { z } from 'zod';
import {
  CHANNELS, createCache, defineEntity,
  type ConnectionMessage, type LockMessage, type RepositoryTraceContext, type StoreTraceContext,
} from 'cacheorm';

const Product = defineEntity({
  name: 'product',
  key: ['sku'],
  schema: z.object({ sku: z.string(), title: z.string(), price: z.number() }),
  ttl: '10m',
});

const t0 = performance.now();
const log = (channel: string, text: string) => console.log(`${(performance.now() - t0).toFixed(1).padStart(7)} ms  ${channel.padEnd(10)} ${text}`);
const describe = (ctx: { key?: string; count?: number; plan?: unknown }) =>
  ctx.key !== undefined ? ctx.key : ctx.count !== undefined ? `${ctx.count} items` : ctx.plan !== undefined ? `(${String(ctx.plan)} plan)` : '';

// 1. Repository operations: one trace per call, timed from start to asyncEnd.
// The context type is given twice: @types/node 26 reversed TracingChannel's type parameters, this works with every major.
const startedAt = new WeakMap<object, number>();
diagnostics_channel.tracingChannel<RepositoryTraceContext, RepositoryTraceContext>(CHANNELS.repository).subscribe({
  start: (ctx) => startedAt.set(ctx, performance.now()),
  end: () => {},
  asyncStart: () => {},
  asyncEnd: (ctx) => log('repository', `${ctx.entity}.${ctx.operation} ${describe(ctx)} (${(performance.now() - startedAt.get(ctx)!).toFixed(2)} ms)`),
  error: (ctx) => log('repository', `${ctx.entity}.${ctx.operation} FAILED: ${(ctx.error as Error).message.slice(0, 90)}...`),
});

// 2. Store commands: what each operation sent.
diagnostics_channel.tracingChannel<StoreTraceContext, StoreTraceContext>(CHANNELS.store).subscribe({
  start: (ctx) => log('store', `  -> ${ctx.store}.${ctx.command} ${describe(ctx)}`),
  end: () => {},
  asyncStart: () => {},
  asyncEnd: () => {},
  error: (ctx) => log('store', `  !! ${ctx.store}.${ctx.command}: ${(ctx.error as Error).name}`),
});

// 3. Lock steps and 4. connection changes: plain channels.
diagnostics_channel.subscribe(CHANNELS.lock, (message) => {
  const m = message as LockMessage;
  log('lock', `${m.event} ${m.lockKey}${m.waitedMs === undefined ? '' : ` after ${m.waitedMs} ms`}`);
});
diagnostics_channel.subscribe(CHANNELS.connection, (message) => {
  const m = message as ConnectionMessage;
  log('connection', `${m.state} ${m.address}${m.error ? ` (${m.error})` : ''}${m.delayMs === undefined ? '' : ` in ${m.delayMs} ms`}`);
});

/** A TCP port nothing listens on. */
async function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function main(): Promise<void> {
  const redis = process.env.REDIS_URL;
  const cache = createCache({ ...(redis ? { redis } : {}), prefix: `observability-${process.pid}` });
  cache.on('error', (err) => log('event', `error ${err.code}: ${err.message}`));
  cache.on('invalid', ({ key, error }) => log('event', `invalid ${key}: ${error.message}`));
  console.log(`running on ${redis ? `Redis at ${redis}` : 'the embedded MemoryStore'}\n`);

  const products = cache.getRepository(Product);
  await products.save([{ sku: 'a1', title: 'Anvil', price: 42 }, { sku: 'b2', title: 'Bucket', price: 7 }]);
  await products.get({ sku: 'a1' });
  await products.getMany([{ sku: 'a1' }, { sku: 'zz' }]);
  await products.find({ sku: 'a1' }).toArray();
  // Two callers at once with the cross-process lock: one loads, the other shares its call.
  const load = async (key: { sku: string }) => ({ sku: key.sku, title: 'Crate', price: 3 });
  await Promise.all([products.getOrLoad({ sku: 'c3' }, load, { lock: true }), products.getOrLoad({ sku: 'c3' }, load, { lock: true })]);
  await products.delete([{ sku: 'a1' }, { sku: 'b2' }, { sku: 'c3' }]);
  console.log('\nstats:', cache.stats());
  await cache.close();

  console.log('\n-- an outage: a failOpen cache whose Redis is not there --\n');
  const down = createCache({ redis: `redis://127.0.0.1:${await unusedPort()}`, prefix: 'observability', failOpen: true, commandTimeout: 500 });
  down.on('error', (err) => log('event', `error ${err.code}: ${err.message.slice(0, 100)}...`));
  const missing = await down.getRepository(Product).getOrLoad({ sku: 'a1' }, load);
  log('result', `getOrLoad answered from the loader: ${JSON.stringify(missing)}`);
  console.log('\nstats:', down.stats());
  await down.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
