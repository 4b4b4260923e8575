/**
 * A consumer project per ioredis major (5 and 6), laid out as `npm i cacheorm ioredis@N` lays it out:
 * cacheorm's built package (dist/) in `node_modules/cacheorm` and one ioredis, the project's, beside it
 * (ioredis is a peer dependency), so `import 'ioredis'` means the same copy in cacheorm and in the
 * project. The project passes its own `Redis` and `Cluster` to `createCache`, `RedisStore` and
 * `CacheOrmModule.forRoot`, lets cacheorm create clients from a URL and node URLs, runs against the
 * run's Redis and Redis Cluster, and type-checks with `skipLibCheck: false` (cacheorm's declarations
 * are checked against that major's types). `npm test` builds dist/ first.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterUrls } from '../support/cluster.js';
import { redisUrl, uniquePrefix } from '../support/redis.js';

const root = resolve(import.meta.dirname, '../..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** The project's program; `extra` adds lines only one major compiles (ioredis 6's RESP3 reply mapping). */
const program = (imports: string, extra: string) => `${imports}
const Session = defineEntity({ name: 'session', key: ['id'], schema: z.object({ id: z.string(), at: z.date() }), ttl: '1m' });
class AppModule {}
async function main() {
  const url = process.env.REDIS_URL!;
  const urls = process.env.CLUSTER_URLS!.split(',');
  const prefix = process.env.PREFIX!;
  const nodes = urls.map((u) => ({ host: new URL(u).hostname, port: Number(new URL(u).port) }));
  const redis = new Redis(url);
  const cluster = new Cluster(nodes);
  const clients = [redis, cluster];
  const caches = [
    createCache({ redis, prefix: prefix + '-redis' }),
    createCache({ redis: cluster, prefix: prefix + '-cluster' }),
    createCache({ store: new RedisStore(redis), prefix: prefix + '-store' }),
    createCache({ store: new RedisStore(cluster), prefix: prefix + '-cstore' }),
    createCache({ redis: url, prefix: prefix + '-url' }),
    createCache({ redis: urls, prefix: prefix + '-urls' }),
  ];
  ${extra}
  const results = new Map();
  for (const cache of caches) {
    const repo = cache.getRepository(Session);
    await repo.save({ id: 'a', at: new Date(0) });
    const back = await repo.get({ id: 'a' });
    results.set(cache.prefix, back?.at instanceof Date && (await repo.delete({ id: 'a' })) === 1);
    await cache.close();
  }
  Module({ imports: [CacheOrmModule.forRoot({ redis, prefix: prefix + '-nest' }), CacheOrmModule.forFeature([Session])] })(AppModule);
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const repo = app.get(getRepositoryToken(Session));
  await repo.save({ id: 'a', at: new Date(0) });
  results.set('nest', (await repo.get({ id: 'a' }))?.at instanceof Date && (await repo.delete({ id: 'a' })) === 1);
  await app.close();
  const owned = new RedisStore(url);
  const ownedCluster = new RedisStore(urls);
  results.set('owned client is the project\\'s Redis', owned.client instanceof Redis);
  results.set('owned cluster is the project\\'s Cluster', ownedCluster.client instanceof Cluster);
  await owned.close();
  await ownedCluster.close();
  for (const client of clients) await client.quit();
  console.log(JSON.stringify(Object.fromEntries(results)));
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

const imports = {
  esm: `import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Cluster, Redis } from 'ioredis';
import { createCache, defineEntity, RedisStore } from 'cacheorm';
import { CacheOrmModule, getRepositoryToken } from 'cacheorm/nestjs';
import { z } from 'zod';`,
  cjs: `require('reflect-metadata');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { Cluster, Redis } = require('ioredis');
