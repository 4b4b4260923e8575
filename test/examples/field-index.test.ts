/** examples/field-index.ts: finding orders by indexed fields, run as a child process on both backends. */
import { describe, expect, it } from 'vitest';
import { redisUrl, testRedis } from '../support/redis.js';
import { leftKeys, runExample } from './run-example.js';

const redis = testRedis();

describe.each(['memory', 'redis'] as const)('examples/field-index.ts on %s', (name) => {
  it('finds by equality, oneOf, ranges and orderBy, follows changes, then exits on its own', async () => {
    const { code, stdout, stderr } = await runExample('field-index.ts', name === 'redis' ? { name, redisUrl: redisUrl() } : { name });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`order book on the ${name} store`);
    expect(stdout).toMatch(/ann's orders: +\["o1","o3","o5"\]/);
    expect(stdout).toMatch(/open or paid: +\["o1","o2","o4","o5"\]/);
    expect(stdout).toMatch(/between 10 and 100 EUR: +\["o1","o2","o5"\]/);
    expect(stdout).toMatch(/ann's open gifts: +\["o1","o5"\]/);
    expect(stdout).toMatch(/plan: +find on entity "order": field index "email"/);
    expect(stdout).toMatch(/3 largest open orders: +\["o4:15000","o5:3100","o1:1200"\]/);
    expect(stdout).toMatch(/since Dec 3, oldest first: +\["o3","o4","o5"\]/);
    expect(stdout).toMatch(/open orders now: +\["o5"\]/);
    expect(stdout).toMatch(/paid orders now: +\["o1","o2"\]/);
    expect(stdout).toMatch(/reindex\(\) \(e\.g\. after a deploy\): +4/);
    expect(stdout).toContain('cache closed.');
    if (name === 'redis') expect(await leftKeys(redis, 'field-index-example')).toEqual([]);
  });
});
