/**
 * Benchmark of cacheorm against raw ioredis on Redis Cluster (issue 13's cluster row):
 * `npm run bench -- cluster`; `--quick` for the small smoke run.
 *
 * Starts its own local cluster of 3 masters without replicas (free client and bus ports, no persistence,
 * `test/support/redis-cluster.ts`) and stops it at the end; never touches another Redis. Two libraries,
 * each on its own ioredis `Cluster`, on the peer benchmark's session entity (`peers-entity.ts`):
 *
 *   raw       ioredis `Cluster`: `GET` + `JSON.parse`, `SET PX` + `JSON.stringify` (the floor)
 *   cacheorm  `createCache({ redis: <Cluster> })`: `repo.get` / `repo.save` (writes: 'sync')
 *
 * Rows (method of `peers-measure.ts`: one warm-up round, then interleaved rounds, libraries taking turns
 * call by call at 1 in flight, rotating order, a GC before each case): get and save latency at 1 in
 * flight, get and save throughput at 256 in flight. Ratios cacheorm ÷ raw (`clusterGetThroughputVsRaw`,
 * `clusterSaveThroughputVsRaw`, `clusterGetLatencyVsRaw`, `clusterSaveLatencyVsRaw`) are medians of the
 * per-round ratios, every round's value kept in `rounds`.
 *
 * Writes bench/results/cluster.json (full mode only).
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { Cluster } from 'ioredis';
import { createCache } from 'cacheorm';
import { startRedisCluster, type RedisClusterHandle } from '../test/support/redis-cluster.js';
import { PEER_TTL_MS, PeerSession } from './peers-entity.js';
import { buildPeerData, checkReadBack, closePeerLibs, type PeerData, type PeerLib } from './peers-libs.js';
import { fillPeerLibs, measurePeers, percentile, type CaseId, type Measured, type PeerSizes } from './peers-measure.js';
import { benchOptionsFromArgs, hasGc, log, median, printTable, round, writeResults, type BenchOptions } from './support.js';

/** Run sizes: `full` (`npm run bench`), `quick` (`--quick`), `tiny` (the vitest smoke test). */
export type ClusterMode = 'full' | 'quick' | 'tiny';

const SIZES: Record<ClusterMode, PeerSizes> = {
  full: { keys: 10_000, latencyOps: 2000, throughputOps: 30_000, concurrency: 256, batches: 0, batchSize: 100, rounds: 7 },
  quick: { keys: 1000, latencyOps: 200, throughputOps: 3000, concurrency: 256, batches: 0, batchSize: 100, rounds: 3 },
  tiny: { keys: 300, latencyOps: 20, throughputOps: 512, concurrency: 256, batches: 0, batchSize: 100, rounds: 2 },
};

/** The cases measured (single-entity rows only). */
export const CLUSTER_CASES = ['getLatency', 'saveLatency', 'getThroughput', 'saveThroughput'] as const satisfies readonly CaseId[];
type ClusterCase = (typeof CLUSTER_CASES)[number];

/** The ratios, cacheorm ÷ raw, and the case each comes from. */
export const CLUSTER_RATIOS = {
  clusterGetThroughputVsRaw: 'getThroughput',
  clusterSaveThroughputVsRaw: 'saveThroughput',
  clusterGetLatencyVsRaw: 'getLatency',
  clusterSaveLatencyVsRaw: 'saveLatency',
} as const satisfies Record<string, ClusterCase>;
export type ClusterRatioName = keyof typeof CLUSTER_RATIOS;

export interface ClusterBenchOptions {
  mode: ClusterMode;
  /** Node URLs of a cluster to use instead of starting one (tests): keys go under `prefix` and are removed at the end. */
  urls?: readonly string[];
  /** Key prefix of both libraries' keys (default `bc`). */
  prefix?: string;
  /** Print the tables (default true). */
  print?: boolean;
  /** Progress lines (default: stderr). */
  progress?: (line: string) => void;
}

