/**
 * RedisStore on Redis Cluster coalesces the socket writes of one tick per node connection, as on
 * standalone Redis (test/store/redis/write-coalescing.test.ts): one `writev` for the commands of a tick
 * sent to a node that is awaiting replies, each command with its own reply; a lone command is written at
 * once; a node connection that drops while writes are held answers each of them (ioredis Cluster re-sends
 * them) or fails it with StoreUnavailableError, and the store works again once the client reconnected.
 */
import type { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { StoreUnavailableError } from '../../../../src/errors/index.js';
import { RedisStore } from '../../../../src/store/index.js';
import { keySlot } from '../../../../src/store/redis/cluster/slots.js';
import { clusterUrls } from '../../../support/cluster.js';
import { uniquePrefix } from '../../../support/redis.js';

type Socket = { writableCorked: number; _writev?: (...args: unknown[]) => unknown; _write: (...args: unknown[]) => unknown; destroy(): void };
const socketOf = (connection: Redis): Socket => (connection as unknown as { stream: Socket }).stream;

/** The node connection of `cluster` that serves `key` (the master of its slot). */
function nodeOf(cluster: Cluster, key: string): Redis {
  const slots = (cluster as unknown as { slots: string[][] }).slots;
  const address = slots[keySlot(key)]![0]!;
  const node = cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === address);
  if (node === undefined) throw new Error(`no connection to ${address}`);
  return node;
}

let urls: string[];
const opened: RedisStore<Cluster>[] = [];
beforeAll(async () => {
  urls = await clusterUrls();
}, 90_000);
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});
afterAll(async () => {
  for (const s of opened.splice(0)) await s.close();
});

async function clusterStore(): Promise<RedisStore<Cluster>> {
  const s = new RedisStore(urls) as RedisStore<Cluster>;
  opened.push(s);
  await s.exists(uniquePrefix('warm')); // connected, slots known
  return s;
}

describe('RedisStore write coalescing on Redis Cluster', () => {
  it('sends the commands of one tick to a node in one socket write while it awaits replies, each with its own reply', async () => {
    const s = await clusterStore();
    const prefix = `{${uniquePrefix('coalesce')}}`; // one hash tag: every key on one node
    const keys = Array.from({ length: 300 }, (_, i) => `${prefix}:${i}`);
    await s.write(keys.map((key, i) => ({ key, value: `v${i}`, ttl: 60_000 })));
    const node = nodeOf(s.client, keys[0]!);
    await node.ping(); // the node's connection is up
    const socket = socketOf(node);
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

  it('holds the writes of a tick on a node too (write and unlink)', async () => {
    const s = await clusterStore();
    const prefix = `{${uniquePrefix('coalesce-w')}}`;
    const keys = Array.from({ length: 100 }, (_, i) => `${prefix}:${i}`);
    const node = nodeOf(s.client, keys[0]!);
    await node.ping();
    const socket = socketOf(node);
    const first = s.get(keys[0]!);
    const writes = keys.map((key) => s.write([{ key, value: 'w', ttl: 60_000 }]));
    expect(socket.writableCorked).toBe(1);
    expect(await first).toBeNull();
    expect((await Promise.all(writes)).flat().every(Boolean)).toBe(true);
    expect(await s.mget(keys)).toEqual(keys.map(() => 'w'));
    expect(await s.unlink(keys)).toBe(keys.length);
  });

  it('writes a lone command at once (nothing held, so no added latency)', async () => {
    const s = await clusterStore();
    const key = uniquePrefix('lone');
    const node = nodeOf(s.client, key);
    await node.ping();
    const socket = socketOf(node);
    const write = vi.spyOn(socket, '_write');
    const pending = s.get(key);
    expect(socket.writableCorked).toBe(0);
    expect(write).toHaveBeenCalledTimes(1);
    expect(await pending).toBeNull();
  });

  it('answers or fails (StoreUnavailableError) each held command of a node connection that drops, then works again', async () => {
    const s = await clusterStore();
    const prefix = `{${uniquePrefix('drop')}}`;
    const node = nodeOf(s.client, `${prefix}:0`);
    await node.ping();
    const first = s.get(`${prefix}:0`);
    const calls = Array.from({ length: 50 }, (_, i) => s.get(`${prefix}:${i + 1}`));
    expect(socketOf(node).writableCorked).toBe(1);
    socketOf(node).destroy();
    const outcomes = await Promise.allSettled([first, ...calls]);
    // ioredis Cluster re-sends a command whose node connection closed (after refreshing the slots), so
    // a held command either gets its own reply or fails with StoreUnavailableError; none is lost or mixed up.
    const settled = { fulfilled: 0, rejected: 0 };
    for (const outcome of outcomes) {
      settled[outcome.status]++;
      if (outcome.status === 'fulfilled') {
        expect(outcome.value).toBeNull();
        continue;
      }
      const reason = outcome.reason as StoreUnavailableError;
      expect(reason).toBeInstanceOf(StoreUnavailableError);
      expect(reason.code).toBe('E_STORE_UNAVAILABLE');
      expect(reason.message).toMatch(/GET/);
    }
    expect(settled.fulfilled + settled.rejected).toBe(51);
    await vi.waitFor(
      async () => {
        await s.write([{ key: `${prefix}:after`, value: 'ok', ttl: 60_000 }]);
        expect(await s.get(`${prefix}:after`)).toBe('ok');
      },
      { timeout: 10_000, interval: 50 },
    );
    await s.unlink([`${prefix}:after`]);
  });
});
