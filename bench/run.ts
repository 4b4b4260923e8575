/**
 * Runs the benchmarks: `npm run bench` (all), `npm run bench -- find` or `npm run bench -- --only=peers`
 * (by name; `--only=find,peers` for several), `--quick` or `BENCH_QUICK=1` for the small CI smoke run
 * (same code paths, prints only, writes no results). Each benchmark starts and stops its own redis-server.
 */
import { benchOptionsFromArgs, type BenchOptions } from './support.js';

const BENCHES: Record<string, () => Promise<{ run(options: BenchOptions): Promise<void> }>> = {
  find: () => import('./find.js'),
  peers: () => import('./peers.js'),
  codec: () => import('./codec.js'),
};

const options = benchOptionsFromArgs();
const only = process.argv.slice(2).filter((a) => a.startsWith('--only=')).flatMap((a) => a.slice('--only='.length).split(','));
const names = [...process.argv.slice(2).filter((a) => !a.startsWith('--')), ...only.filter((n) => n !== '')];
for (const name of names) if (!(name in BENCHES)) throw new Error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(', ')}`);
for (const name of names.length > 0 ? names : Object.keys(BENCHES)) {
  const bench = await BENCHES[name]!();
  await bench.run(options);
}
