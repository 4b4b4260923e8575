/**
 * Benchmark of `cacheorm inspect` (issue 16): `npm run bench -- cli` (or `--quick`).
 *
 * One redis-server of our own, filled with 1,000,000 keys under the prefix `bench` (60% `session` v2, 20%
 * orphaned `session` v1, 20% `order`; small superjson-like values, all with a TTL). In one run, as medians of
 * interleaved rounds after a warm-up:
 *   raw      a raw ioredis walk of the same keyspace: `SCAN cursor MATCH bench:* COUNT 1000` until the
 *            cursor is 0, counting the keys;
 *   inspect  `runInspect` as the command runs it (connect, walk, group, measure TTL + MEMORY USAGE on the
 *            default sample of 1,000 keys per entity, build the JSON report), output discarded.
 *   inspectVsRaw = inspect / raw (goal ≤ 2).
 * Writes bench/results/cli.json (full mode only). `runCliBench()` is what the smoke test calls.
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { runInspect } from '../src/cli/inspect.js';
import { benchOptionsFromArgs, log, median, printTable, round, settleRedis, startBenchRedis, timeMs, writeResults, type BenchOptions } from './support.js';

const PIPELINE_CHUNK = 10_000;
const TTL_MS = 3_600_000;

/**
 * What one run of the benchmark measured.
 *
 * @example
 * const { inspectVsRaw } = await runCliBench({ url, prefix: 'bench', keys: 20_000, rounds: 3 });
 */
export interface CliBenchResults {
  keys: number;
  rounds: number;
  rawMs: number;
  inspectMs: number;
  inspectVsRaw: number;
  paired: number;
  samplesMs: { raw: number[]; inspect: number[] };
  fillSeconds: number;
}

/** Fills `prefix` with `keys` keys, pipelined (two pipelines of 10,000 SETs in flight). */
async function fill(redis: Redis, prefix: string, keys: number): Promise<void> {
  const keyOf = (i: number): string => {
    const kind = i % 5;
    if (kind === 3) return `${prefix}:session~v1:t${i % 97}:${i}`;
    if (kind === 4) return `${prefix}:order:${i}`;
    return `${prefix}:session~v2:t${i % 97}:${i}`;
  };
  let inFlight: Promise<unknown> | undefined;
  for (let from = 0; from < keys; from += PIPELINE_CHUNK) {
    const pipeline = redis.pipeline();
    for (let i = from; i < Math.min(keys, from + PIPELINE_CHUNK); i++) {
      pipeline.set(keyOf(i), `{"json":{"id":"${i}","email":"user${i}@example.test"}}`, 'PX', TTL_MS);
    }
    const sent = pipeline.exec();
    if (inFlight) await inFlight;
    inFlight = sent;
  }
  await inFlight;
}

async function rawWalk(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}

/**
 * Fills `prefix` on `url` with `keys` keys, times the raw walk and `inspect` in interleaved rounds, checks
 * that both saw every key, and answers the figures. Leaves the keys in place (the caller owns the server).
 */
export async function runCliBench(options: { url: string; prefix: string; keys: number; rounds: number }): Promise<CliBenchResults> {
  const { url, prefix, keys, rounds } = options;
  const redis = new Redis(url);
  try {
    const filled = await timeMs(() => fill(redis, prefix, keys));
    await settleRedis(redis).catch(() => 0); // DEBUG may be refused on a server we did not start
    const io = { out: () => undefined, err: () => undefined, tty: false };
    const samples = { raw: [] as number[], inspect: [] as number[] };
    for (let round = 0; round <= rounds; round++) {
      const raw = await timeMs(() => rawWalk(redis, prefix));
      const inspected = await timeMs(() => runInspect({ urls: [url], prefix, sample: 1000, json: true, showInvalid: false }, io));
      const listed = inspected.result.entities.reduce((sum, e) => sum + e.keys, 0);
      if (raw.result !== keys || listed !== keys) throw new Error(`walks saw ${raw.result} / ${listed} keys, expected ${keys}`);
      if (round === 0) continue; // warm-up
      samples.raw.push(raw.ms);
      samples.inspect.push(inspected.ms);
    }
    const rawMs = median(samples.raw);
    const inspectMs = median(samples.inspect);
    return {
      keys,
      rounds,
      rawMs: round(rawMs, 1),
      inspectMs: round(inspectMs, 1),
      inspectVsRaw: round(inspectMs / rawMs),
      paired: round(median(samples.inspect.map((ms, i) => ms / samples.raw[i]!))),
      samplesMs: { raw: samples.raw.map((v) => round(v, 1)), inspect: samples.inspect.map((v) => round(v, 1)) },
      fillSeconds: round(filled.ms / 1000, 1),
    };
  } finally {
    redis.disconnect();
  }
}

/** The benchmark as `bench/run.ts` runs it. */
export async function run(options: BenchOptions): Promise<void> {
  const keys = options.quick ? 20_000 : 1_000_000;
  const rounds = options.quick ? 2 : 5;
  const server = await startBenchRedis();
  try {
    log(`cli: ${keys.toLocaleString('en-US')} keys, ${rounds} rounds after a warm-up, redis-server on port ${server.port}`);
    const probe = new Redis(server.url);
    const info = await probe.info('server').catch(() => '');
    probe.disconnect();
    const results = await runCliBench({ url: server.url, prefix: 'bench', keys, rounds });
    printTable(`cacheorm inspect vs a raw SCAN walk, ${keys.toLocaleString('en-US')} keys (median of ${rounds} rounds)`, ['walk', 'ms', 'vs raw'], [
      ['raw SCAN MATCH bench:* COUNT 1000', results.rawMs, 1],
      ['inspect (counts + sampled TTL and MEMORY USAGE)', results.inspectMs, `${results.inspectVsRaw} (paired ${results.paired})`],
    ]);
    const goal = { inspectVsRaw: { value: results.inspectVsRaw, goal: '<= 2', met: results.inspectVsRaw <= 2 } };
    console.log(`\ngoal inspect/raw <= 2: ${goal.inspectVsRaw.met ? 'met' : 'NOT met'} (${results.inspectVsRaw})`);
    if (!options.quick) {
      const file = writeResults('cli', {
        date: new Date().toISOString(),
        node: process.version,
        redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
        machine: { cpus: os.cpus().length, memoryGB: Math.round(os.totalmem() / 2 ** 30) },
        ...results,
        goals: goal,
      });
      log(`wrote ${file}`);
    }
  } finally {
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run(benchOptionsFromArgs()).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
