/**
 * What freshness costs (issue 17): `node --expose-gc --import tsx bench/freshness.ts [--quick]`, or
 * `npm run bench -- freshness`.
 *
 * Latency of one read at 1 in flight, on a redis-server of its own, 64 keys round robin:
 *
 *   raw GET            ioredis `GET` of the same stored text (the floor)
 *   raw GET+PTTL script  ioredis `EVALSHA` of the script grace reads run (the floor of a read with grace)
 *   plain get          `repo.get` of an entity without grace (`GET`)
 *   fresh get          `repo.get` of an entity with grace, fresh entry (`GET` + `PTTL` in one round trip)
 *   stale get          `repo.get(key, { allowStale: true })` of the same entity, stale entry
 *   fresh getOrLoad    `repo.getOrLoad` of a fresh entry with grace (the loader is not called)
 *   stale getOrLoad    `repo.getOrLoad` of a stale entry, loader failing at once: the stale value served
 *
 * Ratios: stale ÷ fresh (what serving a stale value costs over a fresh one), fresh-with-grace ÷ plain
 * (what grace costs a read), plain ÷ raw. Times are medians of interleaved rounds after a warm-up;
 * `paired` ratios are medians of per-round ratios. Full mode writes bench/results/freshness.json.
 */
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { createCache, defineEntity } from 'cacheorm';
import { GET_WITH_PTTL } from '../src/store/redis/lua/index-scripts.js';
import {
  benchOptionsFromArgs, collectGarbage, hasGc, log, median, printTable, round, startBenchRedis, writeResults, type BenchOptions,
} from './support.js';

const schema = z.object({ id: z.string(), name: z.string(), price: z.number(), updatedAt: z.date() });
const Plain = defineEntity({ name: 'plain', key: ['id'], schema, ttl: '1h' });
const Graced = defineEntity({ name: 'graced', key: ['id'], schema, ttl: '1h', grace: '1h' });

const CASES = ['raw GET', 'raw GET+PTTL script', 'plain get', 'fresh get', 'stale get', 'fresh getOrLoad', 'stale getOrLoad'] as const;
type CaseName = (typeof CASES)[number];

/** What {@link runFreshnessBench} measured. */
export interface FreshnessBenchResult {
  rounds: number;
  calls: number;
  /** Median µs per call of each case. */
  us: Record<CaseName, number>;
  ratios: { staleVsFresh: number; staleGetOrLoadVsFresh: number; graceVsPlain: number; plainVsRaw: number; graceVsRawScript: number; rawScriptVsRawGet: number };
  paired: { staleVsFresh: number; graceVsPlain: number };
}

/**
 * Measures read latency with and without freshness on `redisUrl` and answers the figures (prints nothing).
 *
 * @example
 * const { ratios } = await runFreshnessBench('redis://127.0.0.1:6390', { quick: true });
 */
