// Builds dist/esm (ESM + .d.ts) and dist/cjs (CommonJS + .d.ts) with the TypeScript compiler.
// cacheorm/testing (src/testing) is built to dist/esm only: it imports vitest, which cannot be require()d
// (tsconfig.cjs.json excludes it; package.json exports it with an "import" condition only).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');

rmSync('dist', { recursive: true, force: true });
for (const project of ['tsconfig.build.json', 'tsconfig.cjs.json']) {
  execFileSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
}
mkdirSync('dist/cjs', { recursive: true });
// The `cacheorm` command (package.json bin): ESM only, run by Node from its shebang line.
chmodSync('dist/esm/cli/bin.js', 0o755);
writeFileSync('dist/cjs/package.json', JSON.stringify({ type: 'commonjs' }, null, 2) + '\n');
console.log('built dist/esm and dist/cjs');
