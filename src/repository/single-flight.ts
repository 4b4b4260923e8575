/** Coalesces concurrent calls for the same key into one. @internal */
export class SingleFlight<T> {
  private readonly inflight = new Map<string, Promise<T>>();

  /** Runs `work` for `key`, unless a call for `key` is already running: then shares its promise. */
  run(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key);
    if (running) return running;
    const promise = work().finally(() => {
      if (this.inflight.get(key) === promise) this.inflight.delete(key);
    });
    this.inflight.set(key, promise);
    return promise;
  }

  /** Number of keys with a call in flight. */
  get size(): number {
    return this.inflight.size;
  }
}
