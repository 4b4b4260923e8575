/** examples/near-cache.ts: a near cache kept coherent by Redis, run as a child process on both backends. */
import { describe, expect, it } from 'vitest';
import { redisUrl, testRedis } from '../support/redis.js';
import { leftKeys, runExample } from './run-example.js';

const redis = testRedis();

describe.each(['memory', 'redis'] as const)('examples/near-cache.ts on %s', (name) => {
  it('serves in process, copies, sees another instance\'s write and its own, then exits', async () => {
    const { code, stdout, stderr } = await runExample('near-cache.ts', name === 'redis' ? { name, redisUrl: redisUrl() } : { name });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`prices on the ${name} store`);
    expect(stdout).toMatch(/first read: +1999\n/);
    expect(stdout).toMatch(name === 'redis' ? /served in process: +true\n/ : /served in process: +n\/a \(memory store\)\n/);
    expect(stdout).toMatch(/tags for the next one: +\[ 'new' \]\n/);
    expect(stdout).toMatch(/after another write: +1499\n/);
    expect(stdout).toMatch(/after our own write: +1299\n/);
    expect(stdout).toMatch(name === 'redis' ? /near stats: +hits: true, invalidated by Redis: true, flushes: 0\n/ : /near stats: +none\n/);
    expect(stdout).toContain('cache closed.');
    if (name === 'redis') expect(await leftKeys(redis, 'near-cache-example')).toEqual([]);
  });
});
