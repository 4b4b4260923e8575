/**
 * Benchmark of cacheorm against raw ioredis and peer libraries (issue item 7):
 * `npm run bench` (everything) or `npm run bench -- --only=peers`; `--quick` for the CI-sized run.
 *
 * In one process and one run, against one redis-server of our own, on the same entity
 * (`peers-entity.ts`): raw ioredis + JSON (the floor), cacheorm (sync writes; on the write rows also
 * async writes and a `find: 'index'` entity; on the single rows raw and cacheorm with ioredis
 * autopipelining), redis-om (HASH), keyv + @keyv/redis, bentocache (Redis tier only), each on its own
 * connection (`peers-libs.ts`). Rows: get and save latency at 1 in flight (median, p99), throughput at 256 in
 * flight, getMany/save of 100, and codec-only encode/decode (`peers-codec.ts`). Method: `peers-measure.ts`.
 *
 * Writes bench/results/latest.json (full mode only) with every figure, `ratios` and `goals`.
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { dropKeysUnder } from '../test/support/keys.js';
import { measureCodecRows, type CodecRows } from './peers-codec.js';
import { PeerSession } from './peers-entity.js';
import { LIB_NAMES, buildPeerData, checkReadBack, closePeerLibs, openPeerLibs, peerVersions, type LibName } from './peers-libs.js';
import { fillPeerLibs, measurePeers, type PeerSizes } from './peers-measure.js';
import { markdownTable, peerFigures, peerGoals, peerRatios, printPeerTables, type PeerFigures, type PeerName, type PeerRatioSet, type PeerRatios } from './peers-report.js';
import { benchOptionsFromArgs, hasGc, log, round, startBenchRedis, writeResults, type BenchOptions } from './support.js';
import type { CaseId } from './peers-measure.js';

/** Run sizes: `full` (`npm run bench`), `quick` (`--quick`, CI), `tiny` (the vitest smoke test). */
export type PeerMode = 'full' | 'quick' | 'tiny';

const SIZES: Record<PeerMode, PeerSizes & { codecIterations: number; codecRounds: number }> = {
  full: { keys: 10_000, latencyOps: 2000, throughputOps: 30_000, concurrency: 256, batches: 100, batchSize: 100, rounds: 5, codecIterations: 20_000, codecRounds: 7 },
  quick: { keys: 1000, latencyOps: 300, throughputOps: 3000, concurrency: 256, batches: 10, batchSize: 100, rounds: 2, codecIterations: 2000, codecRounds: 3 },
  tiny: { keys: 300, latencyOps: 20, throughputOps: 512, concurrency: 256, batches: 2, batchSize: 100, rounds: 1, codecIterations: 100, codecRounds: 1 },
};

export interface PeerBenchOptions {
  mode: PeerMode;
  /** A Redis to use instead of starting one (tests): keys go under `prefix` and are removed at the end. */
  url?: string;
  /** Key prefix of every library's keys (default `bp`). */
  prefix?: string;
  /** Print the tables (default true). */
  print?: boolean;
  /** Progress lines (default: stderr). */
  progress?: (line: string) => void;
}

export interface PeerBenchResults {
  date: string;
  mode: PeerMode;
  node: string;
  redis: string;
  machine: { cpus: number; memoryGB: number; gc: boolean };
  versions: Record<string, string>;
  sizes: PeerSizes;
  /** Bytes Redis uses per entity (`MEMORY USAGE` of entity 0's key), per library; informational. */
  storedBytes: Partial<Record<LibName, number | null>>;
  /**
   * Every measured figure (all numbers): µs, ops/s, entities/s, ns. `codec.session`: the benchmark's
   * entity, JSON vs superjson vs cacheorm. (The rich entity's codec figures are bench/codec.ts's, in
   * `results/codec.json`: measured in a process of their own, they are not repeated here.)
   */
  figures: PeerFigures & { codec: { session: CodecRows } };
  /**
   * cacheorm ÷ raw (lower is better for latency) and cacheorm ÷ peer throughput (higher is better). The
   * headline ratios (`getLatencyVsRaw`, `saveLatencyVsRaw`, `getThroughputVsRaw`, `saveThroughputVsRaw`)
   * are medians of per-round ratios; their round values are in `rounds`.
   */
  ratios: PeerRatios;
  /** The raw ratios as medians of per-round ratios (robust to drift). */
  paired: Record<string, number>;
  /** Every timed round's value of each headline ratio, in round order. */
  rounds: PeerRatioSet['rounds'];
  /** The headline ratios computed from pooled samples (the definition before issue 13), for comparison. */
  pooled: PeerRatioSet['pooled'];
  /** Per peer and row, how far cacheorm is ahead (> 1: ahead). */
  rowsVsPeers: Record<PeerName, Record<CaseId, number>>;
  goals: Record<string, { value: number; met: boolean }>;
  totalSeconds: number;
}

const storedKey: Record<LibName, (prefix: string, key: string) => string> = {
  raw: (p, k) => `${p}:raw:${k}`,
  rawCodec: (p, k) => `${p}:rawcodec:${k}`,
  rawAutoPipelining: (p, k) => `${p}:raw:${k}`,
  cacheorm: (p, k) => `${p}:peersession:${k}`,
  cacheormAutoPipelining: (p, k) => `${p}:peersession:${k}`,
  cacheormAsync: (p, k) => `${p}:async:peersession:${k}`,
  cacheormIndex: (p, k) => `${p}:peersessionidx:${k}`,
  redisOm: (p, k) => `${p}:om:${k}`,
  keyv: (p, k) => `${p}:keyv::${k}`,
  bentocache: (p, k) => `${p}:bento:${k}`,
};