export async function runFreshnessBench(redisUrl: string, options: { quick?: boolean; prefix?: string } = {}): Promise<FreshnessBenchResult> {
  const rounds = options.quick ? 3 : 15;
  const calls = options.quick ? 200 : 2000;
  const prefix = options.prefix ?? `bench-fresh-${process.pid}`;
  const cache = createCache({ redis: redisUrl, prefix });
  const raw = new Redis(redisUrl);
  try {
    const plain = cache.getRepository(Plain);
    const graced = cache.getRepository(Graced);
    const ids = Array.from({ length: 64 }, (_, i) => `item-${i}`);
    const value = (id: string) => ({ id, name: `name of ${id}`, price: 9.99, updatedAt: new Date(1_700_000_000_000) });
    await plain.save(ids.map(value));
    await graced.save(ids.map(value));
    const staleIds = ids.map((id) => `stale-${id}`);
    await graced.save(staleIds.map(value), { ttl: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    if ((await graced.get({ id: staleIds[0]! })) !== undefined) throw new Error('the stale entries are not stale');
    const down = () => Promise.reject(new Error('upstream down'));
    const rawKeys = ids.map((id) => plain.keyOf({ id }));
    let n = 0;
    const pick = <T>(list: readonly T[]) => list[n++ % list.length]!;
    const run: Record<CaseName, () => Promise<unknown>> = {
      'raw GET': () => raw.get(pick(rawKeys)),
      'raw GET+PTTL script': () => raw.evalsha(GET_WITH_PTTL.sha1, 1, pick(rawKeys)),
      'plain get': () => plain.get({ id: pick(ids) }),
      'fresh get': () => graced.get({ id: pick(ids) }),
      'stale get': () => graced.get({ id: pick(staleIds) }, { allowStale: true }),
      'fresh getOrLoad': () => graced.getOrLoad({ id: pick(ids) }, down),
      'stale getOrLoad': () => graced.getOrLoad({ id: pick(staleIds) }, down),
    };
    await raw.script('LOAD', GET_WITH_PTTL.source);
    const check = await Promise.all(CASES.map((c) => run[c]()));
    if (check.some((v) => v === null || v === undefined)) throw new Error('a case answered nothing');
    const samples = Object.fromEntries(CASES.map((c) => [c, [] as number[]])) as Record<CaseName, number[]>;
    for (let r = -1; r < rounds; r++) {
      collectGarbage();
      // Rotate the order each round so no case always runs first; round -1 is the warm-up.
      const order = CASES.map((_, i) => CASES[(i + Math.max(r, 0)) % CASES.length]!);
      for (const name of order) {
        const start = process.hrtime.bigint();
        for (let i = 0; i < calls; i++) await run[name]();
        const us = Number(process.hrtime.bigint() - start) / 1000 / calls;
        if (r >= 0) samples[name].push(us);
      }
    }
    const us = Object.fromEntries(CASES.map((c) => [c, round(median(samples[c]), 2)])) as Record<CaseName, number>;
    const per = (a: CaseName, b: CaseName) => round(median(samples[a].map((x, i) => x / samples[b][i]!)), 3);
    return {
      rounds,
      calls,
      us,
      ratios: {
        staleVsFresh: round(us['stale get'] / us['fresh get'], 3),
        staleGetOrLoadVsFresh: round(us['stale getOrLoad'] / us['fresh getOrLoad'], 3),
        graceVsPlain: round(us['fresh get'] / us['plain get'], 3),
        plainVsRaw: round(us['plain get'] / us['raw GET'], 3),
        graceVsRawScript: round(us['fresh get'] / us['raw GET+PTTL script'], 3),
        rawScriptVsRawGet: round(us['raw GET+PTTL script'] / us['raw GET'], 3),
      },
      paired: { staleVsFresh: per('stale get', 'fresh get'), graceVsPlain: per('fresh get', 'plain get') },
    };
  } finally {
    await cache.getRepository(Plain).find({}).delete();
    await cache.getRepository(Graced).find({}).delete();
    raw.disconnect();
    await cache.close();
  }
}

/** Prints the freshness figures; full mode also writes bench/results/freshness.json. */
export async function run(options: BenchOptions): Promise<void> {
  if (!hasGc()) console.warn('[bench] run with node --expose-gc for steadier figures');
  const server = await startBenchRedis();
  try {
    log(`freshness: redis-server on ${server.url}`);
    const result = await runFreshnessBench(server.url, { quick: options.quick });
    printTable(
      `Read latency with freshness, µs per call at 1 in flight, ${result.rounds} rounds × ${result.calls}${options.quick ? ' (quick: noisy)' : ''}`,
      ['case', 'µs'],
      CASES.map((c) => [c, result.us[c]]),
    );
    const { ratios, paired } = result;
    console.log(`stale get ÷ fresh get: ${ratios.staleVsFresh} (paired ${paired.staleVsFresh}); stale getOrLoad (failing loader) ÷ fresh getOrLoad: ${ratios.staleGetOrLoadVsFresh}`);
    console.log(`fresh get with grace ÷ plain get: ${ratios.graceVsPlain} (paired ${paired.graceVsPlain}); plain get ÷ raw GET: ${ratios.plainVsRaw}`);
    console.log(`raw GET+PTTL script ÷ raw GET: ${ratios.rawScriptVsRawGet}; fresh get with grace ÷ raw script: ${ratios.graceVsRawScript}`);
    if (!options.quick) {
      const file = writeResults('freshness', { date: new Date().toISOString(), node: process.version, ...result });
      console.log(`results: ${file}`);
    }
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(benchOptionsFromArgs());
}
