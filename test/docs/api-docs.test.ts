/**
 * `npm run docs` (typedoc, typedoc.json) builds without a warning: every export of `cacheorm` and
 * `cacheorm/nestjs` is documented, links resolve, nothing referenced is left out. And every top-level
 * export has an `@example`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const typedoc = join(createRequire(import.meta.url).resolve('typedoc/package.json'), '../bin/typedoc');
const out = mkdtempSync(join(tmpdir(), 'cacheorm-typedoc-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Reflection {
  name: string;
  kind: number;
  comment?: { blockTags?: { tag: string }[] };
  signatures?: Reflection[];
  children?: Reflection[];
}

/** typedoc's ReflectionKind values of the top-level exports we check. */
const KINDS: Record<number, string> = { 8: 'enum', 32: 'variable', 64: 'function', 128: 'class', 256: 'interface', 2097152: 'type' };

function hasExample(reflection: Reflection): boolean {
  const comments = [reflection.comment, ...(reflection.signatures ?? []).map((s) => s.comment)];
  return comments.some((comment) => comment?.blockTags?.some((tag) => tag.tag === '@example'));
}

describe('API reference (typedoc)', () => {
  let run: { code: number | null; output: string };
  const build = async () => {
    run ??= await new Promise((done) => {
      execFile(
        process.execPath,
        // Type errors are tsc's job (npm run typecheck); skipping them here halves the run.
        [typedoc, '--skipErrorChecking', '--out', join(out, 'html'), '--json', join(out, 'api.json')],
        { cwd: root, timeout: 120_000 },
        (error, stdout, stderr) => done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, output: stdout + stderr }),
      );
    });
    return run;
  };

  it('builds with no warning (treatWarningsAsErrors: undocumented exports, broken links, missing exports)', async () => {
    const { code, output } = await build();
    expect(output).not.toMatch(/\[warning\]|\[error\]/);
    expect(code).toBe(0);
  }, 120_000);

  it('documents cacheorm, cacheorm/nestjs and cacheorm/testing, every top-level export with an @example', async () => {
    await build();
    const project = JSON.parse(readFileSync(join(out, 'api.json'), 'utf8')) as Reflection;
    const modules = project.children ?? [];
    expect(modules.map((m) => m.name).sort()).toEqual(['cacheorm', 'cacheorm/nestjs', 'cacheorm/testing']);
    const missing = modules.flatMap((m) =>
      (m.children ?? []).filter((r) => r.kind in KINDS && !hasExample(r)).map((r) => `${m.name}: ${KINDS[r.kind]} ${r.name}`),
    );
    expect(missing).toEqual([]);
    const exported = modules.flatMap((m) => (m.children ?? []).map((r) => `${m.name}:${r.name}`));
    expect(exported).toEqual(expect.arrayContaining(['cacheorm:createCache', 'cacheorm:getRepositoryToken', 'cacheorm/nestjs:CacheOrmModule', 'cacheorm/nestjs:InjectRepository']));
  }, 120_000);
});
