/**
 * Global setup side of the run's shared Redis Cluster (see `cluster.ts` for the tests' side): provides
 * its URLs at once and forms it in the background, writing `ok` or `error: ...` to a status file the
 * tests wait on.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { allocateClusterPorts, clusterNodeUrls, startRedisCluster, type RedisClusterHandle } from './redis-cluster.js';
import type {} from './cluster.js'; // its ProvidedContext keys (types only: no vitest runtime in the global setup)

let starting: Promise<RedisClusterHandle | undefined> | undefined;
let statusDir: string | undefined;

/** Global setup: provides the cluster's URLs at once and forms it in the background. */
export async function startSharedCluster(project: TestProject): Promise<void> {
  const external = process.env.REDIS_CLUSTER_URLS;
  if (external) {
    project.provide('clusterUrls', external.split(',').map((url) => url.trim()).filter(Boolean));
    project.provide('clusterStatusFile', '');
    return;
  }
  const ports = await allocateClusterPorts(6);
  statusDir = mkdtempSync(join(tmpdir(), 'cacheorm-cluster-status-'));
  const statusFile = join(statusDir, 'status');
  project.provide('clusterUrls', clusterNodeUrls(ports));
  project.provide('clusterStatusFile', statusFile);
  starting = startRedisCluster({ ports }).then(
    (handle) => {
      writeFileSync(statusFile, 'ok');
      return handle;
    },
    (err: Error) => {
      writeFileSync(statusFile, `error: ${err.message}`);
      return undefined;
    },
  );
}

/** Global teardown: waits for the cluster to finish forming, then stops it. */
export async function stopSharedCluster(): Promise<void> {
  const handle = await starting;
  await handle?.stop();
  if (statusDir) rmSync(statusDir, { recursive: true, force: true });
}

