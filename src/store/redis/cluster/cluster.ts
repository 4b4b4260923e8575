/**
 * The connection side of Redis Cluster support: recognising an ioredis `Cluster` or a cluster
 * configuration, creating a cluster client with cacheorm's defaults, finding masters and the master of a
 * slot, waiting for readiness, quitting. @internal
 */
import { Cluster, type ClusterNode, type ClusterOptions, type Redis } from 'ioredis';
import { ConfigError, StoreError, StoreUnavailableError } from '../../../errors/index.js';
import { refuseKeyPrefix } from '../client.js';
import { clean, isWrite, toStoreFailure, type FailureContext, type RedisTarget } from '../errors.js';

/**
 * A Redis Cluster for cacheorm to create and own (it quits it on `close()`): a list of seed node URLs
 * (`redis://[[user]:password@]host:port`, `rediss://` for TLS; any few nodes, the others are discovered),
 * or `{ cluster: [...], clusterOptions? }` with ioredis `ClusterOptions` applied over cacheorm's defaults.
 *
 * @example
 * createCache({ redis: ['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000'] });
 * createCache({ redis: { cluster: process.env.CLUSTER_URLS!.split(','), clusterOptions: { scaleReads: 'master' } } });
 */
export type RedisClusterConfig =
  | readonly string[]
  | {
      /** Seed nodes: URLs or ioredis `ClusterNode`s (any few; the others are discovered). */
      cluster: readonly (string | ClusterNode)[];
      /** ioredis `ClusterOptions`, applied over cacheorm's defaults. */
      clusterOptions?: ClusterOptions;
    };

/**
 * The ioredis options cacheorm uses for a cluster it creates, under the ones you give:
 * - `maxRedirections: 16`, `retryDelayOnFailover: 100`, `retryDelayOnClusterDown: 100`,
 *   `retryDelayOnTryAgain: 100`: a command that meets a failover, a `CLUSTERDOWN` or a resharding is
 *   re-sent (with a slot refresh) for about 1.6 s before it fails, which covers a replica promotion with
 *   `cluster-node-timeout` around 1 s;
 * - `slotsRefreshTimeout: 2000`, `slotsRefreshInterval: 5000`: topology is re-read every 5 s and after
 *   every `MOVED`;
 * - `enableOfflineQueue: true`: commands sent before the cluster is ready wait for it (bounded by the
 *   cache's `commandTimeout`); `enableReadyCheck: true`;
 * - `clusterRetryStrategy`: reconnect after 100 ms doubling up to 2 s, forever;
 * - per node (`redisOptions`): `connectTimeout` and ioredis' `commandTimeout` from the store's
 *   `commandTimeout` (connect: at least 1 s), so no command waits forever on a frozen node.
 * No automatic pipelining: ioredis does not re-send a write command of an automatic pipeline that met
 * `MOVED`, which would let redirections reach callers during a failover.
 *
 * @example
 * new Cluster(nodes, clusterDefaults(2000));
 */
export function clusterDefaults(commandTimeoutMs: number): ClusterOptions {
  return {
    maxRedirections: 16,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: 2000,
    slotsRefreshInterval: 5000,
    enableOfflineQueue: true,
    enableReadyCheck: true,
    clusterRetryStrategy: (times: number) => Math.min(100 * 2 ** Math.max(0, times - 1), 2000),
    redisOptions: commandTimeoutMs > 0 ? { commandTimeout: commandTimeoutMs, connectTimeout: Math.max(commandTimeoutMs, 1000) } : {},
  };
}

/**
 * Whether `value` is an ioredis `Cluster` (duck-typed, so it works across duplicate copies of ioredis).
 *
 * @example
 * isClusterClient(new Cluster([{ host: '127.0.0.1', port: 7000 }], { lazyConnect: true })); // true
 */
export function isClusterClient(value: unknown): value is Cluster {
  const candidate = value as { isCluster?: unknown; nodes?: unknown } | null;
  return typeof candidate === 'object' && candidate !== null && candidate.isCluster === true && typeof candidate.nodes === 'function';
}

/**
 * Whether `value` asks for a cluster cacheorm creates: an array (of URLs), or an object with a `cluster` list.
 *
 * @example
 * isClusterConfig(['redis://127.0.0.1:7000']); // true
 */
export function isClusterConfig(value: unknown): value is RedisClusterConfig {
  if (Array.isArray(value)) return true;
  // (An ioredis client has a `cluster` method, the CLUSTER command: only a plain `cluster` property counts.)
  return typeof value === 'object' && value !== null && 'cluster' in value && typeof (value as { cluster: unknown }).cluster !== 'function';
}

