/**
 * Benchmark of `repo.find()` (issue item 7): `npm run bench` (or `npm run bench -- --quick`).
 *
 * Case 1 — a db of 1,000,000 keys, 1,000 of them tenant `acme`'s sessions. In one run, against one
 * redis-server of our own, timed as medians of interleaved runs after a warm-up:
 *   raw       ioredis `SCAN cursor MATCH bench:session:acme:* COUNT 1000` loop + `MGET` per 1,000 keys
 *   scan      `sessions.find({ tenantId: 'acme' }).toArray()` (find: 'scan', batchSize 1000)
 *   index     the same on `SessionIdx` (find: 'index'; its index set holds 10,000 members; the plan reads
 *             the tenant's `ZRANGEBYLEX` range of the index's lexicographic set)
 *   rawIndex  the same range read by hand with ioredis (ZRANGEBYLEX + ZMSCORE + MGET); rawIndexZscan the
 *             older plan by hand (ZSCAN MATCH over the whole set + MGET), informational
 *   and the keys-only pair: raw SCAN loop vs `find().keys().toArray()` / `find().count()`.
 *   scanVsRaw = scan / raw (goal ≤ 1.1), indexSpeedup = scan / index (goal ≥ 100).
 * Case 2 — a db of 1,000,000 entities of tenant `big`: `for await (const e of items.find({ tenantId:
 * 'big' }))` in a fresh child process, sampling RSS; peak RSS growth over the baseline taken right
 * before the find (goal < 50 MB).
 *
 * Writes bench/results/find.json (full mode only).
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { Redis, type ChainableCommander } from 'ioredis';
import { createCache } from 'cacheorm';
import { Item, PREFIX, Session, SessionIdx, TTL_MS, sessionData } from './entities.js';
import {
  BENCH_DIR,
  benchOptionsFromArgs,
  collectGarbage,
  hasGc,
  log,
  median,
  printTable,
  round,
  settleRedis,
  startBenchRedis,
  timeMs,
  writeResults,
  type BenchOptions,
} from './support.js';

interface Sizes {
  /** DBSIZE of case 1. */
  keysInDb: number;
  /** The tenant's sessions (per entity). */
  tenantKeys: number;
  /** Members of SessionIdx's index set (tenant + other tenants). */
  indexMembers: number;
  /** Share of the db that are `session` keys (the rest: `user` keys, SessionIdx keys, the index set). */
  sessionShare: number;
  /** Entities streamed in case 2. */
  streamEntities: number;
  /** Timed rounds (after one warm-up round). */
  rounds: number;
  /** Index runs per round (they are short). */
  indexRepeat: number;
}

const FULL: Sizes = { keysInDb: 1_000_000, tenantKeys: 1000, indexMembers: 10_000, sessionShare: 0.6, streamEntities: 1_000_000, rounds: 9, indexRepeat: 3 };
const QUICK: Sizes = { keysInDb: 20_000, tenantKeys: 1000, indexMembers: 2000, sessionShare: 0.6, streamEntities: 10_000, rounds: 3, indexRepeat: 2 };
const BATCH = 1000;
const TENANT = 'acme';
const STREAM_TENANT = 'big';
const PIPELINE_CHUNK = 10_000;

/** SETs `total` keys through pipelines of {@link PIPELINE_CHUNK}, two in flight. */
async function pipelinedSet(redis: Redis, total: number, entry: (i: number) => [key: string, value: string]): Promise<void> {
  const send = (from: number): Promise<unknown> => {
    const pipeline: ChainableCommander = redis.pipeline();
    const end = Math.min(total, from + PIPELINE_CHUNK);
    for (let i = from; i < end; i++) {
      const [key, value] = entry(i);
      pipeline.set(key, value, 'PX', TTL_MS);
    }
    return pipeline.exec().then((results) => {
      for (const [error] of results ?? []) if (error) throw error;
    });
  };
  let inFlight: Promise<unknown> | undefined;
  for (let from = 0; from < total; from += PIPELINE_CHUNK) {
    const next = send(from);
    if (inFlight) await inFlight;
    inFlight = next;
  }
  await inFlight;
}

