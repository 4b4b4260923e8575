/**
 * Smoke test of the freshness benchmark (bench/freshness.ts) so that it cannot rot: a quick run against
 * the test Redis under a unique prefix. Nothing is timed or compared; every figure must be a finite
 * number and the keys it wrote must be gone.
 */
import { describe, expect, it } from 'vitest';
import { runFreshnessBench } from '../../bench/freshness.js';
import { keysUnder } from '../support/keys.js';
import { redisUrl, testRedis, uniquePrefix } from '../support/redis.js';

describe('freshness benchmark (quick run against the test Redis)', () => {
  const redis = testRedis();
  it('measures every case and cleans up', { timeout: 120_000 }, async () => {
    const prefix = uniquePrefix('bench-fresh');
    const result = await runFreshnessBench(redisUrl(), { quick: true, prefix });
    const figures = [...Object.values(result.us), ...Object.values(result.ratios), ...Object.values(result.paired)];
    expect(Object.keys(result.us)).toHaveLength(7);
    for (const figure of figures) expect(Number.isFinite(figure) && figure > 0).toBe(true);
    expect(await keysUnder(redis, prefix)).toEqual([]);
  });
});