/** Per library: median µs and p99 (latency rows), median ops/s (throughput rows), and the per-round values. */
export interface ClusterRow {
  raw: number;
  cacheorm: number;
  /** Per round: median µs (latency) or ops/s (throughput), per library. */
  perRound: { raw: number[]; cacheorm: number[] };
}

export interface ClusterBenchResults {
  date: string;
  mode: ClusterMode;
  node: string;
  redis: string;
  machine: { cpus: number; memoryGB: number; gc: boolean };
  /** Nodes given or started (own cluster: 3 masters, no replicas). */
  cluster: { nodes: number; ownCluster: boolean };
  sizes: PeerSizes;
  /** µs (latency rows: median of all calls; `p99` alongside) and ops/s (throughput rows: median over rounds). */
  figures: Record<ClusterCase, ClusterRow> & { p99Us: { getLatency: { raw: number; cacheorm: number }; saveLatency: { raw: number; cacheorm: number } } };
  /** cacheorm ÷ raw, each the median of its per-round ratios (latency: lower is better; throughput: higher). */
  ratios: Record<ClusterRatioName, number>;
  /** Every timed round's value of each ratio, in round order. */
  rounds: Record<ClusterRatioName, number[]>;
  goals: Record<string, { value: number; met: boolean }>;
  totalSeconds: number;
}

const nodesOf = (urls: readonly string[]) => urls.map((url) => ({ host: new URL(url).hostname, port: Number(new URL(url).port) }));

/** Raw ioredis `Cluster` + JSON; a "batch" (only used to fill and to check read-back) is `Promise.all` of single calls. */
function rawClusterLib(urls: readonly string[], prefix: string, data: PeerData): PeerLib {
  const cluster = new Cluster(nodesOf(urls));
  const keys = data.keys.map((k) => `${prefix}:raw:${k}`);
  const { sessions } = data;
  const parse = (v: string | null): unknown => (v === null ? undefined : JSON.parse(v));
  const get = async (i: number) => parse(await cluster.get(keys[i]!));
  const save = (i: number) => cluster.set(keys[i]!, JSON.stringify(sessions[i]), 'PX', PEER_TTL_MS);
  return {
    name: 'raw',
    get,
    save,
    getMany: (ids) => Promise.all(ids.map(get)),
    saveMany: (ids) => Promise.all(ids.map(save)),
    settle: () => Promise.resolve(),
    close: async () => void (await cluster.quit()),
  };
}

/** cacheorm on an ioredis `Cluster` of its own (cacheorm never closes a `Cluster` it was given, so close() does). */
function cacheormClusterLib(urls: readonly string[], prefix: string, data: PeerData): PeerLib {
  const cluster = new Cluster(nodesOf(urls));
  const cache = createCache({ redis: cluster, prefix });
  let failure: Error | undefined;
  cache.on('error', (err) => (failure ??= err));
  const repo = cache.getRepository(PeerSession);
  const { sessions, keyObjects } = data;
  return {
    name: 'cacheorm',
    get: (i) => repo.get(keyObjects[i]!),
    save: (i) => repo.save(sessions[i]!),
    getMany: (ids) => repo.getMany(ids.map((i) => keyObjects[i]!)),
    saveMany: (ids) => repo.save(ids.map((i) => sessions[i]!)),
    settle: async () => {
      if (failure) throw failure;
    },
    close: async () => {
      await cache.close();
      await cluster.quit();
    },
  };
}

/** Deletes every key under `prefix:` on every master of the cluster (one key per UNLINK: keys of several slots). */
async function dropClusterKeysUnder(urls: readonly string[], prefix: string): Promise<void> {
  const cluster = new Cluster(nodesOf(urls));
  try {
    await new Promise<void>((resolve, reject) => {
      cluster.once('ready', resolve);
      cluster.once('error', reject);
    });
    for (const node of cluster.nodes('master')) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await Promise.all(keys.map((key) => node.unlink(key)));
      } while (cursor !== '0');
    }
  } finally {
    cluster.disconnect();
  }
}

