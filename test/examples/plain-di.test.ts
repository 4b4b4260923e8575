/** examples/plain-di.ts: a hand-written container using the framework-free tokens, both backends. */
import { describe, expect, it } from 'vitest';
import { redisUrl, testRedis } from '../support/redis.js';
import { leftKeys, runExample } from './run-example.js';

const redis = testRedis();

describe.each(['memory', 'redis'] as const)('examples/plain-di.ts on %s', (name) => {
  it('resolves the cache and a repository by token, loads once, then exits on its own', async () => {
    const { code, stdout, stderr } = await runExample('plain-di.ts', name === 'redis' ? { name, redisUrl: redisUrl() } : { name });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`plain DI on the ${name} store`);
    expect(stdout).toMatch(/cache token: +cacheorm:default:cache\n/);
    expect(stdout).toMatch(/repository token: +cacheorm:default:repository:profile\n/);
    expect(stdout).toMatch(/profile u1: +Ann \(pro\), then Ann from the cache/);
    expect(stdout).toMatch(/database reads: +1\n/);
    expect(stdout).toMatch(/same repository: +true/);
    expect(stdout).toMatch(/after invalidate: +database reads 2/);
    expect(stdout).toContain('container closed.');
    if (name === 'redis') expect(await leftKeys(redis, 'di-example')).toEqual([]);
  });
});
