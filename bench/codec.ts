/**
 * Codec micro-benchmark (issue 7, part 1): `node --expose-gc --import tsx bench/codec.ts [--quick]`.
 *
 * The rich entity of bench/entities.ts (Date, Map, Set, BigInt, a nested object, an array of objects,
 * optional fields), 64 different values written and read round robin, no Redis:
 *
 *   encode    `superjson.stringify(data)`                 vs `EntityCodec.serialize(data)` (the compiled encoder),
 *             each followed by `Buffer.byteLength(text)` as the connection does (it flattens the text)
 *   decode    `schema.safeParse(superjson.parse(text))`   vs `EntityCodec.decode(text)` (compiled reader +
 *             zod's compiled schema + materialize: what `get` runs after the GET)
 *   and, to tell the parts apart: `superjson.parse` vs the compiled reader alone, and the zod parse
 *   (`schema.safeParse` vs `z.compile(schema).safeParse`), `validate` as `save` runs it, `JSON.parse`.
 *
 * Goals: encodeSpeedup ≥ 5, decodeSpeedup ≥ 2. Times are medians of interleaved rounds of tight loops
 * after a warm-up; `paired` ratios are medians of per-round ratios (robust on a noisy machine). Full
 * mode writes bench/results/codec.json.
 */
import { pathToFileURL } from 'node:url';
import superjson from 'superjson';
import { z } from 'zod';
import { getEntityMetadata } from 'cacheorm';
import { compileSuperjsonCodec, EntityCodec } from '../src/codec/index.js';
import { richEntityData, RichEntity, type RichEntityData } from './entities.js';
import { benchOptionsFromArgs, collectGarbage, hasGc, median, printTable, round, timeLoop, writeResults, type BenchOptions } from './support.js';

/** Options of {@link runCodecBench}. */
export interface CodecBenchOptions {
  /** Small counts (CI smoke run): same code paths, noisy figures. */
  quick?: boolean;
  /** Interleaved rounds (default 15, quick 3). */
  rounds?: number;
  /** Calls per case and round (default 20,000, quick 2,000). */
  iterations?: number;
}

/** What {@link runCodecBench} measured: ns per entity, and the ratios. */
export interface CodecBenchResult {
  rounds: number;
  iterations: number;
  /** Median ns per call of each case. */
  ns: Record<CaseName, number>;
  /** superjson.stringify / EntityCodec.serialize (goal ≥ 5). */
  encodeSpeedup: number;
  /** (superjson.parse + zod) / EntityCodec.decode (goal ≥ 2). */
  decodeSpeedup: number;
  /** superjson.parse / the compiled reader alone (no zod on either side). */
  parseSpeedup: number;
  /** zod's plain parse / zod's compiled parse, the part of decodeSpeedup that is zod's. */
  zodSpeedup: number;
  /** Medians of per-round ratios. */
  paired: { encodeSpeedup: number; decodeSpeedup: number; parseSpeedup: number };
  /** Bytes of the stored text, averaged over the values. */
  averageTextBytes: number;
}

const CASES = [
  'encode:superjson',
  'encode:cacheorm',
  'decode:superjson+zod',
  'decode:cacheorm',
  'parse:superjson',
  'parse:compiled',
  'zod:plain',
  'zod:compiled',
  'validate:cacheorm',
  'parse:JSON',
] as const;
type CaseName = (typeof CASES)[number];

const KEY = 'bench:rich:tenant1:user-1';

/**
 * Measures the codec on the rich entity and answers the figures (prints nothing).
 *
 * @example
 * const { encodeSpeedup, decodeSpeedup } = await runCodecBench({ quick: true });
 */