const { createCache, defineEntity, RedisStore } = require('cacheorm');
const { CacheOrmModule, getRepositoryToken } = require('cacheorm/nestjs');
const { z } = require('zod');`,
};

/** ioredis 6 only: a client on RESP3 that maps replies to RESP3 shapes, through createCache and RedisStore. */
const resp3Lines = `const redis3 = new Redis(url, { protocol: 3, replyMapping: 'resp3' });
  const cluster3 = new Cluster(nodes, { redisOptions: { protocol: 3, replyMapping: 'resp3' } });
  clients.push(redis3, cluster3);
  caches.push(createCache({ redis: redis3, prefix: prefix + '-resp3' }), createCache({ store: new RedisStore(redis3), prefix: prefix + '-sresp3' }));
  caches.push(createCache({ redis: cluster3, prefix: prefix + '-c3' }), createCache({ store: new RedisStore(cluster3), prefix: prefix + '-cresp3' }));`;

/** Strips the TypeScript-only parts (`!` assertions) so the same program runs as plain JavaScript. */
const asJavaScript = (source: string) => source.replace(/env\.(\w+)!/g, 'env.$1');

it('declares ioredis a peer dependency of both majors, never a dependency (npm would nest a second copy)', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  expect(pkg.dependencies?.ioredis).toBeUndefined();
  expect(pkg.peerDependencies?.ioredis).toBe('^5.11.1 || ^6.0.0');
  expect(pkg.peerDependenciesMeta?.ioredis).toBeUndefined(); // required: npm 7+ installs it with cacheorm
});

describe.each([
  { major: 5, alias: 'ioredis5', extra: '' },
  { major: 6, alias: 'ioredis6', extra: resp3Lines },
])('consumer project with ioredis $major', ({ alias, extra }) => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    if (!existsSync(join(root, 'dist/esm/index.js')) || !existsSync(join(root, 'dist/cjs/index.js'))) {
      throw new Error('dist/ is missing: run `npm run build` (npm test does it first).');
    }
    dir = mkdtempSync(join(tmpdir(), `cacheorm-${alias}-`));
    const modules = join(dir, 'node_modules');
    // A copy, not a symlink: a symlinked package resolves its imports from its real path (this repo),
    // where ioredis is the devDependency, not the project's.
    mkdirSync(join(modules, 'cacheorm'), { recursive: true });
    cpSync(join(root, 'package.json'), join(modules, 'cacheorm/package.json'));
    cpSync(join(root, 'dist'), join(modules, 'cacheorm/dist'), { recursive: true });
    symlinkSync(join(root, 'node_modules', alias), join(modules, 'ioredis'), 'dir');
    for (const dep of ['zod', 'superjson', 'lru-cache', 'reflect-metadata', '@nestjs', 'rxjs', '@types']) {
      symlinkSync(join(root, 'node_modules', dep), join(modules, dep), 'dir');
    }
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    writeFileSync(join(dir, 'app.mts'), program(imports.esm, extra));
    writeFileSync(join(dir, 'app.cts'), program(imports.esm, extra));
    writeFileSync(join(dir, 'app.mjs'), asJavaScript(program(imports.esm, extra)));
    writeFileSync(join(dir, 'app.cjs'), asJavaScript(program(imports.cjs, extra)));
    env = { ...process.env, REDIS_URL: redisUrl(), CLUSTER_URLS: (await clusterUrls()).join(','), PREFIX: uniquePrefix('consumer') };
  }, 90_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const expected = (prefixes: string[]) => ({
    ...Object.fromEntries(prefixes.map((p) => [`${env.PREFIX}-${p}`, true])),
    nest: true,
    "owned client is the project's Redis": true,
    "owned cluster is the project's Cluster": true,
  });
  const prefixes = ['redis', 'cluster', 'store', 'cstore', 'url', 'urls', ...(extra ? ['resp3', 'sresp3', 'c3', 'cresp3'] : [])];

  it('runs from an ES module and from CommonJS with the project\'s clients and ioredis copy', () => {
    for (const file of ['app.mjs', 'app.cjs']) {
      const out = execFileSync(process.execPath, ['--no-warnings', file], { cwd: dir, env, encoding: 'utf8', timeout: 50_000 });
      expect(JSON.parse(out)).toEqual(expected(prefixes));
    }
  }, 60_000);

  it('type-checks against the published declarations with skipLibCheck off, from ESM and CommonJS', () => {
    const args = ['--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022'];
    try {
      execFileSync(process.execPath, [tsc, ...args, '--skipLibCheck', 'false', '--types', 'node', 'app.mts', 'app.cts'], { cwd: dir, encoding: 'utf8', timeout: 80_000 });
    } catch (error) {
      throw new Error(`tsc failed:\n${String((error as { stdout?: string }).stdout)}`);
    }
  }, 90_000);
});