/** The stored value of `sample` written through the repository, as a template over its marker strings. */
async function valueTemplate(raw: Redis, key: string, markers: readonly string[]): Promise<(...values: string[]) => string> {
  const stored = await raw.get(key);
  if (stored === null) throw new Error(`template entity ${key} was not written`);
  for (const m of markers) if (!stored.includes(m)) throw new Error(`marker ${m} not in ${stored}`);
  const pieces = stored.split(new RegExp(`(${markers.join('|')})`));
  const slots = pieces.map((p) => markers.indexOf(p));
  return (...values) => {
    let out = '';
    for (let i = 0; i < pieces.length; i++) out += slots[i]! >= 0 ? values[slots[i]!]! : pieces[i]!;
    return out;
  };
}

// ---------------------------------------------------------------------------------------------------
// Case 1 measurements. Each answers the number of results, checked against the expected count.

/**
 * Walks a cursor (`step` runs one SCAN or ZSCAN call and answers the next cursor and the keys to read),
 * MGETs the collected keys every 1,000, keeps the values like `toArray()` does, and answers their count.
 */
async function walkAndMget(redis: Redis, step: (cursor: string) => Promise<[string, string[]]>): Promise<number> {
  const values: (string | null)[] = [];
  let pending: string[] = [];
  const flush = async () => {
    for (const v of await redis.mget(pending)) values.push(v);
    pending = [];
  };
  let cursor = '0';
  do {
    const [next, keys] = await step(cursor);
    cursor = next;
    for (const k of keys) pending.push(k);
    if (pending.length >= BATCH) await flush();
  } while (cursor !== '0');
  if (pending.length > 0) await flush();
  return values.length;
}

/** Raw: SCAN loop collecting keys, MGET per 1,000 collected keys. */
function rawScanMget(redis: Redis, match: string): Promise<number> {
  return walkAndMget(redis, (cursor) => redis.scan(cursor, 'MATCH', match, 'COUNT', BATCH));
}

/** Raw, one MGET per non-empty SCAN reply: the shape cacheorm's loop had before it batched (informational). */
async function rawScanMgetPerReply(redis: Redis, match: string): Promise<number> {
  const values: (string | null)[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', BATCH);
    cursor = next;
    if (keys.length > 0) for (const v of await redis.mget(keys)) values.push(v);
  } while (cursor !== '0');
  return values.length;
}

/** Raw keys only: SCAN loop collecting keys. */
async function rawScanKeys(redis: Redis, match: string): Promise<number> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', BATCH);
    cursor = next;
    for (const k of keys) out.push(k);
  } while (cursor !== '0');
  return out.length;
}

/**
 * Raw index range, what cacheorm's index plan does by hand: prune expired members, read the tenant's
 * `ZRANGEBYLEX` range of the lexicographic set 1,000 at a time, keep live members (`ZMSCORE` on the
 * expiry set), MGET them.
 */
async function rawIndexRangeMget(redis: Redis, index: string, prefix: string): Promise<number> {
  await redis.zremrangebyscore(index, '-inf', Date.now());
  const max = Buffer.concat([Buffer.from(`(${prefix}`), Buffer.from([0xff])]);
  const values: (string | null)[] = [];
  let min = `[${prefix}`;
  for (;;) {
    const read = await redis.zrangebylex(`${index}:lex`, min, max, 'LIMIT', 0, BATCH);
    if (read.length === 0) break;
    const now = Date.now();
    const scores = await redis.zmscore(index, ...read);
    const live = read.filter((_, i) => scores[i] !== null && Number(scores[i]) > now);
    if (live.length > 0) for (const v of await redis.mget(live)) values.push(v);
    if (read.length < BATCH) break;
    min = `(${read[read.length - 1]}`;
  }
  return values.length;
}

