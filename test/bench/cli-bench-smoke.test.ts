/**
 * Smoke test of the CLI benchmark (bench/cli.ts): a tiny run against the test Redis under a unique prefix,
 * so the benchmark cannot rot. Nothing is timed or compared; the figures only have to be finite numbers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runCliBench } from '../../bench/cli.js';
import { dropKeysUnder, keysUnder } from '../support/keys.js';
import { redisUrl, testRedis, uniquePrefix } from '../support/redis.js';

describe('CLI benchmark (tiny run against the test Redis)', () => {
  const redis = testRedis();
  const prefix = uniquePrefix('bench');
  afterAll(async () => {
    await dropKeysUnder(redis, prefix);
  });

  it('walks the keyspace raw and with inspect, and reports finite figures', { timeout: 60_000 }, async () => {
    const results = await runCliBench({ url: redisUrl(), prefix, keys: 2000, rounds: 1 });
    expect(results.keys).toBe(2000);
    for (const value of [results.rawMs, results.inspectMs, results.inspectVsRaw, results.paired]) expect(Number.isFinite(value)).toBe(true);
    await dropKeysUnder(redis, prefix);
    expect(await keysUnder(redis, prefix)).toEqual([]);
  });
});
