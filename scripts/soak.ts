/**
 * cacheorm soak test: `npm run soak` (60 s) or `npm run soak -- --seconds 300 --workers 32`.
 *
 * Starts its own redis-server (AOF with `appendfsync always`, so an acknowledged write survives kill -9)
 * on a free port, runs a mixed load through one cache (save, get, getMany, find, delete, getOrLoad with
 * and without the cross-process lock) while injecting faults in turn: kill -9 then restart on the same
 * port, SIGSTOP then SIGCONT, `CONFIG SET maxmemory` tiny then back. Then it prints the operations done,
 * the errors by code, and checks that every acknowledged write is readable: each key must hold its last
 * acknowledged write, or a later write whose call failed (such a write may or may not have applied).
 * Exits 1 on a lost write, an inconsistent read, or an error of a kind the faults cannot explain.
 */
import { Redis } from 'ioredis';
import { z } from 'zod';
import { CacheOrmError, createCache, defineEntity, type Repository } from 'cacheorm';
import { WriteLedger, type Effect, type LedgerEntry } from '../test/resilience/ledger.js';
import { startRedisServer, type RedisServerHandle } from '../test/support/redis-server.js';

const Item = defineEntity({
  name: 'item',
  key: ['worker', 'n'],
  schema: z.object({ worker: z.string(), n: z.int().nonnegative(), version: z.int().nonnegative(), payload: z.string() }),
  ttl: '1h',
});
type ItemData = z.output<typeof Item.schema>;
type Items = Repository<ItemData, 'worker' | 'n'>;

