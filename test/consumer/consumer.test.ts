/**
 * A tiny consumer project uses the built package (dist/) the way an application does: `import` from an
 * ES module, `require` from CommonJS, and type-checks against the published declarations in both.
 * `npm test` builds dist/ first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

const program = (importLine: string) => `${importLine}
const Session = defineEntity({
  name: 'session',
  key: ['id'],
  schema: z.object({ id: z.string(), at: z.date() }),
  ttl: '1m',
});
async function main() {
  const cache = createCache({ prefix: 'consumer' });
  const repo = cache.getRepository(Session);
  await repo.save({ id: 'a', at: new Date(0) });
  const back = await repo.get({ id: 'a' });
  console.log(JSON.stringify({ ok: back?.at instanceof Date, key: repo.keyOf({ id: 'a' }) }));
  await cache.close();
}
main();
`;

/** A NestJS application context using `cacheorm/nestjs` (and an entity from `cacheorm`: one registry). */
const nestProgram = (importLines: string) => `${importLines}
const Session = defineEntity({
  name: 'session',
  key: ['id'],
  schema: z.object({ id: z.string(), at: z.date() }),
  ttl: '1m',
});
class AppModule {}
Module({ imports: [CacheOrmModule.forRoot({ prefix: 'consumer' }), CacheOrmModule.forFeature([Session])] })(AppModule);
async function main() {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const repo = app.get(getRepositoryToken(Session));
  await repo.save({ id: 'a', at: new Date(0) });
  const back = await repo.get({ id: 'a' });
  console.log(JSON.stringify({ ok: back?.at instanceof Date, key: repo.keyOf({ id: 'a' }), token: getRepositoryToken(Session) }));
  await app.close();
}
main();
`;

/**
 * The dual package hazard: an entity declared with the CommonJS build (and CommonJS zod) used by a cache
 * of the ESM build, and errors of each build checked with the other build's classes.
 */
const crossBuildProgram = `import { createRequire } from 'node:module';
import { CacheOrmError, createCache, InvalidKeyError, ValidationError } from 'cacheorm';
const require = createRequire(import.meta.url);
const cjs = require('cacheorm');
const { z } = require('zod');
const Account = cjs.defineEntity({ name: 'account', key: ['id'], schema: z.object({ id: z.string().toLowerCase(), n: z.int() }), ttl: '1m' });
class MyValidationError extends ValidationError {}
async function main() {
  const cache = createCache({ prefix: 'consumer' });
  const repo = cache.getRepository(Account);
  await repo.save({ id: 'ANN', n: 1 });
  const back = await repo.get({ id: 'Ann' });
  const esmErr = await repo.save({ id: 'a', n: 1.5 }).catch((e) => e);
  const cjsCache = cjs.createCache({ prefix: 'consumer-cjs' });
  const cjsErr = await cjsCache.getRepository(Account).get({}).catch((e) => e);
  let notEntity;
  try { cache.getRepository({ name: 'copy' }); } catch (e) { notEntity = e; }
  console.log(JSON.stringify({
    back,
    esmErrorVsCjsClasses: [esmErr instanceof cjs.ValidationError, esmErr instanceof cjs.CacheOrmError, esmErr instanceof cjs.InvalidKeyError],
    cjsErrorVsEsmClasses: [cjsErr instanceof InvalidKeyError, cjsErr instanceof CacheOrmError, cjsErr instanceof ValidationError],
    ownSubclass: esmErr instanceof MyValidationError,
    plainError: new Error('x') instanceof CacheOrmError,
    notEntity: [notEntity instanceof cjs.EntityDefinitionError, notEntity.message],
  }));
  await cache.close();
  await cjsCache.close();
}
main();
`;

const nestImports = {
  esm: `import 'reflect-metadata';\nimport { Module } from '@nestjs/common';\nimport { NestFactory } from '@nestjs/core';\nimport { defineEntity } from 'cacheorm';\nimport { CacheOrmModule, getRepositoryToken } from 'cacheorm/nestjs';\nimport { z } from 'zod';`,
  cjs: `require('reflect-metadata');\nconst { Module } = require('@nestjs/common');\nconst { NestFactory } = require('@nestjs/core');\nconst { defineEntity } = require('cacheorm');\nconst { CacheOrmModule, getRepositoryToken } = require('cacheorm/nestjs');\nconst { z } = require('zod');`,
};

