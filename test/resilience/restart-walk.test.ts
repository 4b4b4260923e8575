/**
 * A find stream across a Redis restart: the SCAN (or ZSCAN) cursor of the old server means nothing to
 * the new one, so reusing it would end the stream normally with part of the result. The stream must
 * reject with StoreUnavailableError instead. The server saves its data (SAVE) before the restart and
 * loads it again, so the keys are all there on the new server: only the cursor is wrong.
 */
import { Redis } from 'ioredis';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, defineEntity, StoreUnavailableError, suffix, type Cache } from 'cacheorm';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { failure } from '../support/rejection.js';

const schema = z.object({ id: z.string(), n: z.int() });
const Scanned = defineEntity({ name: 'scanned', key: ['id'], schema, ttl: '1h' });
const Indexed = defineEntity({ name: 'indexed', key: ['id'], schema, ttl: '1h', find: 'index' });
const TOTAL = 5000;

describe('a find stream across a Redis restart', () => {
  let server: RedisServerHandle;
  let cache: Cache;
  let admin: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    cache = createCache({ redis: server.url, prefix: 'rw', commandTimeout: 2000 });
    cache.on('error', () => undefined); // the connection loss is reported as an event too
    admin = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    admin.on('error', () => undefined);
    const items = Array.from({ length: TOTAL }, (_, n) => ({ id: `k${n}`, n }));
    for (let i = 0; i < TOTAL; i += 1000) {
      await cache.getRepository(Scanned).save(items.slice(i, i + 1000));
      await cache.getRepository(Indexed).save(items.slice(i, i + 1000));
    }
  }, 60_000);
  afterAll(async () => {
    await cache?.close();
    admin?.disconnect();
    await server?.stop();
  });

  /** Restarts the server with its data (SAVE, kill, start on the same port: it loads dump.rdb). */
  async function restartWithData(): Promise<void> {
    await admin.connect().catch(() => undefined);
    await admin.call('SAVE');
    admin.disconnect();
    await server.restart();
  }

  /** Reads one batch, restarts Redis, waits until the cache reaches the new server, then reads on. */
  async function consumeAcrossRestart(stream: AsyncIterable<unknown>): Promise<number> {
    let n = 0;
    let restarted = false;
    for await (const _ of stream) {
      n++;
      if (!restarted && n === 10) {
        restarted = true;
        await restartWithData();
        const probe = cache.getRepository(Scanned);
        await expect.poll(() => probe.get({ id: 'k1' }).then(() => true, () => false), { timeout: 15_000, interval: 50 }).toBe(true);
      }
    }
    return n;
  }

  it('SCAN walk: rejects with E_STORE_UNAVAILABLE instead of ending short', { timeout: 60_000 }, async () => {
    const stream = cache.getRepository(Scanned).find({}, { batchSize: 100 });
    const error = await failure(consumeAcrossRestart(stream));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).code).toBe('E_STORE_UNAVAILABLE');
    expect(error.message).toMatch(/connection .*re-?established|restart/i);
    expect(error.message).toMatch(/run the find again/i);
    // The data did survive the restart: running the find again returns all of it.
    expect(await cache.getRepository(Scanned).find({}).count()).toBe(TOTAL);
  });

  it('index ZSCAN walk (a glob over the index): rejects with E_STORE_UNAVAILABLE', { timeout: 60_000 }, async () => {
    const stream = cache.getRepository(Indexed).find({ id: suffix('7') }, { batchSize: 20 });
    expect(stream.explain()).toMatch(/ZSCAN/);
    const error = await failure(consumeAcrossRestart(stream.keys()));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).code).toBe('E_STORE_UNAVAILABLE');
    expect(error.message).toMatch(/restart/i);
    expect(await cache.getRepository(Indexed).find({ id: suffix('7') }).count()).toBe(TOTAL / 10);
  });

  it('index walk with no key condition (a key-order range): rejects with E_STORE_UNAVAILABLE', { timeout: 60_000 }, async () => {
    const stream = cache.getRepository(Indexed).find({}, { batchSize: 100 });
    const error = await failure(consumeAcrossRestart(stream));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).code).toBe('E_STORE_UNAVAILABLE');
  });
});
