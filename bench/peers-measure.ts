/**
 * How the peer benchmark times its libraries: latency at 1 in flight, throughput at N in flight, and
 * batches of 100, in interleaved rounds.
 *
 * - Latency: sequential awaited calls, each timed on its own (µs); reported as median and p99 of all
 *   samples of all rounds. The libraries take turns call by call (A, B, C, A, B, C, ...), so that every
 *   library sees the same machine: on a shared 2-core box a loopback round trip flips between ~25 µs and
 *   ~70 µs with the scheduler's mood, which would otherwise land on whichever library ran at the time.
 * - Throughput: a fixed pool of `concurrency` async workers, each awaiting one call after the other until
 *   the round's calls are used up; ops/s of the round (including `settle()`: async writes count once Redis
 *   applied them); reported as the median over rounds.
 * - Batches: sequential awaited batch calls (µs per batch), taking turns like the latency calls.
 * - Fairness: one warm-up round (smaller, discarded), then `rounds` rounds; in each round every case runs
 *   for every library, the library order rotating from case to case and round to round; a full GC
 *   (`--expose-gc`) before every case (and before every library's throughput run); every library touches
 *   the same entity numbers in a round.
 */
import { collectGarbage, median } from './support.js';
import type { LibName, PeerData, PeerLib } from './peers-libs.js';

/** Sizes of one run. */
export interface PeerSizes {
  /** Entities each library holds (written before the timed rounds). */
  keys: number;
  /** Sequential calls per (latency case, library, round). */
  latencyOps: number;
  /** Calls per (throughput case, library, round). */
  throughputOps: number;
  /** Workers of the throughput cases (calls in flight). */
  concurrency: number;
  /** Sequential batches per (batch case, library, round). */
  batches: number;
  /** Entities per batch. */
  batchSize: number;
  /** Timed rounds (after one warm-up round at a quarter of the sizes). */
  rounds: number;
}

export const CASE_IDS = ['getLatency', 'saveLatency', 'getThroughput', 'saveThroughput', 'getMany', 'saveMany'] as const;
export type CaseId = (typeof CASE_IDS)[number];
type CaseKind = 'latency' | 'throughput' | 'batch';

const CASES: Record<CaseId, { kind: CaseKind; write: boolean }> = {
  getLatency: { kind: 'latency', write: false },
  saveLatency: { kind: 'latency', write: true },
  getThroughput: { kind: 'throughput', write: false },
  saveThroughput: { kind: 'throughput', write: true },
  getMany: { kind: 'batch', write: false },
  saveMany: { kind: 'batch', write: true },
};

/**
 * Whether `lib` takes part in `caseId`: async writes and the index entity only change the write cases;
 * autopipelining only changes single calls (a batch is one command, or one pipeline, anyway).
 */
export function runsCase(lib: LibName, caseId: CaseId): boolean {
  if (lib === 'cacheormAsync' || lib === 'cacheormIndex') return CASES[caseId].write;
  if (lib === 'rawAutoPipelining' || lib === 'cacheormAutoPipelining' || lib === 'rawCodec') return CASES[caseId].kind !== 'batch';
  return true;
}

/** What one (case, library) collected over the timed rounds. */
export interface CaseSamples {
  /** Per round: the median µs (latency, batch cases) or the ops/s (throughput cases). */
  perRound: number[];
  /** Every timed call in µs (latency and batch cases; empty for throughput). */
  samples: number[];
}

export type Measured = Record<CaseId, Partial<Record<LibName, CaseSamples>>>;

const nowUs = (): number => Number(process.hrtime.bigint()) / 1e3;

function call(lib: PeerLib, caseId: CaseId, i: number, batch: readonly number[]): Promise<unknown> {
  switch (caseId) {
    case 'getLatency':
    case 'getThroughput':
      return lib.get(i);
    case 'saveLatency':
    case 'saveThroughput':
      return lib.save(i);
    case 'getMany':
      return lib.getMany(batch);
    case 'saveMany':
      return lib.saveMany(batch);
  }
}

