/**
 * `cacheorm` usage, `--help` on every command, `purge` (dry run, --yes, refusing the declared current
 * version) and `reindex`, the built bin as a child process against the run's Redis.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropKeysUnder, keysUnder } from '../support/keys.js';
import { redisUrl, testRedis, uniquePrefix } from '../support/redis.js';
import { assertBuilt, BIN, FIXTURES, runCli, seed, type Seeded } from './support.js';

beforeAll(() => assertBuilt());

describe('cacheorm usage', () => {
  it('package.json names the built file as bin "cacheorm", which runs by itself (shebang, executable)', () => {
    const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(resolve(import.meta.dirname, '../..', pkg.bin.cacheorm!)).toBe(BIN);
    expect(readFileSync(BIN, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    expect(execFileSync(BIN, ['--help'], { encoding: 'utf8' })).toContain('Usage: cacheorm <command>');
  });

  it.each(['inspect', 'reindex', 'purge'])('%s --help prints the options and exits 0', async (command) => {
    const run = await runCli([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: cacheorm ${command} \\[options\\]`));
    expect(run.stdout).toContain('--redis <url>');
    expect(run.stdout).toContain('Exit codes: 0');
  });

  it('--help lists the commands; no command is a usage error', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/inspect .*\n[\s\S]*reindex [\s\S]*purge /);
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: cacheorm <command>');
  });

  it.each([
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['inspect'], 'needs --redis <url>'],
    [['inspect', '--redis', 'redis://127.0.0.1:1', '--bogus'], "Unknown option '--bogus'"],
    [['inspect', '--redis', 'redis://127.0.0.1:1', '--sample', 'ten'], '--sample must be a positive whole number'],
    [['inspect', '--redis', 'redis://127.0.0.1:1', '--sample', '5', '--all'], 'either --sample <n> or --all'],
    [['inspect', '--redis', 'redis://127.0.0.1:1', '--prefix', 'my app'], 'The prefix "my app" is not valid'],
    [['inspect', '--redis', 'redis://127.0.0.1:1', 'extra'], 'takes no argument "extra"'],
    [['inspect', '--redis', 'redis://127.0.0.1:1', '--entities', 'no/such/module.js'], 'does not exist'],
    [['purge', '--redis', 'redis://127.0.0.1:1', '--entity', 'session'], 'needs --version <n>'],
    [['purge', '--redis', 'redis://127.0.0.1:1', '--entity', '1bad', '--version', '1'], 'is not a valid entity name'],
    [['reindex', '--redis', 'redis://127.0.0.1:1', '--entity', 'order'], 'needs --entities <module>'],
  ])('%j exits 2 with a message saying what to do', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
  });

  it('an unreachable Redis is an error (exit 1) naming the server', async () => {
    const run = await runCli(['inspect', '--redis', 'redis://127.0.0.1:1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Could not connect to redis://127.0.0.1:1');
  });
});

describe('cacheorm purge and reindex', () => {
  const redis = testRedis();
  const prefix = uniquePrefix('cli');
  let seeded: Seeded;
  beforeAll(async () => {
    seeded = await seed(redisUrl(), prefix, redis);
  });
  afterAll(async () => {
    await dropKeysUnder(redis, prefix);
  });
  const v1Keys = async () => (await keysUnder(redis, prefix)).filter((k) => k.startsWith(`${prefix}:session~v1:`));

  it('purge is a dry run by default: it lists what it would delete and deletes nothing', async () => {
    const run = await runCli(['purge', '--redis', redisUrl(), '--prefix', prefix, '--entity', 'session', '--version', '1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`5 keys of session v1 under "${prefix}" would be deleted`);
    expect(run.stdout).toContain(`${prefix}:session~v1:acme:0`);
    expect(run.stdout).toContain('Run again with --yes');
    expect(await v1Keys()).toHaveLength(5);
  });

  it('purge refuses the version the --entities module declares as current (exit 2)', async () => {
    const run = await runCli(['purge', '--redis', redisUrl(), '--prefix', prefix, '--entity', 'session', '--version', '2', '--entities', FIXTURES.esm, '--yes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Refusing to purge session v2');
    expect((await keysUnder(redis, prefix)).filter((k) => k.startsWith(`${prefix}:session~v2:`))).toHaveLength(22);
  });

  it('purge --yes deletes that version only', async () => {
    const run = await runCli(['purge', '--redis', redisUrl(), '--prefix', prefix, '--entity', 'session', '--version', '1', '--entities', FIXTURES.cjs, '--yes', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ prefix, entity: 'session', version: 1, keys: 5, deleted: 5, dryRun: false });
    expect(await v1Keys()).toEqual([]);
    expect((await keysUnder(redis, prefix)).filter((k) => k.startsWith(`${prefix}:session~v2:`))).toHaveLength(22);
  });

  it('purge deletes exactly one entity segment: not ~v10 when purging ~v1, nor unversioned keys whose first part is the text v1', async () => {
    const kept = [`${prefix}:session~v10:acme:0`, `${prefix}:session:v1:acme`, `${prefix}:session:v1`, `${prefix}:sessions~v1:acme:0`];
    const doomed = [`${prefix}:session~v1:acme:9`, `${prefix}:session~v1#index`];
    for (const key of [...kept, ...doomed]) await redis.set(key, 'x', 'PX', 600_000);
    try {
      const run = await runCli(['purge', '--redis', redisUrl(), '--prefix', prefix, '--entity', 'session', '--version', '1', '--yes', '--json']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ keys: 2, deleted: 2, dryRun: false });
      expect(await redis.exists(...doomed)).toBe(0);
      expect(await redis.exists(...kept)).toBe(kept.length);
    } finally {
      await redis.del(...kept, ...doomed);
    }
  });

  it('reindex rebuilds the index of a find: index entity with the repository, and inspect then finds it healthy', async () => {
    const run = await runCli(['reindex', '--redis', redisUrl(), '--prefix', prefix, '--entities', FIXTURES.esm, '--entity', 'order', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ prefix, entity: 'order', version: null, keys: 9 });
    expect(await redis.zscore(`${prefix}:order#index`, seeded.unindexed)).not.toBeNull();
    expect(await redis.zscore(`${prefix}:order#index`, seeded.memberWithoutKey)).toBeNull();
    const inspected = await runCli(['inspect', '--redis', redisUrl(), '--prefix', prefix, '--entities', FIXTURES.esm, '--json']);
    const order = (JSON.parse(inspected.stdout) as { entities: { name: string; index: { unindexed: { count: number }; membersWithoutKey: { count: number } } }[] }).entities.find((e) => e.name === 'order')!;
    expect(order.index.unindexed.count).toBe(0);
    expect(order.index.membersWithoutKey.count).toBe(0);
  });

  it('reindex of a find: scan entity, or of an undeclared one, is a usage error', async () => {
    const scan = await runCli(['reindex', '--redis', redisUrl(), '--prefix', prefix, '--entities', FIXTURES.esm, '--entity', 'session']);
    expect(scan.code).toBe(2);
    expect(scan.stderr).toContain("has find: 'scan'");
    const unknown = await runCli(['reindex', '--redis', redisUrl(), '--prefix', prefix, '--entities', FIXTURES.esm, '--entity', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('declares no entity "nope". It declares: order, session.');
  });
});
