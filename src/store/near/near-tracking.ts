/**
 * The tracking connections of one near cache: one for a standalone Redis, one per master of a Redis
 * Cluster (rebuilt when the set of masters changes). The near cache serves only while every one of
 * them is active; any loss flushes it. See docs/near-cache.md, "What flushes".
 * @internal
 */
import type { Cluster, Redis } from 'ioredis';
import type { NearCache } from './near-cache.js';
import { TRACKING_CONNECTION_OPTIONS, TrackingConnection, type TrackingEvents } from './tracking-connection.js';

/** How often each tracking connection sends `PING` (ms); one unanswered when the next is due flushes. @internal */
export const NEAR_PING_INTERVAL_MS = 1000;

/** See the file comment. @internal */
export class NearTracking {
  readonly #near: NearCache;
  readonly #prefix: string;
  readonly #pingMs: number;
  readonly #trackers = new Map<string, TrackingConnection>();
  readonly #cluster: Cluster | undefined;
  readonly #onRefused: (error: Error) => void;
  #closed = false;
  readonly #sync = () => this.#syncMasters();

  /**
   * @param source - the cache's ioredis client or cluster; the tracking connections copy its options.
   * @param onRefused - called when Redis refuses tracking (the near cache then never serves).
   */
  constructor(near: NearCache, source: Redis | Cluster, options: { pingMs?: number; onRefused: (error: Error) => void }) {
    this.#near = near;
    this.#prefix = `${near.settings.prefix}:`;
    this.#pingMs = options.pingMs ?? NEAR_PING_INTERVAL_MS;
    this.#onRefused = options.onRefused;
    if ((source as { isCluster?: boolean }).isCluster === true) {
      const cluster = source as Cluster;
      this.#cluster = cluster;
      for (const event of ['ready', 'refresh', '+node', '-node']) cluster.on(event, this.#sync);
      this.#syncMasters();
    } else {
      this.#cluster = undefined;
      this.#add('standalone', source as Redis);
    }
  }

  /** `host:port` of every server tracked, and whether its tracking is active (tests, diagnostics). */
  state(): { address: string; active: boolean }[] {
    return [...this.#trackers.values()].map((t) => ({ address: t.address, active: t.active }));
  }

  /** Stops serving, flushes, and closes every tracking connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#cluster) for (const event of ['ready', 'refresh', '+node', '-node']) this.#cluster.off(event, this.#sync);
    this.#near.flush('close', false);
    await Promise.all([...this.#trackers.values()].map((t) => t.close()));
    this.#trackers.clear();
  }

  #add(name: string, base: Redis): void {
    const events: TrackingEvents = {
      invalidate: (keys) => this.#near.invalidate(keys),
      up: () => this.#maybeResume(),
      down: (reason) => {
        if (this.#near.serving) this.#near.flush(reason, false);
      },
      refused: (error) => this.#onRefused(error),
    };
    this.#trackers.set(name, new TrackingConnection(base.duplicate(TRACKING_CONNECTION_OPTIONS), this.#prefix, this.#pingMs, events));
  }

  /** Serves again once every tracking connection is active. */
  #maybeResume(): void {
    if (this.#closed || this.#near.serving || this.#trackers.size === 0) return;
    for (const tracker of this.#trackers.values()) if (!tracker.active) return;
    this.#near.resume();
  }

  /** Redis Cluster: one tracking connection per current master; a change of the masters flushes. */
  #syncMasters(): void {
    const cluster = this.#cluster;
    if (this.#closed || cluster === undefined) return;
    const masters = new Map<string, Redis>();
    for (const node of cluster.nodes('master')) masters.set(`${node.options.host ?? 'localhost'}:${node.options.port ?? 6379}`, node);
    if (masters.size === 0) return;
    const same = masters.size === this.#trackers.size && [...masters.keys()].every((key) => this.#trackers.has(key));
    if (same) return;
    if (this.#near.serving || this.#trackers.size > 0) this.#near.flush('topology', false);
    for (const [key, tracker] of this.#trackers) {
      if (!masters.has(key)) {
        this.#trackers.delete(key);
        void tracker.close();
      }
    }
    for (const [key, node] of masters) if (!this.#trackers.has(key)) this.#add(key, node);
    this.#maybeResume();
  }
}
