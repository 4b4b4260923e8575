/**
 * kill -9 during a steady mixed load, then a restart on the same port and data directory (AOF with
 * `appendfsync always`): the repository recovers by itself, callers only ever see
 * StoreUnavailableError meanwhile, and every write acknowledged before the kill is still there.
 */
import { Redis } from 'ioredis';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { CacheOrmError, createCache, defineEntity, StoreUnavailableError, type Cache, type Repository } from 'cacheorm';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { WriteLedger, type Effect } from './ledger.js';

const Counter = defineEntity({
  name: 'counter',
  key: ['id'],
  schema: z.object({ id: z.string(), version: z.int().nonnegative(), payload: z.string() }),
  ttl: '1h',
});
type CounterRepo = Repository<z.output<typeof Counter.schema>, 'id'>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Load {
  stop: boolean;
  errors: Map<string, number>;
  unexpected: unknown[];
  violations: string[];
  reads: number;
}

/** One worker: its own keys, one operation at a time (so each key's writes reach Redis in order). */
async function worker(id: number, repo: CounterRepo, ledger: WriteLedger, load: Load): Promise<void> {
  const keys = Array.from({ length: 12 }, (_, j) => `w${id}-k${j}`);
  const next = new Map<string, number>();
  const version = (key: string) => {
    const v = (next.get(key) ?? 0) + 1;
    next.set(key, v);
    return v;
  };
  const observe = (key: string, value: { version: number } | undefined) => {
    load.reads++;
    const seen: Effect = value === undefined ? 'absent' : value.version;
    if (!ledger.holds(key, seen)) load.violations.push(`${key}: read ${String(seen)}, allowed ${[...ledger.allowed(key)].join('|')}`);
  };
  const failed = (err: unknown) => {
    if (err instanceof CacheOrmError) load.errors.set(err.code, (load.errors.get(err.code) ?? 0) + 1);
    if (!(err instanceof StoreUnavailableError)) load.unexpected.push(err);
  };
  for (let n = 0; !load.stop; n++) {
    const key = keys[n % keys.length]!;
    const dice = Math.random();
    try {
      if (dice < 0.5) {
        const v = version(key);
        const entry = ledger.begin(key, v);
        await repo.save({ id: key, version: v, payload: `p${v}` }).then(entry.ack, (err) => {
          entry.fail();
          throw err;
        });
      } else if (dice < 0.75) {
        observe(key, await repo.get({ id: key }));
      } else if (dice < 0.85) {
        const some = [key, keys[(n + 3) % keys.length]!];
        const values = await repo.getMany(some.map((k) => ({ id: k })));
        some.forEach((k, i) => observe(k, values[i]));
      } else if (dice < 0.92) {
        const entry = ledger.begin(key, 'absent');
        await repo.delete({ id: key }).then(entry.ack, (err) => {
          entry.fail();
          throw err;
        });
      } else {
        let entry: ReturnType<WriteLedger['begin']> | undefined;
        const value = await repo
          .getOrLoad({ id: key }, (k) => {
            const v = version(k.id);
            entry = ledger.begin(k.id, v);
            return { id: k.id, version: v, payload: `loaded${v}` };
          })
          .then(
            (got) => (entry?.ack(), got),
            (err) => {
              entry?.fail();
              throw err;
            },
          );
        if (!entry) observe(key, value);
      }
    } catch (err) {
      failed(err);
      await sleep(5); // Redis is down: do not spin
    }
  }
}

describe('kill -9 under load, restart on the same port', () => {
  let server: RedisServerHandle | undefined;
  let cache: Cache | undefined;
  let check: Redis | undefined;
  afterAll(async () => {
    await cache?.close();
    check?.disconnect();
    await server?.stop();
  });

  it('recovers without being recreated and loses no acknowledged write', { timeout: 60_000 }, async () => {
    server = await startRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    cache = createCache({ redis: server.url, prefix: 'kill', commandTimeout: 2000 });
    const connectionErrors: CacheOrmError[] = [];
    cache.on('error', (e) => connectionErrors.push(e));
    const repo = cache.getRepository(Counter) as CounterRepo;
    const ledger = new WriteLedger();
    const load: Load = { stop: false, errors: new Map(), unexpected: [], violations: [], reads: 0 };
    const workers = Array.from({ length: 8 }, (_, i) => worker(i, repo, ledger, load));
    try {
      await expect.poll(() => ledger.acked, { timeout: 20_000, interval: 10 }).toBeGreaterThan(300);
      const ackedBeforeKill = ledger.acked;
      await server.kill();
      await sleep(300);
      const failedWhileDown = ledger.failed;
      await server.restart();
      const ackedAtRestart = ledger.acked;
      await expect.poll(() => ledger.acked - ackedAtRestart, { timeout: 20_000, interval: 10 }).toBeGreaterThan(200);
      load.stop = true;
      await Promise.all(workers);

      expect(load.unexpected).toEqual([]);
      expect(failedWhileDown).toBeGreaterThan(0);
      expect(load.errors.get('E_STORE_UNAVAILABLE')).toBeGreaterThan(0);
      expect(ackedBeforeKill).toBeGreaterThan(300);
      expect(load.violations).toEqual([]);
      expect(connectionErrors.some((e) => e.operation === 'connect' && /Lost the connection/.test(e.message))).toBe(true);

      // Every key holds its last acknowledged write (or a later unacknowledged one), read back through
      // the same repository and straight from Redis.
      check = new Redis(server.url);
      const lost: string[] = [];
      for (const key of ledger.keys()) {
        const viaRepo = await repo.get({ id: key });
        const raw = await check.get(`kill:counter:${key}`);
        const direct: Effect = raw === null ? 'absent' : (JSON.parse(raw) as { json: { version: number } }).json.version;
        const seen: Effect = viaRepo === undefined ? 'absent' : viaRepo.version;
        if (seen !== direct || !ledger.holds(key, seen)) lost.push(`${key}: holds ${String(seen)}, allowed ${[...ledger.allowed(key)].join('|')}`);
      }
      expect(lost).toEqual([]);
      expect(ledger.keys().length).toBe(8 * 12);
    } finally {
      load.stop = true;
      await Promise.allSettled(workers);
    }
  });
});