/** Runs the peer benchmark and answers its results (prints the tables unless `print: false`). */
export async function runPeerBench(options: PeerBenchOptions): Promise<PeerBenchResults> {
  const sizes = SIZES[options.mode];
  const prefix = options.prefix ?? 'bp';
  const progress = options.progress ?? log;
  const started = process.hrtime.bigint();
  if (!hasGc()) progress('note: run with node --expose-gc for steadier numbers (npm run bench does)');
  // Codec rows first, on a fresh heap with no connection open: CPU-only figures that the Redis phase's
  // garbage, timers and sockets would otherwise blur (by up to a fifth on this 2-core machine).
  progress(`codec rows: ${sizes.codecIterations} calls x ${sizes.codecRounds} rounds, session entity`);
  const codec = measureCodecRows(sizes.codecIterations, sizes.codecRounds);
  const server = options.url === undefined ? await startBenchRedis() : undefined;
  const url = options.url ?? server!.url;
  const stopOnSignal = () => void server?.stop().finally(() => process.exit(130));
  if (server) process.once('SIGINT', stopOnSignal);
  const admin = new Redis(url);
  const data = buildPeerData(sizes.keys);
  let libs: Awaited<ReturnType<typeof openPeerLibs>> = [];
  try {
    const redisVersion = /redis_version:(\S+)/.exec(await admin.info('server'))?.[1] ?? 'unknown';
    libs = await openPeerLibs(url, prefix, data, LIB_NAMES);
    progress(`writing ${sizes.keys.toLocaleString('en')} entities through each of ${libs.length} libraries on ${url} ...`);
    await fillPeerLibs(libs, data);
    await checkReadBack(libs, data, 0);
    await checkReadBack(libs, data, sizes.keys - 1);
    const storedBytes: Partial<Record<LibName, number | null>> = {};
    for (const lib of LIB_NAMES) storedBytes[lib] = (await admin.call('MEMORY', 'USAGE', storedKey[lib](prefix, data.keys[0]!))) as number | null;

    progress(`measuring: 1 warm-up + ${sizes.rounds} rounds; ${sizes.latencyOps} calls at 1 in flight, ${sizes.throughputOps} at ${sizes.concurrency} in flight, ${sizes.batches} batches of ${sizes.batchSize} per library and case`);
    const measured = await measurePeers(libs, data, sizes, progress);

    const figures = { ...peerFigures(measured, sizes.batchSize), codec: { session: codec } };
    const { ratios, paired, rounds, pooled, rowsVsPeers } = peerRatios(measured);
    ratios.codecEncodeVsJson = round(codec.encodeNs.cacheorm / codec.encodeNs.json, 3);
    ratios.codecDecodeVsJson = round(codec.decodeNs.cacheorm / codec.decodeNs.json, 3);
    ratios.codecEncodeSpeedupVsSuperjson = round(codec.encodeNs.superjson / codec.encodeNs.cacheorm, 3);
    const goals = peerGoals(ratios, rowsVsPeers);
    const results: PeerBenchResults = {
      date: new Date().toISOString(),
      mode: options.mode,
      node: process.version,
      redis: redisVersion,
      machine: { cpus: os.cpus().length, memoryGB: Math.round(os.totalmem() / 2 ** 30), gc: hasGc() },
      versions: peerVersions(),
      sizes: { keys: sizes.keys, latencyOps: sizes.latencyOps, throughputOps: sizes.throughputOps, concurrency: sizes.concurrency, batches: sizes.batches, batchSize: sizes.batchSize, rounds: sizes.rounds },
      storedBytes,
      figures,
      ratios,
      paired,
      rounds,
      pooled,
      rowsVsPeers,
      goals: Object.fromEntries(goals.map((g) => [g.goal, { value: g.value, met: g.met }])),
      totalSeconds: 0,
    };
    results.totalSeconds = round(Number(process.hrtime.bigint() - started) / 1e9, 1);
    if (options.print !== false) {
      console.log(`\npeer benchmark (${options.mode}): node ${process.version}, redis ${redisVersion}, ${os.cpus().length} cpus; entity "${PeerSession.name}", ${sizes.keys.toLocaleString('en')} keys per library`);
      printPeerTables(figures, ratios, rowsVsPeers, goals, sizes.concurrency, sizes.batchSize);
      console.log(`\ncodec only, session entity (ns per entity): encode JSON ${codec.encodeNs.json}, superjson ${codec.encodeNs.superjson}, cacheorm ${codec.encodeNs.cacheorm}; decode JSON ${codec.decodeNs.json}, superjson ${codec.decodeNs.superjson}, cacheorm ${codec.decodeNs.cacheorm}`);
      console.log(`\nheadline ratios, each round (the ratio is their median): ${Object.entries(rounds).map(([k, v]) => `${k} [${v.join(', ')}]`).join('; ')}`);
      console.log(`paired (median of per-round ratios): ${Object.entries(paired).map(([k, v]) => `${k} ${v}`).join(', ')}; total ${results.totalSeconds} s`);
    }
    return results;
  } finally {
    await closePeerLibs(libs);
    if (!server) for (const under of [prefix, `${prefix}-async`]) await dropKeysUnder(admin, under).catch(() => undefined);
    admin.disconnect();
    if (server) {
      process.off('SIGINT', stopOnSignal);
      await server.stop();
    }
  }
}

/** Entry of `bench/run.ts`: full or quick run on a redis-server of its own; the full run writes latest.json. */
export async function run(options: BenchOptions): Promise<void> {
  const results = await runPeerBench({ mode: options.quick ? 'quick' : 'full' });
  if (options.quick) {
    console.log('(quick mode: results not written)');
    return;
  }
  console.log(`\nthe table of docs/performance.md:\n\n${markdownTable(results.figures)}\n`);
  console.log(`wrote ${writeResults('latest', results)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(benchOptionsFromArgs());
}