function row(m: Measured, c: ClusterCase): ClusterRow {
  const perRound = { raw: m[c].raw?.perRound ?? [], cacheorm: m[c].cacheorm?.perRound ?? [] };
  const value = (lib: 'raw' | 'cacheorm') => {
    const e = m[c][lib];
    if (!e) return NaN;
    return c.endsWith('Latency') ? round(median(e.samples), 1) : Math.round(median(e.perRound));
  };
  const digits = c.endsWith('Latency') ? 1 : 0;
  return { raw: value('raw'), cacheorm: value('cacheorm'), perRound: { raw: perRound.raw.map((x) => round(x, digits)), cacheorm: perRound.cacheorm.map((x) => round(x, digits)) } };
}

/** Runs the cluster benchmark and answers its results (prints the tables unless `print: false`). */
export async function runClusterBench(options: ClusterBenchOptions): Promise<ClusterBenchResults> {
  const sizes = SIZES[options.mode];
  const prefix = options.prefix ?? 'bc';
  const progress = options.progress ?? log;
  const started = process.hrtime.bigint();
  if (!hasGc()) progress('note: run with node --expose-gc for steadier numbers (npm run bench does)');
  let server: RedisClusterHandle | undefined;
  if (options.urls === undefined) {
    progress('starting a local cluster: 3 masters, no replicas, no persistence ...');
    server = await startRedisCluster({ masters: 3, replicasPerMaster: 0, args: ['--save', '', '--appendonly', 'no'] });
  }
  const urls = options.urls ?? server!.urls;
  const stopOnSignal = () => void server?.stop().finally(() => process.exit(130));
  if (server) process.once('SIGINT', stopOnSignal);
  const data = buildPeerData(sizes.keys);
  let libs: PeerLib[] = [];
  try {
    libs = [rawClusterLib(urls, prefix, data), cacheormClusterLib(urls, prefix, data)];
    progress(`writing ${sizes.keys.toLocaleString('en')} entities through each library on ${urls.join(',')} ...`);
    await fillPeerLibs(libs, data);
    await checkReadBack(libs, data, 0);
    await checkReadBack(libs, data, sizes.keys - 1);
    const admin = new Cluster(nodesOf(urls));
    const info = await admin.info('server').finally(() => admin.disconnect());
    const redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';

    progress(`measuring: 1 warm-up + ${sizes.rounds} rounds; ${sizes.latencyOps} calls at 1 in flight, ${sizes.throughputOps} at ${sizes.concurrency} in flight, per library and case`);
    const m = await measurePeers(libs, data, sizes, progress, CLUSTER_CASES);

    const r = (x: number) => round(x, 3);
    const names = Object.keys(CLUSTER_RATIOS) as ClusterRatioName[];
    const rounds = Object.fromEntries(names.map((name) => {
      const c = CLUSTER_RATIOS[name];
      const a = m[c].cacheorm?.perRound ?? [];
      const b = m[c].raw?.perRound ?? [];
      return [name, a.map((v, i) => r(v / b[i]!))];
    })) as Record<ClusterRatioName, number[]>;
    // Medians of the unrounded per-round ratios.
    const ratios = Object.fromEntries(names.map((name) => {
      const c = CLUSTER_RATIOS[name];
      const a = m[c].cacheorm?.perRound ?? [];
      const b = m[c].raw?.perRound ?? [];
      return [name, r(median(a.map((v, i) => v / b[i]!)))];
    })) as Record<ClusterRatioName, number>;
    const goals = {
      'clusterGetThroughputVsRaw >= 0.95': { value: ratios.clusterGetThroughputVsRaw, met: ratios.clusterGetThroughputVsRaw >= 0.95 },
      'clusterSaveThroughputVsRaw >= 0.95': { value: ratios.clusterSaveThroughputVsRaw, met: ratios.clusterSaveThroughputVsRaw >= 0.95 },
    };
    const p99 = (c: 'getLatency' | 'saveLatency', lib: 'raw' | 'cacheorm') => round(percentile(m[c][lib]?.samples ?? [], 99), 1);
    const figures = {
      getLatency: row(m, 'getLatency'),
      saveLatency: row(m, 'saveLatency'),
      getThroughput: row(m, 'getThroughput'),
      saveThroughput: row(m, 'saveThroughput'),
      p99Us: { getLatency: { raw: p99('getLatency', 'raw'), cacheorm: p99('getLatency', 'cacheorm') }, saveLatency: { raw: p99('saveLatency', 'raw'), cacheorm: p99('saveLatency', 'cacheorm') } },
    };
    const results: ClusterBenchResults = {
      date: new Date().toISOString(),
      mode: options.mode,
      node: process.version,
      redis: redisVersion,
      machine: { cpus: os.cpus().length, memoryGB: Math.round(os.totalmem() / 2 ** 30), gc: hasGc() },
      cluster: { nodes: urls.length, ownCluster: server !== undefined },
      sizes: { ...sizes },
      figures,
      ratios,
      rounds,
      goals,
      totalSeconds: round(Number(process.hrtime.bigint() - started) / 1e9, 1),
    };
    if (options.print !== false) printClusterTables(results);
    return results;
  } finally {
    await closePeerLibs(libs);
    if (!server) await dropClusterKeysUnder(urls, prefix).catch(() => undefined);
    if (server) {
      process.off('SIGINT', stopOnSignal);
      await server.stop();
    }
  }
}

