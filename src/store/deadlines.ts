/**
 * One timer for many calls that share a time limit: the deadline queue behind {@link TimeoutStore}.
 *
 * Every call of a `TimeoutStore` gets the same limit, so deadlines arrive in the order the calls start:
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
 * entry.done = true; // settled in time
 */
export interface Deadline {
  readonly at: number;
  readonly expire: () => void;
  /** Set when the call settled; the queue then skips it. */
  done: boolean;
}

/**
 * A queue of deadlines `timeoutMs` after each `add`, with one unref'ed timer.
 *
 * @example
 * const queue = new DeadlineQueue(2000);
 * const entry = queue.add(() => console.log('too slow'));
 * work().finally(() => { entry.done = true; });
 */
export class DeadlineQueue {
  #entries: Deadline[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly timeoutMs: number) {}

  /** Registers a call starting now; `expire` runs once its `timeoutMs` have passed unless `done` is set first. */
  add(expire: () => void): Deadline {
    const entry: Deadline = { at: performance.now() + this.timeoutMs, expire, done: false };
    this.#entries.push(entry);
    if (this.#timer === undefined) this.#arm(this.timeoutMs);
    return entry;
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
      if (!entry.done && entry.at > now) break;
      this.#head++;
      if (!entry.done) {
        entry.done = true;
        entry.expire();
      }
    }
    // Drop what was consumed (keeps the array small without shifting it on every call).
    if (this.#head === entries.length) {
      this.#entries = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > entries.length) {
      this.#entries = entries.slice(this.#head);
      this.#head = 0;
    }
    // Settled entries at the front are skipped lazily, when the timer next fires.
    if (this.#head < this.#entries.length) this.#arm(this.#entries[this.#head]!.at - now);
  }
}
