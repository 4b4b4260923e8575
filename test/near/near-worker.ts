/**
 * A child process of near-processes.test.ts: a `writer` (raises the counter of each of its keys, one
 * write at a time, through cacheorm or raw ioredis) or a `reader` (a near cache reading random keys,
 * checking that no read answers a value older than one this process already read). Talks to the
 * parent over IPC. Run with `node --import tsx`.
 */
import { Redis } from 'ioredis';
import { z } from 'zod';
import { createCache, defineEntity } from '../../src/index.js';

const Counter = defineEntity({ name: 'counter', key: ['id'], schema: z.object({ id: z.string(), n: z.int() }), ttl: '10m' });

interface Start {
  role: 'writer' | 'reader';
  url: string;
  prefix: string;
  keys: string[];
}

const send = (message: unknown) => process.send!(message);
const pause = () => new Promise((resolve) => setImmediate(resolve));

process.once('message', (start: Start) => {
  void (start.role === 'writer' ? writer(start) : reader(start)).catch((err: unknown) => {
    send({ type: 'crash', error: String((err as Error)?.stack ?? err) });
    process.exit(1);
  });
});

async function writer({ url, prefix, keys }: Start): Promise<void> {
  const cache = createCache({ redis: url, prefix, commandTimeout: 1000 });
  cache.on('error', () => undefined);
  const raw = new Redis(url, { maxRetriesPerRequest: 1 });
  raw.on('error', () => undefined);
  const repo = cache.getRepository(Counter);
  const n = new Map(keys.map((k) => [k, 0]));
  let stop = false;
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stop') stop = true;
  });
  let writes = 0;
  while (!stop) {
    for (const id of keys) {
      const next = n.get(id)! + 1;
      try {
        // A failed write's outcome is unknown: the next one writes a higher value anyway.
        if (next % 2 === 0) await repo.save({ id, n: next });
        else await raw.set(`${prefix}:counter:${id}`, JSON.stringify({ json: { id, n: next } }), 'PX', 600_000);
        writes++;
      } catch {
        // killed connection: retried with the next value
      }
      n.set(id, next);
    }
    await pause();
  }
  await cache.close();
  raw.disconnect();
  send({ type: 'stopped', writes });
}

async function reader({ url, prefix, keys }: Start): Promise<void> {
  const cache = createCache({ redis: url, prefix, nearCache: true, commandTimeout: 1000 });
  cache.on('error', () => undefined);
  const repo = cache.getRepository(Counter);
  const seen = new Map<string, number>();
  const violations: string[] = [];
  let reads = 0;
  let errors = 0;
  let phase: 'run' | 'converge' = 'run';
  let finals: Record<string, number> = {};
  process.on('message', (m: { type: string; finals?: Record<string, number> }) => {
    if (m.type === 'converge') {
      finals = m.finals!;
      phase = 'converge';
    }
  });
  const read = async (id: string): Promise<number | undefined> => {
    try {
      const n = (await repo.get({ id }))?.n;
      reads++;
      if (n !== undefined) {
        const before = seen.get(id) ?? 0;
        if (n < before && violations.length < 20) violations.push(`${id}: read ${n} after ${before}`);
        seen.set(id, Math.max(before, n));
      }
      return n;
    } catch {
      errors++;
      return undefined;
    }
  };
  send({ type: 'ready' });
  for (let i = 1; phase === 'run'; i++) {
    await read(keys[Math.floor(Math.random() * keys.length)]!);
    if (i % 20 === 0) await pause(); // near hits and refused calls settle without I/O: let IPC in
  }
  // Writes stopped: every key must reach its final value, and stay there.
  const start = Date.now();
  const pending = new Set(keys);
  while (pending.size > 0 && Date.now() - start < 15_000) {
    for (const id of [...pending]) if ((await read(id)) === finals[id]) pending.delete(id);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const convergedMs = Date.now() - start;
  for (let i = 0; i < 200; i++) {
    const id = keys[i % keys.length]!;
    const n = await read(id);
    if (n !== undefined && n !== finals[id] && violations.length < 20) violations.push(`${id}: read ${n} after converging to ${finals[id]}`);
  }
  const near = cache.stats().near!;
  await cache.close();
  send({ type: 'result', reads, errors, violations, unconverged: [...pending], convergedMs, near });
}