/** Sequential calls, the libraries taking turns call by call; answers µs per call, per library. */
async function turns(libs: readonly PeerLib[], caseId: CaseId, picks: readonly number[], batches: readonly (readonly number[])[]): Promise<number[][]> {
  const batched = CASES[caseId].kind === 'batch';
  const count = batched ? batches.length : picks.length;
  const out = libs.map(() => new Array<number>(count));
  for (let n = 0; n < count; n++) {
    for (let l = 0; l < libs.length; l++) {
      const start = nowUs();
      await call(libs[l]!, caseId, batched ? 0 : picks[n]!, batched ? batches[n]! : []);
      out[l]![n] = nowUs() - start;
    }
  }
  for (const lib of libs) await lib.settle();
  return out;
}

async function inFlight(lib: PeerLib, caseId: CaseId, picks: readonly number[], concurrency: number): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let n = next++; n < picks.length; n = next++) await call(lib, caseId, picks[n]!, []);
  };
  const start = nowUs();
  await Promise.all(Array.from({ length: Math.min(concurrency, picks.length) }, worker));
  await lib.settle();
  return picks.length / ((nowUs() - start) / 1e6);
}

/** A fixed pseudo-random permutation of `[0, n)` (same for every run). */
function permutation(n: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  let seed = 0x2545f491;
  for (let i = n - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Writes every entity through every library (untimed): batches of 100, 8 batches in flight. */
export async function fillPeerLibs(libs: readonly PeerLib[], data: PeerData): Promise<void> {
  for (const lib of libs) {
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let from = next; from < data.count; from = next) {
        next = Math.min(data.count, from + 100);
        await lib.saveMany(Array.from({ length: next - from }, (_, k) => from + k));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    await lib.settle();
  }
}

/**
 * Runs one warm-up round (a quarter of the sizes, discarded) and `sizes.rounds` timed rounds of every
 * case in `cases` (default: all) for every library. `progress` receives a line per round.
 */
export async function measurePeers(libs: readonly PeerLib[], data: PeerData, sizes: PeerSizes, progress: (line: string) => void, cases: readonly CaseId[] = CASE_IDS): Promise<Measured> {
  const order = permutation(data.count);
  const pick = (start: number, count: number): number[] => Array.from({ length: count }, (_, n) => order[(start + n) % data.count]!);
  const measured = Object.fromEntries(CASE_IDS.map((id) => [id, {}])) as Measured;
  let cursor = 0;
  for (let round = -1; round < sizes.rounds; round++) {
    const warmUp = round < 0;
    const scale = (n: number) => (warmUp ? Math.max(1, Math.ceil(n / 4)) : n);
    const started = nowUs();
    for (const [c, caseId] of cases.entries()) {
      const { kind } = CASES[caseId];
      const count = scale(kind === 'latency' ? sizes.latencyOps : kind === 'throughput' ? sizes.throughputOps : sizes.batches * sizes.batchSize);
      const picks = pick(cursor, count);
      cursor += count;
      const batches: number[][] = [];
      if (kind === 'batch') for (let b = 0; b < picks.length; b += sizes.batchSize) batches.push(picks.slice(b, b + sizes.batchSize));
      const taking = libs.filter((lib) => runsCase(lib.name, caseId));
      const shift = (Math.max(round, 0) + c) % taking.length;
      const ordered = [...taking.slice(shift), ...taking.slice(0, shift)];
      const entry = (lib: PeerLib) => (measured[caseId][lib.name] ??= { perRound: [], samples: [] });
      if (kind === 'throughput') {
        for (const lib of ordered) {
          collectGarbage();
          const opsPerSec = await inFlight(lib, caseId, picks, sizes.concurrency);
          if (!warmUp) entry(lib).perRound.push(opsPerSec);
        }
      } else {
        collectGarbage();
        const us = await turns(ordered, caseId, picks, batches);
        if (!warmUp) {
          ordered.forEach((lib, l) => {
            entry(lib).perRound.push(median(us[l]!));
            for (const x of us[l]!) entry(lib).samples.push(x);
          });
        }
      }
    }
    const seconds = ((nowUs() - started) / 1e6).toFixed(1);
    progress(warmUp ? `warm-up round done in ${seconds} s` : `round ${round + 1}/${sizes.rounds} done in ${seconds} s`);
  }
  return measured;
}

/** The `p`-th percentile (0..100) of `samples`, nearest-rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