/** Raw index walk: prune expired members, ZSCAN MATCH, keep live members, MGET per 1,000 (informational). */
async function rawIndexScanMget(redis: Redis, index: string, match: string): Promise<number> {
  const now = Date.now();
  await redis.zremrangebyscore(index, '-inf', now);
  return walkAndMget(redis, async (cursor) => {
    const [next, flat] = await redis.zscan(index, cursor, 'MATCH', match, 'COUNT', BATCH);
    const live: string[] = [];
    for (let i = 0; i < flat.length; i += 2) if (Number(flat[i + 1]) > now) live.push(flat[i]!);
    return [next, live];
  });
}

// ---------------------------------------------------------------------------------------------------

interface Op {
  name: string;
  run: () => Promise<number>;
  repeat: number;
}

interface Samples {
  /** Every timed run, ms. */
  all: Record<string, number[]>;
  /** Per op, the median of each round's runs (for paired ratios: ops of one round run back to back). */
  perRound: Record<string, number[]>;
}

/** One warm-up run of each op, then `rounds` rounds in rotating order. */
async function measure(ops: readonly Op[], rounds: number, expected: number): Promise<Samples> {
  const samples: Record<string, number[]> = Object.fromEntries(ops.map((op) => [op.name, []]));
  const perRound: Record<string, number[]> = Object.fromEntries(ops.map((op) => [op.name, []]));
  const once = async (op: Op): Promise<number> => {
    collectGarbage();
    const { ms, result } = await timeMs(op.run);
    if (result !== expected) throw new Error(`${op.name} found ${result} results, expected ${expected}`);
    return ms;
  };
  for (const op of ops) await once(op); // warm-up
  for (let r = 0; r < rounds; r++) {
    const order = ops.map((_, i) => ops[(i + r) % ops.length]!);
    for (const op of order) {
      const runs: number[] = [];
      for (let k = 0; k < op.repeat; k++) runs.push(await once(op));
      samples[op.name]!.push(...runs);
      perRound[op.name]!.push(median(runs));
    }
    log(`round ${r + 1}/${rounds}: ${ops.map((op) => `${op.name} ${median(samples[op.name]!).toFixed(1)}ms`).join(', ')}`);
  }
  return { all: samples, perRound };
}

/** Median over rounds of a/b within each round. */
function pairedRatio(s: Samples, a: string, b: string): number {
  const x = s.perRound[a];
  const y = s.perRound[b];
  if (!x || !y) return NaN;
  return median(x.map((v, i) => v / y[i]!));
}

interface StreamReport {
  entities: number;
  seconds: number;
  baselineRssMB: number;
  peakRssMB: number;
  peakRssGrowthMB: number;
  peakHeapUsedGrowthMB: number;
  /** Live mode only: peak of heapUsed + arrayBuffers after a forced GC, over the baseline. */
  peakLiveGrowthMB?: number;
  samples: number;
}

/** Runs bench/find-stream.ts in a fresh process (so the baseline is not inflated by the fill). */
function runStreamChild(url: string, expected: number, mode: 'find' | 'raw', live = false): Promise<StreamReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(BENCH_DIR, 'find-stream.ts')], {
      cwd: dirname(BENCH_DIR),
      env: { ...process.env, BENCH_REDIS_URL: url, BENCH_STREAM_TENANT: STREAM_TENANT, BENCH_STREAM_EXPECTED: String(expected), BENCH_STREAM_MODE: mode, BENCH_STREAM_LIVE: live ? '1' : '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`find-stream.ts exited with code ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as StreamReport);
      } catch (err) {
        reject(err);
      }
    });
  });
}

