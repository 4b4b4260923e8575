/**
 * Starts and stops a real Redis Cluster for the tests: `masters` masters with `replicasPerMaster`
 * replicas each (default 3 + 3), every node a `redis-server --cluster-enabled yes` on free loopback
 * ports (client port and cluster bus port both chosen free, `--cluster-port`), joined with
 * `redis-cli --cluster create ... --cluster-replicas N --cluster-yes`. No Docker. Waits until every node
 * reports `cluster_state:ok`, agrees on who serves all 16384 slots, every replica's link is up, and an
 * ioredis `Cluster` sees every slot. `stop()` kills every node and removes their directories; a start
 * that fails stops what it started before throwing.
 */
import { execFile, spawnSync } from 'node:child_process';
import { Cluster, Redis } from 'ioredis';
import { freePort, startRedisServer, type RedisServerHandle } from './redis-server.js';

/** One node of a test cluster. */
export interface ClusterNodeHandle extends RedisServerHandle {
  /** The node's cluster bus port (`--cluster-port`). */
  busPort: number;
}

/** A running test cluster. */
export interface RedisClusterHandle {
  /** `redis://127.0.0.1:<port>` of every node, masters first (as created). */
  urls: string[];
  nodes: ClusterNodeHandle[];
  /** Kills every node and removes their directories. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisCluster}. */
export interface RedisClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  /** `--cluster-node-timeout` in ms (default 1000: a dead master is failed over within a few seconds). */
  nodeTimeoutMs?: number;
  /** Extra `redis-server` arguments for every node, e.g. `['--appendonly', 'yes']`. */
  args?: string[];
  /** How long to wait for the cluster to form (default 60 s). */
  timeoutMs?: number;
  /** Client and bus port of each node, `[client0, bus0, client1, bus1, ...]` (default: free ports, see {@link allocateClusterPorts}). */
  ports?: number[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function assertRedisCliInstalled(): void {
  const probe = spawnSync('redis-cli', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('redis-cli was not found on PATH. The cluster tests create their cluster with `redis-cli --cluster create`: install redis-tools (Debian/Ubuntu: `apt-get install -y redis-server`), or set REDIS_CLUSTER_URLS to a cluster the tests may use.');
  }
}

/**
 * Free loopback ports for a cluster of `nodes` nodes: a client port and a cluster bus port each, all
 * distinct, as `[client0, bus0, client1, bus1, ...]`.
 *
 * @example
 * const ports = await allocateClusterPorts(6); // give them to startRedisCluster({ ports }) later
 */
export async function allocateClusterPorts(nodes: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < nodes * 2) ports.add(await freePort());
  return [...ports];
}

/** The `redis://` URL of every node of a cluster started on `ports` (see {@link allocateClusterPorts}). */
export function clusterNodeUrls(ports: readonly number[]): string[] {
  return ports.filter((_, i) => i % 2 === 0).map((port) => `redis://127.0.0.1:${port}`);
}

function runRedisCli(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`redis-cli ${args.slice(0, 2).join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/**
 * Starts a cluster and waits until it is fully formed (see the module notes).
 *
 * @example
 * const cluster = await startRedisCluster();
 * const client = new Cluster(cluster.urls.map((url) => ({ host: '127.0.0.1', port: Number(new URL(url).port) })));
 * // ...
 * await cluster.stop();
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  assertRedisCliInstalled();
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const total = masters * (1 + replicas);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const nodes: ClusterNodeHandle[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    const ports = options.ports ?? (await allocateClusterPorts(total));
    if (ports.length !== total * 2) throw new Error(`startRedisCluster: ${total} nodes need ${total * 2} ports, got ${ports.length}.`);
    const started = await Promise.all(
      Array.from({ length: total }, async (_, i) => {
        const port = ports[2 * i]!;
        const busPort = ports[2 * i + 1]!;
        const server = await startRedisServer({
          port,
          args: [
            '--cluster-enabled', 'yes',
            '--cluster-port', String(busPort),
            '--cluster-config-file', `nodes-${port}.conf`,
            '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 1000),
            // Replicas sync at once (Redis 7 waits 5 s for more replicas to share a diskless sync), and a
            // master pings them every second: CLUSTER SLOTS lists a replica only once its replication
            // offset is not 0, which on an idle master takes one ping (10 s by default).
            '--repl-diskless-sync-delay', '0',
            '--repl-ping-replica-period', '1',
            ...(options.args ?? []),
          ],
        });
        return Object.assign(server, { busPort });
      }),
    );
    nodes.push(...started);
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await runRedisCli(['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'], timeoutMs);
    await waitUntilFormed(nodes, masters, total, Date.now() + timeoutMs);
    return { urls: nodes.map((node) => node.url), nodes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Whether every slot 0..16383 is covered by the ranges of a `CLUSTER SLOTS` reply, each with a replica when `replicas`. */
function coversAllSlots(reply: unknown, withReplica: boolean): boolean {
  const ranges = (reply as [number, number, ...unknown[]][]).map(([from, to, ...servers]) => ({ from, to, servers: servers.length }));
  ranges.sort((a, b) => a.from - b.from);
  let next = 0;
  for (const { from, to, servers } of ranges) {
    if (from !== next || (withReplica && servers < 2)) return false;
    next = to + 1;
  }
  return next === 16384;
}

/**
 * Polls until: every node says `cluster_state:ok` and `cluster_known_nodes` = `total`; `CLUSTER SLOTS`
 * on every node covers all slots (with a replica each); every replica's `master_link_status:up`; and an
 * ioredis Cluster client is ready with all slots known.
 */
async function waitUntilFormed(nodes: readonly RedisServerHandle[], masters: number, total: number, deadline: number): Promise<void> {
  const clients = nodes.map((node) => new Redis(node.url, { maxRetriesPerRequest: 1, lazyConnect: true }));
  let last = 'no answer yet';
  try {
    for (;;) {
      try {
        const states = await Promise.all(
          clients.map(async (client) => {
            const info = String(await client.call('CLUSTER', 'INFO'));
            const slots = await client.call('CLUSTER', 'SLOTS');
            const replication = String(await client.call('INFO', 'replication'));
            return {
              ok: /cluster_state:ok/.test(info) && new RegExp(`cluster_known_nodes:${total}\\b`).test(info),
              slots: coversAllSlots(slots, total > masters),
              linked: !/role:slave/.test(replication) || /master_link_status:up/.test(replication),
              master: /role:master/.test(replication),
            };
          }),
        );
        const masterCount = states.filter((s) => s.master).length;
        if (states.every((s) => s.ok && s.slots && s.linked) && masterCount === masters) break;
        last = `state ok: ${states.filter((s) => s.ok).length}/${total}, slots covered: ${states.filter((s) => s.slots).length}/${total}, replicas linked: ${states.filter((s) => s.linked).length}/${total}, masters: ${masterCount}`;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`The test cluster did not form in time (${last}).`);
      await sleep(50);
    }
  } finally {
    for (const client of clients) client.disconnect();
  }
  await waitForClusterClient(nodes[0]!.port, deadline);
}

/** Waits until an ioredis Cluster seeded with one node is ready and knows every slot. */
async function waitForClusterClient(port: number, deadline: number): Promise<void> {
  const cluster = new Cluster([{ host: '127.0.0.1', port }], { lazyConnect: true, slotsRefreshTimeout: 2000 });
  cluster.on('error', () => undefined);
  try {
    await cluster.connect();
    while (cluster.slots.filter(Boolean).length < 16384) {
      if (Date.now() > deadline) throw new Error('An ioredis Cluster client did not learn every slot of the test cluster in time.');
      await sleep(50);
    }
  } finally {
    cluster.disconnect();
  }
}

/**
 * Waits until `port`'s node reports `cluster_state:ok` (e.g. after a failover), up to `timeoutMs`.
 *
 * @example
 * await waitForClusterState(cluster.nodes[1]!.port, 'ok', 20_000);
 */
export async function waitForClusterState(port: number, state: 'ok' | 'fail', timeoutMs: number): Promise<void> {
  const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    while (!new RegExp(`cluster_state:${state}`).test(String(await client.call('CLUSTER', 'INFO')))) {
      if (Date.now() > deadline) throw new Error(`Node ${port} did not reach cluster_state:${state} within ${timeoutMs} ms.`);
      await sleep(50);
    }
  } finally {
    client.disconnect();
  }
}
