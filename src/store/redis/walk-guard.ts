/**
 * Keeping a cursor walk (`SCAN`, `ZSCAN`, index pages) on the connection it started on.
 *
 * A `SCAN`/`ZSCAN` cursor only means something to the server that issued it. When the connection to a
 * node is re-established between two steps of a walk, the node may have restarted (its data reloaded
 * from disk in another order, or gone): sending the old cursor there would end the walk normally with
 * part of the result, or repeat parts of it. A {@link WalkGuard} notices that the connection changed: the
 * identity of the node's socket (ioredis' `stream`, replaced on every connection) or of the node client
 * itself (a cluster replaces a node's client when its topology changes) is the connection's epoch. It
 * adds no listener to the client, so it also works on a client you passed. Both the standalone and the
 * cluster store walk with it. @internal
 */
import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../errors/index.js';

/**
 * Watches the connection a walk uses. Call {@link WalkGuard.check} after every reply of the walk: the
 * first call records the connection, later calls throw when it changed.
 *
 * @example
 * const guard = new WalkGuard(() => client, 'SCAN', 'Redis at 127.0.0.1:6379');
 * const reply = await client.scan(cursor, 'MATCH', match);
 * guard.check();
 */
export class WalkGuard {
  #node: Redis | undefined;
  #stream: unknown;
  #started = false;

  constructor(
    /** The node client serving the walk right now (`undefined` while unknown, e.g. during a failover). */
    private readonly node: () => Redis | undefined,
    private readonly command: string,
    /** How the server appears in messages (no credentials). */
    private readonly address: string | (() => string),
  ) {}

  /** Whether the walk's connection is still the one it started on (records it on the first call). */
  same(): boolean {
    const node = this.node();
    const stream = node?.stream;
    if (!this.#started) {
      this.#started = true;
      this.#node = node;
      this.#stream = stream;
      return true;
    }
    return node === this.#node && stream === this.#stream;
  }

  /** Throws {@link StoreUnavailableError} unless {@link WalkGuard.same}. */
  check(): void {
    if (!this.same()) throw this.error();
  }

  /** The error a walk whose connection changed fails with. */
  error(): StoreUnavailableError {
    const address = typeof this.address === 'string' ? this.address : this.address();
    return new StoreUnavailableError(
      `The connection to Redis at ${address} was re-established during a ${this.command} walk: the server may have restarted, ` +
        'and its cursor would then skip or repeat keys, so the walk stopped instead of ending with part of the result. ' +
        'Run the find again (it starts a new walk).',
      { command: this.command, operation: this.command },
    );
  }
}
