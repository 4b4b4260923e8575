/**
 * The near cache (issue 14): `node --expose-gc --import tsx bench/near.ts [--quick]`, or
 * `npm run bench -- near`. One redis-server of its own; the peer benchmark's session entity.
 *
 * Cases, interleaved rounds after a warm-up, per-call times:
 *
 *   raw GET+JSON      ioredis `GET` + `JSON.parse` of the same session (the floor of a read from Redis)
 *   near hit          `repo.get` of a kept entry (a copy of it)
 *   bentocache hit    bentocache 1.6 with a memory L1 + Redis L2 + its Redis bus, L1 hit (`serialize` default)
 *   raw GET (absent)  ioredis `GET` of a key that does not exist
 *   plain miss        `repo.get` of an absent key, cache without near cache
 *   near miss         `repo.get` of an absent key through the near cache (a token taken and released)
 *   plain get         `repo.get` of a present key, cache without near cache
 *   near cold read    `repo.get` through a near cache that keeps nothing of it (maxEntries 1, 64 keys
 *                     round robin): every read goes to Redis, takes a token, decodes, copies, asks the
 *                     PTTL and fills (evicting the previous entry)
 *
 * Ratios: hotGetLatencySpeedup = raw p50 ÷ near hit p50; hotGetVsBentocache = bentocache hit p50 ÷ near
 * hit p50; missLatencyVsRaw = near miss p50 ÷ plain miss p50 (what the tracking bookkeeping adds to a
 * read that finds nothing; `missVsRawGet` = near miss ÷ raw GET of an absent key; `coldReadVsPlain` =
 * near cold read ÷ plain get, what filling costs); hotGetThroughputVsRaw = near hits ÷ raw GETs per
 * second at 256 in flight. staleWindowP99Ms: raw ioredis SET on another connection, from
 * its acknowledgement to the first `repo.get` answering the new value (polled with setImmediate).
 * Also: heap bytes per 10,000 entries, the copy strategies (docs/near-cache.md, "Copies"), and the
 * tracking-mode measurements (default-mode tracking table vs BCAST traffic).
 */
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis';
import { Redis } from 'ioredis';
import { createCache, type Cache } from 'cacheorm';
import { deepCopy } from '../src/store/near/copy.js';
import { EntityCodec } from '../src/codec/entity-codec.js';
import { getEntityMetadata } from '../src/entity/index.js';
import { PEER_TTL_MS, PeerSession, peerKey, peerSession } from './peers-entity.js';
import { benchOptionsFromArgs, collectGarbage, hasGc, log, median, printTable, round, startBenchRedis, timeLoop, writeResults, type BenchOptions } from './support.js';

const CASES = ['raw GET+JSON', 'near hit', 'bentocache hit', 'raw GET (absent)', 'plain miss', 'near miss', 'plain get', 'near cold read'] as const;
type CaseName = (typeof CASES)[number];

const SIZES = {
  full: { hot: 1000, rounds: 7, calls: 3000, throughputOps: 60_000, staleSamples: 1000, memoryEntries: 10_000, trackingKeys: 100_000, copyIterations: 50_000 },
  quick: { hot: 200, rounds: 2, calls: 300, throughputOps: 5000, staleSamples: 100, memoryEntries: 2000, trackingKeys: 5000, copyIterations: 2000 },
  tiny: { hot: 64, rounds: 1, calls: 64, throughputOps: 512, staleSamples: 10, memoryEntries: 200, trackingKeys: 500, copyIterations: 100 },
};

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Waits until `cache`'s near cache serves (its tracking connection is set up). */
async function untilServing(cache: Cache, read: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    const before = cache.stats().near!.hits;
    await read();
    await read();
    if (cache.stats().near!.hits > before) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the near cache never served');
}

/** Median µs per call at 1 in flight of each case, interleaved rounds, plus p50s of per-call times. */
async function latencies(run: Record<CaseName, (i: number) => Promise<unknown>>, size: typeof SIZES.full) {
  const p50 = Object.fromEntries(CASES.map((c) => [c, [] as number[]])) as Record<CaseName, number[]>;
  for (let r = -1; r < size.rounds; r++) {
    collectGarbage();
    const order = CASES.map((_, i) => CASES[(i + Math.max(r, 0)) % CASES.length]!);
    for (const name of order) {
      const times: number[] = new Array(size.calls);
      const fn = run[name];
      for (let i = 0; i < size.calls; i++) {
        const start = process.hrtime.bigint();
        await fn(i % size.hot);
        times[i] = Number(process.hrtime.bigint() - start) / 1000;
      }
      if (r >= 0) p50[name].push(median(times));
    }
  }
  return p50;
}

