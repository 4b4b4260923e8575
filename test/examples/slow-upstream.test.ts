/** examples/slow-upstream.ts: a slow upstream API served through an outage, run as a child process on both backends. */
import { describe, expect, it } from 'vitest';
import { redisUrl, testRedis } from '../support/redis.js';
import { leftKeys, runExample } from './run-example.js';

const redis = testRedis();

describe.each(['memory', 'redis'] as const)('examples/slow-upstream.ts on %s', (name) => {
  it('serves stale rates through the outage and the slow period, times out without one, refreshes ahead, then exits', async () => {
    const { code, stdout, stderr } = await runExample('slow-upstream.ts', name === 'redis' ? { name, redisUrl: redisUrl() } : { name });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`exchange rates on the ${name} store`);
    expect(stdout).toMatch(/EURUSD: +1\.01\n +EURUSD again: +1\.01\n +upstream requests so far: +1\n/);
    expect(stdout).toMatch(/get\(\) \(fresh only\): +undefined\n +get\(allowStale\): +1\.01\n/);
    expect(stdout).toMatch(/\[stale event\] slow-upstream-example:rate:EURUSD: error \(upstream answered 503\)\n +rate during the outage: +1\.01\n/);
    expect(stdout).toMatch(/\[stale event\] slow-upstream-example:rate:EURUSD: softTimeout\n +rate while slow: +1\.01\n/);
    expect(stdout).toMatch(/\[refresh event\] slow-upstream-example:rate:EURUSD: cached\n +get\(\) after the background load: +1\.02\n/);
    expect(stdout).toMatch(/GBPUSD: +E_LOADER_TIMEOUT after 1000 ms\n/);
    expect(stdout).toMatch(/get\(\) once its load finished: +1\.03\n/);
    expect(stdout).toMatch(/USDJPY \(cached, 600 ms old\): +150\n +\[refresh event\] slow-upstream-example:rate:USDJPY: cached\n +USDJPY after the refresh: +1\.04\n/);
    expect(stdout).toMatch(/stats\(\): +\{"staleHits":3,"refreshes":3,"refreshFailures":0\}/);
    expect(stdout).toContain('cache closed.');
    if (name === 'redis') expect(await leftKeys(redis, 'slow-upstream-example')).toEqual([]);
  });
});
