/**
 * The command's connection to Redis: one standalone server, or a Redis Cluster (several `--redis` URLs,
 * or one URL whose server reports `cluster_enabled:1`). Built on the library's own client and cluster
 * helpers (`store/redis-client.ts`, `store/redis-cluster.ts`); every command runs against the list of
 * nodes to walk (the server, or every master), and error texts go through the credential redaction.
 */
import type { Cluster, Redis } from 'ioredis';
import { redactCredentials, redactSecret } from '../errors/redact.js';
import { StoreUnavailableError } from '../errors/index.js';
import { openClient, quitClient } from '../store/redis/client.js';
import { clusterReady, clusterTarget, nodeAddress, openCluster } from '../store/redis/cluster/cluster.js';

/** How long a command waits for a connection or a reply (ms). */
const TIMEOUT_MS = 30_000;
/** Connection attempts before giving up. */
const CONNECT_ATTEMPTS = 3;

/**
 * An open connection of the command line.
 *
 * @example
 * const conn = await connect(['redis://localhost:6379']);
 * for (const node of conn.nodes) await node.dbsize();
 * await conn.close();
 */
export interface Connection {
  /** `'standalone'` or `'cluster'`. */
  readonly mode: 'standalone' | 'cluster';
  /** The client: a `Redis`, or a `Cluster` that routes each command to its slot's master. */
  readonly client: Redis | Cluster;
  /** The nodes holding keys: the server, or every master of the cluster. */
  readonly nodes: readonly Redis[];
  /** How the target appears in output: addresses, never a password. */
  readonly target: string;
  /** Removes the URLs' passwords from a text (error messages). */
  clean(text: string): string;
  /**
   * Sends `commands` (each `[name, ...args]`, all read-only for `inspect`) and answers each reply or its
   * error: one pipeline on a standalone server; on a cluster, each command routed to its key's master.
   */
  send(commands: readonly (readonly string[])[]): Promise<unknown[]>;
  /** Quits the connection. */
  close(): Promise<void>;
}

/**
 * Opens a connection to `urls` (one standalone server, or the nodes of a cluster).
 *
 * @throws StoreUnavailableError when Redis cannot be reached (message without credentials).
 * @throws ConfigError for a malformed URL.
 *
 * @example
 * const conn = await connect(['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000']); // conn.mode === 'cluster'
 */
export async function connect(urls: readonly string[]): Promise<Connection> {
  const secrets = urls.map((url) => passwordOf(url));
  const clean = (text: string): string => secrets.reduce<string>((out, secret) => redactSecret(out, secret), redactCredentials(text));
  if (urls.length === 1) {
    const client = await openStandalone(urls[0]!, clean);
    const info = await client.info('cluster').catch(() => '');
    if (!/^cluster_enabled:1\b/m.test(info)) return standalone(client, clean(redactCredentials(urls[0]!)), clean);
    await quitClient(client, 2000);
  }
  return openClusterConnection(urls, clean);
}

async function openStandalone(url: string, clean: (text: string) => string): Promise<Redis> {
  const { client } = openClient(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: TIMEOUT_MS,
    commandTimeout: TIMEOUT_MS,
    retryStrategy: (times: number) => (times >= CONNECT_ATTEMPTS ? null : 200 * times),
  });
  let lastError = '';
  client.on('error', (error: Error) => (lastError = error.message));
  try {
    await client.connect();
    return client;
  } catch (cause) {
    client.disconnect();
    const reason = clean(lastError || (cause as Error).message);
    throw new StoreUnavailableError(
      `Could not connect to ${clean(url)}: ${reason}. Check the --redis URL and that the server is reachable from here.`,
      { command: 'CONNECT', operation: 'connect' },
    );
  }
}

function standalone(client: Redis, target: string, clean: (text: string) => string): Connection {
  return {
    mode: 'standalone',
    client,
    nodes: [client],
    target,
    clean,
    async send(commands) {
      if (commands.length === 0) return [];
      const pipeline = client.pipeline();
      for (const [name, ...args] of commands) pipeline.call(name!, ...args);
      const results = (await pipeline.exec()) ?? [];
      return results.map(([error, reply]) => error ?? reply);
    },
    close: () => quitClient(client, 2000),
  };
}

async function openClusterConnection(urls: readonly string[], clean: (text: string) => string): Promise<Connection> {
  const { client } = openCluster(
    urls,
    {
      clusterRetryStrategy: (times: number) => (times >= CONNECT_ATTEMPTS ? null : 200 * times),
      redisOptions: { maxRetriesPerRequest: 1 },
    },
    TIMEOUT_MS,
  );
  let lastError: string | undefined;
  client.on('error', (error: Error) => (lastError = clean(error.message)));
  const target = clusterTarget(client, () => lastError);
  try {
    await clusterReady(client, 'SCAN', target, TIMEOUT_MS);
  } catch (cause) {
    client.disconnect();
    throw new StoreUnavailableError(
      `Could not connect to the Redis Cluster at ${urls.map(clean).join(', ')}: ${clean((cause as Error).message)}`,
      { command: 'CONNECT', operation: 'connect' },
    );
  }
  const nodes = client.nodes('master');
  return {
    mode: 'cluster',
    client,
    nodes,
    target: `Redis Cluster ${nodes.map(nodeAddress).join(', ')}`,
    clean,
    send: (commands) => Promise.all(commands.map(([name, ...args]) => client.call(name!, ...args).catch((error: unknown) => error))),
    close: () => quitClient(client, 2000),
  };
}

function passwordOf(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? undefined : password;
  } catch {
    return undefined;
  }
}

/**
 * Sends `commands` to one node in one pipeline and answers each reply or its error (for keys a `SCAN`
 * of that node listed).
 *
 * @example
 * const [ttl, bytes] = await onNode(node, [['PTTL', key], ['MEMORY', 'USAGE', key]]);
 */
export async function onNode(node: Redis, commands: readonly (readonly string[])[]): Promise<unknown[]> {
  if (commands.length === 0) return [];
  const pipeline = node.pipeline();
  for (const [name, ...args] of commands) pipeline.call(name!, ...args);
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, reply]) => error ?? reply);
}