describe('consumer project on the built package', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(join(root, 'dist/esm/index.js')) || !existsSync(join(root, 'dist/cjs/index.js'))) {
      throw new Error('dist/ is missing: run `npm run build` (npm test does it first).');
    }
    dir = mkdtempSync(join(tmpdir(), 'cacheorm-consumer-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules/cacheorm'), 'dir');
    symlinkSync(join(root, 'node_modules/zod'), join(dir, 'node_modules/zod'), 'dir');
    for (const dep of ['@nestjs', 'reflect-metadata', 'rxjs']) symlinkSync(join(root, 'node_modules', dep), join(dir, 'node_modules', dep), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    writeFileSync(join(dir, 'app.mjs'), program(`import { createCache, defineEntity } from 'cacheorm';\nimport { z } from 'zod';`));
    writeFileSync(join(dir, 'app.cjs'), program(`const { createCache, defineEntity } = require('cacheorm');\nconst { z } = require('zod');`));
    writeFileSync(join(dir, 'app.mts'), program(`import { createCache, defineEntity } from 'cacheorm';\nimport { z } from 'zod';`));
    writeFileSync(join(dir, 'app.cts'), program(`import { createCache, defineEntity } from 'cacheorm';\nimport { z } from 'zod';`));
    writeFileSync(join(dir, 'cross.mjs'), crossBuildProgram);
    writeFileSync(join(dir, 'nest.mjs'), nestProgram(nestImports.esm));
    writeFileSync(join(dir, 'nest.cjs'), nestProgram(nestImports.cjs));
    writeFileSync(join(dir, 'nest.mts'), nestProgram(nestImports.esm));
    writeFileSync(join(dir, 'nest.cts'), nestProgram(nestImports.esm));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const expected = { ok: true, key: 'consumer:session:a' };

  it('works with import from an ES module', () => {
    const out = execFileSync(process.execPath, ['app.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(expected);
  });

  it('works with require from CommonJS', () => {
    const out = execFileSync(process.execPath, ['--no-warnings', 'app.cjs'], { cwd: dir, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(expected);
  });

  it('an entity declared with the CommonJS build works in an ESM cache, and errors are instances across builds', () => {
    const out = execFileSync(process.execPath, ['--no-warnings', 'cross.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({
      back: { id: 'ann', n: 1 },
      esmErrorVsCjsClasses: [true, true, false],
      cjsErrorVsEsmClasses: [true, true, false],
      ownSubclass: false,
      plainError: false,
      notEntity: [true, expect.stringMatching(/^The object "copy" is not a cache entity\. Pass the value defineEntity\(\{\.\.\.\}\) returned/)],
    });
  });

  const nestExpected = { ...expected, token: 'cacheorm:default:repository:session' };

  it('cacheorm/nestjs works with import from an ES module', () => {
    const out = execFileSync(process.execPath, ['nest.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(nestExpected);
  });

  it('cacheorm/nestjs works with require from CommonJS', () => {
    const out = execFileSync(process.execPath, ['--no-warnings', 'nest.cjs'], { cwd: dir, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(nestExpected);
  });

  // skipLibCheck off (tsc's default): the published .d.ts files themselves are checked, under the
  // pinned @types/node and under the newest major (an alias devDependency), which reordered the
  // type parameters of diagnostics_channel's TracingChannel and Channel.
  const typesNode = [
    ['pinned @types/node', 'node'],
    ['@types/node 26', 'node-26'],
  ] as const;
  it.each(typesNode)('type-checks against the published declarations from ESM and CommonJS, skipLibCheck off, %s', (_name, pkg) => {
    const typeRoots = join(dir, `types-${pkg}`);
    mkdirSync(typeRoots, { recursive: true });
    if (!existsSync(join(typeRoots, 'node'))) symlinkSync(join(root, 'node_modules/@types', pkg), join(typeRoots, 'node'), 'dir');
    const args = [tsc, '--noEmit', '--strict', '--skipLibCheck', 'false', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--types', 'node', '--typeRoots', typeRoots, '--pretty', 'false'];
    let output = '';
    try {
      execFileSync(process.execPath, [...args, 'app.mts', 'app.cts', 'nest.mts', 'nest.cts'], { cwd: dir, encoding: 'utf8' });
    } catch (err) {
      output = String((err as { stdout?: string }).stdout ?? err);
    }
    expect(output).toBe('');
  }, 60_000);
});
