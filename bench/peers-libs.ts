/**
 * The libraries of the peer benchmark (`bench/peers.ts`) behind one small interface, each on its own
 * connection to the same server, each writing the same entities ({@link peerSession}) with a 1 h TTL:
 *
 *   raw          ioredis `GET`/`SET PX` with `JSON.stringify`/`JSON.parse` (the floor); 100: `MGET`, a
 *                pipeline of 100 `SET PX`
 *   rawCodec     ioredis `GET`/`SET PX` with cacheorm's codec (zod validation and the superjson wire
 *                format, no repository, no store): the floor of what a cacheorm call must do, one
 *                round trip plus a validating encode or decode (single-entity rows only)
 *   rawAutoPipelining, cacheormAutoPipelining
 *                raw and cacheorm on an ioredis client with `enableAutoPipelining: true` (commands of one
 *                tick share one socket write), single-entity rows only
 *   cacheorm     `repo.get` / `repo.save` (writes: 'sync'); 100: `getMany` (`MGET`), `save(array)` (one
 *                `MULTI`)
 *   cacheormAsync the same with writes: 'async' (save rows only; timings include waiting until Redis has
 *                applied the writes, except the per-call latency, which is what the caller waits for;
 *                commandTimeout off, see cacheormLib)
 *   cacheormIndex the same entity with find: 'index' (save rows only: each write also updates the
 *                entity's index sets, in one Lua call)
 *   redisOm      redis-om 0.4 HASH schema on node-redis 4: `save(id, e)` (`MULTI UNLINK HSET EXEC`, no
 *                TTL: a TTL needs a second call, `expire`, which is not counted), `fetch(id)` (`HGETALL`);
 *                100: `fetch(ids)`, and `Promise.all` of 100 `save` (no batch save)
 *   keyv         keyv 5 + @keyv/redis 5 (node-redis 5): `get`/`set` (`GET`/`SET PX`); 100: `getMany`
 *                (`MGET`), `setMany` (`MULTI`)
 *   bentocache   bentocache 1.6 with only its Redis (L2) driver, no memory tier, no bus: `get`/`set`
 *                (`GET`/`SET PX`); 100: `Promise.all` of 100 `get` / `set` (no batch API)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createKeyv } from '@keyv/redis';
import { BentoCache, bentostore } from 'bentocache';
import { redisDriver } from 'bentocache/drivers/redis';
import { createClient } from 'redis';
import { Repository as OmRepository, Schema as OmSchema } from 'redis-om';
import { createCache, getEntityMetadata, RedisStore, type Cache } from 'cacheorm';
import { EntityCodec } from '../src/codec/index.js';
import { BENCH_DIR } from './support.js';
import { PEER_TTL_MS, PeerSession, PeerSessionIdx, omSchemaDefinition, peerKey, peerSession, toOmEntity, type PeerSessionData } from './peers-entity.js';

/** The libraries, in their default order. */
export const LIB_NAMES = ['raw', 'rawCodec', 'rawAutoPipelining', 'cacheorm', 'cacheormAutoPipelining', 'cacheormAsync', 'cacheormIndex', 'redisOm', 'keyv', 'bentocache'] as const;
export type LibName = (typeof LIB_NAMES)[number];

