/**
 * Child process of bench/find.ts (case 2): streams `items.find({ tenantId })` over a db the parent
 * filled, sampling RSS every 1,024 entities, and prints one JSON line. Started fresh so that the RSS
 * baseline is not inflated by the parent's fill.
 *
 * BENCH_STREAM_MODE=raw runs the raw ioredis equivalent instead (SCAN MATCH COUNT 1000, MGET of each
 * reply, JSON.parse of each value, nothing kept): the RSS growth that V8's allocation churn alone causes.
 *
 * BENCH_STREAM_LIVE=1 instead forces a full GC every tenth of the stream (100,000 entities) and reports the peak of live memory
 * (heapUsed + arrayBuffers after GC) over the baseline: what the stream really retains, without V8's
 * garbage (that run's RSS numbers are not comparable to the others).
 *
 * Env: BENCH_REDIS_URL, BENCH_STREAM_TENANT, BENCH_STREAM_EXPECTED, BENCH_STREAM_MODE (find | raw),
 * BENCH_STREAM_LIVE.
 */
import { Redis } from 'ioredis';
import { createCache } from 'cacheorm';
import { Item, PREFIX } from './entities.js';
import { collectGarbage, hasGc, timeMs } from './support.js';

const url = process.env.BENCH_REDIS_URL;
const tenantId = process.env.BENCH_STREAM_TENANT ?? 'big';
const expected = Number(process.env.BENCH_STREAM_EXPECTED);
const mode = process.env.BENCH_STREAM_MODE === 'raw' ? 'raw' : 'find';
const live = process.env.BENCH_STREAM_LIVE === '1';
/** Live mode: GC and sample every tenth of the stream (100,000 of 1,000,000). */
const LIVE_EVERY = Number.isFinite(expected) && expected > 0 ? Math.max(1000, Math.floor(expected / 10)) : 100_000;
if (!url) throw new Error('BENCH_REDIS_URL is not set (this file is started by bench/find.ts)');
if (!hasGc()) throw new Error('run with node --expose-gc');

const MB = 2 ** 20;
const cache = createCache({ redis: url, prefix: PREFIX });
const raw = new Redis(url);
const items = cache.getRepository(Item);
const match = `${PREFIX}:item:${tenantId}:*`;

/** The raw ioredis loop; stops after `limit` values. Answers the number of values and the sum of `n`. */
async function rawStream(limit = Infinity): Promise<[count: number, check: number]> {
  let n = 0;
  let check = 0;
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    if (keys.length === 0) continue;
    for (const value of await raw.mget(keys)) {
      if (value === null) continue;
      check += (JSON.parse(value) as { json: { n: number } }).json.n;
      if ((++n & 1023) === 0 || n % LIVE_EVERY === 0) sample(n);
      if (n >= limit) return [n, check];
    }
  } while (cursor !== '0');
  return [n, check];
}

async function findStream(limit = Infinity): Promise<[count: number, check: number]> {
  let n = 0;
  let check = 0;
  const query = items.find({ tenantId });
  for await (const item of limit === Infinity ? query : query.limit(limit)) {
    check += item.n;
    if ((++n & 1023) === 0 || n % LIVE_EVERY === 0) sample(n);
  }
  return [n, check];
}

let peakRss = 0;
let peakHeap = 0;
let peakLive = 0;
let samples = 0;
function sample(n: number): void {
  if (live) {
    if (n % LIVE_EVERY !== 0) return;
    collectGarbage();
    const m = process.memoryUsage();
    if (m.heapUsed + m.arrayBuffers > peakLive) peakLive = m.heapUsed + m.arrayBuffers;
  }
  const m = process.memoryUsage();
  if (m.rss > peakRss) peakRss = m.rss;
  if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
  samples++;
}

try {
  const stream = mode === 'raw' ? rawStream : findStream;
  // Warm the code path (module init, JIT, connection) on a slice, then settle and take the baseline.
  const [warm] = await stream(5000);
  if (warm === 0) throw new Error('nothing to stream');
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 100));
  collectGarbage();
  const baseline = process.memoryUsage();
  peakRss = baseline.rss;
  peakHeap = baseline.heapUsed;
  peakLive = baseline.heapUsed + baseline.arrayBuffers;
  samples = 0;
  const { ms, result: entities } = await timeMs(async () => {
    const [n, check] = await stream();
    sample(n);
    if (check < 0) throw new Error('unreachable');
    return n;
  });
  if (Number.isFinite(expected) && entities !== expected) throw new Error(`streamed ${entities} entities, expected ${expected}`);
  process.stdout.write(
    `${JSON.stringify({
      mode,
      entities,
      seconds: ms / 1000,
      baselineRssMB: baseline.rss / MB,
      peakRssMB: peakRss / MB,
      peakRssGrowthMB: (peakRss - baseline.rss) / MB,
      peakHeapUsedGrowthMB: (peakHeap - baseline.heapUsed) / MB,
      ...(live ? { peakLiveGrowthMB: (peakLive - baseline.heapUsed - baseline.arrayBuffers) / MB } : {}),
      samples,
    })}\n`,
  );
} finally {
  raw.disconnect();
  await cache.close();
}
