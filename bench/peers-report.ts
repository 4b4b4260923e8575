/**
 * Figures, ratios, goals and tables of the peer benchmark, computed from what `peers-measure.ts` collected.
 * Every figure is a number; "cacheorm" means writes: 'sync' unless a name says async.
 */
import { median, printTable, round } from './support.js';
import { CASE_IDS, percentile, type CaseId, type Measured } from './peers-measure.js';
import { LIB_NAMES, type LibName } from './peers-libs.js';

export const PEERS = ['redisOm', 'keyv', 'bentocache'] as const;
export type PeerName = (typeof PEERS)[number];

/** Median and p99, µs. */
export interface LatencyFigure {
  median: number;
  p99: number;
}

export interface PeerFigures {
  get: { latencyUs: Partial<Record<LibName, LatencyFigure>>; throughputOpsPerSec: Partial<Record<LibName, number>> };
  save: { latencyUs: Partial<Record<LibName, LatencyFigure>>; throughputOpsPerSec: Partial<Record<LibName, number>> };
  getMany: { batchLatencyUs: Partial<Record<LibName, LatencyFigure>>; entitiesPerSec: Partial<Record<LibName, number>> };
  saveMany: { batchLatencyUs: Partial<Record<LibName, LatencyFigure>>; entitiesPerSec: Partial<Record<LibName, number>> };
}

/** Rows compared against each peer: > 1 means cacheorm is ahead (latency: peer ÷ cacheorm; throughput: cacheorm ÷ peer). */
export const PEER_ROWS = CASE_IDS;

export interface PeerRatios {
  getLatencyVsRaw: number;
  saveLatencyVsRaw: number;
  getThroughputVsRaw: number;
  saveThroughputVsRaw: number;
  saveVsRedisOm: number;
  fetchVsRedisOm: number;
  getVsKeyv: number;
  getVsBentocache: number;
  saveVsKeyv: number;
  saveVsBentocache: number;
  getP99VsRaw: number;
  saveP99VsRaw: number;
  getManyVsRaw: number;
  saveManyVsRaw: number;
  asyncSaveLatencyVsRaw: number;
  asyncSaveThroughputVsRaw: number;
  indexSaveLatencyVsScan: number;
  indexSaveThroughputVsScan: number;
  indexSaveManyVsScan: number;
  autoPipeliningGetThroughputVsRaw: number;
  autoPipeliningSaveThroughputVsRaw: number;
  autoPipeliningGetLatencyVsRaw: number;
  rawAutoPipeliningGetThroughputVsRaw: number;
  [name: string]: number;
}

const med = (m: Measured, c: CaseId, lib: LibName): number => {
  const e = m[c][lib];
  if (!e) return NaN;
  return e.samples.length > 0 ? median(e.samples) : median(e.perRound);
};
const p99 = (m: Measured, c: CaseId, lib: LibName): number => percentile(m[c][lib]?.samples ?? [], 99);
/** The per-round ratios a ÷ b of case `c` (each round's median µs or ops/s), in round order. */
export function roundRatios(m: Measured, c: CaseId, a: LibName, b: LibName): number[] {
  const x = m[c][a]?.perRound ?? [];
  const y = m[c][b]?.perRound ?? [];
  return x.length === 0 || x.length !== y.length ? [] : x.map((v, i) => v / y[i]!);
}
/** Median over rounds of the per-round ratio a ÷ b (robust to drift on a noisy machine). */
const paired = (m: Measured, c: CaseId, a: LibName, b: LibName): number => median(roundRatios(m, c, a, b));

/**
 * The headline ratios against raw ioredis, each the median of its per-round ratios (issue 13: "the
 * median of several rounds in one run"); `rounds` holds every round's value, in round order.
 */
export const HEADLINE_RATIOS = {
  getLatencyVsRaw: 'getLatency',
  saveLatencyVsRaw: 'saveLatency',
  getThroughputVsRaw: 'getThroughput',
  saveThroughputVsRaw: 'saveThroughput',
} as const satisfies Record<string, CaseId>;

function latencies(m: Measured, c: CaseId): Partial<Record<LibName, LatencyFigure>> {
  const out: Partial<Record<LibName, LatencyFigure>> = {};
  for (const lib of LIB_NAMES) if (m[c][lib]) out[lib] = { median: round(med(m, c, lib), 1), p99: round(p99(m, c, lib), 1) };
  return out;
}