function printClusterTables(results: ClusterBenchResults): void {
  const { figures: f, ratios, rounds, sizes } = results;
  console.log(`\ncluster benchmark (${results.mode}): node ${results.node}, redis ${results.redis}, ${results.machine.cpus} cpus; 3 masters, entity "${PeerSession.name}", ${sizes.keys.toLocaleString('en')} keys per library; total ${results.totalSeconds} s`);
  const k = (x: number) => Math.round(x).toLocaleString('en');
  printTable(`latency at 1 in flight (µs) and throughput at ${sizes.concurrency} in flight (ops/s)`, ['library', 'get p50', 'get p99', 'get ops/s', 'save p50', 'save p99', 'save ops/s'], (['raw', 'cacheorm'] as const).map((lib) => [
    lib === 'raw' ? 'raw ioredis Cluster + JSON' : 'cacheorm on the Cluster',
    f.getLatency[lib].toFixed(1), f.p99Us.getLatency[lib].toFixed(1), k(f.getThroughput[lib]),
    f.saveLatency[lib].toFixed(1), f.p99Us.saveLatency[lib].toFixed(1), k(f.saveThroughput[lib]),
  ]));
  printTable('ratios, cacheorm ÷ raw: median of the rounds (latency: lower is better; throughput: higher)', ['ratio', 'median', 'rounds'], (Object.keys(ratios) as ClusterRatioName[]).map((name) => [name, ratios[name].toFixed(3), rounds[name].map((x) => x.toFixed(3)).join(' ')]));
  printTable('goals', ['goal', 'value', 'verdict'], Object.entries(results.goals).map(([goal, g]) => [goal, g.value.toFixed(3), g.met ? 'met' : 'MISSED']));
}

/** Entry of `bench/run.ts`: full or quick run on a cluster of its own; the full run writes cluster.json. */
export async function run(options: BenchOptions): Promise<void> {
  const results = await runClusterBench({ mode: options.quick ? 'quick' : 'full' });
  if (options.quick) {
    console.log('(quick mode: results not written)');
    return;
  }
  console.log(`wrote ${writeResults('cluster', results)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(benchOptionsFromArgs());
}