const KEYS_PER_WORKER = 24;
const PREFIX = 'soak';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} takes a positive number, got ${process.argv[index + 1]}`);
  return value;
}

interface Tally {
  ops: Map<string, { ok: number; failed: number }>;
  errors: Map<string, number>;
  unexpected: string[];
  inconsistent: string[];
  reads: number;
}

function count(tally: Tally, op: string, ok: boolean): void {
  let entry = tally.ops.get(op);
  if (!entry) tally.ops.set(op, (entry = { ok: 0, failed: 0 }));
  if (ok) entry.ok++;
  else entry.failed++;
}

/** What the faults can cause: the store unreachable or timing out, or Redis refusing writes (OOM). */
function expected(err: unknown): boolean {
  return err instanceof CacheOrmError && (err.code === 'E_STORE_UNAVAILABLE' || (err.code === 'E_STORE' && /^OOM\b/.test((err as { redisMessage?: string }).redisMessage ?? '')));
}

const keyName = (worker: string, n: number) => `${worker}/${n}`;

/** One worker: its own keys, one call at a time, so each key's writes reach Redis in order. */
async function worker(id: number, items: Items, ledger: WriteLedger, tally: Tally, running: () => boolean): Promise<void> {
  const name = `w${id}`;
  const versions = new Map<number, number>();
  const nextVersion = (n: number) => {
    const v = (versions.get(n) ?? 0) + 1;
    versions.set(n, v);
    return v;
  };
  const observe = (n: number, value: ItemData | undefined) => {
    tally.reads++;
    const seen: Effect = value === undefined ? 'absent' : value.version;
    const key = keyName(name, n);
    if (!ledger.holds(key, seen)) tally.inconsistent.push(`${key}: read ${String(seen)}, allowed ${[...ledger.allowed(key)].join('|')}`);
  };
  const written = <T>(entry: LedgerEntry, call: Promise<T>) =>
    call.then(
      (value) => (entry.ack(), value),
      (err: unknown) => {
        entry.fail();
        throw err;
      },
    );
  while (running()) {
    const n = Math.floor(Math.random() * KEYS_PER_WORKER);
    const dice = Math.random();
    const op =
      dice < 0.45 ? 'save' : dice < 0.65 ? 'get' : dice < 0.75 ? 'getMany' : dice < 0.8 ? 'find' : dice < 0.86 ? 'delete' : dice < 0.93 ? 'getOrLoad' : 'getOrLoad+lock';
    try {
      switch (op) {
        case 'save': {
          const v = nextVersion(n);
          await written(ledger.begin(keyName(name, n), v), items.save({ worker: name, n, version: v, payload: `${name}:${n}:${v}` }));
          break;
        }
        case 'get':
          observe(n, await items.get({ worker: name, n }));
          break;
        case 'getMany': {
          const ns = [n, (n + 1) % KEYS_PER_WORKER, (n + 7) % KEYS_PER_WORKER];
          const values = await items.getMany(ns.map((m) => ({ worker: name, n: m })));
          ns.forEach((m, i) => observe(m, values[i]));
          break;
        }
        case 'find': {
          const found = await items.find({ worker: name }).toArray();
          const byN = new Map(found.map((item) => [item.n, item]));
          for (let m = 0; m < KEYS_PER_WORKER; m++) if (byN.has(m)) observe(m, byN.get(m));
          break;
        }
        case 'delete':
          await written(ledger.begin(keyName(name, n), 'absent'), items.delete({ worker: name, n }));
          break;
        default: {
          let entry: LedgerEntry | undefined;
          const loader = (key: { worker: string; n: number }) => {
            const v = nextVersion(key.n);
            entry = ledger.begin(keyName(name, key.n), v);
            return { worker: key.worker, n: key.n, version: v, payload: `loaded:${v}` };
          };
          const call = items.getOrLoad({ worker: name, n }, loader, op === 'getOrLoad+lock' ? { lock: { ttl: 2000, wait: 1000 } } : {});
          const value = await call.then(
            (got) => (entry?.ack(), got),
            (err: unknown) => {
              entry?.fail();
              throw err;
            },
          );
          if (!entry) observe(n, value);
        }
      }
      count(tally, op, true);
    } catch (err) {
      count(tally, op, false);
      const code = err instanceof CacheOrmError ? err.code : (err as Error)?.name ?? 'unknown';
      tally.errors.set(code, (tally.errors.get(code) ?? 0) + 1);
      if (!expected(err)) tally.unexpected.push(`${op}: ${(err as Error)?.stack ?? String(err)}`);
      await sleep(5); // the store is failing: do not spin
    }
  }
}

type Fault = 'kill -9 + restart' | 'SIGSTOP + SIGCONT' | 'maxmemory tiny';
const FAULTS: Fault[] = ['kill -9 + restart', 'SIGSTOP + SIGCONT', 'maxmemory tiny'];

async function inject(fault: Fault, server: RedisServerHandle, admin: Redis): Promise<void> {
  switch (fault) {
    case 'kill -9 + restart':
      await server.kill();
      await sleep(800);
      await server.restart();
      return;
    case 'SIGSTOP + SIGCONT':
      await server.pause();
      await sleep(1500);
      server.resume();
      return;
    case 'maxmemory tiny':
      await admin.config('SET', 'maxmemory', '1');
      await sleep(1500);
      await admin.config('SET', 'maxmemory', '0');
  }
}

async function main(): Promise<void> {
  const seconds = option('seconds', 60);
  const workers = option('workers', 16);
  let unhandled = 0;
  process.on('unhandledRejection', (reason) => {
    unhandled++;
    console.error('unhandled rejection:', reason);
  });

  const server = await startRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
  const admin = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => 50 });
  admin.on('error', () => undefined);
  const cache = createCache({ redis: server.url, prefix: PREFIX, commandTimeout: 1000 });
  const events = new Map<string, number>();
  cache.on('error', (err) => events.set(err.code, (events.get(err.code) ?? 0) + 1));
  const items = cache.getRepository(Item) as Items;
  const ledger = new WriteLedger();
  const tally: Tally = { ops: new Map(), errors: new Map(), unexpected: [], inconsistent: [], reads: 0 };
  const faults = new Map<Fault, number>();

  const version = /redis_version:(\S+)/.exec(await admin.info('server'))?.[1] ?? '?';
  console.log(`cacheorm soak: ${seconds} s, ${workers} workers x ${KEYS_PER_WORKER} keys, redis-server ${version} (appendonly, appendfsync always) at ${server.url}`);

  const started = Date.now();
  const deadline = started + seconds * 1000;
  const running = () => Date.now() < deadline;
  const load = Array.from({ length: workers }, (_, i) => worker(i, items, ledger, tally, running));

  // Faults: one every few seconds in turn, with quiet time between them; none in the last 2 s.
  const period = Math.min(8000, Math.max(3000, (seconds * 1000) / 8));
  const faulting = (async () => {
    for (let i = 0; ; i++) {
      await sleep(period / 2);
      if (Date.now() + period / 2 + 2000 > deadline) return;
      const fault = FAULTS[i % FAULTS.length]!;
      const at = ((Date.now() - started) / 1000).toFixed(1);
      await inject(fault, server, admin);
      faults.set(fault, (faults.get(fault) ?? 0) + 1);
      console.log(`  ${at.padStart(5)} s  ${fault} (${ledger.acked} writes acknowledged so far)`);
      await sleep(period / 2);
    }
  })();
  const progress = setInterval(() => {
    const done = [...tally.ops.values()].reduce((sum, o) => sum + o.ok + o.failed, 0);
    console.log(`  ${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s  ${done} operations`);
  }, 10_000);

  await Promise.all([...load, faulting]);
  clearInterval(progress);
  const elapsed = (Date.now() - started) / 1000;

  // Final check: the server is up and writable again; every key holds what the ledger allows.
  server.resume();
  await admin.config('SET', 'maxmemory', '0');
  const check = new Redis(server.url);
  const lost: string[] = [];
  let present = 0;
  for (const key of ledger.keys()) {
    const [worker, n] = key.split('/') as [string, string];
    const raw = await check.get(`${PREFIX}:item:${worker}:${n}`);
    const held: Effect = raw === null ? 'absent' : (JSON.parse(raw) as { json: ItemData }).json.version;
    if (held !== 'absent') present++;
    if (!ledger.holds(key, held)) lost.push(`${key}: holds ${String(held)}, last acknowledged ${String(ledger.lastAcked(key))}`);
  }
  // The same cache, never recreated, still works.
  const probe = await items.get({ worker: 'w0', n: 0 }).then(() => 'ok', (err: Error) => `failed: ${err.message}`);

  const total = [...tally.ops.values()].reduce((sum, o) => sum + o.ok + o.failed, 0);
  const ok = [...tally.ops.values()].reduce((sum, o) => sum + o.ok, 0);
  console.log(`\nran ${elapsed.toFixed(1)} s`);
  console.log(`faults injected: ${[...faults].map(([f, c]) => `${f} x${c}`).join(', ') || 'none'}`);
  console.log(`operations: ${total} (${Math.round(total / elapsed)}/s), ${ok} succeeded, ${total - ok} failed`);
  for (const [op, o] of [...tally.ops].sort()) console.log(`  ${op.padEnd(15)} ${String(o.ok).padStart(8)} ok ${String(o.failed).padStart(7)} failed`);
  console.log(`errors thrown, by code: ${[...tally.errors].map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`);
  console.log(`error events, by code: ${[...events].map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`);
  console.log(`cache stats: ${JSON.stringify(cache.stats())}`);
  console.log(`writes: ${ledger.acked} acknowledged, ${ledger.failed} failed (refused, or outcome unknown)`);
  console.log(`reads checked while running: ${tally.reads}, inconsistent: ${tally.inconsistent.length}`);
  console.log(`final check: ${ledger.keys().length} keys (${present} present), lost acknowledged writes: ${lost.length}`);
  console.log(`unexpected errors: ${tally.unexpected.length}, unhandled rejections: ${unhandled}, cache after the run: ${probe}`);
  for (const line of [...lost, ...tally.inconsistent, ...tally.unexpected].slice(0, 20)) console.log(`  ! ${line}`);

  await cache.close();
  check.disconnect();
  admin.disconnect();
  await server.stop();
  const failed = lost.length > 0 || tally.inconsistent.length > 0 || tally.unexpected.length > 0 || unhandled > 0 || probe !== 'ok';
  console.log(failed ? '\nSOAK FAILED' : '\nSOAK PASSED');
  process.exitCode = failed ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