function rates(m: Measured, c: CaseId, perCall: number): Partial<Record<LibName, number>> {
  const out: Partial<Record<LibName, number>> = {};
  for (const lib of LIB_NAMES) {
    if (!m[c][lib]) continue;
    out[lib] = Math.round(c.endsWith('Throughput') ? med(m, c, lib) : (perCall * 1e6) / med(m, c, lib));
  }
  return out;
}

export function peerFigures(m: Measured, batchSize: number): PeerFigures {
  return {
    get: { latencyUs: latencies(m, 'getLatency'), throughputOpsPerSec: rates(m, 'getThroughput', 1) },
    save: { latencyUs: latencies(m, 'saveLatency'), throughputOpsPerSec: rates(m, 'saveThroughput', 1) },
    getMany: { batchLatencyUs: latencies(m, 'getMany'), entitiesPerSec: rates(m, 'getMany', batchSize) },
    saveMany: { batchLatencyUs: latencies(m, 'saveMany'), entitiesPerSec: rates(m, 'saveMany', batchSize) },
  };
}

/** How far cacheorm is ahead of `peer` on row `c` (> 1: ahead). */
function advantage(m: Measured, c: CaseId, peer: LibName, lib: LibName = 'cacheorm'): number {
  return c.endsWith('Throughput') ? med(m, c, lib) / med(m, c, peer) : med(m, c, peer) / med(m, c, lib);
}

export interface PeerRatioSet {
  ratios: PeerRatios;
  paired: Record<string, number>;
  /** Per headline ratio ({@link HEADLINE_RATIOS}): the value of every timed round, in round order. */
  rounds: Record<keyof typeof HEADLINE_RATIOS, number[]>;
  /** Per headline ratio: median of all samples (latency) or of the rounds' ops/s, cacheorm ÷ raw (the pre-issue-13 definition, kept for comparison). */
  pooled: Record<keyof typeof HEADLINE_RATIOS, number>;
  rowsVsPeers: Record<PeerName, Record<CaseId, number>>;
}

