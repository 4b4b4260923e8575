/**
 * One timer for many calls that share a time limit: the deadline queue behind every bounded call (`CallBounds`: the Redis driver's call path and `TimeoutStore`).
 *
 * Every call bounded by one `CallBounds` gets the same limit, so deadlines arrive in the order the calls start:
 * a FIFO queue holds them, and a single timer is armed for the oldest pending one (at most
 * {@link SWEEP_MS} ahead, so settled calls are dropped from the queue within that time). Starting a call
 * is a push, settling one is a flag: no call arms and clears its own `setTimeout` (which costs about 2 µs
 * a call on a hot path).
 * @internal
 */

/** Longest the timer waits before dropping settled calls from the front of the queue. */
export const SWEEP_MS = 100;

/**
 * A pending call: `expire` runs if it is still pending at its deadline.
 *
 * @example
 * const entry = queue.add(() => reject(new Error('timed out')));
 * DeadlineQueue.settle(entry); // settled in time
 */
export interface Deadline {
  readonly at: number;
  /** What runs at the deadline; dropped once the call settles, so nothing it holds is kept. */
  expire: (() => void) | undefined;
}

/**
 * A queue of deadlines `timeoutMs` after each `add`, with one unref'ed timer.
 *
 * @example
 * const queue = new DeadlineQueue(2000);
 * const entry = queue.add(() => console.log('too slow'));
 * work().finally(() => DeadlineQueue.settle(entry));
 */
export class DeadlineQueue {
  #entries: (Deadline | undefined)[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly timeoutMs: number) {}

  /** Marks `entry`'s call as settled: its `expire` never runs, and the queue no longer holds it. */
  static settle(entry: Deadline): void {
    entry.expire = undefined;
  }

  /** Registers a call starting now; `expire` runs once its `timeoutMs` have passed unless it is settled first. */
  add(expire: () => void): Deadline {
    const entry: Deadline = { at: performance.now() + this.timeoutMs, expire };
    this.#entries.push(entry);
    if (this.#timer === undefined) this.#arm(this.timeoutMs);
    return entry;
  }

  /**
   * Runs the sweep now: expires what is due, drops settled calls and disarms the timer when nothing is
   * pending any more (e.g. once the store behind the queue has closed and its calls have settled).
   */
  sweep(): void {
    clearTimeout(this.#timer);
    this.#fire();
  }

  #arm(delayMs: number): void {
    this.#timer = setTimeout(() => this.#fire(), Math.max(1, Math.ceil(Math.min(delayMs, SWEEP_MS))));
    this.#timer.unref?.();
  }

  #fire(): void {
    this.#timer = undefined;
    const now = performance.now();
    const entries = this.#entries;
    while (this.#head < entries.length) {
      const entry = entries[this.#head]!;
      const { expire } = entry;
      if (expire !== undefined && entry.at > now) break;
      entries[this.#head++] = undefined;
      if (expire !== undefined) {
        entry.expire = undefined;
        expire();
      }
    }
    // Drop the consumed slots (keeps the array small without shifting it on every call).
    if (this.#head === entries.length) {
      this.#entries = [];
      this.#head = 0;
    } else if (this.#head >= 64 && this.#head * 2 >= entries.length) {
      this.#entries = entries.slice(this.#head);
      this.#head = 0;
    }
    if (this.#head < this.#entries.length) this.#arm(this.#entries[this.#head]!.at - now);
  }
}