export async function runCodecBench(options: CodecBenchOptions = {}): Promise<CodecBenchResult> {
  const rounds = options.rounds ?? (options.quick ? 3 : 15);
  const iterations = options.iterations ?? (options.quick ? 2_000 : 20_000);
  const metadata = getEntityMetadata(RichEntity);
  const schema = metadata.schema;
  const compiledZod = z.compile(schema);
  const codec = new EntityCodec<RichEntityData>(metadata);
  const reader = compileSuperjsonCodec(schema);

  const raw = Array.from({ length: 64 }, (_, i) => richEntityData(i));
  const data = raw.map((r) => codec.validate(r, 'save'));
  const texts = data.map((d) => codec.serialize(d));
  const parsed = texts.map((t) => superjson.parse(t));
  for (let i = 0; i < data.length; i++) {
    // The comparison is only fair if both sides write and read the same thing.
    if (texts[i] !== superjson.stringify(data[i])) throw new Error(`value ${i}: the compiled encoder wrote other text than superjson`);
    const back = codec.decode(texts[i]!, KEY);
    if (!back.ok) throw back.error;
  }

  const cases: Record<CaseName, () => number> = {
    // Both texts go on to the connection, which measures them (`Buffer.byteLength`, as ioredis does):
    // that also pays for flattening the compiled encoder's concatenated string, a cost JSON.stringify
    // does not leave behind.
    'encode:superjson': () => timeLoop(data, iterations, (d) => Buffer.byteLength(superjson.stringify(d))),
    'encode:cacheorm': () => timeLoop(data, iterations, (d) => Buffer.byteLength(codec.serialize(d))),
    'decode:superjson+zod': () => timeLoop(texts, iterations, (t) => schema.safeParse(superjson.parse(t))),
    'decode:cacheorm': () => timeLoop(texts, iterations, (t) => codec.decode(t, KEY)),
    'parse:superjson': () => timeLoop(texts, iterations, (t) => superjson.parse(t)),
    'parse:compiled': () => timeLoop(texts, iterations, (t) => reader.parse(t)),
    'zod:plain': () => timeLoop(parsed, iterations, (p) => schema.safeParse(p)),
    'zod:compiled': () => timeLoop(parsed, iterations, (p) => compiledZod.safeParse(p)),
    'validate:cacheorm': () => timeLoop(raw, iterations, (r) => codec.validate(r, 'save')),
    'parse:JSON': () => timeLoop(texts, iterations, (t) => JSON.parse(t) as unknown),
  };

  // Warm-up: at least 5,000 calls per case, so that even the quick run times optimized code.
  for (const name of CASES) for (let done = 0; done < 5_000; done += iterations) cases[name]();
  const samples = Object.fromEntries(CASES.map((c) => [c, [] as number[]])) as Record<CaseName, number[]>;
  // One full collection before timing, none between rounds: a forced full GC can throw away optimized
  // code, and short rounds would then time the warm-up again.
  collectGarbage();
  for (let r = 0; r < rounds; r++) {
    const order = CASES.map((_, i) => CASES[(i + r) % CASES.length]!);
    for (const name of order) samples[name].push(cases[name]());
  }
  const ns = Object.fromEntries(CASES.map((c) => [c, round(median(samples[c]), 1)])) as Record<CaseName, number>;
  const ratio = (a: CaseName, b: CaseName) => round(median(samples[a]) / median(samples[b]), 2);
  const paired = (a: CaseName, b: CaseName) => round(median(samples[a].map((x, i) => x / samples[b][i]!)), 2);
  return {
    rounds,
    iterations,
    ns,
    encodeSpeedup: ratio('encode:superjson', 'encode:cacheorm'),
    decodeSpeedup: ratio('decode:superjson+zod', 'decode:cacheorm'),
    parseSpeedup: ratio('parse:superjson', 'parse:compiled'),
    zodSpeedup: ratio('zod:plain', 'zod:compiled'),
    paired: {
      encodeSpeedup: paired('encode:superjson', 'encode:cacheorm'),
      decodeSpeedup: paired('decode:superjson+zod', 'decode:cacheorm'),
      parseSpeedup: paired('parse:superjson', 'parse:compiled'),
    },
    averageTextBytes: Math.round(texts.reduce((n, t) => n + Buffer.byteLength(t), 0) / texts.length),
  };
}

/** Prints the codec figures; full mode also writes bench/results/codec.json. */
export async function run(options: BenchOptions): Promise<void> {
  if (!hasGc()) console.warn('[bench] run with node --expose-gc for steadier figures');
  const result = await runCodecBench({ quick: options.quick });
  const us = (n: number) => round(n / 1000, 2);
  const rows: [string, string, number, number, number][] = [
    ['encode', 'superjson.stringify → EntityCodec.serialize', us(result.ns['encode:superjson']), us(result.ns['encode:cacheorm']), result.encodeSpeedup],
    ['decode', 'superjson.parse + zod → EntityCodec.decode', us(result.ns['decode:superjson+zod']), us(result.ns['decode:cacheorm']), result.decodeSpeedup],
    ['parse only', 'superjson.parse → compiled reader', us(result.ns['parse:superjson']), us(result.ns['parse:compiled']), result.parseSpeedup],
    ['zod only', 'schema.safeParse → z.compile(schema).safeParse', us(result.ns['zod:plain']), us(result.ns['zod:compiled']), result.zodSpeedup],
  ];
  printTable(
    `Codec, rich entity (${result.averageTextBytes} bytes), µs per entity, ${result.rounds} rounds × ${result.iterations}${options.quick ? ' (quick: noisy)' : ''}`,
    ['case', 'baseline → cacheorm', 'baseline', 'cacheorm', 'speedup'],
    rows,
  );
  console.log(`paired speedups: encode ${result.paired.encodeSpeedup}, decode ${result.paired.decodeSpeedup}, parse ${result.paired.parseSpeedup}`);
  console.log(`validate (save, z.compile) ${us(result.ns['validate:cacheorm'])} µs; JSON.parse of the text ${us(result.ns['parse:JSON'])} µs`);
  console.log(`goals: encode ≥ 5 (${result.encodeSpeedup >= 5 ? 'met' : 'NOT met'}), decode ≥ 2 (${result.decodeSpeedup >= 2 ? 'met' : 'NOT met'})`);
  if (!options.quick) {
    const file = writeResults('codec', { date: new Date().toISOString(), node: process.version, ...result });
    console.log(`results: ${file}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(benchOptionsFromArgs());
}
