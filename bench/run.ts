/**
 * Runs the benchmarks: `npm run bench` (all), `npm run bench -- find` or `npm run bench -- --only=peers`
 * (by name; `--only=find,peers` for several), `--quick` or `BENCH_QUICK=1` for the small CI smoke run
 * (same code paths, prints only, writes no results). Each benchmark starts and stops its own redis-server,
 * and runs in a process of its own (same flags as this one), so none inherits another's heap, timers or
 * sockets.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIR, benchOptionsFromArgs } from './support.js';

const BENCHES = ['find', 'find-fields', 'peers', 'codec', 'freshness', 'cli', 'cluster', 'near'] as const;

const options = benchOptionsFromArgs();
const only = process.argv.slice(2).filter((a) => a.startsWith('--only=')).flatMap((a) => a.slice('--only='.length).split(','));
const names = [...process.argv.slice(2).filter((a) => !a.startsWith('--')), ...only.filter((n) => n !== '')];
for (const name of names) {
  if (!(BENCHES as readonly string[]).includes(name)) throw new Error(`unknown benchmark "${name}"; known: ${BENCHES.join(', ')}`);
}
for (const name of names.length > 0 ? names : BENCHES) {
  const file = join(BENCH_DIR, `${name}.ts`);
  const child = spawnSync(process.execPath, [...process.execArgv, file, ...(options.quick ? ['--quick'] : [])], { stdio: 'inherit' });
  if (child.status !== 0) {
    console.error(`[bench] ${name} failed (${child.signal ?? `exit ${child.status}`})`);
    process.exit(child.status ?? 1);
  }
}
