/** examples/cluster.ts: the same code against the run's Redis Cluster, run as a child process with CLUSTER_URLS. */
import { execFile } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { clusterUrls, openTestCluster } from '../support/cluster.js';
import { root } from './run-example.js';

function runClusterExample(urls: string | undefined): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1' };
  delete env.CLUSTER_URLS;
  if (urls !== undefined) env.CLUSTER_URLS = urls;
  return new Promise((done) => {
    const child = execFile(process.execPath, ['--import', 'tsx', 'examples/cluster.ts'], { cwd: root, env, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
    child.stdin?.end();
  });
}

describe('examples/cluster.ts', () => {
  let urls: string[];
  beforeAll(async () => {
    urls = await clusterUrls();
  }, 90_000);

  it('runs against a cluster from two seed URLs, deletes what it wrote, then exits on its own', async () => {
    const { code, stdout, stderr } = await runClusterExample(urls.slice(0, 2).join(','));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('cacheorm on a Redis Cluster (2 seed nodes)');
    expect(stdout).toMatch(/key of acme\/s1: +cluster-example:session:\{acme\}:s1\n/);
    expect(stdout).toMatch(/its index set: +cluster-example:session#index:\{acme\}\n/);
    expect(stdout).toMatch(/getMany of 200 events: +200 found/);
    expect(stdout).toMatch(/acme's sessions: +\["ann@laptop","ann@phone","bob@laptop"\]/);
    expect(stdout).toMatch(/every tenant, session s1: +\["acme","globex"\]/);
    expect(stdout).toMatch(/clicks \(SCAN every master\): +100/);
    expect(stdout).toMatch(/acme sessions deleted: +3/);
    expect(stdout).toContain('cache closed.');
    const cluster = openTestCluster(urls);
    try {
      await cluster.ping();
      for (const node of cluster.nodes('master')) expect(await node.keys('cluster-example:*')).toEqual([]);
    } finally {
      cluster.disconnect();
    }
  });

  it('says what to set when CLUSTER_URLS is missing', async () => {
    const { code, stderr } = await runClusterExample(undefined);
    expect(code).toBe(2);
    expect(stderr).toMatch(/Set CLUSTER_URLS to the node URLs of a Redis Cluster/);
  });
});
