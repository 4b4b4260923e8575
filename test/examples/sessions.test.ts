/** examples/sessions.ts: a Pow-style session store, run as a child process on both backends. */
import { describe, expect, it } from 'vitest';
import { redisUrl, testRedis } from '../support/redis.js';
import { leftKeys, runExample } from './run-example.js';

const redis = testRedis();

describe.each(['memory', 'redis'] as const)('examples/sessions.ts on %s', (name) => {
  it('lists, revokes and expires sessions, then exits on its own', async () => {
    const { code, stdout, stderr } = await runExample('sessions.ts', name === 'redis' ? { name, redisUrl: redisUrl() } : { name });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`session store on the ${name} store`);
    expect(stdout).toMatch(/key of ann@laptop: +sessions-example:session:acme:ann:[A-Za-z0-9_-]{16}\n/);
    expect(stdout).toMatch(/acme sessions: +\["ann@laptop","ann@phone","bob@laptop"\]/);
    expect(stdout).toMatch(/ann's sessions: +\["ann@laptop","ann@phone"\]/);
    expect(stdout).toMatch(/sign out everywhere \(ann\): +2/);
    expect(stdout).toMatch(/revoke tenant acme: +1/);
    expect(stdout).toMatch(/globex sessions right away: +\["gil@tablet","kim@kiosk"\]/);
    expect(stdout).toMatch(/fetch kim@kiosk after 450 ms: +gone \(expired\)/);
    expect(stdout).toMatch(/globex sessions after 450 ms: +\["gil@tablet"\]/);
    expect(stdout).toContain('cache closed.');
    if (name === 'redis') expect(await leftKeys(redis, 'sessions-example')).toEqual([]);
  });
});
