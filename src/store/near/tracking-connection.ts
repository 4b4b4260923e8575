/**
 * One tracking connection of a near cache: a connection of its own to one Redis server (a standalone
 * Redis, or one master of a cluster), on RESP2, that asks Redis for every change under the cache's
 * prefix (`CLIENT TRACKING ON REDIRECT <own id> BCAST PREFIX <prefix>:`) and receives them on
 * `__redis__:invalidate`. It is *active* once the three setup steps answered on the current connection;
 * it reports `down` on any close, error or unanswered `PING`. See docs/near-cache.md, "The protocol".
 * @internal
 */
import type { Redis, RedisOptions } from 'ioredis';
import { quitClient } from '../redis/client.js';

/** The channel Redis publishes RESP2 invalidations on. @internal */
export const INVALIDATE_CHANNEL = '__redis__:invalidate';

/** What a tracking connection reports. @internal */
export interface TrackingEvents {
  /** Keys Redis reported changed; `null`: everything (`FLUSHALL`, `FLUSHDB`). */
  invalidate(keys: string[] | null): void;
  /** Tracking became active on a new connection. */
  up(): void;
  /** Tracking stopped: the connection closed or failed (`disconnect`), or a `PING` went unanswered. */
  down(reason: 'disconnect' | 'ping-timeout'): void;
  /** Redis refused the setup (e.g. a server older than Redis 6 has no `CLIENT TRACKING`). */
  refused(error: Error): void;
}

/**
 * The options of the connection a tracking connection opens, over those of `base` (the cache's client
 * or a cluster node): RESP2 (ioredis 6 defaults to RESP3, whose `invalidate` pushes it drops), no
 * offline queue, no automatic re-subscription or resending (the setup runs again on each connection).
 * @internal
 *
 * @example
 * const tracker = client.duplicate(TRACKING_CONNECTION_OPTIONS);
 */
export const TRACKING_CONNECTION_OPTIONS = {
  protocol: 2,
  replyMapping: 'legacy', // ioredis 6 refuses 'resp3' with protocol 2 (ioredis 5 ignores both)
  lazyConnect: true,
  enableOfflineQueue: false,
  autoResubscribe: false,
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 1,
  connectionName: 'cacheorm-near',
} as RedisOptions;

/** See the file comment. @internal */
export class TrackingConnection {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #events: TrackingEvents;
  readonly #timer: NodeJS.Timeout;
  /** Changes on every new connection and every loss: setup replies of an older one are ignored. */
  #generation = 0;
  #active = false;
  #pingOutstanding = false;
  #closed = false;

  /**
   * @param client - a new, not yet connected client (`lazyConnect`) with {@link TRACKING_CONNECTION_OPTIONS}.
   * @param prefix - the prefix to track (the cache's prefix followed by `:`).
   * @param pingMs - how often to `PING`; one unanswered when the next is due drops the connection.
   */
  constructor(client: Redis, prefix: string, pingMs: number, events: TrackingEvents) {
    this.#client = client;
    this.#prefix = prefix;
    this.#events = events;
    client.on('messageBuffer', (channel: Buffer, message: Buffer | Buffer[] | null) => {
      if (channel.toString() !== INVALIDATE_CHANNEL) return;
      events.invalidate(message === null ? null : Array.isArray(message) ? message.map(String) : [String(message)]);
    });
    client.on('ready', () => this.#setUp());
    client.on('close', () => this.#lose('disconnect'));
    client.on('end', () => this.#lose('disconnect'));
    client.on('error', () => {
      // Connection errors are followed by `close`; one on a connection that stays up is a loss too.
      this.#lose('disconnect');
      if (!this.#closed && client.status === 'ready') client.disconnect(true);
    });
    this.#timer = setInterval(() => this.#tick(), pingMs);
    this.#timer.unref();
    client.connect().catch(() => undefined); // failures arrive as `error` / `close`, then ioredis retries
  }

  /** Whether tracking is active on the current connection. */
  get active(): boolean {
    return this.#active;
  }

  /** `host:port` of the server. */
  get address(): string {
    return `${this.#client.options.host ?? 'localhost'}:${this.#client.options.port ?? 6379}`;
  }

  /** Stops tracking and closes the connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#active = false;
    this.#generation++;
    await quitClient(this.#client, 1000);
  }

  /** The setup steps on a new connection; active once all three answered on it. */
  #setUp(): void {
    const generation = ++this.#generation;
    this.#active = false;
    this.#pingOutstanding = false;
    const client = this.#client;
    void (async () => {
      const id = await client.client('ID');
      await client.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id), 'BCAST', 'PREFIX', this.#prefix);
      await client.subscribe(INVALIDATE_CHANNEL);
    })().then(
      () => {
        if (this.#closed || generation !== this.#generation) return;
        this.#active = true;
        this.#events.up();
      },
      (err: unknown) => {
        if (this.#closed || generation !== this.#generation) return;
        if ((err as Error | undefined)?.name === 'ReplyError') this.#events.refused(err as Error);
        else if (client.status === 'ready') client.disconnect(true);
      },
    );
  }

  #lose(reason: 'disconnect' | 'ping-timeout'): void {
    if (this.#closed) return;
    this.#generation++;
    this.#active = false;
    this.#pingOutstanding = false;
    this.#events.down(reason);
  }

  /** Sends a `PING`; if the previous one is still unanswered, drops the connection (ioredis reconnects). */
  #tick(): void {
    const client = this.#client;
    if (this.#closed || client.status !== 'ready') return;
    if (this.#pingOutstanding) {
      this.#lose('ping-timeout');
      client.disconnect(true);
      return;
    }
    this.#pingOutstanding = true;
    const generation = this.#generation;
    client.ping().then(
      () => {
        if (generation === this.#generation) this.#pingOutstanding = false;
      },
      () => undefined,
    );
  }
}
