/**
 * `cacheorm inspect` is read-only and keeps credentials out of its output: on a server of its own with a
 * password, MONITOR records every command the bin sends, and Redis' own command table (COMMAND INFO) says
 * none of them writes; the password never appears in stdout or stderr, also when it is the wrong one.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { uniquePrefix } from '../support/redis.js';
import { assertBuilt, FIXTURES, runCli, seed } from './support.js';

const PASSWORD = 'pw-s3cret-9f2e';
let server: RedisServerHandle;
let admin: Redis;
let url: string;
const prefix = uniquePrefix('cli');

beforeAll(async () => {
  assertBuilt();
  server = await startRedisServer({ args: ['--requirepass', PASSWORD] });
  url = `redis://:${PASSWORD}@127.0.0.1:${server.port}`;
  admin = new Redis(url);
  await seed(url, prefix, admin);
}, 30_000);
afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

/** The commands (names, lower case) clients other than `admin` sent while `action` ran. */
async function monitored(action: () => Promise<void>): Promise<Set<string>> {
  const connection = new Redis(url, { lazyConnect: true });
  const feed = await connection.monitor();
  const names = new Set<string>();
  feed.on('monitor', (_time: string, args: string[]) => names.add(String(args[0]).toLowerCase()));
  try {
    await action();
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the feed catch up
  } finally {
    feed.disconnect();
    connection.disconnect();
  }
  return names;
}

describe('cacheorm inspect on a server with a password', () => {
  it('sends no command that writes (MONITOR + COMMAND INFO), in sample and --all mode, with the checks', async () => {
    const outputs: string[] = [];
    const names = await monitored(async () => {
      for (const mode of [[], ['--all']]) {
        const run = await runCli(['inspect', '--redis', url, '--prefix', prefix, '--entities', FIXTURES.esm, ...mode]);
        expect(run.code).toBe(1); // the seeded findings
        outputs.push(run.stdout, run.stderr);
      }
    });
    expect([...names]).toEqual(expect.arrayContaining(['scan', 'pttl', 'memory', 'get', 'zscore', 'zscan', 'exists']));
    for (const name of names) {
      const [info] = (await admin.call('COMMAND', 'INFO', name)) as [string, number, string[]][];
      expect(info, name).toBeTruthy();
      expect(info![2].map(String), `${name} is flagged as a write by Redis`).not.toContain('write');
    }
    for (const text of outputs) expect(text).not.toContain(PASSWORD);
  });

  it('never prints the password: not the target, not a connection error', async () => {
    const ok = await runCli(['inspect', '--redis', url, '--prefix', prefix, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).target).toBe(`redis://:***@127.0.0.1:${server.port}`);
    expect(ok.stdout + ok.stderr).not.toContain(PASSWORD);

    const wrong = `wrong-${PASSWORD}`;
    const refused = await runCli(['inspect', '--redis', `redis://:${wrong}@127.0.0.1:${server.port}`, '--prefix', prefix]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`127.0.0.1:${server.port}`);
    expect(refused.stdout + refused.stderr).not.toContain(wrong);
    expect(refused.stdout + refused.stderr).not.toContain(PASSWORD);
  });
});
