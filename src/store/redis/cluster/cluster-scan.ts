/**
 * `scan` on Redis Cluster: SCAN on every master (the list is read when the scan starts), or only on the
 * master owning the slot when the glob fixes a hash tag. When the topology changed during the scan
 * (failover, resharding: the slot map differs at the end, or a node failed after it changed), the scan
 * starts over on the new masters (keys may repeat; callers de-duplicate), at most 3 times. A node failing
 * while the topology stays the same throws {@link StoreUnavailableError}: never a silently partial result.
 * @internal
 */
import type { Cluster } from 'ioredis';
import type { StoreUnavailableError } from '../../../errors/index.js';
import { runCall, type CallPath } from '../call.js';
import { WalkGuard } from '../walk-guard.js';
import { clusterReady, masterOfSlot, nodeAddress, topologyOf } from './cluster.js';
import { slotOfGlob } from './slots.js';

/** How often a scan starts over when the cluster's topology changed under it, before it gives up. */
const MAX_SCAN_RESTARTS = 3;

/**
 * Yields the batches of keys matching `match` on `client`'s masters, each SCAN step run on `path`.
 * `unavailable` makes the error for a scan that cannot go on. @internal
 *
 * @example
 * yield* scanCluster(client, path, 'app:session:*', 1000, 2000, (command, reason) => new StoreUnavailableError(reason, { command }));
 */
export async function* scanCluster(
  client: Cluster,
  path: CallPath,
  match: string,
  count: number,
  readyTimeoutMs: number,
  unavailable: (command: string, reason: string) => StoreUnavailableError,
): AsyncIterable<string[]> {
  const target = path.target;
  const slot = slotOfGlob(match);
  for (let attempt = 0; ; attempt++) {
    await runCall(path, { command: 'scan', redis: 'SCAN', key: match }, () => clusterReady(client, 'SCAN', target, readyTimeoutMs));
    const topology = topologyOf(client);
    const nodes = slot === undefined ? client.nodes('master') : [masterOfSlot(client, slot)];
    let interrupted = false;
    walk: for (const node of nodes) {
      if (node === undefined) throw unavailable('SCAN', "the master of the hash tag's slot is not known (a failover may be under way)");
      const guard = new WalkGuard(() => node, 'SCAN', nodeAddress(node));
      let cursor = '0';
      do {
        let reply: [string, string[]];
        try {
          reply = await runCall(path, { command: 'scan', redis: 'SCAN', key: match }, () => node.scan(cursor, 'MATCH', match, 'COUNT', count));
        } catch (err) {
          // A node dropped because its slots moved (e.g. a failover): start over on the new masters.
          if (topologyOf(client) === topology || attempt === MAX_SCAN_RESTARTS) throw err;
          interrupted = true;
          break walk;
        }
        // The node reconnected (it may have restarted): its cursor means nothing now. Start over when
        // the topology changed too, else fail: never a silently partial result.
        if (!guard.same()) {
          if (topologyOf(client) === topology || attempt === MAX_SCAN_RESTARTS) throw guard.error();
          interrupted = true;
          break walk;
        }
        cursor = reply[0];
        if (reply[1].length > 0) yield reply[1];
      } while (cursor !== '0');
    }
    if (!interrupted && topologyOf(client) === topology) return;
    if (attempt === MAX_SCAN_RESTARTS) {
      throw unavailable('SCAN', 'the cluster topology kept changing during the scan (failover or resharding)');
    }
  }
}