/** Operations per second of `fn` with `concurrency` calls in flight. */
async function throughput(fn: (i: number) => Promise<unknown>, ops: number, concurrency: number, hot: number): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < ops) await fn(next++ % hot);
  }));
  return ops / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** What the near cache measured. */
export interface NearBenchResult {
  sizes: typeof SIZES.full;
  us: Record<CaseName, number>;
  throughput: { rawGetsPerSec: number; nearHitsPerSec: number };
  staleWindowMs: { p50: number; p99: number; max: number };
  bytesPer10kEntries: number;
  copy: { deepCopyNs: number; structuredCloneNs: number; decodeNs: number; freezeNs: number };
  tracking: { defaultModeBytesPerKey: number; defaultModeKeys: number; bcastBytesPerWrite: number; noTrackingBytesPerWrite: number };
  ratios: { hotGetLatencySpeedup: number; hotGetThroughputVsRaw: number; hotGetVsBentocache: number; missLatencyVsRaw: number; missVsRawGet: number; coldReadVsPlain: number; staleWindowP99Ms: number };
  paired: { hotGetLatencySpeedup: number; hotGetVsBentocache: number; missLatencyVsRaw: number };
  goals: Record<string, { value: number; met: boolean }>;
}

/** Runs the near-cache benchmark against `url` (a Redis of the benchmark's own). */
export async function runNearBench(url: string, options: { quick?: boolean; tiny?: boolean; prefix?: string } = {}): Promise<NearBenchResult> {
  const size = options.tiny ? SIZES.tiny : options.quick ? SIZES.quick : SIZES.full;
  const prefix = options.prefix ?? `bnear${process.pid}`;
  const raw = new Redis(url);
  const writer = new Redis(url);
  const near = createCache({ redis: url, prefix, nearCache: { maxEntries: 50_000 } });
  const missing = createCache({ redis: url, prefix, nearCache: { maxEntries: 1 } });
  const plain = createCache({ redis: url, prefix });
  const { hostname, port } = new URL(url);
  const connection = { host: hostname, port: Number(port) };
  const bento = new BentoCache({
    default: 'tiered',
    stores: {
      tiered: bentostore({ prefix: `${prefix}:bento` })
        .useL1Layer(memoryDriver({ maxItems: 50_000 }))
        .useL2Layer(redisDriver({ connection }))
        .useBus(redisBusDriver({ connection })),
    },
  });
  try {
    const sessions = Array.from({ length: size.hot }, (_, i) => peerSession(i));
    const rawKeys = sessions.map((s) => `${prefix}:raw:${peerKey(s)}`);
    const keys = sessions.map((s) => ({ tenantId: s.tenantId, id: s.id }));
    const nearRepo = near.getRepository(PeerSession);
    const missRepo = missing.getRepository(PeerSession);
    const plainRepo = plain.getRepository(PeerSession);
    await plainRepo.save(sessions);
    const pipeline = raw.pipeline();
    sessions.forEach((s, i) => pipeline.set(rawKeys[i]!, JSON.stringify(s), 'PX', PEER_TTL_MS));
    await pipeline.exec();
    for (let i = 0; i < size.hot; i++) await bento.set({ key: rawKeys[i]!, value: sessions[i], ttl: PEER_TTL_MS });
    await untilServing(near, () => nearRepo.get(keys[0]!));
    await untilServing(missing, () => missRepo.get(keys[0]!));
    for (const key of keys) await nearRepo.get(key);
    for (const key of rawKeys) await bento.get({ key });

    const absent = Array.from({ length: 64 }, (_, i) => ({ tenantId: 'none', id: `absent${i}` }));
    const absentRaw = absent.map((k) => `${prefix}:raw:${peerKey(k)}`);
    log('near: latency at 1 in flight');
    const run: Record<CaseName, (i: number) => Promise<unknown>> = {
      'raw GET+JSON': async (i) => JSON.parse((await raw.get(rawKeys[i]!))!),
      'near hit': (i) => nearRepo.get(keys[i]!),
      'bentocache hit': (i) => bento.get({ key: rawKeys[i]! }),
      'raw GET (absent)': (i) => raw.get(absentRaw[i % 64]!),
      'plain miss': (i) => plainRepo.get(absent[i % 64]!),
      'near miss': (i) => nearRepo.get(absent[i % 64]!),
      'plain get': (i) => plainRepo.get(keys[i % 64]!),
      'near cold read': (i) => missRepo.get(keys[i % 64]!),
    };
    const p50 = await latencies(run, size);
    const us = Object.fromEntries(CASES.map((c) => [c, round(median(p50[c]), 3)])) as Record<CaseName, number>;
    const paired = (a: CaseName, b: CaseName) => round(median(p50[a].map((x, i) => x / p50[b][i]!)), 3);
    const hitsBefore = near.stats().near!;
    if (hitsBefore.flushes > 0 || hitsBefore.entries < size.hot) log(`near: warning: ${JSON.stringify(hitsBefore)}`);

    log('near: throughput at 256 in flight');
    const rawTp: number[] = [];
    const nearTp: number[] = [];
    for (let r = 0; r < Math.max(2, Math.ceil(size.rounds / 2)); r++) {
      collectGarbage();
      rawTp.push(await throughput(run['raw GET+JSON'], size.throughputOps, 256, size.hot));
      collectGarbage();
      nearTp.push(await throughput(run['near hit'], size.throughputOps * 10, 256, size.hot));
    }

    log('near: stale window');
    const windows: number[] = [];
    const staleKey = nearRepo.keyOf(keys[0]!);
    const base = await writer.get(staleKey);
    for (let n = 0; n < size.staleSamples; n++) {
      const hits = 1000 + n;
      await nearRepo.get(keys[0]!); // kept (the previous sample's read filled it)
      const text = base!.replace(/"hits":\d+/, `"hits":${hits}`);
      await writer.set(staleKey, text, 'KEEPTTL');
      const acked = process.hrtime.bigint();
      for (;;) {
        if ((await nearRepo.get(keys[0]!))?.hits === hits) break;
        await yieldToIo();
      }
      windows.push(Number(process.hrtime.bigint() - acked) / 1e6);
    }

    log('near: memory per entry');
    const memory = createCache({ redis: url, prefix, nearCache: { maxEntries: size.memoryEntries * 2 } });
    const memRepo = memory.getRepository(PeerSession);
    const many = Array.from({ length: size.memoryEntries }, (_, i) => peerSession(100_000 + i));
    await plainRepo.save(many);
    await untilServing(memory, () => memRepo.get(keys[0]!));
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < many.length; i += 500) await memRepo.getMany(many.slice(i, i + 500).map((s) => ({ tenantId: s.tenantId, id: s.id })));
    collectGarbage();
    const bytesPer10kEntries = Math.round(((process.memoryUsage().heapUsed - heapBefore) / memory.stats().near!.entries) * 10_000);
    await memory.close();

    log('near: copy strategies');
    const codec = new EntityCodec(getEntityMetadata(PeerSession));
    const stored = (await writer.get(nearRepo.keyOf(keys[1]!)))!;
    const entity = (await nearRepo.get(keys[1]!))!;
    const copy = {
      deepCopyNs: round(timeLoop([entity], size.copyIterations, (e) => deepCopy(e)), 1),
      structuredCloneNs: round(timeLoop([entity], size.copyIterations, (e) => structuredClone(e)), 1),
      decodeNs: round(timeLoop([stored], size.copyIterations, (t) => codec.decode(t, nearRepo.keyOf(keys[1]!))), 1),
      freezeNs: round(timeLoop([entity], size.copyIterations, (e) => Object.freeze(e)), 1),
    };

    log('near: tracking modes');
    const tracking = await trackingModes(url, prefix, size.trackingKeys, stored);

    const ratios = {
      hotGetLatencySpeedup: round(us['raw GET+JSON'] / us['near hit'], 2),
      hotGetThroughputVsRaw: round(median(nearTp) / median(rawTp), 2),
      hotGetVsBentocache: round(us['bentocache hit'] / us['near hit'], 2),
      missLatencyVsRaw: round(us['near miss'] / us['plain miss'], 3),
      missVsRawGet: round(us['near miss'] / us['raw GET (absent)'], 3),
      coldReadVsPlain: round(us['near cold read'] / us['plain get'], 3),
      staleWindowP99Ms: round(percentile(windows, 99), 3),
    };
    const goals = {
      hotGetLatencySpeedup: { value: ratios.hotGetLatencySpeedup, met: ratios.hotGetLatencySpeedup >= 20 },
      hotGetThroughputVsRaw: { value: ratios.hotGetThroughputVsRaw, met: ratios.hotGetThroughputVsRaw >= 5 },
      hotGetVsBentocache: { value: ratios.hotGetVsBentocache, met: ratios.hotGetVsBentocache >= 1 },
      missLatencyVsRaw: { value: ratios.missLatencyVsRaw, met: ratios.missLatencyVsRaw <= 1.1 },
      staleWindowP99Ms: { value: ratios.staleWindowP99Ms, met: ratios.staleWindowP99Ms <= 2 },
    };
    return {
      sizes: size,
      us,
      throughput: { rawGetsPerSec: Math.round(median(rawTp)), nearHitsPerSec: Math.round(median(nearTp)) },
      staleWindowMs: { p50: round(percentile(windows, 50), 3), p99: ratios.staleWindowP99Ms, max: round(Math.max(...windows), 3) },
      bytesPer10kEntries,
      copy,
      tracking,
      ratios,
      paired: {
        hotGetLatencySpeedup: paired('raw GET+JSON', 'near hit'),
        hotGetVsBentocache: paired('bentocache hit', 'near hit'),
        missLatencyVsRaw: paired('near miss', 'plain miss'),
      },
      goals,
    };
  } finally {
    await bento.disconnectAll();
    await Promise.all([near.close(), missing.close(), plain.close()]);
    let cursor = '0';
    do {
      const [next, found] = await raw.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (found.length > 0) await raw.unlink(...found);
    } while (cursor !== '0');
    raw.disconnect();
    writer.disconnect();
  }
}

