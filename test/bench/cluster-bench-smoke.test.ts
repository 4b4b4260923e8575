/**
 * Smoke test of the cluster benchmark (bench/cluster.ts) so that CI exercises it and it cannot rot: a tiny
 * run against the test Redis Cluster, under a unique prefix. Nothing is timed or compared; every figure,
 * ratio and per-round value must be a finite number, and the keys it wrote must be gone from every master.
 */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_CASES, CLUSTER_RATIOS, runClusterBench, type ClusterBenchResults } from '../../bench/cluster.js';
import { clusterNodes, clusterUrls } from '../support/cluster.js';
import { uniquePrefix } from '../support/redis.js';

describe('cluster benchmark (tiny run against the test cluster)', () => {
  const prefix = uniquePrefix('bench-cluster');
  let urls: string[];
  let results: ClusterBenchResults;
  let cluster: Cluster;

  beforeAll(async () => {
    urls = await clusterUrls();
    cluster = new Cluster(clusterNodes(urls));
  }, 90_000);
  afterAll(() => cluster?.disconnect());

  it('measures every case for raw ioredis and cacheorm, with every round recorded', { timeout: 60_000 }, async () => {
    results = await runClusterBench({ mode: 'tiny', urls, prefix, print: false, progress: () => undefined });
    const rounds = results.sizes.rounds;
    expect(rounds).toBeGreaterThan(1);
    for (const c of CLUSTER_CASES) {
      const row = results.figures[c];
      for (const lib of ['raw', 'cacheorm'] as const) {
        expect(Number.isFinite(row[lib]) && row[lib] > 0, `${c} ${lib} = ${row[lib]}`).toBe(true);
        expect(row.perRound[lib], `${c} ${lib} rounds`).toHaveLength(rounds);
      }
    }
    for (const name of Object.keys(CLUSTER_RATIOS) as (keyof typeof CLUSTER_RATIOS)[]) {
      expect(Number.isFinite(results.ratios[name]) && results.ratios[name] > 0, `${name} = ${results.ratios[name]}`).toBe(true);
      expect(results.rounds[name], name).toHaveLength(rounds);
      for (const value of results.rounds[name]) expect(Number.isFinite(value), name).toBe(true);
    }
    for (const [goal, { value, met }] of Object.entries(results.goals)) {
      expect(Number.isFinite(value), goal).toBe(true);
      expect(met, goal).toBeTypeOf('boolean');
    }
    expect(Object.keys(results.goals).sort()).toEqual(['clusterGetThroughputVsRaw >= 0.95', 'clusterSaveThroughputVsRaw >= 0.95']);
  });

  it('leaves no key behind on any master (no key holding the prefix anywhere in its name)', async () => {
    await new Promise<void>((resolve) => (cluster.status === 'ready' ? resolve() : cluster.once('ready', () => resolve())));
    const masters = cluster.nodes('master');
    expect(masters.length).toBeGreaterThan(0);
    for (const node of masters) {
      const found: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
        found.push(...keys);
        cursor = next;
      } while (cursor !== '0');
      expect(found).toEqual([]);
    }
  });
});
