/** examples/observability.ts, run as a child process on both backends. */
import { describe, expect, it } from 'vitest';
import { redisUrl, testRedis } from '../support/redis.js';
import { leftKeys, runExample } from './run-example.js';

const redis = testRedis();

describe.each(['memory', 'redis'] as const)('examples/observability.ts on %s', (name) => {
  it('logs every channel, shows an outage, cleans up, then exits on its own', async () => {
    const { code, stdout, stderr } = await runExample('observability.ts', name === 'redis' ? { name, redisUrl: redisUrl() } : { name });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/repository +product\.save 2 items/);
    expect(stdout).toMatch(new RegExp(`store +-> ${name}\\.get observability-\\d+:product:a1`));
    expect(stdout).toMatch(/repository +product\.find\.toArray \(get plan\)/);
    expect(stdout).toMatch(/lock +acquired observability-\d+:product#lock:c3/);
    expect(stdout).toMatch(/lock +released observability-\d+:product#lock:c3/);
    expect(stdout).toMatch(/connection +error 127\.0\.0\.1:\d+ \(connect ECONNREFUSED/);
    expect(stdout).toMatch(/event +error E_STORE_UNAVAILABLE/);
    expect(stdout).toMatch(/getOrLoad answered from the loader: \{"sku":"a1"/);
    expect(stdout).toMatch(/failedOpen: [1-9]/);
    if (name === 'redis') expect(await leftKeys(redis, 'observability-*')).toEqual([]);
  });
});
