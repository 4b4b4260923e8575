/**
 * The near cache across processes, randomized: writer processes raise per-key counters (through
 * cacheorm and raw ioredis), near-cache reader processes read random keys, and the parent kills random
 * connections (tracking connections included) with CLIENT KILL meanwhile. Every reader must read each
 * key's counter monotonically (never a value older than one it already read), and once writes stop,
 * every reader must converge to the final values (within 15 s, the failure bound; typically a few ms).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';

const WORKER = fileURLToPath(new URL('./near-worker.ts', import.meta.url));
const KEYS = Array.from({ length: 12 }, (_, i) => `k${i}`);
const WRITERS = 2;
const READERS = 3;
const RUN_MS = 4000;

interface Worker {
  child: ChildProcess;
  next(type: string): Promise<Record<string, unknown>>;
}

function start(role: 'writer' | 'reader', url: string, prefix: string, keys: string[]): Worker {
  const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox: Record<string, unknown>[] = [];
  const waiting: { type: string; resolve: (m: Record<string, unknown>) => void; reject: (e: Error) => void }[] = [];
  child.on('message', (m: Record<string, unknown>) => {
    if (m.type === 'crash') {
      for (const w of waiting.splice(0)) w.reject(new Error(`${role} crashed: ${String(m.error)}`));
      return;
    }
    const i = waiting.findIndex((w) => w.type === m.type);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m);
    else inbox.push(m);
  });
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`${role} exited (${String(code)}) while the test waited for "${w.type}"`));
  });
  child.send({ role, url, prefix, keys });
  return {
    child,
    next: (type) => {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]!);
      return new Promise((resolve, reject) => waiting.push({ type, resolve, reject }));
    },
  };
}

describe('near cache: several processes, random connection kills', () => {
  let server: RedisServerHandle;
  let admin: Redis;
  const workers: Worker[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill();
    admin?.disconnect();
    await server?.stop();
  });

  it('reads are monotonic per process and converge once writes stop', async () => {
    const prefix = 'np';
    const readers = Array.from({ length: READERS }, () => start('reader', server.url, prefix, KEYS));
    workers.push(...readers);
    await Promise.all(readers.map((r) => r.next('ready')));
    const writers = Array.from({ length: WRITERS }, (_, w) => start('writer', server.url, prefix, KEYS.filter((_, i) => i % WRITERS === w)));
    workers.push(...writers);

    const adminId = Number(await admin.client('ID'));
    const deadline = Date.now() + RUN_MS;
    let kills = 0;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 250));
      const ids = String(await admin.client('LIST'))
        .split('\n')
        .map((line) => Number(/id=(\d+)/.exec(line)?.[1]))
        .filter((id) => Number.isFinite(id) && id !== adminId);
      const victim = ids[Math.floor(Math.random() * ids.length)];
      if (victim !== undefined) {
        await admin.client('KILL', 'ID', String(victim)).catch(() => undefined);
        kills++;
      }
    }
    for (const w of writers) w.child.send({ type: 'stop' });
    const stopped = await Promise.all(writers.map((w) => w.next('stopped')));
    const finals: Record<string, number> = {};
    for (const id of KEYS) {
      const text = await admin.get(`${prefix}:counter:${id}`);
      finals[id] = (JSON.parse(text!) as { json: { n: number } }).json.n;
    }
    for (const r of readers) r.child.send({ type: 'converge', finals });
    const results = await Promise.all(readers.map((r) => r.next('result')));
    const summary = results.map((r) => ({ reads: r.reads, errors: r.errors, convergedMs: r.convergedMs, near: r.near }));
    expect(kills).toBeGreaterThan(5);
    expect(stopped.every((s) => (s.writes as number) > 0)).toBe(true);
    for (const r of results) {
      expect(r.violations, JSON.stringify(summary)).toEqual([]);
      expect(r.unconverged, JSON.stringify(summary)).toEqual([]);
    }
    // The near cache did serve (it is not a test of Redis alone).
    expect(results.some((r) => (r.near as { hits: number }).hits > 0)).toBe(true);
  }, 60_000);
});
