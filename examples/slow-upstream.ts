/**
 * A slow upstream API served through an outage: exchange rates from an HTTP service that is sometimes
 * slow and sometimes down, cached with a grace period so that callers keep getting the last known rate
 * (stale-while-revalidate), with soft and hard loader timeouts and refresh-ahead (docs/freshness.md).
 *
 *   npx tsx examples/slow-upstream.ts                                  # embedded memory store
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/slow-upstream.ts # Redis (deletes what it wrote)
 *
 * The "upstream" is a local node:http server this program starts, whose mode the program switches:
 * healthy, down (503), slow (answers after 1.5 s).
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { createCache, defineEntity, LoaderTimeoutError, type GetOrLoadOptions } from 'cacheorm';

/** A rate is fresh for 1 s (short, for the demo), then stale (still served when the upstream fails) for an hour. */
const Rate = defineEntity({
  name: 'rate',
  key: ['pair'],
  schema: z.object({ pair: z.string(), value: z.number(), asOf: z.date() }),
  ttl: 1000,
  grace: '1h',
});

// --- the upstream ----------------------------------------------------------------------------------
let mode: 'healthy' | 'down' | 'slow' = 'healthy';
let version = 0;
let requests = 0;
const upstream = createServer((req, res) => {
  requests++;
  const pair = new URL(req.url!, 'http://upstream').searchParams.get('pair')!;
  const answer = () => res.end(JSON.stringify({ pair, value: 1 + ++version / 100, asOf: new Date().toISOString() }));
  if (mode === 'down') res.writeHead(503).end('maintenance');
  else if (mode === 'slow') setTimeout(answer, 1500);
  else answer();
});
upstream.listen(0, '127.0.0.1');
await once(upstream, 'listening');
const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

/** The loader: one HTTP request, bounded at 5 s. */
async function fetchRate({ pair }: { pair: string }) {
  const res = await fetch(`${base}/rates?pair=${pair}`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`upstream answered ${res.status}`);
  const body = (await res.json()) as { pair: string; value: number; asOf: string };
  return { pair: body.pair, value: body.value, asOf: new Date(body.asOf) };
}

// --- the application -------------------------------------------------------------------------------
const cache = createCache({ redis: process.env.REDIS_URL, prefix: 'slow-upstream-example' }); // no REDIS_URL: memory store
const rates = cache.getRepository(Rate);
cache.on('error', (err) => console.error(`cache error ${err.code}: ${err.message}`));
cache.on('stale', ({ key, reason, error }) => console.log(`  [stale event] ${key}: ${reason}${error ? ` (${(error as Error).message})` : ''}`));
cache.on('refresh', ({ key, ok, error }) => console.log(`  [refresh event] ${key}: ${ok ? 'cached' : `failed (${(error as Error).message})`}`));
const refreshed = () => new Promise<void>((resolve) => cache.once('refresh', () => resolve()));

/** What every request handler calls: at most 100 ms for a stale rate, at most 1 s without one. */
const options: GetOrLoadOptions = { softTimeout: 100, hardTimeout: 1000 };
const rate = (pair: string) => rates.getOrLoad({ pair }, fetchRate, options);
const show = (label: string, value: unknown) => console.log(`  ${label.padEnd(36)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
const untilStale = async (pair: string) => {
  while (await rates.get({ pair })) await new Promise((resolve) => setTimeout(resolve, 25));
};

console.log(`exchange rates on the ${cache.store.kind} store`);
try {
  console.log('\n▸ healthy upstream: the first call loads, the next ones are cached');
  show('EURUSD:', (await rate('EURUSD'))?.value);
  show('EURUSD again:', (await rate('EURUSD'))?.value);
  show('upstream requests so far:', requests);

  console.log('\n▸ the rate goes stale (past its 1 s TTL), then the upstream goes down');
  await untilStale('EURUSD');
  show('get() (fresh only):', (await rates.get({ pair: 'EURUSD' }))?.value ?? 'undefined');
  show('get(allowStale):', (await rates.get({ pair: 'EURUSD' }, { allowStale: true }))?.value);
  mode = 'down';
  show('rate during the outage:', (await rate('EURUSD'))?.value);

  console.log('\n▸ the upstream comes back slow (1.5 s): stale at once, the load finishes behind it');
  mode = 'slow';
  const done = refreshed();
  show('rate while slow:', (await rate('EURUSD'))?.value);
  await done;
  show('get() after the background load:', (await rates.get({ pair: 'EURUSD' }))?.value);

  console.log('\n▸ no stale value to fall back on: the hard timeout fails the call');
  const late = refreshed();
  try {
    await rate('GBPUSD');
  } catch (err) {
    if (!(err instanceof LoaderTimeoutError)) throw err;
    show('GBPUSD:', `${err.code} after ${err.timeoutMs} ms`);
  }
  await late;
  mode = 'healthy';
  show('get() once its load finished:', (await rates.get({ pair: 'GBPUSD' }))?.value);

  console.log('\n▸ refresh-ahead: a rate past 50% of its TTL is served and reloaded before it goes stale');
  await rates.save({ pair: 'USDJPY', value: 150, asOf: new Date() });
  await new Promise((resolve) => setTimeout(resolve, 600));
  const ahead = refreshed();
  show('USDJPY (cached, 600 ms old):', (await rates.getOrLoad({ pair: 'USDJPY' }, fetchRate, { refreshAhead: 0.5 }))?.value);
  await ahead;
  show('USDJPY after the refresh:', (await rates.get({ pair: 'USDJPY' }))?.value);

  const { staleHits, refreshes, refreshFailures } = cache.stats();
  console.log('\n▸ counters');
  show('stats():', { staleHits, refreshes, refreshFailures });
} finally {
  await rates.delete([{ pair: 'EURUSD' }, { pair: 'GBPUSD' }, { pair: 'USDJPY' }]).catch(() => 0);
  await cache.close(); // waits for background loads (gives up on loaders that never settle)
  upstream.close();
  upstream.closeAllConnections();
  console.log('\ncache closed.');
}
