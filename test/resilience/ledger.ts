/**
 * A ledger of the writes a fault test (or the soak script) sends, to check that no acknowledged write
 * was lost. Each key is written by one sequential worker, so its writes reach Redis in order on one
 * connection: the value Redis holds is the effect of the last acknowledged write, or of a later write
 * that failed (a failed write may or may not have applied; a write never applies after a later one).
 */

/** What a write leaves at its key: a version, or nothing (a delete). */
export type Effect = number | 'absent';

interface Attempt {
  effect: Effect;
  state: 'pending' | 'acked' | 'failed';
}

/** Handle of one write in a {@link WriteLedger}. */
export interface LedgerEntry {
  ack(): void;
  fail(): void;
}

/** The writes to a set of keys, and what each key may hold now. */
export class WriteLedger {
  private readonly history = new Map<string, Attempt[]>();
  acked = 0;
  failed = 0;

  /** Records a write about to be sent. */
  begin(key: string, effect: Effect): LedgerEntry {
    const attempt: Attempt = { effect, state: 'pending' };
    let list = this.history.get(key);
    if (!list) this.history.set(key, (list = []));
    list.push(attempt);
    return {
      ack: () => {
        attempt.state = 'acked';
        this.acked++;
      },
      fail: () => {
        attempt.state = 'failed';
        this.failed++;
      },
    };
  }

  /** The keys written so far. */
  keys(): string[] {
    return [...this.history.keys()];
  }

  /** What `key` may hold now: the last acknowledged write's effect, or a later unacknowledged one's. */
  allowed(key: string): Set<Effect> {
    const list = this.history.get(key) ?? [];
    let last = -1;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i]!.state === 'acked') {
        last = i;
        break;
      }
    }
    const allowed = new Set<Effect>([last === -1 ? 'absent' : list[last]!.effect]);
    for (let i = last + 1; i < list.length; i++) allowed.add(list[i]!.effect);
    return allowed;
  }

  /** Whether `observed` is a state `key` may be in. */
  holds(key: string, observed: Effect): boolean {
    return this.allowed(key).has(observed);
  }

  /** The last acknowledged effect of `key`, if any. */
  lastAcked(key: string): Effect | undefined {
    const list = this.history.get(key) ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.state === 'acked') return list[i]!.effect;
    return undefined;
  }
}
