/**
 * Benchmark of field indexes (issue 15): `npm run bench -- find-fields` (or `--quick`). Writes its figures
 * into bench/results/find.json under `fieldIndexes` (full mode only; the rest of that file is `find.ts`'s).
 *
 * One redis-server of our own holding 1,000,000 keys: 100,000 `person` entities with three field indexes
 * (`group`: 100 values of 1,000 members each, `age`: unique, `email`: unique), the same 100,000 as
 * `personnoidx` (the same entity declared without `indexes`: `find: 'scan'`, a `SCAN` of the keyspace plus
 * the residual) and as `personplain` (without field indexes but with `find: 'index'`: a walk of its whole
 * key index plus the residual), the rest filler. Timed as medians of interleaved rounds after a warm-up:
 *   fieldIndexSpeedup   find({ group: 42 }) (1,000 matches) on `personnoidx` ÷ on `person`  (goal >= 100)
 *   rangeIndexSpeedup   find({ age: between(50000, 50999) }) (1,000 matches), same ratio   (goal >= 100)
 *   vsKeyIndexWalk      the same two ratios against `personplain` (informational)
 *   indexedSaveVsPlain  one save() of an entity with three field indexes ÷ the same entity without
 *                       any index (`find: 'scan'`, a plain SET)                                (goal <= 2)
 *   and the Redis memory the indexes add per entity (MEMORY USAGE of the index structures / members).
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { between, createCache, defineEntity } from 'cacheorm';
import { BENCH_DIR, benchOptionsFromArgs, collectGarbage, log, median, printTable, round, settleRedis, startBenchRedis, timeMs, writeResults, type BenchOptions } from './support.js';

const schema = z.object({ tenantId: z.string(), id: z.int(), email: z.string(), group: z.int(), age: z.int(), name: z.string(), since: z.date() });
type Person = z.output<typeof schema>;
const Indexed = defineEntity({ name: 'person', key: ['tenantId', 'id'], schema, ttl: '1h', indexes: ['group', 'age', 'email'] });
const KeyIndexOnly = defineEntity({ name: 'personplain', key: ['tenantId', 'id'], schema, ttl: '1h', find: 'index' });
const NoIndex = defineEntity({ name: 'personnoidx', key: ['tenantId', 'id'], schema, ttl: '1h' });

interface Sizes { keys: number; members: number; groups: number; rounds: number; saves: number }
const FULL: Sizes = { keys: 1_000_000, members: 100_000, groups: 100, rounds: 7, saves: 3000 };
const QUICK: Sizes = { keys: 20_000, members: 5_000, groups: 5, rounds: 3, saves: 300 };

const person = (i: number, groups: number): Person => ({
  tenantId: `t${i % 10}`,
  id: i,
  email: `user${i}@example.test`,
  group: i % groups,
  age: i,
  name: `Person ${i}`,
  since: new Date(Date.UTC(2026, 0, 1) + i * 1000),
});

export async function run(options: BenchOptions): Promise<void> {
  const sizes = options.quick ? QUICK : FULL;
  const server = await startBenchRedis();
  const raw = new Redis(server.url);
  const cache = createCache({ redis: server.url, prefix: 'bf' });
  try {
    const redisVersion = /redis_version:(\S+)/.exec(await raw.info('server'))?.[1] ?? 'unknown';
    const indexed = cache.getRepository(Indexed);
    const plain = cache.getRepository(KeyIndexOnly);
    const noIndex = cache.getRepository(NoIndex);
    log(`filling ${sizes.keys.toLocaleString('en')} keys on ${server.url} ...`);
    const fill = await timeMs(async () => {
      for (let from = 0; from < sizes.members; from += 1000) {
        const batch = Array.from({ length: Math.min(1000, sizes.members - from) }, (_, j) => person(from + j, sizes.groups));
        await Promise.all([indexed.save(batch), plain.save(batch), noIndex.save(batch)]);
      }
      const filler = sizes.keys - 3 * sizes.members - 6;
      for (let from = 0; from < filler; from += 10_000) {
        const pipeline = raw.pipeline();
        for (let i = from; i < Math.min(filler, from + 10_000); i++) pipeline.set(`bf:filler:${i}`, 'x'.repeat(100), 'PX', 3_600_000);
        await pipeline.exec();
      }
    });
    await settleRedis(raw);
    const dbsize = await raw.dbsize();

    const eqIdx = indexed.find({ group: 42 % sizes.groups });
    const eqPlain = plain.find({ group: 42 % sizes.groups });
    const lo = Math.floor(sizes.members / 2);
    const hi = lo + Math.floor(sizes.members / sizes.groups) - 1;
    const rangeIdx = indexed.find({ age: between(lo, hi) });
    const rangePlain = plain.find({ age: between(lo, hi) });
    const expected = Math.floor(sizes.members / sizes.groups);
    const eqScan = noIndex.find({ group: 42 % sizes.groups });
    const rangeScan = noIndex.find({ age: between(lo, hi) });
    const ops = { eqIdx, eqPlain, eqScan, rangeIdx, rangePlain, rangeScan } as const;
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(ops).map((k) => [k, []]));
    for (let r = 0; r <= sizes.rounds; r++) {
      for (const [name, q] of Object.entries(ops)) {
        // The indexed finds are short: several per round, each a sample.
        for (let repeat = name.endsWith('Idx') ? 5 : 1; repeat > 0; repeat--) {
          collectGarbage();
          const { ms, result } = await timeMs(() => q.toArray());
          if (result.length !== expected) throw new Error(`${name} found ${result.length}, expected ${expected}`);
          if (r > 0) samples[name]!.push(ms);
        }
      }
    }
    const index = indexed.indexKey!;
    const usage = async (key: string) => Number((await raw.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
    const members = await raw.zcard(index);
    const fieldBytes = (await usage(`${index}:fields`)) + (await usage(`${index}:fvals`));
    const keyIndexBytes = (await usage(index)) + (await usage(`${index}:lex`));
    // Save latency: one entity per save(), alternating blocks, same data shape, fresh ids.
    const saveSamples = { indexed: [] as number[], none: [] as number[], keyIndex: [] as number[] };
    let next = sizes.members + 1;
    for (let r = 0; r <= sizes.rounds; r++) {
      for (const [name, repo] of [['indexed', indexed], ['none', noIndex], ['keyIndex', plain]] as const) {
        const start = process.hrtime.bigint();
        for (let i = 0; i < sizes.saves; i++) await repo.save(person(next++, sizes.groups));
        const perSave = Number(process.hrtime.bigint() - start) / 1e3 / sizes.saves;
        if (r > 0) saveSamples[name].push(perSave);
      }
    }
    const med = (name: string) => median(samples[name]!);
    const fieldIndexSpeedup = med('eqScan') / med('eqIdx');
    const rangeIndexSpeedup = med('rangeScan') / med('rangeIdx');
    const indexedSaveVsPlain = median(saveSamples.indexed) / median(saveSamples.none);
    const results = {
      command: 'npm run bench -- find-fields',
      date: new Date().toISOString(),
      node: process.version,
      redis: redisVersion,
      cpus: os.cpus().length,
      keysInDb: dbsize,
      indexedMembers: members,
      matches: expected,
      plans: {
        indexed: eqIdx.explain().split('\n')[0],
        withoutIndexes: eqScan.explain().split('\n')[0],
        keyIndexOnly: eqPlain.explain().split('\n')[0],
        range: rangeIdx.explain().split('\n')[0],
      },
      medianMs: Object.fromEntries(Object.keys(ops).map((k) => [k, round(med(k), 2)])),
      saveMicros: { threeFieldIndexes: round(median(saveSamples.indexed), 1), noIndex: round(median(saveSamples.none), 1), keyIndexOnly: round(median(saveSamples.keyIndex), 1) },
      fieldIndexSpeedup: round(fieldIndexSpeedup, 1),
      rangeIndexSpeedup: round(rangeIndexSpeedup, 1),
      vsKeyIndexWalk: { fieldIndexSpeedup: round(med('eqPlain') / med('eqIdx'), 1), rangeIndexSpeedup: round(med('rangePlain') / med('rangeIdx'), 1) },
      indexedSaveVsPlain: round(indexedSaveVsPlain, 2),
      memoryBytesPerEntity: { fieldIndexes: round(fieldBytes / members, 1), keyIndex: round(keyIndexBytes / members, 1), fieldsIndexed: 3 },
      fillSeconds: round(fill.ms / 1000, 1),
      goals: {
        'fieldIndexSpeedup>=100': fieldIndexSpeedup >= 100,
        'rangeIndexSpeedup>=100': rangeIndexSpeedup >= 100,
        'indexedSaveVsPlain<=2': indexedSaveVsPlain <= 2,
      },
    };
    console.log(`\nfield index benchmark${options.quick ? ' (quick)' : ''}: node ${process.version}, redis ${redisVersion}, ${os.cpus().length} cpus`);
    console.log(`db: ${dbsize.toLocaleString('en')} keys; ${members.toLocaleString('en')} indexed members; ${expected} matches`);
    console.log(`indexed plan: ${results.plans.indexed}\nwithout:      ${results.plans.withoutIndexes}\nkey index:    ${results.plans.keyIndexOnly}`);
    printTable(`medians of ${sizes.rounds} rounds (ms)`, ['measurement', 'median'], Object.entries(results.medianMs).map(([k, v]) => [k, v.toFixed(2)]));
    printTable('goals', ['goal', 'value', 'verdict'], [
      ['fieldIndexSpeedup >= 100', fieldIndexSpeedup.toFixed(1), fieldIndexSpeedup >= 100 ? 'met' : 'MISSED'],
      ['rangeIndexSpeedup >= 100', rangeIndexSpeedup.toFixed(1), rangeIndexSpeedup >= 100 ? 'met' : 'MISSED'],
      ['indexedSaveVsPlain <= 2', indexedSaveVsPlain.toFixed(2), indexedSaveVsPlain <= 2 ? 'met' : 'MISSED'],
    ]);
    console.log(`save µs: ${results.saveMicros.threeFieldIndexes} (3 field indexes) vs ${results.saveMicros.noIndex} (none), ${results.saveMicros.keyIndexOnly} (key index only); memory per entity: field indexes ${results.memoryBytesPerEntity.fieldIndexes} B, key index ${results.memoryBytesPerEntity.keyIndex} B`);
    if (!options.quick) {
      const file = join(BENCH_DIR, 'results', 'find.json');
      const find = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      console.log(`wrote ${writeResults('find', { ...find, fieldIndexes: results })}`);
    } else console.log('(quick mode: results not written)');
  } finally {
    raw.disconnect();
    await cache.close();
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(benchOptionsFromArgs());
}
