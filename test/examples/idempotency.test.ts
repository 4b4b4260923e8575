/** examples/idempotency.ts: an idempotency store behind node:http, real requests, both backends. */
import { describe, expect, it } from 'vitest';
import { redisUrl, testRedis } from '../support/redis.js';
import { leftKeys, runExample } from './run-example.js';

const redis = testRedis();

describe.each(['memory', 'redis'] as const)('examples/idempotency.ts on %s', (name) => {
  it('runs once per key, replays, refuses reuse and duplicates, expires, then exits on its own', async () => {
    const { code, stdout, stderr } = await runExample('idempotency.ts', name === 'redis' ? { name, redisUrl: redisUrl() } : { name });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`idempotency store on the ${name} store, server on http://127\\.0\\.0\\.1:\\d+`));
    expect(stdout).toMatch(/POST key k-1 amount 42 +201 \{"id":"pay_1","amount":42\}\n/);
    expect(stdout).toMatch(/retry key k-1 amount 42 +201 \{"id":"pay_1","amount":42\} \(replayed\)/);
    expect(stdout).toMatch(/POST key k-1 amount 99 +422 /);
    // Two identical requests at once: exactly one runs (201), the other is told to retry (409).
    const concurrent = stdout.split('\n').filter((line) => /POST key k-2 amount 7 \([ab]\)/.test(line));
    expect(concurrent.map((line) => line.match(/ (\d{3}) /)![1]).sort()).toEqual(['201', '409']);
    expect(stdout).toMatch(/retry key k-2 amount 7 +201 \{"id":"pay_2","amount":7\} \(replayed\)/);
    expect(stdout).toMatch(/POST without a key +400 /);
    expect(stdout).toMatch(/POST key k-1 amount 42 after expiry +201 \{"id":"pay_3","amount":42\}\n/);
    expect(stdout.match(/charges made: (\d)/g)).toEqual(['charges made: 1', 'charges made: 2', 'charges made: 3']);
    expect(stdout).toContain('server and cache closed.');
    if (name === 'redis') expect(await leftKeys(redis, 'idempotency-example')).toEqual([]);
  });
});