export async function run(options: BenchOptions): Promise<void> {
  const sizes = options.quick ? QUICK : FULL;
  const started = process.hrtime.bigint();
  if (!hasGc()) log('note: run with node --expose-gc for steadier numbers (npm run bench does)');
  const server = await startBenchRedis();
  const stopOnSignal = () => void server.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  const raw = new Redis(server.url);
  const cache = createCache({ redis: server.url, prefix: PREFIX });
  try {
    const redisVersion = /redis_version:(\S+)/.exec(await raw.info('server'))?.[1] ?? 'unknown';
    const sessions = cache.getRepository(Session);
    const sessionsIdx = cache.getRepository(SessionIdx);
    const indexSupported = typeof (cache.store as { indexScan?: unknown }).indexScan === 'function';
    if (!indexSupported) log('the store has no indexScan yet: index measurements are skipped, results are not written');
    const indexKey = sessionsIdx.indexKey!;

    // ---- Fill case 1 --------------------------------------------------------------------------------
    log(`filling ${sizes.keysInDb.toLocaleString('en')} keys on ${server.url} ...`);
    const fill = await timeMs(async () => {
      await sessions.save(sessionData('tpltenant', 'tplid0'));
      const sessionValue = await valueTemplate(raw, sessions.keyOf({ tenantId: 'tpltenant', id: 'tplid0' }), ['tpltenant', 'tplid0']);
      await sessions.delete({ tenantId: 'tpltenant', id: 'tplid0' });
      const sessionKey = (t: string, id: string) => `${PREFIX}:session:${t}:${id}`;
      if (sessionKey('t1', 's1') !== sessions.keyOf({ tenantId: 't1', id: 's1' })) throw new Error('session key layout changed');

      // The tenant's sessions, written through the repository (both entities), then SessionIdx's others.
      const tenantIds = Array.from({ length: sizes.tenantKeys }, (_, i) => `a${String(i).padStart(6, '0')}`);
      await sessions.save(tenantIds.map((id) => sessionData(TENANT, id)));
      const idxData = [
        ...tenantIds.map((id) => sessionData(TENANT, id)),
        ...Array.from({ length: sizes.indexMembers - sizes.tenantKeys }, (_, i) => sessionData(`t${i % 500}`, `x${i}`)),
      ];
      for (let i = 0; i < idxData.length; i += 1000) await sessionsIdx.save(idxData.slice(i, i + 1000));

      // Filler: other tenants' sessions and another entity's keys, raw pipelined SETs.
      const otherSessions = Math.round(sizes.keysInDb * sizes.sessionShare) - sizes.tenantKeys;
      const indexKeys = indexSupported ? 2 : 0; // the index's expiry set and its lexicographic set
      const users = sizes.keysInDb - sizes.tenantKeys - otherSessions - sizes.indexMembers - indexKeys;
      await pipelinedSet(raw, otherSessions, (i) => {
        const t = `t${i % 10_000}`;
        const id = `s${i}`;
        return [sessionKey(t, id), sessionValue(t, id)];
      });
      await pipelinedSet(raw, users, (i) => [
        `${PREFIX}:user:u${i}`,
        `{"json":{"id":"u${i}","name":"User ${i}","email":"u${i}@example.test","plan":"free"}}`,
      ]);
      // The filler decodes as real entities.
      const back = await sessions.get({ tenantId: 't7', id: 's7' });
      if (!isDeepStrictEqual({ ...back }, sessionData('t7', 's7'))) throw new Error(`filler value does not decode: ${JSON.stringify(back)}`);
    });
    const dbsize = await raw.dbsize();
    if (dbsize !== sizes.keysInDb) throw new Error(`DBSIZE is ${dbsize}, expected ${sizes.keysInDb}`);
    if (indexSupported && (await raw.zcard(indexKey)) !== sizes.indexMembers) throw new Error(`${indexKey} does not hold ${sizes.indexMembers} members`);
    log(`filled ${dbsize.toLocaleString('en')} keys in ${(fill.ms / 1000).toFixed(1)} s; rehash settled after ${await settleRedis(raw)} ms`);

    // ---- Measure case 1 -----------------------------------------------------------------------------
    const scanQuery = sessions.find({ tenantId: TENANT }, { batchSize: BATCH });
    const idxQuery = sessionsIdx.find({ tenantId: TENANT }, { batchSize: BATCH });
    if (scanQuery.plan.kind !== 'scan') throw new Error(`unexpected plan ${scanQuery.explain()}`);
    const match = scanQuery.plan.match;
    if (match !== `${PREFIX}:session:${TENANT}:*`) throw new Error(`unexpected glob ${match}`);
    const idxPrefix = idxQuery.plan.kind === 'index' ? idxQuery.plan.prefix : undefined;
    if (indexSupported && idxPrefix !== `${PREFIX}:sessionidx:${TENANT}:`) throw new Error(`unexpected index plan ${idxQuery.explain()}`);
    const ops: Op[] = [
      { name: 'raw', run: () => rawScanMget(raw, match), repeat: 1 },
      { name: 'scan', run: async () => (await scanQuery.toArray()).length, repeat: 1 },
      { name: 'rawKeys', run: () => rawScanKeys(raw, match), repeat: 1 },
      { name: 'keys', run: async () => (await scanQuery.keys().toArray()).length, repeat: 1 },
      { name: 'count', run: () => scanQuery.count(), repeat: 1 },
      { name: 'rawPerReply', run: () => rawScanMgetPerReply(raw, match), repeat: 1 },
    ];
    if (indexSupported) {
      ops.push(
        { name: 'index', run: async () => (await idxQuery.toArray()).length, repeat: sizes.indexRepeat },
        { name: 'indexKeys', run: async () => (await idxQuery.keys().toArray()).length, repeat: sizes.indexRepeat },
        { name: 'rawIndex', run: () => rawIndexRangeMget(raw, indexKey, `${PREFIX}:sessionidx:${TENANT}:`), repeat: sizes.indexRepeat },
        { name: 'rawIndexZscan', run: () => rawIndexScanMget(raw, indexKey, `${PREFIX}:sessionidx:${TENANT}:*`), repeat: sizes.indexRepeat },
      );
    }
    log(`measuring: 1 warm-up + ${sizes.rounds} rounds of ${ops.map((o) => o.name).join(', ')}`);
    const measured = await measure(ops, sizes.rounds, sizes.tenantKeys);
    const samples = measured.all;
    const med = (name: string) => (samples[name] ? median(samples[name]) : NaN);

    // ---- Case 2: stream 1,000,000 entities ------------------------------------------------------------
    await raw.flushall();
    const items = cache.getRepository(Item);
    const streamFill = await timeMs(async () => {
      await items.save({ tenantId: STREAM_TENANT, id: 'tplid0', n: 123456789 });
      const itemValue = await valueTemplate(raw, items.keyOf({ tenantId: STREAM_TENANT, id: 'tplid0' }), ['tplid0', '123456789']);
      await items.delete({ tenantId: STREAM_TENANT, id: 'tplid0' });
      const itemKey = (id: string) => `${PREFIX}:item:${STREAM_TENANT}:${id}`;
      if (itemKey('i1') !== items.keyOf({ tenantId: STREAM_TENANT, id: 'i1' })) throw new Error('item key layout changed');
      await pipelinedSet(raw, sizes.streamEntities, (i) => [itemKey(`i${i}`), itemValue(`i${i}`, String(i))]);
      const back = await items.get({ tenantId: STREAM_TENANT, id: 'i42' });
      if (!isDeepStrictEqual({ ...back }, { tenantId: STREAM_TENANT, id: 'i42', n: 42 })) throw new Error(`item value does not decode: ${JSON.stringify(back)}`);
    });
    log(`filled ${(await raw.dbsize()).toLocaleString('en')} items in ${(streamFill.ms / 1000).toFixed(1)} s; rehash settled after ${await settleRedis(raw)} ms`);
    log('streaming: raw ioredis loop, then find(), each in a fresh child process; then both again measuring live memory ...');
    const streamRaw = await runStreamChild(server.url, sizes.streamEntities, 'raw');
    const stream = await runStreamChild(server.url, sizes.streamEntities, 'find');
    const streamRawLive = await runStreamChild(server.url, sizes.streamEntities, 'raw', true);
    const streamLive = await runStreamChild(server.url, sizes.streamEntities, 'find', true);

    // ---- Report -------------------------------------------------------------------------------------
    const scanVsRaw = med('scan') / med('raw');
    const keysScanVsRaw = med('keys') / med('rawKeys');
    const countVsRaw = med('count') / med('rawKeys');
    const indexSpeedup = indexSupported ? med('scan') / med('index') : null;
    const indexVsRaw = indexSupported ? med('index') / med('rawIndex') : null;
    const indexKeysSpeedup = indexSupported ? med('keys') / med('indexKeys') : null;
    const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const goals = {
      'scanVsRaw<=1.1': scanVsRaw <= 1.1,
      'indexSpeedup>=100': indexSpeedup === null ? null : indexSpeedup >= 100,
      'streamRss<50MB': stream.peakRssGrowthMB < 50,
    };
    const results = {
      date: new Date().toISOString(),
      node: process.version,
      redis: redisVersion,
      machine: { cpus: os.cpus().length, memoryGB: Math.round(os.totalmem() / 2 ** 30) },
      keysInDb: dbsize,
      tenantKeys: sizes.tenantKeys,
      indexMembers: sizes.indexMembers,
      batchSize: BATCH,
      rounds: sizes.rounds,
      scanVsRaw: round(scanVsRaw),
      keysScanVsRaw: round(keysScanVsRaw),
      countVsRaw: round(countVsRaw),
      indexSpeedup: indexSpeedup === null ? null : round(indexSpeedup, 1),
      indexKeysSpeedup: indexKeysSpeedup === null ? null : round(indexKeysSpeedup, 1),
      indexVsRaw: indexVsRaw === null ? null : round(indexVsRaw),
      rawSpeedupOfIndexWalk: indexSupported ? round(med('scan') / med('rawIndex'), 1) : null,
      paired: {
        scanVsRaw: round(pairedRatio(measured, 'scan', 'raw')),
        keysScanVsRaw: round(pairedRatio(measured, 'keys', 'rawKeys')),
        countVsRaw: round(pairedRatio(measured, 'count', 'rawKeys')),
        indexSpeedup: indexSupported ? round(pairedRatio(measured, 'scan', 'index'), 1) : null,
        rawPerReplyMgetVsRaw: round(pairedRatio(measured, 'rawPerReply', 'raw')),
      },
      rawPerReplyMgetVsRaw: round(med('rawPerReply') / med('raw')),
      scanVsRawPerReplyMget: round(med('scan') / med('rawPerReply')),
      rawMs: round(med('raw'), 2),
      scanMs: round(med('scan'), 2),
      indexMs: indexSupported ? round(med('index'), 2) : null,
      indexKeysMs: indexSupported ? round(med('indexKeys'), 2) : null,
      rawIndexMs: indexSupported ? round(med('rawIndex'), 2) : null,
      rawIndexZscanMs: indexSupported ? round(med('rawIndexZscan'), 2) : null,
      rawKeysMs: round(med('rawKeys'), 2),
      keysMs: round(med('keys'), 2),
      countMs: round(med('count'), 2),
      rawPerReplyMgetMs: round(med('rawPerReply'), 2),
      samplesMs: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map((x) => round(x, 2))])),
      streamEntities: stream.entities,
      streamSeconds: round(stream.seconds, 2),
      streamRawSeconds: round(streamRaw.seconds, 2),
      streamVsRaw: round(stream.seconds / streamRaw.seconds),
      streamBaselineRssMB: round(stream.baselineRssMB, 1),
      streamPeakRssGrowthMB: round(stream.peakRssGrowthMB, 1),
      streamPeakHeapUsedGrowthMB: round(stream.peakHeapUsedGrowthMB, 1),
      streamRawPeakRssGrowthMB: round(streamRaw.peakRssGrowthMB, 1),
      streamRawPeakHeapUsedGrowthMB: round(streamRaw.peakHeapUsedGrowthMB, 1),
      streamPeakLiveGrowthMB: round(streamLive.peakLiveGrowthMB!, 1),
      streamRawPeakLiveGrowthMB: round(streamRawLive.peakLiveGrowthMB!, 1),
      fillSeconds: { case1: round(fill.ms / 1000, 1), stream: round(streamFill.ms / 1000, 1) },
      totalSeconds: round(totalSeconds, 1),
      goals,
    };

    console.log(`\nfind benchmark${options.quick ? ' (quick)' : ''}: node ${process.version}, redis ${redisVersion}, ${os.cpus().length} cpus`);
    console.log(`db: ${dbsize.toLocaleString('en')} keys; tenant "${TENANT}": ${sizes.tenantKeys} sessions; index set: ${sizes.indexMembers} members; COUNT/batch ${BATCH}`);
    console.log(`scan plan:  ${scanQuery.explain().split('\n')[0]}`);
    console.log(`index plan: ${idxQuery.explain().split('\n')[0]}`);
    const row = (label: string, name: string, vs?: string) => [
      label,
      samples[name] ? med(name).toFixed(2) : '-',
      samples[name] ? Math.min(...samples[name]).toFixed(2) : '-',
      samples[name] ? Math.max(...samples[name]).toFixed(2) : '-',
      vs && samples[name] ? `${(med(name) / med(vs)).toFixed(3)}x ${vs}` : '',
    ];
    printTable(`case 1: ${sizes.tenantKeys} of ${dbsize.toLocaleString('en')} keys (median of ${sizes.rounds} rounds, ms)`, ['measurement', 'median', 'min', 'max', 'ratio'], [
      row('raw SCAN + MGET/1000', 'raw'),
      row('find().toArray()   scan', 'scan', 'raw'),
      row('raw SCAN + MGET/reply', 'rawPerReply', 'raw'),
      row('raw SCAN keys', 'rawKeys'),
      row('find().keys()      scan', 'keys', 'rawKeys'),
      row('find().count()     scan', 'count', 'rawKeys'),
      row('raw ZRANGEBYLEX + MGET', 'rawIndex'),
      row('raw ZSCAN + MGET', 'rawIndexZscan', 'rawIndex'),
      row('find().toArray()   index', 'index', 'rawIndex'),
      row('find().keys()      index', 'indexKeys'),
    ]);
    printTable(`case 2: stream ${stream.entities.toLocaleString('en')} entities (fresh child process each)`, ['measurement', 'find()', 'raw ioredis'], [
      ['seconds', stream.seconds.toFixed(2), streamRaw.seconds.toFixed(2)],
      ['baseline RSS MB', stream.baselineRssMB.toFixed(1), streamRaw.baselineRssMB.toFixed(1)],
      ['peak RSS growth MB', stream.peakRssGrowthMB.toFixed(1), streamRaw.peakRssGrowthMB.toFixed(1)],
      ['peak heapUsed growth MB', stream.peakHeapUsedGrowthMB.toFixed(1), streamRaw.peakHeapUsedGrowthMB.toFixed(1)],
      ['peak live growth MB (GC every 10%)', streamLive.peakLiveGrowthMB!.toFixed(1), streamRawLive.peakLiveGrowthMB!.toFixed(1)],
    ]);
    const verdict = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? 'met' : 'MISSED');
    printTable('goals', ['goal', 'value', 'verdict'], [
      ['scanVsRaw <= 1.1', scanVsRaw.toFixed(3), verdict(goals['scanVsRaw<=1.1'])],
      ['indexSpeedup >= 100', indexSpeedup === null ? 'n/a' : indexSpeedup.toFixed(1), verdict(goals['indexSpeedup>=100'])],
      ['stream RSS growth < 50 MB', stream.peakRssGrowthMB.toFixed(1), verdict(goals['streamRss<50MB'])],
    ]);
    console.log(
      `\nkeysScanVsRaw ${keysScanVsRaw.toFixed(3)}, countVsRaw ${countVsRaw.toFixed(3)}, indexKeysSpeedup ${indexKeysSpeedup?.toFixed(1) ?? 'n/a'}; ` +
        `paired (median of per-round ratios): scanVsRaw ${results.paired.scanVsRaw}, indexSpeedup ${results.paired.indexSpeedup ?? 'n/a'}; total ${totalSeconds.toFixed(1)} s`,
    );
    if (!options.quick && indexSupported) console.log(`wrote ${writeResults('find', results)}`);
    else console.log(options.quick ? '(quick mode: results not written)' : '(index unsupported: results not written)');
  } finally {
    process.off('SIGINT', stopOnSignal);
    raw.disconnect();
    await cache.close();
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(benchOptionsFromArgs());
}
