/** A short run of `npm run soak` (scripts/soak.ts) as a child process: faults injected, nothing lost. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

describe('scripts/soak.ts', () => {
  it('survives kill -9 under load with no lost acknowledged write', { timeout: 60_000 }, async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'scripts/soak.ts', '--seconds', '7', '--workers', '4'],
        { cwd: root, timeout: 50_000, env: { ...process.env, NODE_NO_WARNINGS: '1' } },
        (error, out, err) => done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout: out, stderr: err }),
      );
    });
    expect(stderr).toBe('');
    expect(stdout).toContain('SOAK PASSED');
    expect(code).toBe(0);
    expect(stdout).toMatch(/faults injected: kill -9 \+ restart x1/);
    expect(stdout).toMatch(/lost acknowledged writes: 0$/m);
    expect(stdout).toMatch(/inconsistent: 0$/m);
    expect(stdout).toMatch(/unexpected errors: 0, unhandled rejections: 0, cache after the run: ok/);
  });
});
