/** examples/nestjs/: a Nest application with an injected repository, run as a child process, both backends. */
import { describe, expect, it } from 'vitest';
import { redisUrl, testRedis } from '../support/redis.js';
import { leftKeys, runExample } from './run-example.js';

const redis = testRedis();

describe.each(['memory', 'redis'] as const)('examples/nestjs/main.ts on %s', (name) => {
  it('saves, finds and deletes through the service, closes the app, then exits on its own', async () => {
    const { code, stdout, stderr } = await runExample('nestjs/main.ts', name === 'redis' ? { name, redisUrl: redisUrl() } : { name });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`NestJS application on the ${name} store`);
    expect(stdout).toMatch(/ann is a Session with isAdmin\(\): +true/);
    expect(stdout).toMatch(/find\(acme, ann\.id\): +ann@acme\.test/);
    expect(stdout).toMatch(/acme sessions: +\["ann@acme\.test","bob@contractor\.test"\]/);
    expect(stdout).toMatch(/acme sessions @contractor\.test: +\["bob@contractor\.test"\]/);
    expect(stdout).toMatch(/sign out bob: +1/);
    expect(stdout).toMatch(/revoke tenant acme: +1/);
    expect(stdout).toMatch(/acme sessions left: +0/);
    expect(stdout).toContain('application closed.');
    if (name === 'redis') expect(await leftKeys(redis, 'nest-example')).toEqual([]);
  });
});
