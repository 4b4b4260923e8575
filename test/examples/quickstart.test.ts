/** examples/quickstart.ts (`npm run demo`), run as a child process on both backends. */
import { describe, expect, it } from 'vitest';
import { redisUrl, testRedis } from '../support/redis.js';
import { leftKeys, runExample } from './run-example.js';

const redis = testRedis();

describe.each(['memory', 'redis'] as const)('examples/quickstart.ts on %s', (name) => {
  it('walks through the repository API, cleans up, then exits on its own', async () => {
    const { code, stdout, stderr } = await runExample('quickstart.ts', name === 'redis' ? { name, redisUrl: redisUrl() } : { name });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`cacheorm demo on the ${name} store`);
    expect(stdout).toMatch(/instanceof Session: +true/);
    expect(stdout).toMatch(/second insert: +false/);
    expect(stdout).toMatch(/loader calls: +1/);
    expect(stdout).toMatch(/code: +E_VALIDATION/);
    expect(stdout).toContain('cache closed.');
    if (name === 'redis') expect(await leftKeys(redis, 'demo')).toEqual([]);
  });
});