/**
 * The cluster client of a store: the `Cluster` you passed (`owned: false`, never quit by cacheorm), or
 * one created from a {@link RedisClusterConfig} (`owned: true`).
 *
 * @throws ConfigError for an empty node list, a URL that is not `redis://host:port` / `rediss://host:port`,
 *   a URL with a database other than 0, nodes with different credentials or schemes, or `clusterOptions`
 *   together with a client.
 *
 * @example
 * const { client, owned } = openCluster(['redis://127.0.0.1:7000'], undefined, 2000); // owned: true
 */
export function openCluster(
  redis: Cluster | RedisClusterConfig,
  clusterOptions: ClusterOptions | undefined,
  commandTimeoutMs: number,
): { client: Cluster; owned: boolean } {
  if (isClusterClient(redis)) {
    if (clusterOptions) {
      throw new ConfigError('RedisStore option clusterOptions only applies to a cluster the store creates; configure the ioredis Cluster you pass instead.');
    }
    refuseKeyPrefix(redis.options?.keyPrefix || redis.options?.redisOptions?.keyPrefix, 'The ioredis Cluster you passed');
    return { client: redis, owned: false };
  }
  const list = Array.isArray(redis) ? redis : (redis as { cluster?: unknown }).cluster;
  const own = Array.isArray(redis) ? undefined : (redis as { clusterOptions?: ClusterOptions }).clusterOptions;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigError('A Redis Cluster needs at least one node: pass a list such as ["redis://10.0.0.1:7000", "redis://10.0.0.2:7000"].');
  }
  const nodes: ClusterNode[] = [];
  const credentials = new Set<string>();
  let tls = false;
  for (const [position, entry] of (list as unknown[]).entries()) {
    if (typeof entry !== 'string') {
      nodes.push(entry as ClusterNode);
      continue;
    }
    const node = parseNodeUrl(entry, position);
    nodes.push({ host: node.host, port: node.port });
    credentials.add(JSON.stringify([node.username, node.password, node.tls]));
    tls = node.tls;
  }
  if (credentials.size > 1) {
    throw new ConfigError('The Redis Cluster URLs use different credentials or schemes. Every node of a cluster shares them: use the same user, password and redis:// or rediss:// in each URL.');
  }
  const [username, password] = credentials.size === 1 ? (JSON.parse([...credentials][0]!) as [string, string, boolean]) : ['', ''];
  const defaults = clusterDefaults(commandTimeoutMs);
  const options: ClusterOptions = { ...defaults, ...own, ...clusterOptions };
  refuseKeyPrefix(options.keyPrefix || own?.redisOptions?.keyPrefix || clusterOptions?.redisOptions?.keyPrefix, 'The cluster options');
  options.redisOptions = {
    ...defaults.redisOptions,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(tls ? { tls: {} } : {}),
    ...own?.redisOptions,
    ...clusterOptions?.redisOptions,
  };
  return { client: new Cluster(nodes, options), owned: true };
}

function parseNodeUrl(text: string, position: number): { host: string; port: number; username: string; password: string; tls: boolean } {
  let url: URL | undefined;
  try {
    url = /^rediss?:\/\//i.test(text) ? new URL(text) : undefined;
  } catch {
    url = undefined;
  }
  const malformed = () =>
    new ConfigError(
      `The Redis Cluster node URL at position ${position} of the list is malformed. Use redis://[[username]:password@]host:port (rediss:// for TLS), one per node.`,
    );
  if (url === undefined || url.hostname === '') throw malformed();
  if (url.pathname !== '' && url.pathname !== '/' && url.pathname !== '/0') {
    throw new ConfigError('A Redis Cluster has only database 0: remove the /<db> from the cluster node URLs.');
  }
  const port = url.port === '' ? 6379 : Number(url.port);
  let username: string;
  let password: string;
  try {
    username = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
  } catch {
    throw malformed(); // a bad %-escape in the credentials: URIError, not a configuration message
  }
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port, username, password, tls: url.protocol.toLowerCase() === 'rediss:' };
}

/**
 * `host:port` of a node connection (the form ioredis uses in `cluster.slots`).
 *
 * @example
 * cluster.nodes('master').map(nodeAddress); // ['127.0.0.1:7000', '127.0.0.1:7001', '127.0.0.1:7002']
 */
export function nodeAddress(node: Redis): string {
  return `${node.options.host ?? 'localhost'}:${node.options.port ?? 6379}`;
}

/**
 * How a cluster appears in messages: its masters (or seed nodes before it connected), never credentials.
 *
 * @example
 * clusterTarget(cluster, () => lastError); // { address: 'Redis Cluster 127.0.0.1:7000, 127.0.0.1:7001, 127.0.0.1:7002', ... }
 */
