/**
 * Smoke test of the peer benchmark (bench/peers.ts) so that CI exercises it and it cannot rot: a tiny run
 * against the test Redis, under a unique prefix. Nothing is timed or compared here; it only checks that
 * every library ran every case and that every figure and ratio is a finite number.
 */
import { describe, expect, it } from 'vitest';
import { runPeerBench, type PeerBenchResults } from '../../bench/peers.js';
import { LIB_NAMES } from '../../bench/peers-libs.js';
import { CASE_IDS, runsCase, type CaseId } from '../../bench/peers-measure.js';
import { keysUnder } from '../support/keys.js';
import { redisUrl, testRedis, uniquePrefix } from '../support/redis.js';

const REQUIRED_RATIOS = [
  'getLatencyVsRaw',
  'saveLatencyVsRaw',
  'getThroughputVsRaw',
  'saveThroughputVsRaw',
  'saveVsRedisOm',
  'fetchVsRedisOm',
  'getVsKeyv',
  'getVsBentocache',
  'saveVsKeyv',
  'saveVsBentocache',
] as const;

/** Every leaf of `value` with its path. */
function leaves(value: unknown, path: string, out: [string, unknown][] = []): [string, unknown][] {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) leaves(v, `${path}.${k}`, out);
  } else {
    out.push([path, value]);
  }
  return out;
}

describe('peer benchmark (tiny run against the test Redis)', () => {
  const redis = testRedis();
  const prefix = uniquePrefix('bench');
  let results: PeerBenchResults;

  it('runs every library through every case', { timeout: 180_000 }, async () => {
    results = await runPeerBench({ mode: 'tiny', url: redisUrl(), prefix, print: false, progress: () => undefined });
    const { get, save, getMany, saveMany } = results.figures;
    const rows: [CaseId, object][] = [
      ['getLatency', get.latencyUs], ['getThroughput', get.throughputOpsPerSec], ['saveLatency', save.latencyUs],
      ['saveThroughput', save.throughputOpsPerSec], ['getMany', getMany.batchLatencyUs], ['getMany', getMany.entitiesPerSec],
      ['saveMany', saveMany.batchLatencyUs], ['saveMany', saveMany.entitiesPerSec],
    ];
    for (const [caseId, row] of rows) expect(Object.keys(row).sort(), caseId).toEqual(LIB_NAMES.filter((l) => runsCase(l, caseId)).sort());
    expect(Object.keys(save.latencyUs).sort(), 'every library takes part in the save latency row').toEqual([...LIB_NAMES].sort());
    for (const peer of ['redisOm', 'keyv', 'bentocache'] as const) expect(Object.keys(results.rowsVsPeers[peer]).sort()).toEqual([...CASE_IDS].sort());
  });

  it('reports every figure and ratio as a finite number', () => {
    for (const name of REQUIRED_RATIOS) expect(results.ratios[name], name).toBeTypeOf('number');
    const numbers = [
      ...leaves(results.figures, 'figures'),
      ...leaves(results.ratios, 'ratios'),
      ...leaves(results.paired, 'paired'),
      ...leaves(results.rowsVsPeers, 'rowsVsPeers'),
    ];
    expect(numbers.length).toBeGreaterThan(80);
    for (const [path, value] of numbers) {
      expect(typeof value === 'number' && Number.isFinite(value), `${path} = ${String(value)}`).toBe(true);
    }
    for (const [name, values] of Object.entries(results.rounds)) {
      expect(values, `rounds.${name}`).toHaveLength(results.sizes.rounds);
      for (const value of values) expect(Number.isFinite(value), `rounds.${name}`).toBe(true);
    }
    expect(Object.keys(results.rounds).sort()).toEqual(['getLatencyVsRaw', 'getThroughputVsRaw', 'saveLatencyVsRaw', 'saveThroughputVsRaw']);
    for (const [goal, { value, met }] of Object.entries(results.goals)) {
      expect(Number.isFinite(value), goal).toBe(true);
      expect(met, goal).toBeTypeOf('boolean');
    }
  });

  it('leaves no key behind on the shared Redis', async () => {
    expect(await keysUnder(redis, prefix)).toEqual([]);
  });
});
