/**
 * Every ```ts block of README.md and docs/*.md compiles against the built package (`dist/`, through
 * its `exports`, as an application imports it), with `strict` and `skipLibCheck` off. Each block is its own
 * module in one temporary project, checked by one TypeScript program (the pinned compiler, through its
 * API). A failure names the Markdown file and line.
 *
 * Fragments may use the names of test/docs/snippet-context.d.ts (a `cache`, a `sessions` repository, a
 * `db`, a `log`...) without declaring them: the docs leave out what any reader can supply, not the
 * library's API. A block that cannot compile on its own at all (a file of another project, a library
 * that is not a dev dependency) is opted out by the line before its fence:
 * `<!-- no-typecheck: why -->`, with a reason. `@ts-expect-error` in a block marks a line that must not
 * compile, and is checked too.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

interface Snippet {
  /** Markdown file, relative to the repository root. */
  file: string;
  /** Line of the first code line in the Markdown file (1-based). */
  line: number;
  code: string;
}

const SKIP = /^\s*<!--\s*no-typecheck:\s*(.*?)\s*-->\s*$/;

function markdownFiles(): string[] {
  const docs = readdirSync(join(root, 'docs'), { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => join('docs', e.name))
    .sort();
  return ['README.md', ...docs];
}

/** The ```ts blocks of one Markdown file (indented ones too, e.g. in list items), minus the opted-out ones. */
function extractSnippets(file: string, markdown: string): { snippets: Snippet[]; skipped: { line: number; reason: string }[] } {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  const skipped: { line: number; reason: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    let end = i + 1;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end++;
    if (open[2] === 'ts' || open[2] === 'typescript') {
      const skip = i > 0 ? SKIP.exec(lines[i - 1]!) : null;
      if (skip) skipped.push({ line: i + 1, reason: skip[1]! });
      else snippets.push({ file, line: i + 2, code: lines.slice(i + 1, end).map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))).join('\n') });
    }
    i = end;
  }
  return { snippets, skipped };
}

/**
 * A block whose first line names a file (`// session.entity.ts`) is that file, so the next block of the
 * same guide can import it (`./session.entity.js`); the others get a name from their place.
 */
function snippetFileName(s: Snippet): string {
  const guide = s.file.replace(/[/.]/g, '_');
  const named = /^\/\/ ([\w.-]+)\.ts\b/.exec(s.code);
  return named ? join(guide, `${named[1]}.ts`) : join(guide, `L${s.line}.ts`);
}

describe('documentation snippets', () => {
  let dir: string;
  const all: Snippet[] = [];
  const skipped: { file: string; line: number; reason: string }[] = [];

  beforeAll(() => {
    if (!existsSync(join(root, 'dist/esm/index.d.ts')) || !existsSync(join(root, 'dist/esm/nestjs/index.d.ts'))) {
      throw new Error('dist/ is missing: run `npm run build` (npm test does it first).');
    }
    for (const file of markdownFiles()) {
      const found = extractSnippets(file, readFileSync(join(root, file), 'utf8'));
      all.push(...found.snippets);
      skipped.push(...found.skipped.map((s) => ({ file, ...s })));
    }
    dir = mkdtempSync(join(tmpdir(), 'cacheorm-snippets-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules/cacheorm'), 'dir');
    for (const dep of ['zod', 'ioredis', '@nestjs', 'rxjs', 'reflect-metadata']) {
      symlinkSync(join(root, 'node_modules', dep), join(dir, 'node_modules', dep), 'dir');
    }
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'snippets', private: true, type: 'module' }));
    writeFileSync(join(dir, 'context.d.ts'), readFileSync(join(import.meta.dirname, 'snippet-context.d.ts'), 'utf8'));
    // `export {}` last (line numbers stay those of the block): every block is a module of its own.
    for (const s of all) {
      mkdirSync(join(dir, dirname(snippetFileName(s))), { recursive: true });
      writeFileSync(join(dir, snippetFileName(s)), `${s.code}\nexport {};\n`);
    }
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the snippets, and every opt-out gives a reason', () => {
    expect(all.length).toBeGreaterThan(30);
    expect(skipped.filter((s) => s.reason === '')).toEqual([]);
    // Opt-outs are for blocks that cannot compile on their own: keep them rare.
    expect(skipped.length).toBeLessThanOrEqual(all.length / 10);
  });

  // The pinned @types/node, and the newest major (whose diagnostics_channel generics differ).
  it.each([['pinned @types/node', 'node'], ['@types/node 26', 'node-26']])('every ```ts block compiles against the built package (strict, skipLibCheck off), %s', (_name, pkg) => {
    const typeRoots = join(dir, `types-${pkg}`);
    mkdirSync(typeRoots, { recursive: true });
    if (!existsSync(join(typeRoots, 'node'))) symlinkSync(join(root, 'node_modules/@types', pkg), join(typeRoots, 'node'), 'dir');
    const byFile = new Map(all.map((s) => [join(dir, snippetFileName(s)), s]));
    const program = ts.createProgram({
      rootNames: [join(dir, 'context.d.ts'), ...byFile.keys()],
      options: {
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        lib: ['lib.es2023.d.ts'],
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        experimentalDecorators: true,
        types: ['node'],
        typeRoots: [typeRoots],
      },
    });
    const failures = ts.getPreEmitDiagnostics(program).map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
      if (!d.file || d.start === undefined) return `TS${d.code}: ${message}`;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      const snippet = byFile.get(resolve(d.file.fileName));
      const where = snippet ? `${snippet.file}:${snippet.line + line}` : `${relative(dir, d.file.fileName)}:${line + 1}:${character + 1}`;
      return `${where}: TS${d.code}: ${message}`;
    });
    expect(failures.join('\n')).toBe('');
  }, 120_000);
});
