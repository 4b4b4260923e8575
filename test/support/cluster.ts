/**
 * The run's shared Redis Cluster, for the tests: started in the background by the global setup (see
 * `cluster-setup.ts`), so runs that do not use it do not wait for it, and awaited by the tests that do
 * (`clusterUrls()`). `REDIS_CLUSTER_URLS=redis://host:port,...` points the tests at a cluster of yours
 * instead (they only touch keys under random prefixes and never flush it).
 */
import { readFileSync } from 'node:fs';
import { Cluster } from 'ioredis';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Node URLs of the run's Redis Cluster. */
    clusterUrls: string[];
    /** File the global setup writes `ok` or `error: ...` to once the cluster is formed ('' for REDIS_CLUSTER_URLS). */
    clusterStatusFile: string;
  }
}

/**
 * The URLs of the run's cluster, once it is formed (waits up to `timeoutMs`); throws the setup's error
 * when it could not be formed.
 *
 * @example
 * beforeAll(async () => { urls = await clusterUrls(); }, 90_000);
 */
export async function clusterUrls(timeoutMs = 90_000): Promise<string[]> {
  const urls = inject('clusterUrls');
  const file = inject('clusterStatusFile');
  if (file === '') return urls;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let status = '';
    try {
      status = readFileSync(file, 'utf8');
    } catch {
      // not written yet
    }
    if (status === 'ok') return urls;
    if (status.startsWith('error: ')) throw new Error(`The test Redis Cluster could not be started: ${status.slice(7)}`);
    if (Date.now() > deadline) throw new Error(`The test Redis Cluster was not formed within ${timeoutMs} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `{ host, port }` of each `redis://host:port` URL. */
export function clusterNodes(urls: readonly string[]): { host: string; port: number }[] {
  return urls.map((url) => {
    const { hostname, port } = new URL(url);
    return { host: hostname, port: Number(port) };
  });
}

/** An ioredis Cluster client to `urls` (quit it when done). */
export function openTestCluster(urls: readonly string[]): Cluster {
  return new Cluster(clusterNodes(urls), { redisOptions: { maxRetriesPerRequest: 1 } });
}

/** Deletes every key matching `prefix:*` on every master (tests never FLUSH a shared cluster). */
export async function dropClusterPrefix(cluster: Cluster, prefix: string): Promise<void> {
  for (const node of cluster.nodes('master')) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) await cluster.unlink(key);
    } while (cursor !== '0');
  }
}
