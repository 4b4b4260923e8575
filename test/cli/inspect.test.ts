/**
 * `cacheorm inspect`, the built bin as a child process against the run's Redis: grouping by entity and
 * version, orphaned versions, the JSON document, the human table, and the --entities checks (invalid
 * values, TTL mismatches, index health) with an ES and a CommonJS entities module.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropKeysUnder } from '../support/keys.js';
import { redisUrl, testRedis, uniquePrefix } from '../support/redis.js';
import { assertBuilt, FIXTURES, runCli, seed, type Seeded } from './support.js';

interface EntityJson {
  name: string;
  version: number | null;
  keys: number;
  bytes: number;
  sampled: number;
  ttlMs: { min: number | null; median: number | null; max: number | null };
  withoutTtl: number;
  orphan: boolean;
  declared?: { version: number | null; ttlMs: number | null; find: string } | null;
  invalid?: { checked: number; count: number; examples: { key: string; reason: string; value?: string }[] };
  ttlMismatch?: { checked: number; count: number; examples: { key: string; reason: string }[] };
  index?: {
    sets: number;
    members: number;
    bytes: number;
    unindexed?: { checked: number; count: number; examples: { key: string }[] };
    membersWithoutKey?: { checked: number; count: number; examples: { key: string }[] };
  };
}

const redis = testRedis();
const prefix = uniquePrefix('cli');
let seeded: Seeded;
const entity = (doc: { entities: EntityJson[] }, name: string, version: number | null) =>
  doc.entities.find((e) => e.name === name && e.version === version)!;

beforeAll(async () => {
  assertBuilt();
  seeded = await seed(redisUrl(), prefix, redis);
});
afterAll(async () => {
  await dropKeysUnder(redis, prefix);
});

describe('cacheorm inspect without --entities', () => {
  it('--json: one document grouping keys by entity and version, older versions as orphans', async () => {
    const run = await runCli(['inspect', '--redis', redisUrl(), '--prefix', prefix, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { prefix: string; scanned: number; sample: number; mode: string; entities: EntityJson[]; other: { keys: number }; findings: number };
    expect(doc).toMatchObject({ prefix, mode: 'standalone', sample: 1000, scanned: 22 + 5 + 9 + 2 + 1, other: { keys: 1 }, findings: 0 });
    expect(doc.entities.map((e) => [e.name, e.version, e.keys, e.orphan])).toEqual([
      ['order', null, 9, false],
      ['session', 2, 22, false],
      ['session', 1, 5, true],
    ]);
    const v2 = entity(doc, 'session', 2);
    expect(v2.sampled).toBe(22);
    expect(v2.bytes).toBeGreaterThan(22 * 20);
    expect(v2.withoutTtl).toBe(0);
    expect(v2.ttlMs.max!).toBeGreaterThan(30 * 60_000); // the 2 h one
    expect(v2.ttlMs.min!).toBeLessThanOrEqual(v2.ttlMs.median!);
    expect(v2).not.toHaveProperty('invalid');
    expect(v2).not.toHaveProperty('declared');
    // Index structures of `order`: its expiry set (and the lexicographic companion, counted in bytes).
    expect(entity(doc, 'order', null).index).toMatchObject({ sets: 1, members: 9 });
    expect(entity(doc, 'order', null).index!.bytes).toBeGreaterThan(0);
  });

  it('human output: a table per entity and version, orphans with their cost and a purge hint, no progress bar on a pipe', async () => {
    const run = await runCli(['inspect', '--redis', redisUrl(), '--prefix', prefix]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^ENTITY\s+VERSION\s+KEYS\s+MEMORY\s+TTL MIN\s+MEDIAN\s+MAX\s+NO TTL\s+INDEX$/m);
    expect(run.stdout).toMatch(/^session\s+v2\s+22\s/m);
    expect(run.stdout).toMatch(/^session\s+v1 \(orphan\)\s+5\s/m);
    expect(run.stdout).toMatch(/^order\s+-\s+9\s.*1 set, 9 members/m);
    expect(run.stdout).toContain(`session v1: 5 keys, `);
    expect(run.stdout).toContain(`cacheorm purge --redis <url> --prefix ${prefix} --entity session --version 1`);
    expect(run.stdout).toContain('No findings.');
    expect(run.stdout).not.toContain('\r');
  });

  it('--sample 2: per-key figures from 2 keys per entity, totals estimated from them', async () => {
    const run = await runCli(['inspect', '--redis', redisUrl(), '--prefix', prefix, '--json', '--sample', '2']);
    const doc = JSON.parse(run.stdout) as { sample: number; entities: EntityJson[] };
    expect(doc.sample).toBe(2);
    const v2 = entity(doc, 'session', 2);
    expect(v2).toMatchObject({ keys: 22, sampled: 2 });
    expect(v2.bytes).toBeGreaterThan(0);
  });
});

describe.each([
  ['an ES module', FIXTURES.esm],
  ['a CommonJS module', FIXTURES.cjs],
])('cacheorm inspect --entities with %s', (_label, module) => {
  it('counts invalid values, TTL mismatches and index problems, with example keys, and exits 1', async () => {
    const run = await runCli(['inspect', '--redis', redisUrl(), '--prefix', prefix, '--entities', module, '--json']);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout) as { entities: EntityJson[]; findings: number };
    const v2 = entity(doc, 'session', 2);
    expect(v2.declared).toEqual({ version: 2, ttlMs: 1_800_000, find: 'scan' });
    expect(v2.invalid).toMatchObject({ checked: 22, count: 2 });
    expect(v2.invalid!.examples.map((e) => e.key).sort()).toEqual([seeded.badEmail, seeded.garbage].sort());
    expect(v2.invalid!.examples.find((e) => e.key === seeded.badEmail)!.reason).toContain('email');
    expect(v2.ttlMismatch).toMatchObject({ checked: 22, count: 1, examples: [{ key: seeded.longTtl }] });
    expect(v2.ttlMismatch!.examples[0]!.reason).toContain('longer than the declared 30m');
    const v1 = entity(doc, 'session', 1);
    expect(v1.orphan).toBe(true);
    expect(v1).not.toHaveProperty('invalid');
    const order = entity(doc, 'order', null);
    expect(order.index!.unindexed).toMatchObject({ checked: 9, count: 1, examples: [{ key: seeded.unindexed }] });
    expect(order.index!.membersWithoutKey).toMatchObject({ count: 1, examples: [{ key: seeded.memberWithoutKey }] });
    expect(doc.findings).toBe(2 + 1 + 1 + 1);
    expect(run.stdout).not.toContain('secret-not-an-email'); // values only with --show-invalid
  });
});

describe('cacheorm inspect --entities, human output and values', () => {
  it('prints the checks with example keys and never a value unless --show-invalid', async () => {
    const plain = await runCli(['inspect', '--redis', redisUrl(), '--prefix', prefix, '--entities', FIXTURES.esm]);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain('session v2: values: 2 of 22 checked are invalid');
    expect(plain.stdout).toContain(`${seeded.badEmail}  the value fails the schema: email: Invalid email address`);
    expect(plain.stdout).toContain('session v2: TTL: 1 of 22 checked differ from the declared 30m');
    expect(plain.stdout).toContain('order: index: 1 of 9 checked keys are missing from the index');
    expect(plain.stdout).toContain('live members have no key');
    expect(plain.stdout).toContain('5 findings (exit code 1).');
    expect(plain.stdout + plain.stderr).not.toContain('secret-not-an-email');

    const shown = await runCli(['inspect', '--redis', redisUrl(), '--prefix', prefix, '--entities', FIXTURES.esm, '--show-invalid']);
    expect(shown.stdout).toMatch(/value: .*secret-not-an-email/);
  });

  it('--all measures and checks every key', async () => {
    const run = await runCli(['inspect', '--redis', redisUrl(), '--prefix', prefix, '--entities', FIXTURES.cjs, '--json', '--all']);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout) as { sample: string; entities: EntityJson[] };
    expect(doc.sample).toBe('all');
    expect(entity(doc, 'session', 2)).toMatchObject({ keys: 22, sampled: 22, invalid: { count: 2 }, ttlMismatch: { count: 1 } });
    expect(entity(doc, 'order', null).index).toMatchObject({ sets: 1, members: 9, unindexed: { count: 1 }, membersWithoutKey: { count: 1 } });
  });
});