export function clusterTarget(cluster: Cluster, lastError: () => string | undefined): RedisTarget {
  const password = cluster.options.redisOptions?.password;
  return {
    get address() {
      const masters = cluster.nodes('master').map(nodeAddress);
      const nodes = masters.length > 0 ? masters : seedAddresses(cluster);
      const shown = nodes.slice(0, 3).join(', ');
      return `Redis Cluster ${shown}${nodes.length > 3 ? ` (+${nodes.length - 3} more)` : ''}`;
    },
    secret: typeof password === 'string' ? password : undefined,
    lastConnectionError: lastError,
  };
}

function seedAddresses(cluster: Cluster): string[] {
  const seeds = (cluster as unknown as { startupNodes?: unknown[] }).startupNodes ?? [];
  return seeds.map((seed) => {
    if (typeof seed === 'object' && seed !== null) {
      const { host, port } = seed as { host?: string; port?: number };
      return `${host ?? 'localhost'}:${port ?? 6379}`;
    }
    return String(seed);
  });
}

/**
 * Resolves once `cluster` is ready (connecting it if it was created with `lazyConnect`), or rejects with
 * {@link StoreUnavailableError} when it ended or did not get ready within `timeoutMs`.
 *
 * @example
 * await clusterReady(cluster, 'SCAN', target, 2000);
 */
export async function clusterReady(cluster: Cluster, command: string, target: RedisTarget, timeoutMs: number): Promise<void> {
  if (cluster.status === 'ready') return;
  const unavailable = (reason: string) =>
    new StoreUnavailableError(
      `The ${target.address} is not ready (${reason}) for ${command}. Check that its nodes are running and reachable from this process.`,
      { command, operation: command },
    );
  if (cluster.status === 'end') throw unavailable('the client was closed');
  if (cluster.status === 'wait') cluster.connect().catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      cluster.off('ready', onReady);
      cluster.off('end', onEnd);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => done();
    const onEnd = () => done(unavailable('the client was closed'));
    const timer = setTimeout(() => done(unavailable(target.lastConnectionError?.() ?? `not ready within ${timeoutMs} ms`)), timeoutMs);
    cluster.once('ready', onReady);
    cluster.once('end', onEnd);
  });
}

/**
 * The master currently serving `slot`, by the client's slot map (`undefined` while it does not know it).
 *
 * @example
 * const node = masterOfSlot(cluster, keySlot('app:session:{acme}:1'));
 */
export function masterOfSlot(cluster: Cluster, slot: number): Redis | undefined {
  const address = cluster.slots[slot]?.[0];
  return address === undefined ? undefined : cluster.nodes('master').find((node) => nodeAddress(node) === address);
}

/**
 * A fingerprint of which master serves which slots: changes when a failover or a resharding changes the
 * topology the client knows.
 *
 * @example
 * const before = topologyOf(cluster); // ... later: topologyOf(cluster) !== before → the topology changed
 */
export function topologyOf(cluster: Cluster): string {
  const parts: string[] = [];
  let previous: string | undefined;
  for (let slot = 0; slot < cluster.slots.length; slot++) {
    const master = cluster.slots[slot]?.[0];
    if (master !== previous) parts.push(`${slot}:${master ?? '-'}`);
    previous = master;
  }
  return parts.join(',');
}

const GAVE_UP = /^Too many Cluster redirections\. Last error: (?:\w*Error: )?([\s\S]*)$/;

/**
 * Like `toStoreFailure`, with a clearer message when ioredis gave up re-sending a command (`Too many
 * Cluster redirections`): during a failover, the master of the slot stayed unreachable or the cluster
 * stayed down (`CLUSTERDOWN`) for the whole retry budget.
 *
 * @example
 * throw toClusterFailure(err, { command: 'SET', key, target });
 */
export function toClusterFailure(err: unknown, context: FailureContext): StoreError | StoreUnavailableError {
  const mapped = toStoreFailure(err, context);
  const gaveUp = typeof (err as Error | undefined)?.message === 'string' ? GAVE_UP.exec((err as Error).message) : null;
  if (gaveUp === null || !(mapped instanceof StoreUnavailableError)) return mapped;
  const last = clean(gaveUp[1]!.trim(), context.target).replace(/\.+$/, '');
  const unknown =
    isWrite(context) && !/^(CLUSTERDOWN|MOVED|ASK|TRYAGAIN)\b/.test(last)
      ? ' The outcome of this write is unknown: it may have been applied before the connection failed, so re-read or rewrite the entry.'
      : '';
  return new StoreUnavailableError(
    `The ${context.target.address} could not serve ${context.command}: the master of its slot stayed unreachable, or the cluster ` +
      `stayed down, while the client retried (last error: ${last}). Retry in a moment: when a master fails, Redis Cluster promotes ` +
      `its replica within about cluster-node-timeout plus a second.${context.note ? ` ${context.note}` : ''}${unknown}`,
    { command: context.command, operation: context.command, ...(context.key === undefined ? {} : { key: context.key }) },
    { cause: mapped.cause },
  );
}
