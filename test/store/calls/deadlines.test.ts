/** The deadline queue behind TimeoutStore: one timer for many calls sharing a time limit. */
import { describe, expect, it, vi } from 'vitest';
import { DeadlineQueue } from '../../../src/store/calls/deadlines.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('DeadlineQueue', () => {
  it('expires only the calls still pending at their deadline, in order, not before it', async () => {
    const queue = new DeadlineQueue(300);
    const expired: number[] = [];
    const started = performance.now();
    const at: number[] = [];
    const entries = Array.from({ length: 5 }, (_, i) => queue.add(() => { expired.push(i); at.push(performance.now() - started); }));
    DeadlineQueue.settle(entries[1]!);
    DeadlineQueue.settle(entries[3]!);
    await sleep(150);
    const late = queue.add(() => expired.push(99));
    expect(expired).toEqual([]);
    await sleep(225); // ~375 ms: the first five are due (300), 'late' not yet (~450): 75 ms of margin either way
    expect(expired).toEqual([0, 2, 4]); // 1 and 3 settled in time; 99 is not due yet
    for (const ms of at) expect(ms).toBeGreaterThanOrEqual(299);
    await sleep(150);
    expect(expired).toEqual([0, 2, 4, 99]);
    expect(late.expire).toBeUndefined();
  });

  it('keeps working after the queue empties, and across many calls', async () => {
    const queue = new DeadlineQueue(50);
    let expired = 0;
    for (let round = 0; round < 3; round++) {
      const entries = Array.from({ length: 3000 }, () => queue.add(() => expired++));
      entries.forEach((e, i) => { if (i % 1000 !== 0) DeadlineQueue.settle(e); });
      await sleep(120);
    }
    expect(expired).toBe(9);
  });

  it('sweep() disarms the timer once every call has settled, and keeps it for pending ones', () => {
    vi.useFakeTimers(); // counts unref'ed timers too
    try {
      const queue = new DeadlineQueue(5000);
      const done = queue.add(() => undefined);
      const pending = queue.add(() => undefined);
      expect(vi.getTimerCount()).toBe(1);
      DeadlineQueue.settle(done);
      queue.sweep();
      expect(vi.getTimerCount()).toBe(1); // 'pending' still needs its deadline
      DeadlineQueue.settle(pending);
      queue.sweep();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
