/**
 * What changes a cluster under a running cache, on a dedicated cluster (3 masters, 3 replicas,
 * cluster-node-timeout 1000 ms): a master refusing writes (OOM) in the middle of a multi-slot batch, a
 * manual failover in the middle of a scan, and a master killed under load.
 *
 * Failover under load:
 * a steady stream of writes through a repository (~300/s, distinct keys over every slot), then
 * `kill -9` of one master. Redis Cluster promotes its replica; the same cache keeps serving without a
 * restart, and the test prints how long writes failed, with which errors, and whether any acknowledged
 * write went missing. Run once with plain writes (Redis replicates asynchronously, so a write
 * acknowledged just before the kill may be lost: measured, not hidden), and once with the `durability`
 * option (`WAIT 1`), where every acknowledged write must survive.
 */
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CacheOrmError, createCache, defineEntity, RedisStore, StoreError, StoreUnavailableError, type Cache } from 'cacheorm';
import { keySlot } from '../../../../src/store/redis/cluster/slots.js';
import { clusterNodes } from '../../../support/cluster.js';
import { startRedisCluster, waitForClusterState, type ClusterNodeHandle, type RedisClusterHandle } from '../../../support/redis-cluster.js';
import { uniquePrefix } from '../../../support/redis.js';

const Event = defineEntity({
  name: 'event',
  key: ['id'],
  schema: z.object({ id: z.int(), payload: z.string() }),
  ttl: '10m',
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface WriteRecord {
  id: number;
  start: number;
  end: number;
  error?: { name: string; code: string; message: string };
}

interface Outcome {
  records: WriteRecord[];
  killedAt: number;
  promotedAt: number;
  /** When the cluster was whole again (promoted, `cluster_state:ok`, and what `afterPromotion` waited for). */
  settledAt: number;
}

/** `CLUSTER NODES` of a node: `{ id, port, role, masterId }` per line. */
async function clusterLayout(port: number): Promise<{ id: string; port: number; master: boolean; masterId: string }[]> {
  const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  try {
    const text = String(await client.call('CLUSTER', 'NODES'));
    return text.trim().split('\n').map((line) => {
      const [id, address, flags, masterId] = line.split(' ');
      return { id: id!, port: Number(/:(\d+)@/.exec(address!)![1]), master: /master/.test(flags!), masterId: masterId! };
    });
  } finally {
    client.disconnect();
  }
}

/** The port each live node's `CLUSTER SLOTS` names as the master of `slot` (gossip may lag on some). */
async function ownersOf(slot: number, ports: readonly number[]): Promise<(number | undefined)[]> {
  return Promise.all(
    ports.map(async (port) => {
      const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
      try {
        const ranges = (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
        return ranges.find(([from, to]) => slot >= from && slot <= to)?.[2][1];
      } finally {
        client.disconnect();
      }
    }),
  );
}

/** `master`, `slave`, or `slave (linked)` once its replication link is up. */
async function role(port: number): Promise<string> {
  const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  try {
    const info = String(await client.call('INFO', 'replication'));
    const name = /role:(\w+)/.exec(info)![1]!;
    return name === 'slave' && /master_link_status:up/.test(info) ? 'slave (linked)' : name;
  } finally {
    client.disconnect();
  }
}

/** Restarts a killed node and waits until it is a linked replica again. */
async function rejoin(node: ClusterNodeHandle): Promise<void> {
  await node.restart();
  const deadline = Date.now() + 30_000;
  while ((await role(node.port)) !== 'slave (linked)') {
    if (Date.now() > deadline) throw new Error(`node ${node.port} did not rejoin as a linked replica within 30 s`);
    await sleep(50);
  }
}

/**
 * Writes ~300 distinct entities a second through `cache`; after 1.5 s kills `victim`, waits for
 * `replica` to become master and the cluster to be `ok`, runs `afterPromotion` (still writing), keeps
 * writing 3 s more, and answers every write's outcome.
 */
async function writeThroughFailover(
  cache: Cache,
  victim: ClusterNodeHandle,
  replica: number,
  survivor: number,
  afterPromotion: () => Promise<void> = async () => undefined,
): Promise<Outcome> {
  const repo = cache.getRepository(Event);
  const records: WriteRecord[] = [];
  const pending = new Set<Promise<void>>();
  let running = true;
  let id = 0;
  const load = (async () => {
    while (running) {
      for (let i = 0; i < 3; i++) {
        const record: WriteRecord = { id: id++, start: Date.now(), end: 0 };
        records.push(record);
        const write = repo.save({ id: record.id, payload: `event ${record.id}` }).then(
          () => void (record.end = Date.now()),
          (err: unknown) => {
            record.end = Date.now();
            const e = err as CacheOrmError;
            record.error = { name: e.name, code: e.code, message: e.message };
          },
        );
        pending.add(write);
        void write.finally(() => pending.delete(write));
      }
      await sleep(10);
    }
  })();
  await sleep(1500);
  const killedAt = Date.now();
  await victim.kill();
  const deadline = killedAt + 30_000;
  while ((await role(replica)) !== 'master') {
    if (Date.now() > deadline) throw new Error('the replica was not promoted within 30 s');
    await sleep(20);
  }
  const promotedAt = Date.now();
  await waitForClusterState(survivor, 'ok', 30_000);
  await afterPromotion();
  const settledAt = Date.now();
  await sleep(3000); // keep writing after the promotion: the cache must serve without a restart
  running = false;
  await load;
  await Promise.all([...pending]);
  return { records, killedAt, promotedAt, settledAt };
}

/** The failover figures of an outcome, printed by the test and checked by it. */
function summarize(label: string, { records, killedAt, promotedAt, settledAt }: Outcome) {
  const failed = records.filter((r) => r.error);
  const errors = new Map<string, number>();
  for (const r of failed) {
    const kind = `${r.error!.name} ${r.error!.code}: ${r.error!.message.replace(/(\d+\.){3}\d+:\d+(, )?/g, '').slice(0, 200)}`;
    errors.set(kind, (errors.get(kind) ?? 0) + 1);
  }
  const firstFailure = failed.length ? Math.min(...failed.map((r) => r.start)) : undefined;
  const lastFailure = failed.length ? Math.max(...failed.map((r) => r.end)) : undefined;
  const figures = {
    writes: records.length,
    acknowledged: records.length - failed.length,
    failed: failed.length,
    failureWindowMs: firstFailure === undefined ? 0 : lastFailure! - firstFailure,
    killToPromotionMs: promotedAt - killedAt,
    killToSettledMs: settledAt - killedAt,
    killToLastFailureMs: lastFailure === undefined ? 0 : lastFailure - killedAt,
    slowestWriteMs: Math.max(...records.map((r) => r.end - r.start)),
    errors: Object.fromEntries(errors),
  };
  console.log(`[failover: ${label}]`, JSON.stringify(figures, null, 2));
  return figures;
}

describe('Redis Cluster failover under write load', () => {
  let cluster: RedisClusterHandle;

  beforeAll(async () => {
    cluster = await startRedisCluster({ nodeTimeoutMs: 1000 });
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('applies a batch over several slots slot by slot: a slot Redis refuses fails the call, which says what was applied', async () => {
    const store = new RedisStore<Cluster>(cluster.urls);
    const p = uniquePrefix('oom');
    const keys = Array.from({ length: 60 }, (_, i) => `${p}:${i}`);
    await store.write([{ key: `${p}:warm`, value: 'v', ttl: 1000 }]);
    const refusing = store.client.slots[keySlot(keys[0]!)]![0]!;
    const master = new Redis(Number(refusing.split(':')[1]), '127.0.0.1');
    try {
      await master.config('SET', 'maxmemory', '1');
      const error = await store.write(keys.map((key) => ({ key, value: 'v', ttl: 60_000 }))).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).redisMessage).toMatch(/^OOM/);
      const refused = keys.filter((key) => store.client.slots[keySlot(key)]![0] === refusing);
      const slots = new Set(keys.map(keySlot)).size;
      const refusedSlots = new Set(refused.map(keySlot)).size;
      expect((error as Error).message).toContain(
        `The batch spans ${slots} hash slots of the cluster, applied slot by slot (each atomically): ${slots - refusedSlots} slot(s) were applied, ${refusedSlots} failed.`,
      );
      const values = await store.mget(keys);
      keys.forEach((key, i) => expect(values[i]).toBe(refused.includes(key) ? null : 'v'));
    } finally {
      await master.config('SET', 'maxmemory', '0');
      master.disconnect();
      await store.close();
    }
  });

  it('starts a scan over when the topology changes under it (manual failover), so it still yields every key', async () => {
    const client = new Cluster(clusterNodes(cluster.urls));
    const store = new RedisStore(client);
    const p = uniquePrefix('moving');
    const keys = Array.from({ length: 300 }, (_, i) => `${p}:${i}`);
    try {
      await store.write(keys.map((key) => ({ key, value: 'v', ttl: 60_000 })));
      const yielded: string[] = [];
      const pages = store.scan(`${p}:*`, { count: 20 })[Symbol.asyncIterator]();
      const first = await pages.next();
      yielded.push(...(first.value as string[]));
      // Fail over one master by hand (no data lost), and let the client learn the new slot owner.
      const layout = await clusterLayout(cluster.nodes[0]!.port);
      const replica = layout.find((n) => !n.master)!;
      const oldMaster = layout.find((n) => n.id === replica.masterId)!;
      const moved = keys.find((key) => store.client.slots[keySlot(key)]![0] === `127.0.0.1:${oldMaster.port}`)!;
      const promoting = new Redis(replica.port, '127.0.0.1');
      await promoting.call('CLUSTER', 'FAILOVER');
      promoting.disconnect();
      while ((await role(replica.port)) !== 'master') await sleep(20);
      // Every node must agree first: a client refreshing its slots from a node whose gossip lags would
      // go back to the old map, and the scan would (rightly) see no change to start over for.
      const ports = cluster.nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null).map((n) => n.port);
      while (!(await ownersOf(keySlot(moved), ports)).every((port) => port === replica.port)) await sleep(50);
      // The client still routes by the old slot map: the MGETs it pipelines to the old master come back
      // MOVED, and are re-sent one by one to the new owners.
      expect(await store.mget(keys)).toEqual(keys.map(() => 'v'));
      while (store.client.slots[keySlot(moved)]![0] !== `127.0.0.1:${replica.port}`) {
        await store.get(moved); // MOVED: the client refreshes its slots
        await sleep(20);
      }
      for (let next = await pages.next(); !next.done; next = await pages.next()) yielded.push(...next.value);
      expect(new Set(yielded)).toEqual(new Set(keys));
      expect(yielded.length).toBeGreaterThan(keys.length); // it started over: keys of the first pass came again
    } finally {
      await store.unlink(keys);
      client.disconnect();
    }
  });

  /** A master that still has a replica, that replica's port, and another live master's port. */
  async function pickVictim(): Promise<{ victim: ClusterNodeHandle; replica: number; survivor: number }> {
    const live = cluster.nodes.filter((node) => node.process.exitCode === null && node.process.signalCode === null);
    const layout = await clusterLayout(live[0]!.port);
    for (const master of layout.filter((n) => n.master)) {
      const replica = layout.find((n) => !n.master && n.masterId === master.id);
      const victim = live.find((node) => node.port === master.port);
      const survivor = layout.find((n) => n.master && n.port !== master.port && live.some((node) => node.port === n.port));
      if (replica && victim && survivor && live.some((node) => node.port === replica.port)) return { victim, replica: replica.port, survivor: survivor.port };
    }
    throw new Error('no master with a live replica');
  }

  /** Every acknowledged write of `outcome`, read back through `cache`: the ids that are missing. */
  async function missingAcknowledged(cache: Cache, outcome: Outcome): Promise<number[]> {
    const acknowledged = outcome.records.filter((r) => !r.error).map((r) => r.id);
    const repo = cache.getRepository(Event);
    const found = await repo.getMany(acknowledged.map((id) => ({ id })));
    found.forEach((event, i) => {
      if (event !== undefined) expect(event).toEqual({ id: acknowledged[i], payload: `event ${acknowledged[i]}` });
    });
    return acknowledged.filter((_, i) => found[i] === undefined);
  }

  it('keeps serving through a master kill; failures are StoreUnavailableError (plain writes: loss is measured)', async () => {
    const { victim, replica, survivor } = await pickVictim();
    const cache = createCache({ redis: cluster.urls, prefix: uniquePrefix('failover') });
    try {
      const outcome = await writeThroughFailover(cache, victim, replica, survivor);
      const figures = summarize('plain writes', outcome);
      const lost = await missingAcknowledged(cache, outcome);
      console.log(`[failover: plain writes] acknowledged writes missing after the failover: ${lost.length}${lost.length ? ` (ids ${lost.slice(0, 10).join(', ')})` : ''}`);
      for (const r of outcome.records.filter((rec) => rec.error)) expect(r.error!.code).toBe('E_STORE_UNAVAILABLE');
      // Serving again without a restart: every write started 2 s after the promotion succeeded.
      const tail = outcome.records.filter((r) => r.start > outcome.promotedAt + 2000);
      expect(tail.length).toBeGreaterThan(100);
      expect(tail.every((r) => !r.error)).toBe(true);
      expect(figures.acknowledged).toBeGreaterThan(figures.writes / 2);
    } finally {
      await cache.close();
    }
    // The killed master comes back as a replica of the one promoted in its place.
    await rejoin(victim);
  }, 90_000);

  it('with durability { replicas: 1 }, every acknowledged write survives the failover', async () => {
    // Wait until every master has a linked replica again (the node killed above resynced).
    const { victim, replica, survivor } = await pickVictim();
    const store = new RedisStore(cluster.urls, { durability: { replicas: 1, timeoutMs: 500 } });
    const cache = createCache({ store, prefix: uniquePrefix('durable') });
    try {
      // The promoted master has no replica until the killed node rejoins: its writes cannot be confirmed
      // (and fail) until then.
      const outcome = await writeThroughFailover(cache, victim, replica, survivor, () => rejoin(victim));
      summarize('durability replicas: 1', outcome);
      const lost = await missingAcknowledged(cache, outcome);
      console.log(`[failover: durability replicas: 1] acknowledged writes missing after the failover: ${lost.length}`);
      expect(lost).toEqual([]);
      for (const r of outcome.records.filter((rec) => rec.error)) expect(r.error!.code).toBe('E_STORE_UNAVAILABLE');
      const tail = outcome.records.filter((r) => r.start > outcome.settledAt + 1000);
      expect(tail.length).toBeGreaterThan(100);
      expect(tail.every((r) => !r.error)).toBe(true);
    } finally {
      await cache.close();
      await store.close();
    }
  }, 90_000);

  it('durability: a write no replica confirms in time fails with StoreUnavailableError', async () => {
    const urls = cluster.urls.filter((_, i) => cluster.nodes[i]!.process.exitCode === null && cluster.nodes[i]!.process.signalCode === null);
    const store = new RedisStore(urls, { durability: { replicas: 1, timeoutMs: 200 } });
    const cache = createCache({ store, prefix: uniquePrefix('unconfirmed') });
    const { replica } = await pickVictim();
    const frozen = cluster.nodes.find((node) => node.port === replica)!;
    try {
      const repo = cache.getRepository(Event);
      await repo.save({ id: 1, payload: 'warm-up' });
      frozen.pause();
      const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => repo.save({ id: 100 + i, payload: 'x' })));
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error);
      expect(failures.length).toBeGreaterThan(0); // the frozen replica's master serves about a third of the slots
      expect(failures.length).toBeLessThan(30);
      for (const error of failures) {
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect(error.message).toMatch(/only 0 of the 1 replica\(s\) the durability option asks for confirmed it within 200 ms/);
      }
    } finally {
      frozen.resume();
      await cache.close();
      await store.close();
    }
  }, 30_000);
});
