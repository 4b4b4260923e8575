/**
 * Why cacheorm reads the same replies on RESP2 and RESP3 (ioredis 6's default), whatever the client's
 * reply mapping: it only reads integers, bulk strings, `OK`, nulls and arrays of those, plus the returns
 * of its own Lua scripts. Those scripts never call `redis.setresp(3)`, so what `redis.call` hands them
 * and what Redis sends back from them are RESP2-shaped on either protocol (a Lua `false` comes back as
 * null, `true` as 1, a table as an array): the RESP3-only shapes (doubles, maps, booleans, push frames)
 * never reach cacheorm. The Store contract over every client of test/support/clients.ts checks each
 * method; this file checks the two facts it rests on.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as clusterIndex from '../../../../src/store/redis/cluster/cluster-index.js';
import * as redisIndex from '../../../../src/store/redis/lua/index-scripts.js';
import * as indexWalk from '../../../../src/store/redis/lua/index-walk.js';
import { evalScript, lua, type LuaScript } from '../../../../src/store/redis/lua/lua.js';
import { clientFactories } from '../../../support/clients.js';
import { redisUrl, uniquePrefix } from '../../../support/redis.js';

const scripts = Object.entries({ ...redisIndex, ...indexWalk, ...clusterIndex }).filter(
  (entry): entry is [string, LuaScript] => typeof entry[1] === 'object' && entry[1] !== null && 'sha1' in entry[1],
);

it('no script of cacheorm switches its replies to RESP3 (redis.setresp)', () => {
  expect(scripts.map(([name]) => name)).toEqual(expect.arrayContaining(['WRITE', 'DELETE_IF_EQUALS', 'INDEX_RANGE', 'INDEX_SCAN_LIVE', 'INDEX_APPLY']));
  for (const [name, script] of scripts) expect([name, /setresp/.test(script.source)]).toEqual([name, false]);
});

describe.each(clientFactories)('replies on an $name client', (factory) => {
  const client = factory.redis(redisUrl());
  afterAll(async () => {
    await client.quit();
  });

  it('speaks the protocol it is meant to', async () => {
    expect(String(await client.call('CLIENT', 'INFO'))).toContain(`resp=${factory.protocol}`);
  });

  it('gets RESP2-shaped returns from a Lua script: scores as strings, false as null, true as 1, nested arrays', async () => {
    const key = `${uniquePrefix('shapes')}:z`;
    const script = lua(`redis.call('ZADD', KEYS[1], 1.5, 'a', '+inf', 'b')
return { redis.call('ZSCORE', KEYS[1], 'a'), redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES'), false, true, redis.call('PTTL', KEYS[1]), { 'ok' } }`);
    try {
      expect(await evalScript(client, script, [key], [])).toEqual(['1.5', ['a', '1.5', 'b', 'inf'], null, 1, -1, ['ok']]);
    } finally {
      await client.unlink(key);
    }
  });
});
