/**
 * Helpers of the command-line tests: run the BUILT `cacheorm` bin (dist/esm/cli/bin.js) as a child
 * process, and seed a prefix with entities of the fixture module plus deliberate faults.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { createCache, defineEntity } from 'cacheorm';

/** The entities of fixtures/entities.mjs and .cjs (what the bin loads), for writing test data. */
export const Session = defineEntity({
  name: 'session',
  key: ['tenantId', 'id'],
  schema: z.object({ tenantId: z.string(), id: z.string(), email: z.email(), at: z.date() }),
  ttl: '30m',
  version: 2,
});
/** See {@link Session}. */
export const Order = defineEntity({
  name: 'order',
  key: ['id'],
  schema: z.object({ id: z.string(), total: z.number() }),
  ttl: '1h',
  find: 'index',
});

/** The built bin. */
export const BIN = resolve(import.meta.dirname, '../../dist/esm/cli/bin.js');
/** The fixture modules, ES and CommonJS. */
export const FIXTURES = { esm: resolve(import.meta.dirname, 'fixtures/entities.mjs'), cjs: resolve(import.meta.dirname, 'fixtures/entities.cjs') };

/** Throws unless the bin was built (`npm test` builds first). */
export function assertBuilt(): void {
  if (!existsSync(BIN)) throw new Error('dist/esm/cli/bin.js is missing: run `npm run build` (npm test does it first).');
}

/** What a run of the bin printed and its exit code. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/esm/cli/bin.js ...args` and waits for it to exit. */
export function runCli(args: readonly string[]): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** The keys {@link seed} damaged, by what it did to them. */
export interface Seeded {
  /** A session whose stored value fails the schema (bad email). */
  badEmail: string;
  /** A session key holding text that is not superjson. */
  garbage: string;
  /** A session whose TTL was raised to 2 h (declared 30 m). */
  longTtl: string;
  /** An order removed from its index set (the key stays). */
  unindexed: string;
  /** An order whose key was deleted behind the index's back (the member stays). */
  memberWithoutKey: string;
}

/**
 * Writes under `prefix` (through the library, then by hand): 20 sessions v2, of which one keeps a 2 h TTL,
 * plus 2 invalid ones; 5 sessions v1 (orphaned); 10 orders (find: 'index'), one removed from the index
 * and one whose key is deleted behind its back; and one key that is no entity's.
 */
export async function seed(redis: string | string[], prefix: string, raw: Redis | import('ioredis').Cluster): Promise<Seeded> {
  const cache = createCache({ redis, prefix });
  try {
    const sessions = cache.getRepository(Session);
    const orders = cache.getRepository(Order);
    await sessions.save(Array.from({ length: 20 }, (_, i) => ({ tenantId: 'acme', id: `s${i}`, email: `u${i}@acme.test`, at: new Date(0) })));
    await orders.save(Array.from({ length: 10 }, (_, i) => ({ id: `o${i}`, total: i })));
    const good = (await raw.get(sessions.keyOf({ tenantId: 'acme', id: 's0' })))!;
    const seeded: Seeded = {
      badEmail: `${prefix}:session~v2:acme:bad1`,
      garbage: `${prefix}:session~v2:acme:bad2`,
      longTtl: sessions.keyOf({ tenantId: 'acme', id: 's1' }),
      unindexed: orders.keyOf({ id: 'o1' }),
      memberWithoutKey: orders.keyOf({ id: 'o2' }),
    };
    await raw.set(seeded.badEmail, good.replace('u0@acme.test', 'secret-not-an-email'), 'PX', 600_000);
    await raw.set(seeded.garbage, 'garbage{', 'PX', 600_000);
    await raw.pexpire(seeded.longTtl, 7_200_000);
    for (let i = 0; i < 5; i++) await raw.set(`${prefix}:session~v1:acme:${i}`, 'old', 'PX', 600_000);
    await raw.zrem(`${prefix}:order#index`, seeded.unindexed);
    await raw.del(seeded.memberWithoutKey);
    await raw.set(`${prefix}:123`, 'not an entity', 'PX', 600_000);
    return seeded;
  } finally {
    await cache.close();
  }
}
