/**
 * Shared helpers of the benchmarks: a throwaway redis-server, timing, medians, tables, results files.
 *
 * Rules (see bench/README.md): speed goals are ratios against raw ioredis measured in the same run;
 * every benchmark starts its own redis-server and never touches a Redis it did not start.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedisServer, type RedisServerHandle } from '../test/support/redis-server.js';

export type { RedisServerHandle };

/** `bench/` on disk. */
export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

/** Options every benchmark receives from `bench/run.ts`. */
export interface BenchOptions {
  /** Small sizes, same code paths, prints only (CI smoke test). `--quick` or `BENCH_QUICK=1`. */
  quick: boolean;
}

export function benchOptionsFromArgs(argv: readonly string[] = process.argv.slice(2)): BenchOptions {
  const env = process.env.BENCH_QUICK;
  return { quick: argv.includes('--quick') || (env !== undefined && env !== '' && env !== '0') };
}

/**
 * A redis-server of our own: free port, no persistence (`--save '' --appendonly no`), `DEBUG` allowed from
 * loopback (for {@link settleRedis}).
 */
export function startBenchRedis(): Promise<RedisServerHandle> {
  return startRedisServer({ args: ['--save', '', '--appendonly', 'no', '--enable-debug-command', 'local'] });
}

/**
 * Waits until Redis has finished rehashing db 0's dictionaries after a bulk fill (a dict being rehashed
 * is walked twice by SCAN, which would slow the first timed runs). Answers the ms waited.
 */
export async function settleRedis(redis: { call(...args: string[]): Promise<unknown> }, timeoutMs = 60_000): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    const stats = String(await redis.call('DEBUG', 'HTSTATS', '0'));
    if (!stats.includes('rehashing')) return Date.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - start;
}

/** Runs `global.gc()` when the process was started with `--expose-gc`. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

export const hasGc = (): boolean => typeof (globalThis as { gc?: unknown }).gc === 'function';

/**
 * Times `fn` over `values` (round robin) for `iterations` calls; answers ns per call. Every call must
 * answer something (not `undefined`), so none can be optimized away unnoticed.
 *
 * @example
 * const ns = timeLoop(texts, 20_000, (t) => JSON.parse(t));
 */
export function timeLoop<T>(values: readonly T[], iterations: number, fn: (value: T) => unknown): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let n = 0; n < iterations; n++) if (fn(values[n % values.length]!) !== undefined) sink++;
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  if (sink !== iterations) throw new Error('a timed call answered undefined');
  return ns;
}

/** Wall time of `fn` in ms (high-resolution clock). */
export async function timeMs<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Rounds for display / JSON. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Prints rows as an aligned text table. */
export function printTable(title: string, header: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  const cells = [header, ...rows].map((row) => row.map((c) => (typeof c === 'number' ? String(c) : c)));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${title}`);
  console.log(line(cells[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells.slice(1)) console.log(line(row));
}

/** Writes `bench/results/<name>.json`. */
export function writeResults(name: string, data: unknown): string {
  const file = join(BENCH_DIR, 'results', `${name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

/** Progress line on stderr (keeps stdout for the tables). */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