/** One library under test. `i` / `ids` are entity numbers in `[0, data.count)`. */
export interface PeerLib {
  readonly name: LibName;
  /** Reads entity `i`; answers the value (or `undefined` for a miss). */
  get(i: number): Promise<unknown>;
  /** Writes entity `i` with a 1 h TTL (redis-om: without TTL). */
  save(i: number): Promise<unknown>;
  /** Reads the entities `ids` in one batch (see the file comment for what a batch is per library). */
  getMany(ids: readonly number[]): Promise<readonly unknown[]>;
  /** Writes the entities `ids` in one batch. */
  saveMany(ids: readonly number[]): Promise<unknown>;
  /** Resolves once every write started so far has been applied by Redis (only async writes need it). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** The entities and their keys, built once, shared by every library. */
export interface PeerData {
  readonly count: number;
  readonly sessions: readonly PeerSessionData[];
  /** `{ tenantId, id }`: what a cacheorm caller passes to `get`. */
  readonly keyObjects: readonly { tenantId: string; id: string }[];
  /** `tenantId:id`: what a caller of a string-keyed library passes. */
  readonly keys: readonly string[];
  /** redis-om's flat form of each session (`device` as two fields), built outside the timed code. */
  readonly omEntities: readonly Record<string, unknown>[];
}

export function buildPeerData(count: number): PeerData {
  const sessions = Array.from({ length: count }, (_, i) => peerSession(i));
  return {
    count,
    sessions,
    keyObjects: sessions.map((s) => ({ tenantId: s.tenantId, id: s.id })),
    keys: sessions.map(peerKey),
    omEntities: sessions.map(toOmEntity),
  };
}

const done = (): Promise<void> => Promise.resolve();

function rawLib(name: 'raw' | 'rawAutoPipelining', url: string, prefix: string, data: PeerData): PeerLib {
  const redis = new Redis(url, { enableAutoPipelining: name === 'rawAutoPipelining' });
  const keys = data.keys.map((k) => `${prefix}:raw:${k}`);
  const { sessions } = data;
  const parse = (v: string | null): unknown => (v === null ? undefined : JSON.parse(v));
  return {
    name,
    get: async (i) => parse(await redis.get(keys[i]!)),
    save: (i) => redis.set(keys[i]!, JSON.stringify(sessions[i]), 'PX', PEER_TTL_MS),
    getMany: async (ids) => (await redis.mget(ids.map((i) => keys[i]!))).map(parse),
    saveMany: async (ids) => {
      const pipeline = redis.pipeline();
      for (const i of ids) pipeline.set(keys[i]!, JSON.stringify(sessions[i]), 'PX', PEER_TTL_MS);
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    },
    settle: done,
    close: async () => void (await redis.quit()),
  };
}

function rawCodecLib(url: string, prefix: string, data: PeerData): PeerLib {
  const redis = new Redis(url);
  const codec = new EntityCodec<PeerSessionData>(getEntityMetadata(PeerSession));
  const keys = data.keys.map((k) => `${prefix}:rawcodec:${k}`);
  const { sessions } = data;
  const decode = (i: number, raw: string | null): PeerSessionData | undefined => {
    if (raw === null) return undefined;
    const decoded = codec.decode(raw, keys[i]!);
    if (!decoded.ok) throw decoded.error;
    return decoded.value;
  };
  const encode = (i: number): string => codec.serialize(codec.validate(sessions[i], 'save'));
  return {
    name: 'rawCodec',
    get: async (i) => decode(i, await redis.get(keys[i]!)),
    save: (i) => redis.set(keys[i]!, encode(i), 'PX', PEER_TTL_MS),
    getMany: async (ids) => (await redis.mget(ids.map((i) => keys[i]!))).map((raw, j) => decode(ids[j]!, raw)),
    saveMany: async (ids) => {
      const pipeline = redis.pipeline();
      for (const i of ids) pipeline.set(keys[i]!, encode(i), 'PX', PEER_TTL_MS);
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    },
    settle: done,
    close: async () => void (await redis.quit()),
  };
}

type CacheormName = 'cacheorm' | 'cacheormAutoPipelining' | 'cacheormAsync' | 'cacheormIndex';

function cacheormLib(name: CacheormName, url: string, prefix: string, data: PeerData): PeerLib {
  const writes = name === 'cacheormAsync' ? 'async' : 'sync';
  const { hostname, port } = new URL(url);
  // Async writes have no backpressure: the throughput case queues all its writes at once, and on a slow
  // machine the last ones wait longer than the default commandTimeout (2 s). Off for that variant only.
  const cache: Cache =
    name === 'cacheormAsync'
      ? createCache({ redis: url, prefix: `${prefix}-async`, writes, commandTimeout: 0 })
      : name === 'cacheormAutoPipelining'
        ? createCache({ redis: { host: hostname, port: Number(port), enableAutoPipelining: true }, prefix })
        : createCache({ redis: url, prefix, writes });
  let failure: Error | undefined;
  cache.on('error', (err) => (failure ??= err));
  const repo = cache.getRepository(name === 'cacheormIndex' ? PeerSessionIdx : PeerSession);
  const { sessions, keyObjects } = data;
  const client = (cache.store as RedisStore).client;
  let started = 0; // entities handed to save (async writes: applied once stats().writes catches up)
  return {
    name,
    get: (i) => repo.get(keyObjects[i]!),
    save: (i) => {
      started++;
      return repo.save(sessions[i]!);
    },
    getMany: (ids) => repo.getMany(ids.map((i) => keyObjects[i]!)),
    saveMany: (ids) => {
      started += ids.length;
      return repo.save(ids.map((i) => sessions[i]!));
    },
    // Async writes: one connection answers in order, so each answered PING means the writes sent before
    // it were applied; stats().writes counts them once their replies have been handled.
    settle: async () => {
      for (let pings = 0; writes === 'async' && cache.stats().writes < started && !failure; pings++) {
        if (pings === 1000) throw new Error(`${name}: ${started - cache.stats().writes} async writes still not applied`);
        await client.ping();
      }
      if (failure) throw failure;
    },
    close: () => cache.close(),
  };
}

async function redisOmLib(url: string, prefix: string, data: PeerData): Promise<PeerLib> {
  const client = createClient({ url });
  await client.connect();
  const schema = new OmSchema(`${prefix}:om`, omSchemaDefinition, { dataStructure: 'HASH' });
  const repo = new OmRepository(schema, client);
  const { keys, omEntities } = data;
  return {
    name: 'redisOm',
    get: (i) => repo.fetch(keys[i]!),
    save: (i) => repo.save(keys[i]!, omEntities[i]!),
    getMany: (ids) => repo.fetch(ids.map((i) => keys[i]!)),
    saveMany: (ids) => Promise.all(ids.map((i) => repo.save(keys[i]!, omEntities[i]!))),
    settle: done,
    close: async () => void (await client.quit()),
  };
}

async function keyvLib(url: string, prefix: string, data: PeerData): Promise<PeerLib> {
  // throwOnErrors: a failing command must fail the benchmark, not quietly answer undefined.
  const keyv = createKeyv(url, { namespace: `${prefix}:keyv`, throwOnErrors: true });
  const { keys, sessions } = data;
  await keyv.get('warm-up-connection');
  return {
    name: 'keyv',
    get: (i) => keyv.get(keys[i]!),
    save: (i) => keyv.set(keys[i]!, sessions[i], PEER_TTL_MS),
    getMany: (ids) => keyv.getMany(ids.map((i) => keys[i]!)),
    saveMany: (ids) => keyv.setMany(ids.map((i) => ({ key: keys[i]!, value: sessions[i], ttl: PEER_TTL_MS }))),
    settle: done,
    close: () => keyv.disconnect(),
  };
}

function bentocacheLib(url: string, prefix: string, data: PeerData): PeerLib {
  const { hostname, port } = new URL(url);
  const driver = redisDriver({ connection: { host: hostname, port: Number(port) } });
  const bento = new BentoCache({ default: 'redis', stores: { redis: bentostore({ prefix: `${prefix}:bento` }).useL2Layer(driver) } });
  const { keys, sessions } = data;
  const get = (i: number) => bento.get({ key: keys[i]! });
  const save = (i: number) => bento.set({ key: keys[i]!, value: sessions[i], ttl: PEER_TTL_MS });
  return {
    name: 'bentocache',
    get,
    save,
    getMany: (ids) => Promise.all(ids.map(get)),
    saveMany: (ids) => Promise.all(ids.map(save)),
    settle: done,
    close: () => bento.disconnectAll(),
  };
}

/** Opens every library in `names` against `url`, keys under `prefix`. */
export async function openPeerLibs(url: string, prefix: string, data: PeerData, names: readonly LibName[] = LIB_NAMES): Promise<PeerLib[]> {
  const libs: PeerLib[] = [];
  try {
    for (const name of names) {
      if (name === 'raw' || name === 'rawAutoPipelining') libs.push(rawLib(name, url, prefix, data));
      else if (name === 'rawCodec') libs.push(rawCodecLib(url, prefix, data));
      else if (name === 'cacheorm' || name === 'cacheormAutoPipelining' || name === 'cacheormAsync' || name === 'cacheormIndex') libs.push(cacheormLib(name, url, prefix, data));
      else if (name === 'redisOm') libs.push(await redisOmLib(url, prefix, data));
      else if (name === 'keyv') libs.push(await keyvLib(url, prefix, data));
      else libs.push(bentocacheLib(url, prefix, data));
    }
  } catch (err) {
    await closePeerLibs(libs);
    throw err;
  }
  return libs;
}

export async function closePeerLibs(libs: readonly PeerLib[]): Promise<void> {
  await Promise.allSettled(libs.map((lib) => lib.close()));
}

/**
 * Checks that every library reads back what it wrote for entity `i` (the same email), so that a library
 * silently answering misses (e.g. after swallowing an error) cannot look fast.
 */
export async function checkReadBack(libs: readonly PeerLib[], data: PeerData, i: number): Promise<void> {
  const expected = data.sessions[i]!.email;
  for (const lib of libs) {
    const value = (await lib.get(i)) as { email?: unknown } | undefined;
    if (value?.email !== expected) throw new Error(`${lib.name} read back ${JSON.stringify(value)} for entity ${i}, expected email ${expected}`);
    const many = (await lib.getMany([i])) as ({ email?: unknown } | undefined)[];
    if (many[0]?.email !== expected) throw new Error(`${lib.name} getMany read back ${JSON.stringify(many[0])} for entity ${i}`);
  }
}

/** Installed versions of the libraries compared (from their package.json in node_modules). */
export function peerVersions(): Record<string, string> {
  const version = (name: string): string => {
    try {
      const file = join(BENCH_DIR, '..', 'node_modules', name, 'package.json');
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  return {
    ioredis: version('ioredis'),
    'redis-om': version('redis-om'),
    redis: version('redis'),
    keyv: version('keyv'),
    '@keyv/redis': version('@keyv/redis'),
    bentocache: version('bentocache'),
    superjson: version('superjson'),
    zod: version('zod'),
  };
}
