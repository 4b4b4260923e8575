/**
 * Smoke test of the near-cache benchmark (bench/near.ts) so that it cannot rot: a tiny run against the
 * test Redis under a unique prefix. Nothing is timed or compared; every figure must be a finite number
 * and the keys it wrote must be gone.
 */
import { describe, expect, it } from 'vitest';
import { runNearBench } from '../../bench/near.js';
import { keysUnder } from '../support/keys.js';
import { redisUrl, testRedis, uniquePrefix } from '../support/redis.js';

describe('near-cache benchmark (tiny run against the test Redis)', () => {
  const redis = testRedis();
  it('measures every figure and cleans up', { timeout: 120_000 }, async () => {
    const prefix = uniquePrefix('bench-near');
    const result = await runNearBench(redisUrl(), { tiny: true, prefix });
    const figures = [
      ...Object.values(result.us), ...Object.values(result.ratios), ...Object.values(result.paired),
      ...Object.values(result.throughput), ...Object.values(result.copy), result.bytesPer10kEntries,
      result.tracking.defaultModeBytesPerKey, result.tracking.bcastBytesPerWrite,
    ];
    expect(Object.keys(result.us)).toHaveLength(8);
    for (const figure of figures) expect(Number.isFinite(figure), JSON.stringify(result)).toBe(true);
    expect(await keysUnder(redis, prefix)).toEqual([]);
  });
});