export function peerRatios(m: Measured): PeerRatioSet {
  const r = (x: number) => round(x, 3);
  const headline = Object.keys(HEADLINE_RATIOS) as (keyof typeof HEADLINE_RATIOS)[];
  const rounds = Object.fromEntries(headline.map((name) => [name, roundRatios(m, HEADLINE_RATIOS[name], 'cacheorm', 'raw').map(r)])) as PeerRatioSet['rounds'];
  const pooled = Object.fromEntries(headline.map((name) => [name, r(med(m, HEADLINE_RATIOS[name], 'cacheorm') / med(m, HEADLINE_RATIOS[name], 'raw'))])) as PeerRatioSet['pooled'];
  const ratios: PeerRatios = {
    getLatencyVsRaw: r(paired(m, 'getLatency', 'cacheorm', 'raw')),
    saveLatencyVsRaw: r(paired(m, 'saveLatency', 'cacheorm', 'raw')),
    getThroughputVsRaw: r(paired(m, 'getThroughput', 'cacheorm', 'raw')),
    saveThroughputVsRaw: r(paired(m, 'saveThroughput', 'cacheorm', 'raw')),
    saveVsRedisOm: r(advantage(m, 'saveThroughput', 'redisOm')),
    fetchVsRedisOm: r(advantage(m, 'getThroughput', 'redisOm')),
    getVsKeyv: r(advantage(m, 'getThroughput', 'keyv')),
    getVsBentocache: r(advantage(m, 'getThroughput', 'bentocache')),
    saveVsKeyv: r(advantage(m, 'saveThroughput', 'keyv')),
    saveVsBentocache: r(advantage(m, 'saveThroughput', 'bentocache')),
    getP99VsRaw: r(p99(m, 'getLatency', 'cacheorm') / p99(m, 'getLatency', 'raw')),
    saveP99VsRaw: r(p99(m, 'saveLatency', 'cacheorm') / p99(m, 'saveLatency', 'raw')),
    getManyVsRaw: r(med(m, 'getMany', 'cacheorm') / med(m, 'getMany', 'raw')),
    saveManyVsRaw: r(med(m, 'saveMany', 'cacheorm') / med(m, 'saveMany', 'raw')),
    asyncSaveLatencyVsRaw: r(med(m, 'saveLatency', 'cacheormAsync') / med(m, 'saveLatency', 'raw')),
    asyncSaveThroughputVsRaw: r(med(m, 'saveThroughput', 'cacheormAsync') / med(m, 'saveThroughput', 'raw')),
    indexSaveLatencyVsScan: r(med(m, 'saveLatency', 'cacheormIndex') / med(m, 'saveLatency', 'cacheorm')),
    indexSaveThroughputVsScan: r(med(m, 'saveThroughput', 'cacheormIndex') / med(m, 'saveThroughput', 'cacheorm')),
    indexSaveManyVsScan: r(med(m, 'saveMany', 'cacheormIndex') / med(m, 'saveMany', 'cacheorm')),
    autoPipeliningGetThroughputVsRaw: r(med(m, 'getThroughput', 'cacheormAutoPipelining') / med(m, 'getThroughput', 'raw')),
    autoPipeliningSaveThroughputVsRaw: r(med(m, 'saveThroughput', 'cacheormAutoPipelining') / med(m, 'saveThroughput', 'raw')),
    autoPipeliningGetLatencyVsRaw: r(med(m, 'getLatency', 'cacheormAutoPipelining') / med(m, 'getLatency', 'raw')),
    rawAutoPipeliningGetThroughputVsRaw: r(med(m, 'getThroughput', 'rawAutoPipelining') / med(m, 'getThroughput', 'raw')),
    // The floor: raw ioredis with cacheorm's codec (one round trip plus the validating decode/encode
    // every cacheorm call does), against raw, and cacheorm against it (what the library path adds).
    floorGetLatencyVsRaw: r(paired(m, 'getLatency', 'rawCodec', 'raw')),
    floorSaveLatencyVsRaw: r(paired(m, 'saveLatency', 'rawCodec', 'raw')),
    getLatencyVsFloor: r(paired(m, 'getLatency', 'cacheorm', 'rawCodec')),
    saveLatencyVsFloor: r(paired(m, 'saveLatency', 'cacheorm', 'rawCodec')),
  };
  const pairedRatios = {
    getLatencyVsRaw: r(paired(m, 'getLatency', 'cacheorm', 'raw')),
    saveLatencyVsRaw: r(paired(m, 'saveLatency', 'cacheorm', 'raw')),
    getThroughputVsRaw: r(paired(m, 'getThroughput', 'cacheorm', 'raw')),
    saveThroughputVsRaw: r(paired(m, 'saveThroughput', 'cacheorm', 'raw')),
    getManyVsRaw: r(paired(m, 'getMany', 'cacheorm', 'raw')),
    saveManyVsRaw: r(paired(m, 'saveMany', 'cacheorm', 'raw')),
  };
  const rowsVsPeers = Object.fromEntries(
    PEERS.map((peer) => [peer, Object.fromEntries(PEER_ROWS.map((c) => [c, r(advantage(m, c, peer))]))]),
  ) as Record<PeerName, Record<CaseId, number>>;
  return { ratios, paired: pairedRatios, rounds, pooled, rowsVsPeers };
}

export interface Goal {
  goal: string;
  value: number;
  met: boolean;
}

/** The goals (issue 13's for the headline ratios against raw), judged on this run's ratios. */
export function peerGoals(ratios: PeerRatios, rowsVsPeers: Record<PeerName, Record<CaseId, number>>): Goal[] {
  const goals: Goal[] = [
    { goal: 'getLatencyVsRaw <= 1.08', value: ratios.getLatencyVsRaw, met: ratios.getLatencyVsRaw <= 1.08 },
    { goal: 'saveLatencyVsRaw <= 1.12', value: ratios.saveLatencyVsRaw, met: ratios.saveLatencyVsRaw <= 1.12 },
    { goal: 'getThroughputVsRaw >= 0.95', value: ratios.getThroughputVsRaw, met: ratios.getThroughputVsRaw >= 0.95 },
    { goal: 'saveThroughputVsRaw >= 0.6', value: ratios.saveThroughputVsRaw, met: ratios.saveThroughputVsRaw >= 0.6 },
    { goal: 'saveVsRedisOm >= 2', value: ratios.saveVsRedisOm, met: ratios.saveVsRedisOm >= 2 },
    { goal: 'fetchVsRedisOm >= 2', value: ratios.fetchVsRedisOm, met: ratios.fetchVsRedisOm >= 2 },
  ];
  for (const peer of ['keyv', 'bentocache'] as const) {
    for (const row of PEER_ROWS) {
      const value = rowsVsPeers[peer][row];
      goals.push({ goal: `${row} vs ${peer} >= 1`, value, met: value >= 1 });
    }
  }
  return goals;
}

