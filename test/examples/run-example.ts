/**
 * Runs an example the way examples/README.md says (`node --import tsx examples/<file>`), as a child
 * process in the checkout, on the embedded store (no REDIS_URL) or on the run's Redis.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { keysUnder } from '../support/keys.js';

export const root = resolve(import.meta.dirname, '../..');

export interface ExampleRun {
  /** Exit code; `null` when the process was killed (it did not exit on its own within the timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The backends every example runs on: `redisUrl` undefined means the embedded memory store. */
export type ExampleBackend = { name: 'memory'; redisUrl?: undefined } | { name: 'redis'; redisUrl: string };

/**
 * Runs `examples/<file>` and answers its exit code and output. The example must end by itself: there
 * is no `process.exit()` in the examples, so a handle left open shows up as a timeout (`code: null`).
 */
export function runExample(file: string, backend: ExampleBackend, timeoutMs = 60_000): Promise<ExampleRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1' };
  delete env.REDIS_URL;
  if (backend.redisUrl !== undefined) env.REDIS_URL = backend.redisUrl;
  return new Promise((done) => {
    const child = execFile(process.execPath, ['--import', 'tsx', `examples/${file}`], { cwd: root, env, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      done({ code, stdout, stderr });
    });
    child.stdin?.end();
  });
}

/** Keys under `prefix:` left in Redis (an example must delete what it wrote). */
export const leftKeys = keysUnder;