/**
 * Default-mode tracking: server memory per tracked key (one connection reads `count` keys with
 * `CLIENT TRACKING ON`). BCAST: output bytes per write under the prefix with one subscribed process,
 * against none.
 */
async function trackingModes(url: string, prefix: string, count: number, text: string) {
  const admin = new Redis(url);
  const tracked = new Redis(url);
  const sub = new Redis(url);
  try {
    const keys = Array.from({ length: count }, (_, i) => `${prefix}:track:${String(i).padStart(7, '0')}`);
    for (let i = 0; i < keys.length; i += 1000) {
      const p = admin.pipeline();
      for (const key of keys.slice(i, i + 1000)) p.set(key, text);
      await p.exec();
    }
    const memory = async () => Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
    const trackedKeys = async () => Number(/tracking_total_keys:(\d+)/.exec(await admin.info('stats'))?.[1] ?? 0);
    const subId = await sub.client('ID');
    await sub.subscribe('__redis__:invalidate');
    const before = await memory();
    await tracked.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(subId));
    for (let i = 0; i < keys.length; i += 1000) {
      const p = tracked.pipeline();
      for (const key of keys.slice(i, i + 1000)) p.get(key);
      await p.exec();
    }
    const defaultModeKeys = await trackedKeys();
    const defaultModeBytesPerKey = Math.round((await memory()) - before) / Math.max(1, defaultModeKeys);
    await tracked.call('CLIENT', 'TRACKING', 'OFF');
    const output = async () => Number(/total_net_output_bytes:(\d+)/.exec(await admin.info('stats'))![1]);
    const writes = Math.min(count, 10_000);
    const writeAll = async () => {
      const start = await output();
      for (let i = 0; i < writes; i += 1000) {
        const p = admin.pipeline();
        for (const key of keys.slice(i, i + 1000)) p.set(key, text);
        await p.exec();
      }
      return (await output()) - start;
    };
    const none = await writeAll();
    const bcast = new Redis(url);
    const id = await bcast.client('ID');
    await bcast.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id), 'BCAST', 'PREFIX', `${prefix}:`);
    await bcast.subscribe('__redis__:invalidate');
    const withBcast = await writeAll();
    bcast.disconnect();
    for (let i = 0; i < keys.length; i += 1000) await admin.unlink(...keys.slice(i, i + 1000));
    return {
      defaultModeBytesPerKey: round(defaultModeBytesPerKey, 1),
      defaultModeKeys,
      bcastBytesPerWrite: round((withBcast - none) / writes, 1),
      noTrackingBytesPerWrite: round(none / writes, 1),
    };
  } finally {
    admin.disconnect();
    tracked.disconnect();
    sub.disconnect();
  }
}

