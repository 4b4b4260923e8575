/**
 * `cacheorm inspect` and `purge` on the run's Redis Cluster: the walk covers every master, whether the
 * command is given every node or one of them, and the checks route each command to its key's master.
 */
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterUrls, dropClusterPrefix, openTestCluster } from '../support/cluster.js';
import { uniquePrefix } from '../support/redis.js';
import { assertBuilt, FIXTURES, runCli, seed } from './support.js';

let urls: string[];
let cluster: Cluster;
const prefix = uniquePrefix('cli');

beforeAll(async () => {
  assertBuilt();
  urls = await clusterUrls();
  cluster = openTestCluster(urls);
  await seed(urls, prefix, cluster);
}, 90_000);
afterAll(async () => {
  if (cluster) {
    await dropClusterPrefix(cluster, prefix);
    await cluster.quit();
  }
});

interface Doc {
  mode: string;
  scanned: number;
  entities: { name: string; version: number | null; keys: number; invalid?: { count: number }; ttlMismatch?: { count: number }; index?: { sets: number; members: number; unindexed?: { count: number }; membersWithoutKey?: { count: number } } }[];
}

describe('cacheorm on a Redis Cluster', () => {
  it.each([
    ['every node', () => [urls.join(',')]],
    ['one node (cluster detected)', () => [urls[1]!]],
  ])('inspect given %s walks every master and runs the checks', async (_label, redisArgs) => {
    const run = await runCli(['inspect', ...redisArgs().flatMap((u) => ['--redis', u]), '--prefix', prefix, '--entities', FIXTURES.esm, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout) as Doc;
    expect(doc.mode).toBe('cluster');
    expect(doc.scanned).toBe(22 + 5 + 9 + 2 + 1);
    expect(doc.entities.map((e) => [e.name, e.version, e.keys])).toEqual([['order', null, 9], ['session', 2, 22], ['session', 1, 5]]);
    const v2 = doc.entities.find((e) => e.version === 2)!;
    expect(v2.invalid!.count).toBe(2);
    expect(v2.ttlMismatch!.count).toBe(1);
    const order = doc.entities.find((e) => e.name === 'order')!;
    expect(order.index).toMatchObject({ sets: 1, members: 9, unindexed: { count: 1 }, membersWithoutKey: { count: 1 } });
  });

  it('purge --yes deletes an orphaned version on every master', async () => {
    const dry = await runCli(['purge', '--redis', urls.join(','), '--prefix', prefix, '--entity', 'session', '--version', '1']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('5 keys of session v1');
    const run = await runCli(['purge', '--redis', urls.join(','), '--prefix', prefix, '--entity', 'session', '--version', '1', '--yes', '--json']);
    expect(JSON.parse(run.stdout)).toMatchObject({ keys: 5, deleted: 5 });
    const after = await runCli(['inspect', '--redis', urls.join(','), '--prefix', prefix, '--json']);
    expect((JSON.parse(after.stdout) as Doc).entities.map((e) => [e.name, e.version])).toEqual([['order', null], ['session', 2]]);
  });
});
