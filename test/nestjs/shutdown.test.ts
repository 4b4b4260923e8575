/**
 * What CacheOrmModule closes on application shutdown: the caches it created and the Redis clients those
 * created; never a client or store the application passed in. And nothing keeps the process alive.
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { MemoryStore, RedisStore, StoreUnavailableError, getCacheToken, getRepositoryToken, type Cache, type RepositoryOf } from 'cacheorm';
import { CacheOrmModule, InjectRepository } from 'cacheorm/nestjs';
import { redisUrl, uniquePrefix } from '../support/redis.js';
import { Counter } from './fixtures.js';

const root = resolve(import.meta.dirname, '../..');

/** Counts of the handles Node reports (sockets, timers...), to compare before and after. */
function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

/**
 * The handle counts once they stop changing for 150 ms: sockets and short-lived timers of earlier tests
 * (a client's connect or quit timers) finish first.
 */
async function settledHandles(): Promise<Record<string, number>> {
  let last = JSON.stringify(handles());
  for (let stable = 0; stable < 6; ) {
    await new Promise((r) => setTimeout(r, 25));
    const now = JSON.stringify(handles());
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return JSON.parse(last) as Record<string, number>;
}

describe('application shutdown', () => {
  it('closes a cache it created from a URL: its client ends, repositories refuse calls', async () => {
    const app = await Test.createTestingModule({
      imports: [CacheOrmModule.forRoot({ redis: redisUrl(), prefix: uniquePrefix('close') }), CacheOrmModule.forFeature([Counter])],
    }).compile();
    await app.init();
    const cache = app.get<Cache>(getCacheToken());
    const client = (cache.store as RedisStore).client;
    const counters = app.get(getRepositoryToken(Counter));
    await counters.save({ id: 'a', value: 1 });
    expect(client.status).toBe('ready');

    await app.close();
    expect(client.status).toBe('end');
    await expect(counters.get({ id: 'a' })).rejects.toThrow(StoreUnavailableError);
  });

  it('closes every named cache it created', async () => {
    const app = await Test.createTestingModule({
      imports: [
        CacheOrmModule.forRoot({ redis: redisUrl(), prefix: uniquePrefix('one') }),
        CacheOrmModule.forRoot({ name: 'two', redis: { host: new URL(redisUrl()).hostname, port: Number(new URL(redisUrl()).port) }, prefix: uniquePrefix('two') }),
      ],
    }).compile();
    await app.init();
    const clients = [getCacheToken(), getCacheToken('two')].map((token) => (app.get<Cache>(token).store as RedisStore).client);
    await Promise.all(clients.map((client) => client.ping()));
    await app.close();
    expect(clients.map((client) => client.status)).toEqual(['end', 'end']);
  });

  it('closes last: providers still use the cache in onModuleDestroy and beforeApplicationShutdown', async () => {
    const seen: string[] = [];
    @Injectable()
    class Flusher {
      constructor(@InjectRepository(Counter) private readonly counters: RepositoryOf<typeof Counter>) {}
      async onModuleDestroy() {
        await this.counters.save({ id: 'destroy', value: 1 });
        seen.push(`destroy ${(await this.counters.get({ id: 'destroy' }))?.value}`);
      }
      async beforeApplicationShutdown() {
        seen.push(`before ${await this.counters.delete({ id: 'destroy' })}`);
      }
    }
    const app = await Test.createTestingModule({
      imports: [CacheOrmModule.forRoot({ redis: redisUrl(), prefix: uniquePrefix('order') }), CacheOrmModule.forFeature([Counter])],
      providers: [Flusher],
    }).compile();
    await app.init();
    const client = (app.get<Cache>(getCacheToken()).store as RedisStore).client;
    await app.close();
    expect(seen).toEqual(['destroy 1', 'before 1']);
    expect(client.status).toBe('end');
  });

  it('never closes an ioredis client the application passed in', async () => {
    const client = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
    client.on('error', () => {});
    try {
      const app = await Test.createTestingModule({
        imports: [CacheOrmModule.forRootAsync({ useFactory: () => ({ redis: client, prefix: uniquePrefix('mine') }) }), CacheOrmModule.forFeature([Counter])],
      }).compile();
      await app.init();
      const cache = app.get<Cache>(getCacheToken());
      await app.get(getRepositoryToken(Counter)).save({ id: 'b', value: 2 });
      await app.close();
      expect(client.status).toBe('ready');
      expect(await client.ping()).toBe('PONG');
      // The cache itself is closed; only the client stays open.
      await expect(cache.getRepository(Counter).get({ id: 'b' })).rejects.toThrow(StoreUnavailableError);
    } finally {
      await client.quit();
    }
  });

  it('never closes a store the application passed in', async () => {
    const store = new MemoryStore();
    const app = await Test.createTestingModule({ imports: [CacheOrmModule.forRoot({ store, prefix: uniquePrefix('store') })] }).compile();
    await app.init();
    await app.close();
    expect(await store.exists('anything')).toBe(false); // still usable: a closed store would throw
    await store.close();
  });

  it('leaves no socket or timer behind after app.close()', async () => {
    const before = await settledHandles();
    const app = await Test.createTestingModule({
      imports: [
        CacheOrmModule.forRoot({ redis: redisUrl(), prefix: uniquePrefix('handles') }),
        CacheOrmModule.forRoot({ name: 'local', prefix: uniquePrefix('local') }), // a MemoryStore with its sweep timer
        CacheOrmModule.forFeature([Counter]),
        CacheOrmModule.forFeature([Counter], 'local'),
      ],
    }).compile();
    await app.init();
    await app.get(getRepositoryToken(Counter)).save({ id: 'h', value: 1 });
    await app.get(getRepositoryToken(Counter, 'local')).save({ id: 'h', value: 1 });
    expect(handles()['TCPSocketWrap'] ?? 0).toBeGreaterThan(before['TCPSocketWrap'] ?? 0);
    await app.get(getRepositoryToken(Counter)).delete({ id: 'h' });
    await app.close();
    expect(await settledHandles()).toEqual(before);
  });

  it('a process that starts and closes a Nest application on Redis exits on its own', async () => {
    // Inside the checkout (.tmp/ is git-ignored), so the script resolves the project's packages and ESM.
    mkdirSync(join(root, '.tmp'), { recursive: true });
    const dir = mkdtempSync(join(root, '.tmp', 'nest-exit-'));
    try {
      const script = join(dir, 'app.ts');
      writeFileSync(
        script,
        `import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { z } from 'zod';
import { defineEntity, getRepositoryToken } from 'cacheorm';
import { CacheOrmModule } from 'cacheorm/nestjs';
const Counter = defineEntity({ name: 'counter', key: ['id'], schema: z.object({ id: z.string(), value: z.int() }), ttl: '1m' });
const app = await Test.createTestingModule({
  imports: [CacheOrmModule.forRoot({ redis: process.env.REDIS_URL, prefix: process.env.PREFIX }), CacheOrmModule.forFeature([Counter])],
}).compile();
await app.init();
const counters = app.get(getRepositoryToken(Counter));
await counters.save({ id: 'x', value: 1 });
console.log('value', (await counters.get({ id: 'x' }))?.value);
await counters.delete({ id: 'x' });
await app.close(); // no process.exit(): the process must end because nothing is left open
`,
      );
      const started = Date.now();
      const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
        const child = execFile(process.execPath, ['--import', 'tsx', script], {
          cwd: root,
          env: { ...process.env, REDIS_URL: redisUrl(), PREFIX: uniquePrefix('exit') },
          timeout: 15_000,
        }, (error, stdout, stderr) => done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }));
        child.stdin?.end();
      });
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toContain('value 1');
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