/** Prints the figures; full mode also writes bench/results/near.json. */
export async function run(options: BenchOptions): Promise<void> {
  if (!hasGc()) console.warn('[bench] run with node --expose-gc for steadier figures');
  const server = await startBenchRedis();
  try {
    log(`near: redis-server on ${server.url}`);
    const result = await runNearBench(server.url, { quick: options.quick });
    printTable(`Near cache: read latency, p50 µs per call at 1 in flight${options.quick ? ' (quick: noisy)' : ''}`, ['case', 'µs'], CASES.map((c) => [c, result.us[c]]));
    printTable('Near cache: goals', ['ratio', 'value', 'met'], Object.entries(result.goals).map(([k, g]) => [k, g.value, g.met ? 'yes' : 'NO']));
    console.log(`throughput at 256 in flight: raw ${result.throughput.rawGetsPerSec}/s, near hits ${result.throughput.nearHitsPerSec}/s`);
    console.log(`stale window ms: ${JSON.stringify(result.staleWindowMs)}; heap bytes per 10,000 entries: ${result.bytesPer10kEntries}`);
    console.log(`copy ns per entity: ${JSON.stringify(result.copy)}`);
    console.log(`tracking: ${JSON.stringify(result.tracking)}`);
    if (!options.quick) {
      const file = writeResults('near', { date: new Date().toISOString(), node: process.version, ...result });
      console.log(`results: ${file}`);
    }
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(benchOptionsFromArgs());
}
