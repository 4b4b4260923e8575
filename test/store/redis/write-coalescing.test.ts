/**
 * RedisStore coalesces the socket writes of one tick under load (one `writev` instead of one write per
 * command; checked on a client of each ioredis major and protocol you pass), writes a lone command at
 * once, keeps every command's reply its own, and survives a connection that drops while writes are held.
 * Also: a cache's own client has no per-command ioredis timer (the cache bounds its calls), a bare
 * RedisStore's client keeps it.
 */
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCache, type Cache } from '../../../src/index.js';
import { StoreUnavailableError } from '../../../src/errors/index.js';
import { RedisStore } from '../../../src/store/index.js';
import { redisUrl, uniquePrefix } from '../../support/redis.js';
import { startRedisServer } from '../../support/redis-server.js';
import { clientFactories } from '../../support/clients.js';

type Socket = { writableCorked: number; _writev?: (...args: unknown[]) => unknown; _write: (...args: unknown[]) => unknown; destroy(): void };
const socketOf = (client: Redis): Socket => (client as unknown as { stream: Socket }).stream;

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

function store(url = redisUrl()): RedisStore {
  const s = new RedisStore(url);
  opened.push(s);
  return s;
}

describe.each(clientFactories)('RedisStore write coalescing on an $name client you pass', (factory) => {
  it('sends the commands of one tick in one socket write while others await replies, each with its own reply', async () => {
    const client = factory.redis(redisUrl());
    opened.push({ close: async () => void (await client.quit()) });
    const s = new RedisStore(client);
    await s.exists(uniquePrefix('warm')); // connected
    const prefix = uniquePrefix('coalesce');
    const keys = Array.from({ length: 300 }, (_, i) => `${prefix}:${i}`);
    await s.write(keys.map((key, i) => ({ key, value: `v${i}`, ttl: 60_000 })));
    const socket = socketOf(s.client);
    const writev = vi.spyOn(socket as Required<Socket>, '_writev');
    const write = vi.spyOn(socket, '_write');

    const first = s.get(keys[0]!); // awaits its reply: the next commands of this tick are held
    expect(socket.writableCorked).toBe(0);
    const rest = keys.slice(1).map((key, i) => (i % 2 === 0 ? s.get(key) : s.exists(key)));
    expect(socket.writableCorked).toBe(1);
    const replies = await Promise.all([first, ...rest]);

    expect(socket.writableCorked).toBe(0);
    expect(replies[0]).toBe('v0');
    replies.slice(1).forEach((reply, i) => expect(reply).toBe(i % 2 === 0 ? `v${i + 1}` : true));
    // The first GET went out on its own; the 299 commands after it, in one writev.
    expect(writev).toHaveBeenCalledTimes(1);
    expect((writev.mock.calls[0]![0] as unknown[]).length).toBe(299);
    expect(write).toHaveBeenCalledTimes(1);
    await s.unlink(keys);
  });
});

describe('RedisStore write coalescing', () => {
  it('writes a lone command at once (nothing held, so no added latency)', async () => {
    const s = store();
    await s.get(uniquePrefix('warm'));
    const socket = socketOf(s.client);
    const write = vi.spyOn(socket, '_write');
    const pending = s.get(uniquePrefix('lone'));
    expect(socket.writableCorked).toBe(0);
    expect(write).toHaveBeenCalledTimes(1);
    expect(await pending).toBeNull();
  });

  it('fails the held commands of a connection that drops, then works again once reconnected', async () => {
    const server = await startRedisServer();
    try {
      const s = new RedisStore(server.url);
      try {
        await s.get('warm-up');
        const calls = Array.from({ length: 50 }, (_, i) => s.get(`k${i}`));
        expect(socketOf(s.client).writableCorked).toBe(1);
        socketOf(s.client).destroy();
        const outcomes = await Promise.allSettled(calls);
        for (const outcome of outcomes) {
          expect(outcome.status).toBe('rejected');
          expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
        }
        await vi.waitFor(() => expect(s.client.status).toBe('ready'), { timeout: 5000, interval: 20 });
        await s.write([{ key: 'after', value: 'ok', ttl: 60_000 }]);
        expect(await s.get('after')).toBe('ok');
      } finally {
        await s.close();
      }
    } finally {
      await server.stop();
    }
  });
});

describe('per-command timers on clients cacheorm creates', () => {
  it('a cache bounds its calls itself: once ready, its client sends commands without ioredis timers (the handshake keeps one)', async () => {
    const cache: Cache = createCache({ redis: redisUrl(), prefix: uniquePrefix(), commandTimeout: 500 });
    try {
      const client = (cache.store as RedisStore).client;
      expect(client.options.commandTimeout).toBe(600); // while connecting
      await vi.waitFor(() => expect(client.status).toBe('ready'));
      expect(client.options.commandTimeout).toBeUndefined();
      expect(client.options.connectTimeout).toBe(1000);
      // Reconnect: from the moment the connection closes, the next handshake is bounded again.
      const atClose = new Promise<number | undefined>((resolve) => client.once('close', () => resolve(client.options.commandTimeout)));
      client.disconnect(true);
      expect(await atClose).toBe(600);
      await vi.waitFor(() => expect(client.status).toBe('ready'));
      expect(client.options.commandTimeout).toBeUndefined();
    } finally {
      await cache.close();
    }
  });

  it('keeps a commandTimeout you set on a client the cache creates', async () => {
    const { hostname, port } = new URL(redisUrl());
    const cache = createCache({ redis: { host: hostname, port: Number(port), commandTimeout: 700 }, prefix: uniquePrefix() });
    try {
      const client = (cache.store as RedisStore).client;
      await vi.waitFor(() => expect(client.status).toBe('ready'));
      expect(client.options.commandTimeout).toBe(700);
    } finally {
      await cache.close();
    }
  });

  it('a RedisStore used on its own keeps ioredis commandTimeout (its limit plus 10%) as its bound', () => {
    const s = new RedisStore(redisUrl(), { commandTimeout: 1000 });
    opened.push(s);
    expect(s.client.options.commandTimeout).toBe(1100);
  });
});