const LABELS: Record<LibName, string> = {
  raw: 'raw ioredis + JSON',
  rawCodec: "raw ioredis + cacheorm's codec",
  rawAutoPipelining: 'raw, autopipelining',
  cacheorm: 'cacheorm (sync writes)',
  cacheormAutoPipelining: 'cacheorm, autopipelining',
  cacheormAsync: 'cacheorm (async writes)',
  cacheormIndex: "cacheorm (find: 'index')",
  redisOm: 'redis-om (HASH)',
  keyv: 'keyv + @keyv/redis',
  bentocache: 'bentocache (Redis only)',
};

/** Prints the figures, the ratios and the goals. */
export function printPeerTables(figures: PeerFigures, ratios: PeerRatios, rowsVsPeers: Record<PeerName, Record<CaseId, number>>, goals: readonly Goal[], concurrency: number, batchSize: number): void {
  const f = (x: number | undefined, digits = 1) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));
  const k = (x: number | undefined) => (x === undefined ? '-' : Math.round(x).toLocaleString('en'));
  printTable(`single entity: latency at 1 in flight (µs) and throughput at ${concurrency} in flight (ops/s)`, ['library', 'get p50', 'get p99', 'get ops/s', 'save p50', 'save p99', 'save ops/s'], LIB_NAMES.map((lib) => [
    LABELS[lib],
    f(figures.get.latencyUs[lib]?.median),
    f(figures.get.latencyUs[lib]?.p99),
    k(figures.get.throughputOpsPerSec[lib]),
    f(figures.save.latencyUs[lib]?.median),
    f(figures.save.latencyUs[lib]?.p99),
    k(figures.save.throughputOpsPerSec[lib]),
  ]));
  const batched = LIB_NAMES.filter((lib) => figures.getMany.batchLatencyUs[lib] !== undefined || figures.saveMany.batchLatencyUs[lib] !== undefined);
  printTable(`batches of ${batchSize} at 1 in flight: µs per batch and entities/s`, ['library', 'getMany p50', 'getMany p99', 'entities/s', 'save p50', 'save p99', 'entities/s'], batched.map((lib) => [
    LABELS[lib],
    f(figures.getMany.batchLatencyUs[lib]?.median),
    f(figures.getMany.batchLatencyUs[lib]?.p99),
    k(figures.getMany.entitiesPerSec[lib]),
    f(figures.saveMany.batchLatencyUs[lib]?.median),
    f(figures.saveMany.batchLatencyUs[lib]?.p99),
    k(figures.saveMany.entitiesPerSec[lib]),
  ]));
  printTable('cacheorm ahead of each peer, per row (> 1: ahead; latency rows: peer ÷ cacheorm, throughput rows: cacheorm ÷ peer)', ['row', ...PEERS], PEER_ROWS.map((row) => [row, ...PEERS.map((p) => f(rowsVsPeers[p][row], 2))]));
  printTable('ratios (lower is better for latency ratios and *VsScan, higher for throughput and *Vs<peer>)', ['ratio', 'value'], Object.entries(ratios).map(([name, v]) => [name, f(v, 3)]));
  printTable('goals', ['goal', 'value', 'verdict'], goals.map((g) => [g.goal, f(g.value, 3), g.met ? 'met' : 'MISSED']));
}

/** The results table of docs/performance.md, in Markdown (printed by full runs, to paste into the doc). */
export function markdownTable(figures: PeerFigures): string {
  const f = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x >= 100 ? Math.round(x).toLocaleString('en') : x.toFixed(1));
  const lines = [
    '| library | get p50 µs | get p99 µs | get ops/s | save p50 µs | save p99 µs | save ops/s | getMany(100) p50 µs | save(100) p50 µs |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const lib of LIB_NAMES) {
    lines.push(
      `| ${LABELS[lib]} | ${f(figures.get.latencyUs[lib]?.median)} | ${f(figures.get.latencyUs[lib]?.p99)} | ${f(figures.get.throughputOpsPerSec[lib])} | ` +
        `${f(figures.save.latencyUs[lib]?.median)} | ${f(figures.save.latencyUs[lib]?.p99)} | ${f(figures.save.throughputOpsPerSec[lib])} | ` +
        `${f(figures.getMany.batchLatencyUs[lib]?.median)} | ${f(figures.saveMany.batchLatencyUs[lib]?.median)} |`,
    );
  }
  return lines.join('\n');
}
